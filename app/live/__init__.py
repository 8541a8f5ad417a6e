"""Stage 4, the live catalog: loads a file into the store and the index, and holds the snapshot being served.

Also the file watcher. May import `app.store`, `app.search` and `app.catalog`.
"""
