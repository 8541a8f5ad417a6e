"""Stage 2, the store: the validated catalog written to SQL (SQLModel) in one transaction, and read back.

May import `app.catalog` only.
"""
