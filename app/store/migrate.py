"""Columns added to the store's tables after they were first released, added to a database made before them."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

# Columns added after a table was first released, with the value existing rows take.
_ADDED_COLUMNS = {
    "program": {"seq": "INTEGER NOT NULL DEFAULT 0"},
    "removed_program": {"seq": "INTEGER NOT NULL DEFAULT 0", "replaced_by": "VARCHAR(80)"},
    "catalog_meta": {
        "seq": "INTEGER NOT NULL DEFAULT 0",
        "epoch": "VARCHAR(32) NOT NULL DEFAULT ''",
        "license_name": "TEXT",
        "license_url": "TEXT",
        "citation": "TEXT",
    },
    "suggestion": {"details": "TEXT", "nonce": "VARCHAR(32)"},
}


def add_missing_columns(engine: Engine) -> None:
    tables = inspect(engine)
    for table, columns in _ADDED_COLUMNS.items():
        present = {c["name"] for c in tables.get_columns(table)}
        with engine.begin() as conn:
            for name, ddl in columns.items():
                if name not in present:
                    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}"))
