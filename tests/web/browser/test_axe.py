"""An axe-core scan of every page in Chromium, at desktop and phone widths, with the WCAG 2.2 rules: no violation."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/?q=women",
    "/?q=leadership&career_stage=mid-career&compare=elam",
    "/?type=small-group&demographic_focus=physician-parents",
    "/?demographic_focus=women&career_stage=early-career&has_link=true",
    "/programs/elam",
    "/programs/kl2",
    "/?format=in-person&per_page=3&page=2&compare=elam,swims",
    "/?sort=-last_verified",
    "/programs/swims?compare=elam",
    "/compare?ids=elam,swims,pmg",
    "/compare",
    "/models",
    "/coverage",
    "/api",
    "/api/changelog",
    "/programs/no-such-program",
]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
RULES = {"runOnly": {"type": "tag", "values": TAGS}}


def violations(axe: Axe, page: Any) -> list[tuple[str, str, list[Any]]]:
    results = axe.run(page, options=RULES | {"resultTypes": ["violations"]})
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]


@pytest.mark.parametrize("width", [1280, 390])
def test_no_violations(browser: Any, live_server: str, width: int) -> None:
    # axe is injected with page.evaluate from the package's bundled axe.min.js (no network); the page's strict CSP
    # would refuse the script it evaluates, so this context alone bypasses CSP.
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 844}, bypass_csp=True)
    page = context.new_page()
    axe = Axe()
    found = {}
    for url in PAGES:
        page.goto(url)
        page.wait_for_load_state("networkidle")  # the compare list may be fetched in after the first paint
        if bad := violations(axe, page):
            found[url] = bad
        # No horizontal scrolling of the page itself: wide tables scroll inside their own region.
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{url} is {overflow}px wider than a {width}px screen"
    if width < 760:  # the filter panel, open over the page, with a box ticked
        page.goto("/?q=women")
        page.wait_for_load_state("networkidle")  # as above: a late redraw would close the panel just opened
        page.click(".filters-toggle")
        page.check("#f-format-virtual")
        page.wait_for_load_state("networkidle")
        if bad := violations(axe, page):
            found["/?q=women, filter panel open"] = bad
    context.close()
    assert found == {}


@pytest.mark.parametrize("width", [1280, 390])
def test_the_api_reference_has_no_violations_closed_or_open(browser: Any, live_server: str, width: int) -> None:
    # The reference is Swagger UI (vendored) with our docs.css and docs.js: checked as it opens, then with a search
    # operation open for trying out, another open, and the schemas (open from the start).
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 844}, bypass_csp=True)
    page = context.new_page()
    axe = Axe()
    page.goto("/docs")
    page.wait_for_selector(".opblock-summary-control")
    found = {"/docs": violations(axe, page)}
    page.click("#operations-programs-list_programs_api_v1_programs_get .opblock-summary-control")
    page.click("text=Try it out")
    page.wait_for_selector(".btn.execute")
    page.click("#operations-programs-get_program_api_v1_programs__program_id__get .opblock-summary-control")
    page.click("section.models.is-open .json-schema-2020-12-accordion >> nth=0")  # the schemas are listed: open one
    page.wait_for_selector("section.models .json-schema-2020-12-body")
    found["/docs, opened"] = violations(axe, page)
    context.close()
    assert found == {"/docs": [], "/docs, opened": []}
