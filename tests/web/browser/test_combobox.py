"""The search box's completions in a real headless Chromium over the real catalog: keyboard only, axe (WCAG 2.2),
and the same box without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from app.config import BUNDLED_CATALOG
from app.main import create_app
from tests.support.app import make_settings, serving

pytestmark = pytest.mark.browser

WCAG_22 = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the real catalog (data/programs.yaml), on a free loopback port."""
    with serving(create_app(make_settings(tmp_path_factory.mktemp("combo"), BUNDLED_CATALOG))) as url:
        yield url


def tab_to_search_box(page: Page) -> None:
    """Reach the search box as a keyboard user does: Tab from the top of the page."""
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            return
    pytest.fail("the search box cannot be reached with Tab")


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_keyboard_only_choose_a_filter_value_by_its_synonym(page: Page) -> None:
    page.goto("/")
    tab_to_search_box(page)
    box = page.locator("#q")
    page.keyboard.type("URM")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-controls", "q-list")
    options = page.locator("#q-list [role=option]")
    expect(options.first).to_contain_text("Underrepresented in medicine")
    # The count a completion shows is what choosing it gives on this page (programs open to everyone included).
    total = page.request.get(
        "/api/v1/programs?demographic_focus=underrepresented-in-medicine&include_open=true&per_page=1"
    ).json()["total"]
    expect(options.first).to_contain_text(f"Filter · Demographic focus · {total} programs")
    expect(page.locator("#q-status")).to_have_text(re.compile(r"^\d+ suggestions?\. Use the up and down arrows"))

    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "q-opt-0")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"demographic_focus=underrepresented-in-medicine"))
    assert "q" not in params(page.url)  # the words that named the filter left the box
    expect(page.locator("#results-h")).to_have_text(re.compile(rf"(^|of ){total} programs with 1 filter$"))
    expect(page.locator("#f-demographic_focus-underrepresented-in-medicine")).to_be_checked()
    expect(page.locator("#q")).to_be_focused()


def test_keyboard_only_arrows_wrap_and_enter_opens_a_program(page: Page) -> None:
    page.goto("/")
    tab_to_search_box(page)
    page.keyboard.type("pmg")
    options = page.locator("#q-list [role=option]")
    expect(options.first).to_contain_text("Physician Moms Group")
    count = options.count()
    assert count >= 2
    page.keyboard.press("ArrowUp")  # from the box, up goes to the last suggestion
    expect(page.locator("#q")).to_have_attribute("aria-activedescendant", f"q-opt-{count - 1}")
    page.keyboard.press("ArrowDown")  # and down from the last back to the first
    expect(page.locator("#q")).to_have_attribute("aria-activedescendant", "q-opt-0")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/programs/physician-moms-group$"))
    expect(page.locator("h1")).to_have_text("Physician Moms Group")


def test_escape_closes_the_list_and_enter_then_searches_the_words_typed(page: Page) -> None:
    page.goto("/")
    tab_to_search_box(page)
    page.keyboard.type("endocr")
    expect(page.locator("#q-list")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#q-list")).to_be_hidden()
    expect(page.locator("#q")).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#q")).to_have_value("endocr")
    page.keyboard.press("Enter")  # a prefix is searched too, whole words ranked first
    expect(page).to_have_url(re.compile(r"/\?q=endocr$"))
    names = page.locator("li.hit h3").all_inner_texts()
    assert any("Endocrine Society" in n or "Endocrinology" in n for n in names[:3])
    page.keyboard.press("Escape")  # closed: Escape clears the box
    expect(page.locator("#q")).to_have_value("")


def test_a_sponsor_is_searched_by_its_name(page: Page) -> None:
    page.goto("/")
    tab_to_search_box(page)
    page.keyboard.type("american heart")
    sponsor = page.locator("#q-list [role=option]", has_text="Sponsor")
    expect(sponsor.first).to_contain_text("American Heart Association (AHA)")
    index = int(str(sponsor.first.get_attribute("id")).removeprefix("q-opt-"))
    for _ in range(index + 1):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=American\+Heart\+Association"))
    assert page.locator("li.hit h3").first.inner_text().startswith("American Heart Association")


def test_the_open_combobox_passes_axe_with_wcag_22_rules(browser: Any, live_server: str) -> None:
    # axe is evaluated into the page; the strict CSP would refuse it, so this context alone bypasses CSP.
    for width in (1280, 360):
        context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 800}, bypass_csp=True)
        page = context.new_page()
        page.goto("/")
        page.locator("#q").click()
        page.keyboard.type("wom")
        expect(page.locator("#q-list [role=option]").first).to_be_visible()
        page.keyboard.press("ArrowDown")
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22}})
        found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
        context.close()
        assert found == [], f"at {width}px"


def test_without_javascript_the_box_is_a_plain_search_field(browser: Any, live_server: str) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    box = page.locator("#q")
    assert box.get_attribute("role") is None and box.get_attribute("aria-expanded") is None
    assert page.locator("[role=listbox]").count() == 0
    box.fill("virtual")
    box.press("Enter")
    assert params(page.url) == {"q": ["virtual"]}  # the empty sort field is "not given"
    names = page.locator("li.hit h3").all_inner_texts()
    assert len(names) >= 3
    # the programs that meet by video come first, and the page offers the filter
    virtual = page.request.get("/api/v1/programs?format=virtual&per_page=1").json()["total"]
    assert virtual >= 3
    offer = page.locator("a.offer")
    expect(offer).to_have_text(re.compile(rf"Filter by Format: Virtual — {virtual} programs"))
    offer.click()
    assert params(page.url) == {"format": ["virtual"]}
    expect(page.locator("#results-h")).to_have_text(re.compile(rf"(^|of ){virtual} programs with 1 filter$"))
    context.close()
