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


PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


@contextmanager
def phone_page(browser: Any, base_url: str, *, javascript: bool) -> Iterator[tuple[Any, list[str]]]:
    """A page at phone width, with or without JavaScript, and the console errors it logs (for the test to judge)."""
    context = browser.new_context(base_url=base_url, viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        yield page, errors
    finally:
        context.close()


def suggestions_cli(*args: str) -> str:
    """`mentordir suggestions ARGS`, which must succeed: its output."""
    from typer.testing import CliRunner

    from app.curate.cli import cli

    result = CliRunner().invoke(cli, ["suggestions", *args])
    assert result.exit_code == 0, result.output
    return str(result.output)


def serious_violations(page: Any) -> list[tuple[str, list[Any]]]:
    """axe's serious and critical violations on the page as it is now (rule id, the first three nodes), after a check
    that it does not scroll sideways. The page's context needs bypass_csp: axe is injected by page.evaluate."""
    from axe_playwright_python.sync_playwright import Axe

    no_sideways_scroll(page)
    found = Axe().run(page).response["violations"]
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found if v["impact"] in ("serious", "critical")]
