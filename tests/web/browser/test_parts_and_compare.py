"""Issue 24 in a real headless Chromium: the finder's "None of these", the "Also open to you" divider, the compare
tray that folds, a full compare list that refuses, "Apply filters" in view without JavaScript, and print."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
FULL = "swims,elam,pmg,kl2"


def test_none_of_these_and_the_groups_exclude_each_other(open_page: Any) -> None:
    page = open_page(PHONE)
    page.goto("/")
    finder = page.locator("section.finder")
    finder.get_by_label("Early-career faculty").check()
    finder.get_by_label("Women").check()
    finder.get_by_label("None of these: show programs open to everyone").check()
    expect(finder.get_by_label("Women")).not_to_be_checked()
    finder.get_by_label("Women").check()
    expect(finder.get_by_label("None of these: show programs open to everyone")).not_to_be_checked()
    finder.get_by_label("Women").uncheck()
    finder.get_by_label("None of these: show programs open to everyone").check()
    finder.get_by_role("button", name="Show programs for me").click()
    expect(page).to_have_url(re.compile(r"demographic_focus=open"))
    expect(page.locator("li.hit").first).to_be_visible()
    expect(page.locator("h3.part-head")).to_have_count(0)


def test_the_results_aimed_at_a_group_come_first_then_a_divider(open_page: Any) -> None:
    page = open_page(PHONE)
    page.goto("/?include_open=true&career_stage=early-career&demographic_focus=women")
    divider = page.get_by_role("heading", name=re.compile(r"^Also open to you \(\d+ programs?\)$"))
    expect(divider).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Aimed at Women \("))).to_be_visible()
    parts = page.locator("li.hit").evaluate_all("els => els.map(e => e.dataset.part)")
    assert parts[0] == "aimed" and parts == sorted(parts) and "open" in parts


def test_the_phone_compare_tray_starts_folded_opens_and_stays_as_left(open_page: Any) -> None:
    page = open_page(PHONE)
    page.goto(f"/?q=women&compare={FULL}")
    tray = page.locator("#tray")
    expect(page.locator("#tray-list ul")).to_be_hidden()  # one row over the results on a phone, not a quarter
    expect(tray.get_by_role("link", name="Compare 4 programs")).to_be_visible()  # still one tap away
    folded = tray.bounding_box()
    page.locator("#tray-list > summary").click()
    expect(page.locator("#tray-list ul")).to_be_visible()
    opened = tray.bounding_box()
    assert folded is not None and opened is not None and folded["height"] < opened["height"] / 2, (folded, opened)
    page.locator("#tray-list > summary").click()
    expect(page.locator("#tray-list ul")).to_be_hidden()
    page.locator("#sort").select_option("name")  # the results change in place: the tray stays as left, folded
    expect(page.locator("#sort")).to_have_value("name")
    expect(page.locator("#tray-list")).not_to_have_attribute("open", "")
    page.locator("#tray-list > summary").click()
    expect(page.locator("#tray-list ul")).to_be_visible()
    page.goto(f"/?q=leadership&compare={FULL}")  # and a new page keeps it open, as the reader left it
    expect(page.locator("#tray-list ul")).to_be_visible()


def test_a_full_compare_list_refuses_a_fifth_program(open_page: Any) -> None:
    page = open_page(DESKTOP)
    page.goto(f"/?q=women&compare={FULL}")
    expect(page.locator(".compare-full").first).to_contain_text("The compare list is full (4 programs)")
    page.goto("/programs/uab")  # the kept list (local storage) is full
    page.locator("#cmp-uab").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#compare-note")).to_contain_text("The compare list is full (4 programs)")
    expect(page).to_have_url(re.compile(r"/programs/uab$"))
    kept = page.evaluate("localStorage.getItem('mentordir:compare')")
    assert kept == FULL


def test_without_javascript_apply_filters_stays_in_view(open_page: Any) -> None:
    page = open_page(DESKTOP, script=False)
    page.goto("/?q=women")
    page.check("#f-format-online")
    apply = page.locator("#show-results")
    expect(apply).to_be_in_viewport()
    apply.click()
    expect(page).to_have_url(re.compile(r"format=online"))
    page.check("#f-career_stage-senior")  # after the first tick and its page, still in view
    expect(page.locator("#show-results")).to_be_in_viewport()


def test_a_printed_search_leaves_out_chips_and_offers_and_writes_web_addresses(open_page: Any) -> None:
    page = open_page(PHONE)
    page.goto("/?q=women&career_stage=early-career")
    expect(page.locator(".offers")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".chips")).to_be_hidden()
    expect(page.locator(".offers")).to_be_hidden()
    page.goto("/?q=kl2")  # its only web link is its sponsor's
    expect(page.locator(".weblink a")).to_contain_text("Sponsor’s website")
    links = page.locator(".weblink a")
    assert links.count() > 0
    for i in range(links.count()):
        after = links.nth(i).evaluate("a => getComputedStyle(a, '::after').content")
        assert str(links.nth(i).get_attribute("href")) in after, after
