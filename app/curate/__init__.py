"""The `mentordir` command: serving, loading and exporting the catalog, and the curators' tools (report, links, add).

The top of the stack: it may import any stage and the server shell.
"""
