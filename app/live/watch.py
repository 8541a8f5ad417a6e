"""Watch the catalog file and reload the live catalog when its contents change."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import anyio.to_thread
from watchfiles import awatch

from app.live.holder import LiveCatalog
from app.live.loading import file_stamp

log = logging.getLogger("mentordir")


def _watched(catalog: Path) -> tuple[set[Path], set[str]]:
    """The folders to watch and the names that matter in them: the path as given and, if a symlink, its target.

    Folders rather than the file: editors and deploy tools often write a new file and rename it over the old one,
    which a watch on the old file's inode would miss.
    """
    paths = {catalog.absolute(), catalog.resolve()}
    return {p.parent for p in paths}, {p.name for p in paths}


async def _stopped(stop: asyncio.Event, seconds: float) -> bool:
    """Wait up to `seconds` for `stop`; True when it is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    return stop.is_set()


async def _settled(path: Path, seconds: float, stop: asyncio.Event) -> bool:
    """Wait until the file's inode, size and modification time stay the same for `seconds` (an editor may still be
    writing it); False when stopped."""
    stamp = file_stamp(path)
    while not await _stopped(stop, seconds):
        now = file_stamp(path)
        if now == stamp:
            return True
        stamp = now
    return False


async def watch_catalog(live: LiveCatalog, stop: asyncio.Event) -> None:
    """Reload on each change to the catalog file once it has settled (unchanged for `watch_settle_ms`), and check its
    fingerprint every few seconds as well.

    The periodic check catches what change events miss (network file systems, a write before the watch began).
    """
    settings = live.settings
    while not live.watch_lock.try_acquire():  # another worker of this machine watches; take over if it stops
        if await _stopped(stop, settings.watch_poll_seconds):
            return
    folders, names = _watched(settings.catalog)
    folders = {f for f in folders if f.is_dir()}
    if not folders:
        log.error("not watching %s: its folder does not exist", settings.catalog)
        return

    log.info("watching %s for changes", settings.catalog)
    async for changes in awatch(
        *folders,
        watch_filter=lambda _change, path: Path(path).name in names,
        step=settings.watch_debounce_ms,
        stop_event=stop,
        rust_timeout=int(settings.watch_poll_seconds * 1000),
        yield_on_timeout=True,
        recursive=False,
    ):
        suspect = bool(changes)  # an event that named the file makes it suspect; an empty set is the periodic check
        if (suspect or live.file_moved()) and not await _settled(
            settings.catalog, settings.watch_settle_ms / 1000, stop
        ):
            return
        try:
            await anyio.to_thread.run_sync(partial(live.reload_if_changed, suspect=suspect))
        except Exception:  # keep watching: the last good catalog is still served, and the next change may fix it
            log.exception("reloading %s failed; still serving catalog %s", settings.catalog, live.served)


async def follow_database(live: LiveCatalog, stop: asyncio.Event) -> None:
    """Poll the database's catalog version and swap in a new snapshot when it changes.

    Replicas do, and so does every worker of a leader: whichever worker loads a file, the others follow it here.
    """
    interval = live.settings.follow_poll_seconds
    log.debug("following the catalog in the database every %.1f s", interval)
    while not await _stopped(stop, interval):
        try:
            await anyio.to_thread.run_sync(live.refresh_from_database)
        except LookupError as exc:  # the loader has not written a catalog yet
            log.info("following: %s", exc)
        except Exception as exc:  # keep polling: the last good snapshot is still served
            log.warning("following: could not refresh from the database (%s); serving %s", exc, live.served)


@contextlib.asynccontextmanager
async def watching(live: LiveCatalog) -> AsyncIterator[None]:
    """For the duration of the block, follow the database; and, unless a replica, watch the file when the settings
    say so (one worker of the machine does; the others follow what it loads)."""
    followers = [follow_database]
    if live.settings.watch and not live.settings.follow:
        followers.append(watch_catalog)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(follower(live, stop)) for follower in followers]
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)
        except (TimeoutError, asyncio.CancelledError):
            log.warning("the catalog watcher did not stop in time")
