"""The website, in-process: parse each page and check what a faculty member would see."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, running
from tests.support.html import checked, counts, hit_names, page, query

ATOM = "{http://www.w3.org/2005/Atom}"


def test_home_lists_every_program_with_facet_counts(client: Client) -> None:
    soup = page(client, "/")
    assert soup.select_one("#results-h").get_text(strip=True) == "8 programs"
    assert len(hit_names(soup)) == 8
    assert hit_names(soup)[0] == "ACR Trainee Forum"  # name order by default
    assert counts(soup, "career_stage") == {"student": 0, "trainee": 3, "early-career": 6, "mid-career": 4, "senior": 2}
    # the website's default counts what a member of each group could join: the programs aimed at it and the 3 open
    # to all (every value's count adds them)
    assert counts(soup, "demographic_focus") == {
        "women": 4 + 3,
        "underrepresented-in-medicine": 1 + 3,
        "physician-parents": 1 + 3,
        "open": 3,
    }
    exact = page(client, "/?include_open=false")
    assert counts(exact, "demographic_focus") == {
        "women": 4,
        "underrepresented-in-medicine": 1,
        "physician-parents": 1,
        "open": 3,
    }
    assert soup.select_one("form#search[role=search][method=get][action='/']") is not None
    assert soup.select_one("label[for=q]") is not None and soup.select_one("label[for=sort]") is not None
    assert not soup.select(".chips")  # no filter, nothing to remove


def test_filters_combine_and_within_facet_or_across_and(client: Client) -> None:
    soup = page(client, "/?career_stage=early-career&demographic_focus=women&include_open=false")
    assert sorted(hit_names(soup)) == [
        "Physician Moms Group",
        "Supporting Women In the Medical Sciences",
        "Women in Emergency Medicine Mentorship Night",
    ]
    assert checked(soup) == {("career_stage", "early-career"), ("demographic_focus", "women")}
    # what ticking gives: the other facets' selections apply, and another career stage widens this one's (OR)
    assert counts(soup, "career_stage") == {"student": 3, "trainee": 3, "early-career": 3, "mid-career": 4, "senior": 4}
    assert counts(soup, "demographic_focus")["open"] == 5  # and uab and kl2, early-career and open to all
    either = page(client, "/?career_stage=trainee&career_stage=senior")
    assert len(hit_names(either)) == 4


def test_each_selected_filter_is_removable_on_its_own_and_clear_keeps_the_words(client: Client) -> None:
    soup = page(client, "/?q=women&career_stage=early-career&career_stage=mid-career&format=in-person")
    chips = soup.select(".chips a.chip")
    assert len(chips) == 3
    first = query(str(chips[0]["href"]))
    assert first == {"q": ["women"], "career_stage": ["mid-career"], "format": ["in-person"]}
    assert chips[0]["aria-label"] == "Remove filter Career stage: Early-career faculty"
    clear = soup.select_one(".chips a.clear")
    assert clear is not None and query(str(clear["href"])) == {"q": ["women"]}


def test_search_words_are_highlighted_and_escaped(client: Client) -> None:
    soup = page(client, "/?q=leadership")
    names = hit_names(soup)
    assert names[:2] == ["Minority Faculty Leadership Seminar", "Executive Leadership in Academic Medicine"] or set(
        names[:2]
    ) == {"Minority Faculty Leadership Seminar", "Executive Leadership in Academic Medicine"}
    marks = [m.get_text() for m in soup.select("li.hit mark")]
    assert marks and all(m.lower() == "leadership" for m in marks)
    assert soup.select_one("#sort option[selected]").get_text() == "Best match"


def test_results_carry_badges_and_a_compare_link(client: Client) -> None:
    soup = page(client, "/?q=ELAM")
    hit = soup.select("li.hit")[0]
    assert hit.select_one("h3 a")["href"] == "/programs/elam"
    badges = [b.get_text(strip=True) for b in hit.select(".badge")]
    assert badges == [
        "Leadership program",
        "In person",
        "Mid-career faculty",
        "Senior faculty and leaders",
        "Women",
        "Who can join:Open to anyone eligible",
    ]
    toggle = hit.select_one("a.compare-toggle")
    assert toggle is not None and query(str(toggle["href"]))["compare"] == ["elam"]


def test_pagination_keeps_the_state_and_numbers_the_results(client: Client) -> None:
    soup = page(client, "/?format=in-person&per_page=4")
    assert soup.select_one("#results-h").get_text(strip=True).startswith("Showing 1–4 of 6 programs")
    assert len(hit_names(soup)) == 4
    nxt = soup.select_one(".pages a[rel=next]")
    assert nxt is not None and query(str(nxt["href"])) == {"format": ["in-person"], "per_page": ["4"], "page": ["2"]}
    second = page(client, str(nxt["href"]))
    assert second.select_one("#results-h").get_text(strip=True) == "Showing 5–6 of 6 programs with 1 filter"
    assert len(hit_names(second)) == 2
    assert second.select_one("ol.hits")["start"] == "5"
    assert set(hit_names(soup)).isdisjoint(hit_names(second))
    assert second.select_one(".pages a[aria-current=page]").get_text(" ", strip=True) == "Page 2"
    beyond = page(client, "/?format=in-person&per_page=4&page=9")
    assert "There is no page 9" in beyond.select_one(".empty").get_text(" ", strip=True)


def test_no_results_says_which_filter_to_drop(client: Client) -> None:
    soup = page(client, "/?type=small-group&demographic_focus=physician-parents")
    assert soup.select_one("#results-h").get_text(strip=True).startswith("0 programs")
    tips = {a.get_text(" ", strip=True): str(a["href"]) for a in soup.select(".empty a")}
    assert tips == {
        "Remove Demographic focus: Physician parents": "/?type=small-group",
        "Remove Program type: Small peer group": "/?demographic_focus=physician-parents",
        "Suggest a program we’re missing": "/suggest?kind=new-program",
    }


def test_a_misspelt_word_gets_did_you_mean(client: Client) -> None:
    soup = page(client, "/?q=leedrship")
    link = soup.select_one(".did-you-mean a")
    assert link is not None and link.get_text() == "leadership"
    assert query(str(link["href"])) == {"q": ["leadership"]}
    assert len(hit_names(page(client, str(link["href"])))) == 2


def test_unusable_parameters_are_dropped_and_explained(client: Client) -> None:
    soup = page(client, "/?career_stage=midcareer&sort=sideways&page=-3")
    notice = soup.select_one(".notice").get_text(" ", strip=True)
    assert "did you mean 'mid-career'?" in notice and "sort" in notice and "page" in notice
    assert len(hit_names(soup)) == 8


@pytest.mark.parametrize(
    "url",
    [
        "/?q=" + "a" * 5000,
        "/?q=%00%01%ff",
        "/?q=name:*&q=[a TO z]",
        "/?per_page=100000&page=99999999999",
        "/?updated_since=yesterday&verified_since=2026-13-45",
        "/?compare=" + ",".join(["x"] * 500),
        "/?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "/compare?ids=" + "%E2%80%8B" * 300,
        "/programs/" + "a" * 500,
        "/programs/%3Cscript%3E",
    ],
)
def test_strange_input_never_gives_a_server_error(client: Client, url: str) -> None:
    response = client.get(url, headers={"accept": "text/html"})
    assert response.status_code in (200, 404)
    assert "<script>alert" not in response.text


def test_the_fragment_holds_only_what_changes(client: Client) -> None:
    response = client.get("/?q=leadership", headers={"X-Fragment": "search"})
    assert response.status_code == 200 and "X-Fragment" in response.headers["vary"]
    assert response.text.lstrip().startswith('<div id="search-app"') and "<html" not in response.text
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one("#search-app")["data-url"] == "?q=leadership"
    assert len(hit_names(soup)) == 2


def test_compare_tray_on_the_search_page(client: Client) -> None:
    soup = page(client, "/?compare=elam,swims,nope")
    tray = soup.select_one(".tray")
    assert tray is not None and tray.select_one("a.button")["href"] == "/compare?ids=elam,swims"
    assert soup.select_one("input[type=hidden][name=compare]")["value"] == "elam,swims"
    toggles = {
        a.find_parent("li").select_one("h3").get_text(strip=True): a.get_text(" ", strip=True)
        for a in soup.select("a.compare-toggle")
    }
    assert toggles["Executive Leadership in Academic Medicine"].startswith("Remove from compare")
    assert toggles["KL2 Scholars Program"].startswith("Add to compare")


def test_program_page_shows_every_field_in_plain_words(client: Client) -> None:
    soup = page(client, "/programs/uab")
    assert soup.h1 is not None and soup.h1.get_text() == "UAB Peer Mentoring Group"
    facts = {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in soup.select("dl.facts dt")
    }
    assert facts["Who it is for"] == "Early-career faculty"
    assert facts["Designed for"] == "No particular group"
    assert facts["Who can join"].startswith("One institution's faculty — Faculty of one institution")
    assert facts["Status"] == "Not verified"
    assert facts["How people meet"] == "In person"
    assert facts["Specialties"] == "Internal medicine"
    assert "Cost" not in facts  # what no source says is said once, below the facts
    unknown = soup.select("p.unknown")
    assert len(unknown) == 1 and "Not stated in its sources:" in unknown[0].get_text()
    assert "cost" in unknown[0].get_text()
    assert facts["Run by"] == "University of Alabama at Birmingham (academic institution)"
    sources = soup.select("ol.sources li")
    assert len(sources) == 2
    assert sources[0].select_one("a")["href"] == "https://doi.org/10.1136/jim-2020-001391"
    assert "reference 19 in the review" in sources[1].get_text()
    line = soup.select_one("p.provenance")  # it cites only the review: no check date is stated
    assert line.get_text(" ", strip=True) == (
        "From the 2020 review; not yet checked against a current source. Due for a fresh check."
    )
    assert line.select_one("time") is None
    assert soup.select_one("a[href='/api/v1/programs/uab']") is not None
    similar = [a["href"] for a in soup.select(".similar a")]
    assert similar and "/programs/uab" not in similar
    for href in similar:
        assert client.get(str(href)).status_code == 200


@pytest.mark.parametrize(("program_id", "kind"), [("elam", "EducationalOccupationalProgram"), ("swims", "Service")])
def test_program_page_has_schema_org_data(client: Client, program_id: str, kind: str) -> None:
    soup = page(client, f"/programs/{program_id}")
    data = json.loads(soup.select_one("script[type='application/ld+json']").string)
    assert data["@type"] == kind and data["@context"] == "https://schema.org"
    assert data["name"] == soup.h1.get_text()


def test_schema_org_data_names_the_sponsors_website_as_the_sponsors(client: Client) -> None:
    soup = page(client, "/programs/kl2")
    data = json.loads(soup.select_one("script[type='application/ld+json']").string)
    assert data["provider"]["url"] == "https://www.nih.gov"
    assert data["url"] != "https://www.nih.gov"  # never passed off as the program's own page


def test_unknown_program_gets_a_404_page(client: Client) -> None:
    soup = page(client, "/programs/no-such-program", status=404)
    assert soup.h1 is not None and soup.h1.get_text() == "Page not found"
    assert "no-such-program" in soup.select_one(".lede").get_text()
    assert soup.select_one("a[href='/']") is not None
    assert client.get("/nowhere", headers={"accept": "text/html"}).status_code == 404


def test_compare_two_programs_side_by_side(client: Client) -> None:
    soup = page(client, "/compare?ids=swims,elam")
    heads = [a.get_text() for a in soup.select("table.compare thead th a")]
    assert heads == ["Supporting Women In the Medical Sciences", "Executive Leadership in Academic Medicine"]
    rows = {
        tr.th.get_text(): [td.get_text(" ", strip=True) for td in tr.select("td")] for tr in soup.select("tbody tr")
    }
    assert rows["Career stages"] == [
        "Early-career faculty, Mid-career faculty",
        "Mid-career faculty, Senior faculty and leaders",
    ]
    assert rows["Format"] == ["In person, Virtual", "In person"]
    assert rows["Commitment and duration"] == ["Not stated in our sources", "One year"]
    assert {"Designed for", "Cost", "Who can join", "Outcomes reported"} <= set(rows)


def test_compare_explains_what_it_could_not_show(client: Client) -> None:
    one = page(client, "/compare?ids=elam")
    assert "Choose two to four programs" in one.select_one(".empty").get_text()
    unknown = page(client, "/compare?ids=elam,nope&ids=pmg")
    assert "nope" in unknown.select_one(".notice").get_text()
    assert len(unknown.select("table.compare thead th")) == 2
    many = page(client, "/compare?ids=elam,pmg,uab,kl2,swims,acr-forum")
    assert len(many.select("table.compare thead th")) == 4
    assert "2 more were left out" in many.get_text(" ", strip=True)


def test_models_page_explains_each_model_and_links_to_its_programs(client: Client) -> None:
    soup = page(client, "/models")
    sections = soup.select("section.model")
    assert len(sections) == 8
    for section in sections:
        assert section.select("h3")[0].get_text() == "Strengths" and section.select("ul li")
        link = section.select_one("a.button")
        assert link is not None
        [kind] = query(str(link["href"]))["type"]
        assert kind == section["id"]
        number = int(re.findall(r"\d+", link.get_text())[0])
        assert number == len(hit_names(page(client, str(link["href"]))))
    guide = soup.select_one("#start-your-own")
    assert guide is not None
    text = guide.get_text(" ", strip=True)
    assert "eight members at most" in text and "confidentiality" in text.lower() and "attend" in text
    assert [a["href"] for a in guide.select(".examples a")] == ["/programs/swims"]


def test_coverage_chart_counts_stage_by_focus_and_links_each_cell(client: Client) -> None:
    soup = page(client, "/coverage")
    svg = soup.select_one("svg")
    assert svg is not None and svg.select_one("title") is not None and svg.select_one("desc") is not None
    cells = svg.select("a")
    assert len(cells) == 5 * 4
    by_href = {str(a["href"]): a["aria-label"] for a in cells}
    # the chart counts the programs aimed at each group, and each cell's link shows just those
    assert by_href["/?career_stage=early-career&demographic_focus=women&include_open=false"].endswith(": 3 programs")
    assert by_href["/?career_stage=student&demographic_focus=women&include_open=false"].endswith(": 0 programs")
    table = {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")]
        for tr in soup.select("table.coverage tbody tr")
    }
    assert table["Early-career faculty"] == ["3", "1", "1", "2", "6"]
    gaps = soup.select_one("#gaps-h").find_parent("section").get_text(" ", strip=True)
    assert "Student : no program at all" in gaps
    women = page(client, "/?career_stage=early-career&demographic_focus=women&include_open=false")
    assert len(hit_names(women)) == 3


def test_feed_is_atom_with_an_entry_per_program_newest_first(client: Client) -> None:
    response = client.get("/feed.xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 8
    stamps = [e.findtext(f"{ATOM}updated") or "" for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    links = {e.find(f"{ATOM}link").get("href") for e in entries}
    assert "http://testserver/programs/elam" in links


def test_feed_escapes_catalog_text(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        FIXTURE_CATALOG.read_text().replace("name: Physician Moms Group", "name: Moms & <Dads> ]]> Group", 1)
    )
    with running(create_app(make_settings(tmp_path, catalog=catalog))) as c:
        feed = ET.fromstring(c.get("/feed.xml").content)
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert "Moms & <Dads> ]]> Group" in titles


def test_assets_are_hashed_and_cached_for_a_year(client: Client) -> None:
    soup = page(client, "/")
    urls = [str(t["href"]) for t in soup.select("link[rel=stylesheet]")] + [
        str(s["src"]) for s in soup.select("script[src]")
    ]
    assert len(urls) == 2
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert re.search(r"\?v=[0-9a-f]{12}$", url)
    stale = client.get(urls[0].split("?")[0] + "?v=old")
    assert "immutable" not in stale.headers["cache-control"]
    assert client.get("/static/nothing.js").status_code == 404


PAGES = [
    "/",
    "/?q=women&career_stage=early-career",
    "/programs/elam",
    "/compare?ids=elam,swims",
    "/models",
    "/coverage",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_are_light_and_have_no_inline_code_or_style(client: Client, url: str) -> None:
    response = client.get(url)
    assert len(response.content) < 100_000
    soup = BeautifulSoup(response.text, "html.parser")
    for tag in soup.find_all(True):
        assert "style" not in tag.attrs, tag
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag
    for script in soup.find_all("script"):
        assert script.get("src") or script.get("type") == "application/ld+json", script
    assert soup.select_one("html[lang=en]") and soup.select_one("main#main") and soup.select_one("nav[aria-label]")
    assert soup.title is not None and soup.title.get_text().endswith("Mentor Directory")


def test_the_finder_offers_none_of_these_for_programs_open_to_everyone(client: Client) -> None:
    home = page(client, "/")
    none = home.select_one("#finder input#fi-focus-open")
    assert none is not None and (none["name"], none["value"]) == ("demographic_focus", "open")
    label = home.select_one("#finder label[for=fi-focus-open]")
    assert label is not None and label.get_text(" ", strip=True) == "None of these: show programs open to everyone"
    landed = page(client, "/?include_open=true&career_stage=early-career&demographic_focus=open")
    records = {r["id"]: r for r in client.get("/api/v1/programs?per_page=100").json()["results"]}
    ids = [str(a["href"]).rsplit("/", 1)[1] for a in landed.select("li.hit h3 a")]
    assert ids and all(records[i]["demographic_focus"] == ["open"] for i in ids)  # none aimed at a group
    assert landed.select("h3.part-head") == []  # one list: every program in it is open to everyone
    group = page(client, "/?include_open=true&career_stage=early-career&demographic_focus=women")
    assert [h.get_text(" ", strip=True).split(" (")[0] for h in group.select("h3.part-head")] == [
        "Aimed at Women",
        "Also open to you",
    ]
