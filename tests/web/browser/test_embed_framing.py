"""Issue 25's acceptance in a real headless Chromium: a page on another origin frames the embeddable list, which
shows the search page's programs, sizes itself with the one-line script, and opens its links outside the frame;
the same page cannot frame the search page or a program page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.otherorigin import other_site

pytestmark = pytest.mark.browser

SEARCH = "career_stage=early-career&demographic_focus=women"


def host_page(base: str) -> str:
    """An office's page, as the builder's code makes it, plus two frames of pages that must refuse."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Faculty affairs</title></head>
<body><h1>Programs for our early-career women faculty</h1>
<iframe id="list" src="{base}/embed?{SEARCH}" title="Mentorship programs from Mentor Directory"
 style="width:100%;height:150px;border:0"></iframe>
<script src="{base}/static/embed.js" async></script>
<iframe id="home" src="{base}/" title="search"></iframe>
<iframe id="program" src="{base}/programs/elam" title="program"></iframe>
</body></html>"""


def test_another_site_frames_the_list_and_only_the_list(browser: Any, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    errors: list[str] = []
    context.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        search = context.new_page()
        search.goto(f"{live_server}/?{SEARCH}")
        expected = [t.strip() for t in search.locator("li.hit h3").all_inner_texts()][:10]
        assert expected

        with other_site(host_page(live_server)) as office:
            page = context.new_page()
            page.goto(office)
            frame = page.frame_locator("#list")
            names = frame.locator("li.program h2 a")
            expect(names.first).to_be_visible()
            shown = [t.removesuffix(" (opens in a new tab)").strip() for t in names.all_text_contents()]
            assert shown == expected
            expect(frame.locator("p.attribution")).to_contain_text("From Mentor Directory")

            # embed.js sizes the frame to its content: no inner scrolling
            page.wait_for_function("document.getElementById('list').style.height !== '150px'")
            inner = frame.locator("html").evaluate("e => Math.ceil(e.getBoundingClientRect().height)")
            assert page.eval_on_selector("#list", "e => e.getBoundingClientRect().height") == pytest.approx(
                inner, abs=1
            )

            # a link inside opens outside the frame, in a new tab; the office's page stays as it was
            with context.expect_page() as opened:
                names.first.click()
            program = opened.value
            program.wait_for_load_state()
            assert program.url.startswith(f"{live_server}/programs/")
            expect(program.locator("h1")).to_have_text(expected[0])
            assert page.url.rstrip("/") == office

            # the search page and a program page refuse to be framed
            refused = [f for f in page.frames if f.url.startswith("chrome-error://")]
            assert len(refused) == 2, [f.url for f in page.frames]
            assert page.frame(url=f"{live_server}/") is None
            assert page.frame(url=f"{live_server}/programs/elam") is None
    finally:
        context.close()
    refusals = [e for e in errors if "Refused to display" in e or "frame-ancestors" in e]
    assert len(refusals) >= 2, errors
    assert [e for e in errors if e not in refusals] == []
