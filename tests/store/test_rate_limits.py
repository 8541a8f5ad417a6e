"""The rate limits kept in the database (the forms' shared limit, the admin token's wrong guesses) hold under a race."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine

from app.store import suggestions as store


def test_thirty_racing_hits_of_one_client_let_exactly_the_limit_through(engine: Engine) -> None:
    client = store.client_key("admin:198.51.100.7")

    def hit(_: int) -> bool:
        return not store.take(engine, client, limit=10, window=dt.timedelta(seconds=60)).refused

    with ThreadPoolExecutor(30) as pool:
        allowed = sum(pool.map(hit, range(30)))
    assert allowed == 10
    other = store.take(engine, store.client_key("admin:198.51.100.8"), limit=10, window=dt.timedelta(seconds=60))
    assert not other.refused and other.remaining == 9  # another address is not held back by the race's lock
