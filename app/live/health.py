"""Whether the database answers: pinged at most once a second, by one thread at a time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.store.db import ping

CHECK_SECONDS = 1.0


class DatabaseHealth:
    """Requests are served from the snapshot in memory, but a replica whose database is gone is out of date by
    design, so the API and pages answer 503 until it comes back (and recover by themselves when it does)."""

    def __init__(self, engine: Callable[[], Engine]) -> None:
        self.engine = engine  # the engine in use, read at each ping: an operator or a test may swap it
        self._lock = threading.Lock()
        self._checked = -CHECK_SECONDS
        self._error: str | None = None

    def due(self) -> bool:
        return time.monotonic() - self._checked >= CHECK_SECONDS

    def error(self, *, refresh: bool = True) -> str | None:
        """Why the database does not answer, or None; `refresh` pings it when a second has passed."""
        if refresh and self.due() and self._lock.acquire(blocking=False):
            try:
                ping(self.engine())
                self._error = None
            except (SQLAlchemyError, OSError) as exc:
                self._error = f"unreachable: {type(exc).__name__}"
            finally:
                self._checked = time.monotonic()
                self._lock.release()
        return self._error
