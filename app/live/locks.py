"""Locks shared by the worker processes of one machine: files in the index folder, held with flock(2).

The kernel drops a process's locks when it dies, so a crashed worker never leaves one behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path


class FileLock:
    """An exclusive lock on one file; each instance is its own holder (also between threads of one process)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; True when this holder has it (now or already)."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    @contextlib.contextmanager
    def hold(self, timeout: float) -> Iterator[None]:
        """Wait up to `timeout` seconds for the lock and hold it for the block; TimeoutError if it stays taken."""
        deadline = time.monotonic() + timeout
        while not self.try_acquire():
            if time.monotonic() > deadline:
                raise TimeoutError(f"another process held {self.path.name} for {timeout:.0f} s")
            time.sleep(0.05)
        try:
            yield
        finally:
            self.release()
