"""What search engines and institutions read: robots.txt, the sitemap (every program, dated by the catalog), and the
API guide at /api with examples the API really answers."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from app.catalog.models import Catalog
from app.web.present import catalog_dates
from tests.support.app import Client
from tests.support.html import page

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_robots_points_at_the_sitemap_and_keeps_crawlers_out_of_the_api(client: Client) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert lines[0] == "User-agent: *" and "Disallow: /api/v1/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /" not in lines  # the pages themselves stay open
    again = client.get("/robots.txt", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_the_sitemap_lists_every_program_with_its_last_change_from_the_catalog(
    real: Client, real_catalog: Catalog
) -> None:
    response = real.get("/sitemap.xml")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # well-formed, or this raises
    assert root.tag == f"{SITEMAP}urlset"
    listed = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root}
    for program in real_catalog.programs:
        day = catalog_dates(program.record)[1].date().isoformat()
        assert listed[f"http://testserver/programs/{program.id}"] == day
    for path in ("/", "/models", "/coverage", "/about", "/api", "/api/changelog"):
        assert f"http://testserver{path}" in listed
    assert len(listed) == len(real_catalog.programs) + 6
    for loc in list(listed)[:8]:  # every address answers
        assert real.get(loc.removeprefix("http://testserver"), headers={"accept": "text/html"}).status_code == 200
    tag = response.headers["etag"]
    assert real.get("/sitemap.xml", headers={"If-None-Match": tag}).status_code == 304


def test_the_footer_leads_to_the_guide_and_the_guide_to_the_reference(client: Client) -> None:
    footer = page(client, "/").select_one("footer")
    assert footer.select_one("a[href='/api']") is not None and footer.select_one("a[href='/docs']") is None
    soup = page(client, "/api")
    headings = [h.get_text(" ", strip=True) for h in soup.select("main h2")]
    assert headings == ["Without code", "With code: the JSON API", "Licence and how to cite", "The reference"]
    assert soup.select_one("section[aria-labelledby='ref-h'] a[href='/docs']") is not None
    assert soup.select_one("a[aria-current='page'][href='/api']") is not None


def test_the_guides_links_without_code_all_work(real: Client) -> None:
    soup = page(real, "/api")
    section = soup.select_one("section[aria-labelledby='nocode-h']")
    hrefs = [a["href"] for a in section.select("a")]
    assert any(h.startswith("/feed.xml?") for h in hrefs) and any(h.startswith("/api/v1/programs.csv?") for h in hrefs)
    for href in hrefs:
        response = real.get(href)
        assert response.status_code == 200, href
    rows = len(real.get(next(h for h in hrefs if ".csv" in h)).text.splitlines()) - 1
    shown = " ".join(page(real, next(h for h in hrefs if h.startswith("/?"))).get_text().split())
    assert rows > 20 and f"of {rows} programs" in shown  # the spreadsheet holds the search page's programs


def test_the_three_curl_examples_answer_what_the_guide_shows(real: Client) -> None:
    soup = page(real, "/api")
    commands = [c.get_text() for c in soup.select("pre code") if c.get_text().startswith("curl ")]
    urls = [re.search(r"'http://testserver(\S+)'", c).group(1) for c in commands]  # type: ignore[union-attr]
    assert len(urls) == 5  # a search, one record, the first walk, the walk since a token, the snapshot
    search, record, first_walk, since, snapshot = urls
    latest = real.get(snapshot)
    assert latest.status_code == 302 and real.get(latest.headers["location"]).status_code == 200
    answer = real.get(search).json()
    shown = soup.select_one("#ex-search ~ pre:nth-of-type(2) code").get_text()
    first = answer["results"][0]
    assert f'"total": {answer["total"]}' in shown and f'"id": "{first["id"]}"' in shown
    assert f'"name": "{first["name"]}"' in shown and f'"sponsor": "{first["sponsor"]}"' in shown
    one = real.get(record).json()
    assert json.dumps({k: one[k] for k in ("id", "name")})[1:-1] in " ".join(soup.get_text().split())
    walk = real.get(first_walk)
    assert walk.status_code == 200 and walk.json()["sync_token"]
    token = walk.json()["sync_token"]
    changes = real.get(since.replace("sync_token", token).replace("&amp;", "&"))
    assert changes.status_code == 200 and {"results", "removed", "sync_token"} <= changes.json().keys()


def test_the_licence_and_citation_are_shown_where_institutions_look(real: Client) -> None:
    info = real.get("/api/v1/catalog").json()
    assert info["license"] == {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
    assert "Cree-Green" in info["citation"] and "doi:10.1136/jim-2020-001391" in info["citation"]
    assert f"Catalog version {info['version']}, {info['loaded_at'][:10]}." in info["citation"]
    footer = page(real, "/models").select_one("footer")
    assert footer.select_one("a[rel='license']")["href"] == info["license"]["url"]
    section = page(real, "/api").select_one("section[aria-labelledby='cite-h']")
    assert section.select_one("a[rel='license']").get_text() == "CC BY 4.0"
    assert section.select_one("blockquote").get_text(" ", strip=True) == info["citation"]


def test_the_api_changelog_is_dated_newest_first_and_states_the_deprecation_policy(client: Client) -> None:
    soup = page(client, "/api/changelog")
    days = [t["datetime"] for t in soup.select("section[aria-labelledby='changes-h'] h3 time")]
    assert days == sorted(days, reverse=True) and days[0] == "2026-12-07" and days[-1] == "2026-11-26"
    newest = soup.select_one("section[aria-labelledby='changes-h'] ul").get_text(" ", strip=True)
    for change in ("Snapshots", "Last-Modified", "Licence and citation", "RateLimit-*", "replaced_by", "paged"):
        assert change in newest, change
    policy = soup.select_one("section[aria-labelledby='policy-h']").get_text(" ", strip=True)
    assert "Deprecation" in policy and "Sunset" in policy and "RFC 9745" in policy and "RFC 8594" in policy
    assert "at least 6 months" in policy and "at least 12 months" in policy
    for where in ("/api", "/"):
        assert page(client, where).select_one("a[href='/api/changelog']") is not None, where
    described = client.get("/openapi.json").json()["info"]["description"]
    assert "(/api/changelog)" in described
