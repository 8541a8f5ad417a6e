"""Suggesting a correction in a real headless Chromium at phone width, with and without JavaScript, on SQLite and
PostgreSQL: the curator's `mentordir suggestions list` shows it, and it is still there after the service restarts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from app.main import create_app
from tests.support.app import make_settings, serving
from tests.support.browser import PHONE, no_sideways_scroll, phone_page, serious_violations, suggestions_cli

pytestmark = pytest.mark.browser

TOKEN = "curator-token-for-tests"
EMAIL = "faculty.member@example.edu"
MESSAGE = "The program's page has moved, and applications now close on 1 March."


def listed(database_url: str) -> str:
    return suggestions_cli("list", "--database-url", database_url)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_correction_from_a_program_page_is_listed_and_survives_a_restart(
    browser: Any, tmp_path: Path, database_url: str, javascript: bool
) -> None:
    settings = make_settings(tmp_path, database_url=database_url, admin_token=TOKEN)
    with serving(create_app(settings)) as base, phone_page(browser, base, javascript=javascript) as (page, errors):
        page.goto("/programs/elam")
        page.get_by_role("link", name="Suggest a correction").click()
        expect(page.locator("h1")).to_have_text("Suggest a correction")
        expect(page.locator(".lede a")).to_have_text("Executive Leadership in Academic Medicine")
        no_sideways_scroll(page)

        page.get_by_label("What is wrong or missing?").fill(MESSAGE)
        page.get_by_label("A link where we can check it").fill("javascript:alert(1)")
        page.get_by_label("Your email").fill(EMAIL)
        page.get_by_role("button", name="Send suggestion").click()
        expect(page.locator(".error-summary")).to_contain_text("There is a problem with your suggestion")
        expect(page.locator("#url-error")).to_contain_text("The link must be a web address starting with http")
        expect(page.locator("#url")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#message")).to_have_value(MESSAGE)  # nothing typed is lost
        expect(page.locator("#email")).to_have_value(EMAIL)
        no_sideways_scroll(page)

        page.get_by_label("A link where we can check it").fill("http://192.168.1.20/elam")  # a private address
        page.get_by_role("button", name="Send suggestion").click()
        expect(page.locator("#url-error")).to_contain_text("The link points to a private, local or reserved address")
        expect(page.locator("#message")).to_have_value(MESSAGE)

        page.get_by_label("A link where we can check it").fill("https://example.org/elam")
        page.get_by_role("button", name="Send suggestion").click()
        expect(page).to_have_url(re.compile(r"/suggest/done\?ref=1&program=elam$"))
        expect(page.locator("h1")).to_have_text("Thank you: your suggestion is with the curators")
        expect(page.locator("main")).to_contain_text("What happens next")
        expect(page.locator("main")).not_to_contain_text(EMAIL)
        page.get_by_role("link", name="Back to Executive Leadership in Academic Medicine").click()
        expect(page.locator("h1")).to_have_text("Executive Leadership in Academic Medicine")
    # The only console error is Chromium's note of the 422 page the test provoked (no script or CSP errors).
    assert [e for e in errors if "status of 422" not in e] == []
    first = listed(database_url)
    assert re.search(r"^#1 +new +correction +elam .* The program's page has moved", first, re.M), first
    assert "[link]" in first and "in all: 1 new" in first

    with serving(create_app(settings)) as base:  # the service restarts on the same database
        response = httpx.get(f"{base}/api/v1/admin/suggestions", headers={"Authorization": f"Bearer {TOKEN}"})
        [row] = response.json()["results"]
        assert (row["id"], row["status"], row["channel"], row["program_id"]) == (1, "new", "web", "elam")
        assert (row["message"], row["url"], row["email"]) == (MESSAGE, "https://example.org/elam", EMAIL)
    assert listed(database_url) == first


def test_the_form_has_no_serious_accessibility_violations_at_phone_width(browser: Any, live_server: str) -> None:
    # axe is injected with page.evaluate (as in test_a11y.py), which the strict CSP would refuse: bypassed here only.
    context = browser.new_context(base_url=live_server, viewport=PHONE, bypass_csp=True, java_script_enabled=True)
    page = context.new_page()
    found = {}
    page.goto("/suggest?kind=new-program")
    states = {"empty": None, "with errors": "send", "done": None}
    for state, action in states.items():
        if action == "send":
            page.get_by_label("Your email").fill("not an address")
            page.get_by_role("button", name="Send suggestion").click()
            expect(page.locator(".error-summary li")).to_have_count(2)
        if state == "done":
            page.goto("/suggest/done?ref=3")
        if bad := serious_violations(page):
            found[state] = bad
    context.close()
    assert found == {}
