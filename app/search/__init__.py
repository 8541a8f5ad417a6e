"""Stage 3, search: the full-text index of one catalog version behind one small interface (Whoosh stays in here).

`query` holds the interface's values, `index` the engine; may import `app.catalog` only.
"""
