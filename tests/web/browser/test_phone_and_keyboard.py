"""The website on a phone and from the keyboard, in a real headless Chromium at 390 and 1280 px, with and without
JavaScript: the guided finder, the filter panel, focus after compare, the kept compare list, print, layout shift."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def api_total(page: Page, query: str) -> int:
    return int(page.request.get(f"/api/v1/programs?{query}").json()["total"])


def first_result_top(page: Page) -> float:
    box = page.locator("li.hit").first.bounding_box()
    assert box is not None
    return float(box["y"])


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
@pytest.mark.parametrize("script", [True, False], ids=["js", "nojs"])
def test_the_finder_lands_on_a_shareable_search(open_page: Any, viewport: dict[str, int], script: bool) -> None:
    page = open_page(viewport, script=script)
    page.goto("/")
    finder = page.locator("section.finder")
    expect(finder.get_by_role("heading", name="Programs for me")).to_be_visible()
    finder.get_by_label("Early-career faculty").check()
    finder.get_by_label("Women").check()
    finder.get_by_label(re.compile("^Virtual")).check()
    finder.get_by_role("button", name="Show programs for me").click()
    expect(page).to_have_url(re.compile(r"career_stage=early-career"))
    asked = parse_qs(urlsplit(page.url).query)
    # In the eligibility mode: programs open to everyone stay in when a group is chosen.
    assert asked == {
        "include_open": ["true"],
        "career_stage": ["early-career"],
        "demographic_focus": ["women"],
        "format": ["virtual"],
    }
    query = urlsplit(page.url).query
    total = api_total(page, query)
    assert total > 0
    heading = page.locator("#results-h")
    expect(heading).to_have_text(f"{total} program{'' if total == 1 else 's'} with 3 filters")
    expect(page.locator("li.hit")).to_have_count(total)
    expect(page.locator("section.finder")).to_have_count(0)  # a search page shows results, not the questions
    assert first_result_top(page) < viewport["height"]
    # The URL alone reproduces it: a colleague opening the link sees the same programs.
    shared = open_page(viewport, script=script)
    shared.goto("/?" + query)
    expect(shared.locator("#results-h")).to_have_text(heading.inner_text())
    assert shared.locator("li.hit h3").all_inner_texts() == page.locator("li.hit h3").all_inner_texts()


@pytest.mark.parametrize("script", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("url", ["/?q=women", "/?career_stage=early-career&demographic_focus=women&format=in-person"])
def test_on_a_phone_the_first_result_is_above_the_fold(open_page: Any, url: str, script: bool) -> None:
    page = open_page(PHONE, script=script)
    page.goto(url)
    expect(page.locator("#filters")).to_be_hidden()  # folded away from the first paint, not after it
    assert first_result_top(page) < PHONE["height"] - 60, "the first result's title is not in the first screen"
    expect(page.locator(".filters-toggle")).to_be_in_viewport()


def test_phone_filter_panel_counts_as_boxes_are_ticked(open_page: Any) -> None:
    page = open_page(PHONE)
    page.goto("/?q=women")
    page.click(".filters-toggle")
    panel = page.locator("#filters")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("role", "dialog")
    expect(page.locator("#filters-h")).to_be_focused()
    show = page.locator("#show-results")
    expect(show).to_be_in_viewport()
    steps = [("#f-format-virtual", "q=women&format=virtual"), ("#f-format-online", "q=women&format=virtual,online")]
    for box, query in steps:
        page.locator(box).scroll_into_view_if_needed()
        page.check(box)
        total = api_total(page, query)
        expect(show).to_have_accessible_name(f"Show {total} program{'' if total == 1 else 's'}")
        expect(show).to_be_in_viewport()  # the button stays in sight, wherever the box was
        expect(page.locator(box)).to_be_focused()
        expect(panel).to_be_visible()
        expect(page.locator("#announce")).to_have_text(re.compile(f"^{total} programs? for “women” with "))
    show.click()
    expect(panel).to_be_hidden()
    expect(page.locator("#results-h")).to_be_focused()
    assert parse_qs(urlsplit(page.url).query)["format"] == ["virtual", "online"]
    assert first_result_top(page) < PHONE["height"]
    # Escape closes the panel and gives focus back to its button.
    page.click(".filters-toggle")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(page.locator(".filters-toggle")).to_be_focused()


def test_phone_filter_panel_without_javascript(open_page: Any) -> None:
    page = open_page(PHONE, script=False)
    page.goto("/?q=women")
    page.click(".filters-toggle")
    expect(page.locator("#filters")).to_be_visible()
    page.check("#f-career_stage-trainee")
    page.locator("#show-results").click()
    expect(page).to_have_url(re.compile(r"career_stage=trainee"))
    expect(page.locator("#filters")).to_be_hidden()
    assert first_result_top(page) < PHONE["height"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_focus_stays_on_the_compare_control(open_page: Any, viewport: dict[str, int]) -> None:
    page = open_page(viewport)
    page.goto("/?q=women")
    toggle = page.locator("li.hit a.compare-toggle").nth(2)
    program = str(toggle.get_attribute("data-id"))
    toggle.focus()
    page.keyboard.press("Enter")
    toggle = page.locator(f"#cmp-{program}")
    expect(toggle).to_have_text(re.compile("^Remove from compare"))
    expect(toggle).to_be_focused()
    expect(page.locator("#tray")).to_be_in_viewport()  # the compare bar shows where the reader is
    page.keyboard.press("Enter")
    expect(toggle).to_have_text(re.compile("^Add to compare"))
    expect(toggle).to_be_focused()
    # Removing from the bar hands focus to the same program's control in the results.
    page.keyboard.press("Enter")
    page.locator(f"#tray-{program}").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#cmp-{program}")).to_have_text(re.compile("^Add to compare"))
    expect(page.locator(f"#cmp-{program}")).to_be_focused()
    # A filter change keeps focus on the box, and the new count is announced.
    page.goto("/?q=women")
    if viewport is PHONE:
        page.click(".filters-toggle")
    page.check("#f-format-online")
    expect(page.locator("#f-format-online")).to_be_focused()
    expect(page.locator("#announce")).to_have_text(re.compile(r"programs? for “women” with 1 filter$"))


def test_skip_to_results(open_page: Any) -> None:
    page = open_page(DESKTOP)
    page.goto("/?q=women")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to results")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#sort")).to_be_focused()  # the results' own control comes first, then the results
    # Then what the words offer ("Filter by Demographic focus: Women"), still inside the results, then the first hit.
    first = page.locator("li.hit h3 a").first
    for _ in range(4):
        page.keyboard.press("Tab")
        if first.evaluate("a => a === document.activeElement"):
            break
        assert page.evaluate("document.activeElement.closest('#results') !== null")
    expect(first).to_be_focused()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_compare_list_survives_the_header_link_and_program_pages(open_page: Any, viewport: dict[str, int]) -> None:
    page = open_page(viewport)
    page.goto("/?q=women")
    page.click("#cmp-swims")
    expect(page.locator("#tray")).to_contain_text("Add one more program")
    page.click("#cmp-elam")
    expect(page.locator("#tray")).to_contain_text("Compare 2 programs")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Compare").click()
    expect(page).to_have_url(re.compile(r"/compare\?ids=swims,elam$"))
    expect(page.locator("table.compare thead th")).to_have_count(2)
    # A program page reached any way at all: its button adds to the list, and the page stays.
    page.goto("/programs/pmg")
    add = page.locator("#cmp-pmg")
    expect(add).to_have_text("Add to compare")
    add.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/programs/pmg$"))
    expect(add).to_have_text("Remove from compare")
    expect(add).to_be_focused()
    expect(page.locator("#compare-note")).to_contain_text("3 programs")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Compare").click()
    expect(page.locator("table.compare thead th")).to_have_count(3)
    # The search page, even opened bare, shows the kept list.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    expect(page.locator("#tray")).to_contain_text("Compare 3 programs")
    expect(page).to_have_url(re.compile(r"compare=swims%2Celam%2Cpmg|compare=swims,elam,pmg"))
    # It exports, and it can be cleared.
    page.goto("/compare")
    expect(page).to_have_url(re.compile(r"/compare\?ids=swims,elam,pmg$"))
    csv = page.request.get(str(page.locator("a[href^='/compare.csv']").get_attribute("href")))
    lines = csv.text().splitlines()
    assert csv.headers["content-type"].startswith("text/csv") and len(lines) == 4
    assert [line.split(",")[0] for line in lines[1:]] == ["swims", "elam", "pmg"]
    page.get_by_role("link", name="Clear the list").click()
    expect(page.locator("table.compare")).to_have_count(0)
    page.goto("/?q=women")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#tray")).to_have_count(0)


def test_the_compare_list_without_javascript(open_page: Any) -> None:
    page = open_page(DESKTOP, script=False)
    page.goto("/?q=women")
    page.click("#cmp-swims")
    page.click("#cmp-elam")
    page.click("li.hit h3 a >> nth=0")
    expect(page).to_have_url(re.compile(r"/programs/[a-z0-9-]+\?compare=swims%2Celam$"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Compare").click()
    expect(page.locator("table.compare thead th")).to_have_count(2)
    page.goto("/programs/pmg?compare=swims,elam")
    page.click("#cmp-pmg")
    expect(page.locator("#tray")).to_contain_text("Compare 3 programs")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_print_shows_the_content_with_links_written_out(open_page: Any, viewport: dict[str, int]) -> None:
    page = open_page(viewport)
    page.goto("/?q=women&compare=swims,elam")
    page.emulate_media(media="print")
    for hidden in ["#filters", "#search", "header.site", "footer.site", ".tray", ".sort", "a.compare-toggle >> nth=0"]:
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("li.hit").first).to_be_visible()
    after = page.evaluate("getComputedStyle(document.querySelector('li.hit h3 a'), '::after').content")
    assert re.search(r"<http://127\.0\.0\.1:\d+/programs/[a-z0-9-]+>", after), after
    page.goto("/compare?ids=swims,elam")
    expect(page.locator("table.compare")).to_be_visible()
    expect(page.locator(".compare-actions")).to_be_hidden()
    page.goto("/programs/swims")
    expect(page.locator("nav.crumbs")).to_be_hidden()
    expect(page.locator("article.program h1")).to_be_visible()


@pytest.mark.parametrize("url", ["/", "/?q=women", "/programs/swims", "/compare?ids=swims,elam"])
def test_no_layout_shift_on_a_phone(open_page: Any, url: str) -> None:
    page = open_page(PHONE)
    page.add_init_script(
        "window.__cls = 0; new PerformanceObserver(l => l.getEntries().forEach(e => { if (!e.hadRecentInput) "
        "window.__cls += e.value; })).observe({type: 'layout-shift', buffered: true});"
    )
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cls") < 0.05


def test_facet_definitions_on_demand_and_unavailable_options(open_page: Any) -> None:
    page = open_page(DESKTOP)
    page.goto("/?type=small-group")
    defs = page.locator("details.facet", has_text="Format").locator("details.defs")
    expect(defs.locator("dd").first).to_be_hidden()
    defs.locator("summary").click()
    expect(defs).to_contain_text("Asynchronous: forums, email lists and social-media groups.")
    expect(defs).to_contain_text("Live meetings by video or phone.")
    zero = page.locator("#filters .check.zero input")
    assert zero.count() > 0
    for i in range(zero.count()):
        expect(zero.nth(i)).to_be_disabled()


def test_the_coverage_chart_is_readable_on_a_phone(open_page: Any) -> None:
    page = open_page(PHONE)
    page.goto("/coverage")
    expect(page.locator("figure.chart svg")).to_be_hidden()
    chart = page.locator(".cov-narrow")
    expect(chart).to_be_visible()
    sizes = chart.evaluate(
        """c => [...c.querySelectorAll('.stage, a span')].map(e => {
             const r = e.getBoundingClientRect();
             return [parseFloat(getComputedStyle(e).fontSize), r.left, r.right, e.scrollWidth - e.clientWidth];
           })"""
    )
    assert sizes and min(s[0] for s in sizes) >= 12
    assert all(left >= 0 and right <= PHONE["width"] and clipped <= 0 for _, left, right, clipped in sizes)
