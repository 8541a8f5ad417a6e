"""Mentor Directory: the searchable catalog of mentorship programs for academic medicine.

The data flows one way, a package per stage: `catalog` (YAML → validated models) → `store` (SQL) and `search`
(the index) → `live` (the snapshot served) → `api` and `web` → `curate` (the command line). Beside them the server
shell: `main` (the app factory), `serving`, `observe`, `middleware` (security headers, compression) and `config`
(settings, read once).
"""
