"""Count phrases: every one goes through one helper, and says '0 programs', '1 program', '2 programs'."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from app.catalog.vocab import FACETS
from app.config import TEMPLATES
from app.web.words import count, plural
from tests.support.app import Client

NOUNS = sorted(
    set(re.findall(r"count\('([^']+)'\)", " ".join(p.read_text() for p in TEMPLATES.glob("*.html"))))
    | {t.label.lower() for t in FACETS["type"].terms}
)


def test_no_template_makes_its_own_plural() -> None:
    for path in TEMPLATES.glob("*.html"):
        hand_made = re.search(r"else 's'|'s' if|'' if [^%}]*== ?1|'program' if", path.read_text())
        assert hand_made is None, f"{path.name} writes a plural by hand ({hand_made}); use the count filter"


@pytest.mark.parametrize("noun", NOUNS)
def test_every_counted_noun_with_0_1_and_2(noun: str) -> None:
    one, none, two = count(1, noun), count(0, noun), count(2, noun)
    assert one == f"1 {noun}"
    assert none == f"0 {plural(noun)}" and two == f"2 {plural(noun)}"
    many = plural(noun)
    assert many != noun and many.startswith(noun.rsplit(" ", 1)[0])
    assert not many.endswith(("ys", "ss")) or noun.endswith(("ay", "ey", "oy")), many


@pytest.mark.parametrize(
    ("noun", "many"),
    [("online community", "online communities"), ("program", "programs"), ("small peer group", "small peer groups")],
)
def test_irregular_endings(noun: str, many: str) -> None:
    assert plural(noun) == many
    assert count(1234, noun) == f"1,234 {many}"


def test_models_page_counts_agree(client: Client) -> None:
    """The fixture has 0, 1 and 2 programs of different types: each button's noun agrees with its number."""
    soup = BeautifulSoup(client.get("/models").text, "html.parser")
    seen = set()
    for link in soup.select("a.button[href^='/?type=']"):
        n, noun = re.fullmatch(r"See (\d+) (.+)", link.get_text(strip=True)).groups()  # type: ignore[union-attr]
        label = FACETS["type"].label_of(str(link["href"]).split("=", 1)[1]).lower()
        assert noun == (label if n == "1" else plural(label))
        total = client.get(f"/api/v1/programs?{str(link['href'])[2:]}").json()["total"]
        assert int(n) == total
        seen.add(min(int(n), 2))
    assert seen == {0, 1, 2}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/?type=small-group&demographic_focus=physician-parents", "0 programs with 2 filters"),
        ("/?type=small-group", "1 program with 1 filter"),
        ("/?type=leadership-program", "2 programs with 1 filter"),
        ("/?format=in-person&format=virtual&type=leadership-program", "2 programs with 3 filters"),
        ("/?per_page=1&page=2&type=leadership-program", "Showing 2–2 of 2 programs with 1 filter"),
        ("/?per_page=1&type=small-group", "1 program with 1 filter"),
    ],
)
def test_search_headings_count_right_and_agree_with_the_badge(client: Client, url: str, expected: str) -> None:
    soup = BeautifulSoup(client.get(url).text, "html.parser")
    assert soup.select_one("#results-h").get_text(strip=True) == expected
    filters = re.search(r"with (\d+) filters?", expected)
    badge = soup.select_one("#filters-h .pill")
    if filters:
        assert badge is not None and badge.get_text(strip=True) == f"{filters.group(1)} selected"
        assert len(soup.select("ul.chips a.chip")) == int(filters.group(1))
    total = int(re.search(r"(\d+) programs?", expected.split(" of ")[-1]).group(1))  # type: ignore[union-attr]
    button = soup.select_one("#show-results .when-js").get_text(strip=True)
    assert button == f"Show {count(total, 'program')}"


def test_escape_hints_count_right(client: Client) -> None:
    soup = BeautifulSoup(client.get("/?type=small-group&demographic_focus=physician-parents").text, "html.parser")
    hints = [li.get_text(" ", strip=True) for li in soup.select(".empty li")]
    assert hints and all(re.search(r"→ (1 program|[02-9]\d* programs)$", h) for h in hints), hints
