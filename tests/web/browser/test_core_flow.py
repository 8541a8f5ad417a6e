"""The website in a real headless Chromium: the faculty member's core flow, with and without JavaScript."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, make_settings, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def nojs(browser: Any, live_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    yield context.new_page()
    context.close()


def hits(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("li.hit h3").all_inner_texts()]


def mark_document(page: Page) -> None:
    """Tag the document, so that a full page load (which would lose the tag) can be told from an in-place update."""
    page.evaluate("document.body.dataset.kept = 'yes'")


def still_same_document(page: Page) -> bool:
    return bool(page.evaluate("document.body.dataset.kept === 'yes'"))


def test_search_filter_combine_paginate_in_place_and_back(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#results-h")).to_have_text("8 programs")
    expect(page.locator("button.apply").first).to_be_hidden()  # with JS, filters apply as they change
    mark_document(page)

    page.fill("#q", "leadership")
    page.press("#q", "Enter")
    expect(page).to_have_url(re.compile(r"/\?q=leadership$"))
    expect(page.locator("#results-h")).to_have_text("2 programs for “leadership”")
    expect(page.locator("li.hit mark").first).to_have_text(re.compile("leadership", re.I))
    expect(page.locator("#q")).to_be_focused()

    page.fill("#q", "")
    page.press("#q", "Enter")
    page.check("#f-demographic_focus-women")
    expect(page).to_have_url(re.compile(r"/\?demographic_focus=women$"))
    # the website's default: the 4 programs aimed at women and the 3 open to everyone
    expect(page.locator("#results-h")).to_have_text("7 programs with 1 filter")
    page.check("#f-career_stage-early-career")
    expect(page.locator("#results-h")).to_have_text("5 programs with 2 filters")
    assert "career_stage=early-career" in page.url and "demographic_focus=women" in page.url
    expect(page.locator("#f-career_stage-early-career")).to_be_focused()
    assert still_same_document(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?demographic_focus=women$"))
    expect(page.locator("#results-h")).to_have_text("7 programs with 1 filter")
    expect(page.locator("#f-career_stage-early-career")).not_to_be_checked()
    page.go_back()
    expect(page.locator("#results-h")).to_have_text("8 programs")
    page.go_back()
    expect(page.locator("#q")).to_have_value("leadership")
    page.go_forward()
    expect(page.locator("#results-h")).to_have_text("8 programs")
    assert still_same_document(page)

    page.goto("/?per_page=3")
    mark_document(page)
    first = hits(page)
    page.click(".pages a[rel=next]")
    expect(page).to_have_url(re.compile(r"per_page=3&page=2$"))
    expect(page.locator("ol.hits")).to_have_attribute("start", "4")
    assert set(hits(page)).isdisjoint(first) and len(hits(page)) == 3
    expect(page.locator("#results-h")).to_be_focused()
    assert still_same_document(page)


def test_remove_one_filter_and_did_you_mean(page: Page) -> None:
    page.goto("/?type=small-group&demographic_focus=physician-parents&include_open=false")
    expect(page.locator(".empty")).to_contain_text("No program matches all of these filters")
    page.click("text=Remove Program type: Small peer group")
    expect(page).to_have_url(re.compile(r"/\?demographic_focus=physician-parents&include_open=false$"))
    assert hits(page) == ["Physician Moms Group"]
    page.goto("/?q=leedrship")
    page.click(".did-you-mean a")
    expect(page.locator("#results-h")).to_have_text("2 programs for “leadership”")


def test_open_a_program_and_compare_two(page: Page) -> None:
    page.goto("/?q=women")
    page.locator("li.hit", has_text="Supporting Women In the Medical Sciences").locator("a.compare-toggle").click()
    expect(page.locator(".tray")).to_contain_text("Add one more program to compare")
    page.locator("li.hit", has_text="Executive Leadership").locator("a.compare-toggle").click()
    page.click(".tray a.button")
    expect(page).to_have_url(re.compile(r"/compare\?ids=swims,elam$"))
    expect(page.locator("table.compare thead th")).to_have_count(2)
    page.click("table.compare thead th a >> nth=0")
    expect(page.locator("h1")).to_have_text("Supporting Women In the Medical Sciences")
    expect(page.locator("dl.facts")).to_contain_text("Early-career faculty, Mid-career faculty")


def test_the_core_flow_without_javascript(nojs: Page) -> None:
    page = nojs
    page.goto("/")
    expect(page.locator("#filters")).to_be_visible()  # a sidebar on a wide screen, open without JavaScript
    page.fill("#q", "women")
    page.click(".searchbar button")
    expect(page).to_have_url(re.compile(r"/\?q=women(&sort=)?$"))  # an empty sort field is "the default"
    page.check("#f-career_stage-early-career")
    page.check("#f-format-in-person")
    page.click("#filters button.apply")
    expect(page).to_have_url(re.compile(r"q=women&.*career_stage=early-career"))
    assert "format=in-person" in page.url
    assert sorted(hits(page)) == [
        "Supporting Women In the Medical Sciences",
        "Women in Emergency Medicine Mentorship Night",
    ]
    page.select_option("#sort", "-last_verified")
    page.click(".sort button.apply")
    assert hits(page) == ["Women in Emergency Medicine Mentorship Night", "Supporting Women In the Medical Sciences"]
    page.click("a.chip >> nth=0")
    expect(page.locator("#f-career_stage-early-career")).not_to_be_checked()
    page.goto("/?per_page=3")
    page.click(".pages a[rel=next]")
    expect(page.locator("ol.hits")).to_have_attribute("start", "4")
    page.go_back()
    expect(page.locator("ol.hits")).to_have_attribute("start", "1")
    page.click("li.hit h3 a >> nth=0")
    expect(page.locator("h1")).to_have_text("ACR Trainee Forum")


PAYLOADS = [
    "<script>window.__xss = 1; alert(1)</script>",
    '"><img src=x onerror="window.__xss = 1, alert(2)">',
    "<svg onload=alert(3)></svg>",
    "javascript:alert(4)",
    "</script><script>alert(5)</script>",
]


def hostile_catalog(tmp_path: Path) -> Path:
    """The fixture catalog with script and event-handler payloads in every free-text field of one program."""
    text = FIXTURE_CATALOG.read_text()
    p = " ".join(PAYLOADS).replace('"', '\\"')
    hostile = (
        f'    name: "SWIMS {p}"\n    aliases: ["SWIMS", "<b onmouseover=alert(6)>x</b>"]\n'
        f'    summary: "Small group {p}"\n'
        f'    description: "Modelled on Every Other Thursday {p}"\n'
        f'    sponsor: "<iframe src=javascript:alert(7)></iframe>"\n'
    )
    start = text.index("    name: Supporting Women")
    end = text.index("    sponsor_type: independent", start)
    text = text[:start] + hostile + text[end:]
    text = text.replace(
        "tags: [small group, confidentiality]", 'tags: ["<script>alert(8)</script>", "x onerror=alert(9)"]'
    )
    text = text.replace(
        "last_verified: 2026-04-01",
        'last_verified: 2026-04-01\n    eligibility: "<img src=x onerror=alert(10)>"\n'
        '    outcomes: ["<script>alert(11)</script>"]',
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    return path


def test_payloads_in_catalog_text_do_not_execute(browser: Any, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, catalog=hostile_catalog(tmp_path))
    with serving(create_app(settings)) as base:
        context = browser.new_context(base_url=base)
        page = context.new_page()
        dialogs: list[str] = []
        console: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: console.append(m.text))
        for url in ["/", "/?q=swims", "/?q=script+alert", "/programs/swims", "/compare?ids=swims,elam", "/models"]:
            page.goto(url)
            expect(page.locator("body")).to_contain_text("SWIMS")
            page.hover("text=SWIMS >> nth=0")
            assert page.evaluate("window.__xss") is None, url
            assert page.locator("main script, main img, main iframe, main svg[onload]").count() == 0, url
        page.goto("/programs/swims")
        expect(page.locator("h1")).to_contain_text("<script>window.__xss = 1; alert(1)</script>")
        expect(page.locator("dl.facts")).to_contain_text("<img src=x onerror=alert(10)>")
        context.close()
    assert dialogs == []
    assert not [m for m in console if "alert" in m or "xss" in m]


def test_a_step_overtaken_by_the_next_one_stays_in_the_history(page: Page) -> None:
    """A slow answer overtaken by a quicker second step: back still returns to the first step's search."""
    page.goto("/?q=leadership")
    held: list[Any] = []

    def slow(route: Any) -> None:  # the search for "/" is held until the next step has been taken
        held.append(route)

    everything = re.compile(r"/$")
    page.route(everything, slow)
    page.fill("#q", "")
    page.press("#q", "Enter")
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the first step's request was never made"
    page.check("#f-demographic_focus-women")
    expect(page).to_have_url(re.compile(r"/\?demographic_focus=women$"))
    page.unroute(everything)
    for route in held:
        with contextlib.suppress(Exception):  # the browser aborted it: the second step overtook it
            route.continue_()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#results-h")).to_have_text("8 programs")
    page.go_back()
    expect(page.locator("#q")).to_have_value("leadership")
