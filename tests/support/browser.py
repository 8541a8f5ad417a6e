"""Debian's Chromium for the browser tests, and a page that fails its test on any console error."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.support.app import IN_CI

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    """Debian's chromium; the browser tests skip without it, except in CI where they fail."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if IN_CI:
            pytest.fail("chromium is not installed, and CI must run the browser tests")
        pytest.skip("chromium is not installed")
    return found


@contextmanager
def watched_page(browser: Any, **context_options: Any) -> Iterator[Any]:
    """A fresh page in its own context; fails the test on any console error (CSP violations included)."""
    context = browser.new_context(**context_options)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    context.close()
    assert errors == []
