""" "Do you run this program?" in a real headless Chromium at phone width, with and without JavaScript: the staff's
confirmation is listed by `mentordir suggestions list`, applied with one command, and then the page and the API
say "Confirmed with the program on DATE" after the reload."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, make_settings, serving
from tests.support.browser import PHONE, no_sideways_scroll, phone_page, serious_violations, suggestions_cli

pytestmark = pytest.mark.browser

EMAIL = "dana.ruiz@nih.gov"
TOKEN = "curator-token-for-tests"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_confirmation_from_a_program_page_is_applied_and_then_shown(
    browser: Any, tmp_path: Path, database_url: str, javascript: bool
) -> None:
    catalog = tmp_path / "catalog.yaml"
    shutil.copy(FIXTURE_CATALOG, catalog)
    settings = make_settings(tmp_path, catalog=catalog, database_url=database_url, admin_token=TOKEN)
    db = ["--database-url", database_url, "--catalog", str(catalog)]
    with serving(create_app(settings)) as base, phone_page(browser, base, javascript=javascript) as (page, errors):
        page.goto("/programs/kl2")
        expect(page.locator("p.provenance")).to_contain_text("From the 2020 review")
        page.get_by_role("link", name="Confirm or correct this entry").click()
        expect(page.locator("h1")).to_contain_text("Do you run")
        no_sideways_scroll(page)
        page.get_by_label("Your name").fill("Dana Ruiz")
        page.get_by_label("Your role in the program").fill("Program officer")
        page.get_by_label("Your work email").fill(EMAIL)
        page.get_by_label("Needs changes: I give the corrected text below").check()
        page.locator("#new-cost").fill("No fee")
        page.get_by_role("button", name="Send to the curators").click()
        expect(page.locator("#source-cost-error")).to_contain_text("a page where it says so")
        expect(page.locator("#new-cost")).to_have_value("No fee")  # nothing typed is lost
        no_sideways_scroll(page)
        page.locator("#source-cost").fill("https://www.nih.gov/kl2-cost")
        page.get_by_role("button", name="Send to the curators").click()
        expect(page).to_have_url(re.compile(r"/suggest/confirm/done\?ref=1&program=kl2$"))
        expect(page.locator("main")).not_to_contain_text(EMAIL)

        listed = suggestions_cli("list", "--database-url", database_url)
        assert re.search(r"^#1 +new +confirmation kl2 .* corrections to: cost", listed, re.M), listed
        shown = suggestions_cli("show", "1", "--database-url", database_url)
        assert "Domain:   nih.gov matches the program's or sponsor's link (nih.gov)" in shown
        assert "accepted" in suggestions_cli("apply", "1", "--accept-all", *db)
        reloaded = httpx.post(f"{base}/api/v1/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
        assert reloaded.status_code == 200, reloaded.text
        today = dt.date.today().isoformat()
        page.goto("/programs/kl2")
        expect(page.locator("p.provenance")).to_have_text(f"Confirmed with the program on {today}.")
        record = httpx.get(f"{base}/api/v1/programs/kl2").json()
        assert record["provenance"] == {"kind": "confirmed", "checked_on": today, "due": False}
        assert record["cost"] == "No fee" and "Dana" not in str(record)
    assert [e for e in errors if "status of 422" not in e] == []


def test_the_confirmation_form_has_no_serious_accessibility_violations_at_phone_width(
    browser: Any, live_server: str
) -> None:
    # axe is injected with page.evaluate, which the strict CSP would refuse: bypassed here only.
    context = browser.new_context(base_url=live_server, viewport=PHONE, bypass_csp=True, java_script_enabled=True)
    page = context.new_page()
    page.goto("/suggest/confirm?program=elam")
    found = {}
    for state in ("empty", "with errors"):
        if state == "with errors":
            page.get_by_role("button", name="Send to the curators").click()
            expect(page.locator(".error-summary")).to_be_visible()
        if bad := serious_violations(page):
            found[state] = bad
    context.close()
    assert found == {}
