"""A faculty member on a phone (390 px wide, real Chromium, the real catalog): from the home page to a program
they can act on, counting every interaction."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from app.config import BUNDLED_CATALOG
from app.main import create_app
from tests.support.app import make_settings, serving
from tests.support.browser import watched_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(create_app(make_settings(tmp_path_factory.mktemp("phone"), catalog=BUNDLED_CATALOG))) as url:
        yield url


@pytest.fixture
def phone(browser: Any, real_server: str) -> Iterator[Page]:
    options = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    with watched_page(browser, base_url=real_server, **options) as tab:
        yield tab


class Journey:
    """Every tap goes through here, so the count is the count."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.interactions = 0

    def tap(self, target: Locator) -> None:
        self.interactions += 1
        target.click()


def test_the_urm_mid_career_researcher_reaches_a_followable_link_in_three_taps(phone: Page, real_server: str) -> None:
    phone.goto("/")
    finder = phone.locator("section.finder")  # "Programs for me", at the top of the home page
    journey = Journey(phone)

    journey.tap(finder.get_by_label(re.compile(r"^Mid-career faculty")))  # 1: where I am
    journey.tap(finder.get_by_label(re.compile(r"^Underrepresented in medicine")))  # 2: who I am
    journey.tap(finder.get_by_role("button", name="Show programs for me"))  # 3: show them
    expect(phone).to_have_url(re.compile(r"demographic_focus=underrepresented-in-medicine"))
    expect(phone).to_have_url(re.compile(r"career_stage=mid-career"))
    assert "include_open=true" in phone.url  # the finder asks in the eligibility mode: open-to-all programs count
    expect(phone.locator("#eligibility")).to_contain_text("not aimed at a particular group")

    first = phone.locator("li.hit").first
    link = first.locator("a.badge.link")
    expect(link).to_be_visible()
    href = link.get_attribute("href") or ""
    assert href.startswith("https://")
    assert journey.interactions <= 3

    # The program on that card is one for this reader: mid-career, and aimed at URM faculty or open to everyone.
    program_id = (first.locator("h3 a").get_attribute("href") or "").rsplit("/", 1)[1]
    record = httpx.get(f"{real_server}/api/v1/programs/{program_id}").json()
    assert "mid-career" in record["career_stages"]
    assert {"underrepresented-in-medicine", "open"} & set(record["demographic_focus"])
    assert href in (record["url"], record["sponsor_url"])
    box = link.bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24  # a target a thumb can hit

    # One more tap on the card's title opens its page, whose next-step box holds the same link.
    phone.locator("li.hit").first.locator("h3 a").click()
    expect(phone).to_have_url(re.compile(rf"/programs/{program_id}$"))
    expect(phone.locator("section.next-step").locator(f"a[href='{href}']")).to_be_visible()


def test_one_tap_shows_only_programs_aimed_at_the_group_and_the_url_keeps_it(phone: Page) -> None:
    phone.goto("/?demographic_focus=underrepresented-in-medicine&career_stage=mid-career")
    widened = phone.locator("li.hit").count()
    phone.locator("#eligibility a").click()
    expect(phone).to_have_url(re.compile(r"include_open=false"))
    expect(phone.locator("#eligibility")).to_contain_text("Showing only programs aimed at")
    aimed = phone.locator("li.hit").count()
    assert 0 < aimed < widened
    phone.reload()
    expect(phone.locator("li.hit")).to_have_count(aimed)
    phone.locator(".filters-toggle").click()
    phone.get_by_label(re.compile(r"^Senior faculty")).check()  # another filter keeps the choice
    phone.locator("#show-results").click()
    expect(phone).to_have_url(re.compile(r"career_stage=senior.*include_open=false|include_open=false.*senior"))
