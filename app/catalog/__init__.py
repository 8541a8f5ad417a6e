"""Stage 1, the catalog: vocabularies, reading and validating `data/programs.yaml` into models, curators' scaffolding.

Imports nothing from the other stages (only `app.config`): everything downstream is built on it.
"""
