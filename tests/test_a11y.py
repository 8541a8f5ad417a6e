"""An axe-core scan of the main pages in Chromium, at desktop and phone widths: no serious or critical violation."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/?q=leadership&career_stage=mid-career&compare=elam",
    "/?type=small-group&demographic_focus=physician-parents",
    "/?demographic_focus=women&career_stage=early-career&has_link=true",
    "/programs/elam",
    "/programs/kl2",
    "/compare?ids=elam,swims,pmg",
    "/models",
    "/coverage",
    "/programs/no-such-program",
]


@pytest.mark.parametrize("width", [1280, 360])
def test_no_serious_or_critical_violations(browser: Any, live_server: str, width: int) -> None:
    # axe is injected with page.evaluate from the package's bundled axe.min.js (no network); the page's strict CSP
    # would refuse the script it evaluates, so this context alone bypasses CSP.
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    axe = Axe()
    found = {}
    for url in PAGES:
        page.goto(url)
        results = axe.run(page)
        bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        if bad:
            found[url] = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in bad]
        # No horizontal scrolling of the page itself: wide tables and the chart scroll inside their own region.
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{url} is {overflow}px wider than a {width}px screen"
    context.close()
    assert found == {}
