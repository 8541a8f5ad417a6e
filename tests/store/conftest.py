"""The store's tests run on an empty database, SQLite and PostgreSQL in turn."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from app.store.db import init_db, make_engine


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An empty database, SQLite and PostgreSQL in turn."""
    engine = make_engine(database_url)
    init_db(engine)
    yield engine
    engine.dispose()
