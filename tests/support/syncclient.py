"""A client that keeps a copy of the catalog the way the README's sync recipe says: tokens, pages, 409 and 503."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

Get = Callable[[str], httpx.Response]
FIRST = "/api/v1/programs"


def path_of(url: str) -> str:
    """The path and query of a link: the client sends it to whichever server it likes (a load balancer would)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


class Mirror:
    """A local copy of the catalog, brought up to date by `sync`."""

    def __init__(self, get: Get, *, per_page: int = 3, patience: float = 60) -> None:
        self.get = get
        self.per_page = per_page
        self.patience = patience
        self.records: dict[str, dict[str, Any]] = {}
        self.token: str | None = None
        self.restarts = 0  # 409s seen: a page asked for under a version no longer served
        self.waits = 0  # 503s seen: a server that had not caught up yet
        self.moved: dict[str, str] = {}  # renames applied: {old id: new id}

    def sync(self) -> str:
        """One sync: every page of what changed since the token (everything, the first time); returns the token."""
        params = {"per_page": str(self.per_page)} | ({"since": self.token} if self.token else {})
        first = f"{FIRST}?{urlencode(params)}"
        deadline = time.monotonic() + self.patience
        url: str | None = first
        changed: dict[str, dict[str, Any]] = {}
        removed: dict[str, str | None] = {}  # id -> the id that replaces it (a rename), or None
        token: str | None = None
        while url is not None:
            assert time.monotonic() < deadline, f"no complete sync within {self.patience} s"
            response = self.get(url)
            if response.status_code == 503:
                assert response.headers["retry-after"].isdigit()
                self.waits += 1
                time.sleep(0.1)  # Retry-After says when it is sure; a sync may try sooner
                continue
            if response.status_code == 409:
                body = response.json()
                assert body["type"].endswith("/catalog-changed") and body["current_version"]
                self.restarts += 1
                url, changed, removed, token = first, {}, {}, None
                continue
            assert response.status_code == 200, response.text
            body = response.json()
            token = token or body["sync_token"]
            assert body["sync_token"] == token, "the pages of one walk came from different loads"
            changed.update((r["id"], r) for r in body["results"])
            for gone in body.get("removed", []):
                assert gone["id"] not in removed, f"{gone['id']} listed twice in one walk through the pages"
                removed[gone["id"]] = gone.get("replaced_by")
            url = path_of(body["links"]["next"]) if body["links"]["next"] else None
        if self.token is None:
            self.records.clear()
        for pid, new in removed.items():
            record = self.records.pop(pid, None)
            if new is not None and record is not None:  # a rename: the copy moves to the new id (updated below)
                self.records[new] = record | {"id": new}
                self.moved[pid] = new
        self.records.update(changed)
        assert token is not None
        self.token = token
        return token

    def matches_export(self) -> bool:
        """Whether the copy equals the NDJSON export made at the copy's own token (both from the same load)."""
        import orjson

        response = self.get("/api/v1/programs.ndjson")
        if response.status_code != 200 or response.headers["sync-token"] != self.token:
            return False
        exported = [orjson.loads(line) for line in response.content.splitlines()]
        assert not any(line.get("removed") for line in exported)  # a full export has no tombstones
        mine = {pid: {k: v for k, v in r.items() if k != "links"} for pid, r in self.records.items()}
        assert mine == {r["id"]: r for r in exported}, "the synced copy differs from the export"
        return True

    def converge(self, rounds: int = 100, *, until: str | None = None) -> None:
        """Sync until the copy is compared with an export of the same load (a load may land between the two),
        and, given `until`, the copy has reached that token."""
        for _ in range(rounds):
            self.sync()
            if (until is None or self.token == until) and self.matches_export():
                return
            time.sleep(0.05)
        raise AssertionError("never caught an export of the same load as the copy")
