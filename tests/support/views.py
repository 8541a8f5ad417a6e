"""One search, every view of it: the page (all its pages), its feed, its CSV, the API, its completions, its offers,
its sidebar counts and its eligibility link. `disagreements` lists every way they differ about the set or a count."""

from __future__ import annotations

import csv
import io
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from bs4 import BeautifulSoup, Tag

from app.catalog.vocab import FACETS
from tests.support.app import Client
from tests.support.html import page

ATOM = "{http://www.w3.org/2005/Atom}"
FEED_ENTRIES = 50
PART_ORDER = {"aimed": 0, "open": 1, "other": 2}
WORDS = [
    "women", "leadership", "endocrinology", "virtual", "mentoring", "research", "peer group", "URM", "surgery",
    "early career", "writing", "coaching", "parents", "network", "academic", "diversity", "cardiology", "physician",
]  # fmt: skip
Pairs = list[tuple[str, str]]


@dataclass
class Seen:
    """What the page says: its programs (every page of them), in order, and its parsed first page."""

    ids: list[str]
    total: int
    soup: BeautifulSoup


def searches(seed: int, n: int) -> Iterator[Pairs]:
    """`n` searches as the website's parameters: seeded random words and filters, each in both modes."""
    rng = random.Random(seed)
    facets = [name for name in FACETS if name != "status"]
    for _ in range(n):
        pairs: Pairs = [("q", " ".join(rng.sample(WORDS, rng.choice([1, 1, 2]))))] if rng.random() < 0.5 else []
        chosen = rng.sample(facets, rng.choice([0, 1, 1, 2, 2, 3]))
        for widened in ("demographic_focus", "specialty"):  # the facets a mode changes, more often than not
            if widened not in chosen and rng.random() < 0.4:
                chosen.append(widened)
        for name in chosen:
            values = [v for v in FACETS[name].values if v != FACETS[name].wildcard or rng.random() < 0.2]
            pairs += [(name, v) for v in rng.sample(values, min(len(values), rng.choice([1, 1, 2])))]
        pairs += [("has_link", "true")] if rng.random() < 0.15 else []
        pairs += [("include_ended", "true")] if rng.random() < 0.1 else []
        pairs += [("sort", rng.choice(["name", "-last_verified", "relevance"]))] if rng.random() < 0.3 else []
        yield pairs
        yield [*pairs, ("include_open", "false")]


def local(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def total_of(client: Client, href: str) -> int:
    """The total a page of the website says ("N programs"), as its search container holds it."""
    found = page(client, local(href)).select_one("#search-app")
    assert isinstance(found, Tag), href
    return int(str(found["data-total"]))


def seen(client: Client, pairs: Pairs) -> Seen:
    """The page's programs over all its pages, in order."""
    ids: list[str] = []
    first: BeautifulSoup | None = None
    total = 0
    for n in range(1, 20):
        soup = page(client, "/?" + urlencode([*pairs, ("per_page", "100"), ("page", str(n))]))
        first = first or soup
        total = int(str(soup.select_one("#search-app")["data-total"]))  # type: ignore[index]
        ids += [urlsplit(str(a["href"])).path.rsplit("/", 1)[1] for a in soup.select("li.hit h3 a")]
        if len(ids) >= total:
            break
    assert first is not None
    return Seen(ids, total, first)


def feed_ids(client: Client, href: str) -> tuple[list[str], str]:
    feed = ET.fromstring(client.get(local(href)).content)
    ids = [(e.find(f"{ATOM}link").get("href") or "").rsplit("/", 1)[1] for e in feed.findall(f"{ATOM}entry")]  # type: ignore[union-attr]
    alternate = next(link.get("href") or "" for link in feed.findall(f"{ATOM}link") if link.get("rel") == "alternate")
    return ids, alternate


def csv_ids(client: Client, href: str) -> list[str]:
    return [row["id"] for row in csv.DictReader(io.StringIO(client.get(local(href)).text))]


def number(text: str) -> int:
    found = re.search(r"(\d+)", text)
    assert found, text
    return int(found.group(1))


def disagreements(client: Client, pairs: Pairs, rng: random.Random) -> list[str]:
    """Every way the views of this search disagree with its page about the set or a count (empty: they agree)."""
    where = "/?" + urlencode(pairs)
    shown = seen(client, pairs)
    out: list[str] = []
    if len(shown.ids) != shown.total or len(set(shown.ids)) != len(shown.ids):
        out.append(f"{where}: the page lists {len(shown.ids)} ({len(set(shown.ids))} distinct) but says {shown.total}")
    out += _parts(where, shown)
    out += _beside(client, where, shown)
    out += _links(client, where, shown)
    out += _eligibility(client, where, shown)
    out += _sidebar(client, pairs, where, shown, rng)
    out += _completions(client, pairs, where, shown.soup, rng)
    return out


def _beside(client: Client, where: str, shown: Seen) -> list[str]:
    """The feed (from the follow page, and the web page it links back to), the printable list, the CSV and the API's
    answer to the CSV's search."""
    out = []
    page_set = set(shown.ids)
    follow_page = shown.soup.select_one("a.follow-page")
    if follow_page and (follow := page(client, local(str(follow_page["href"]))).select_one("a.follow")):
        got, alternate = feed_ids(client, str(follow["href"]))
        if not set(got) <= page_set or len(got) != min(shown.total, FEED_ENTRIES):
            out.append(
                f"{where}: its feed holds {len(got)}, {len(set(got) - page_set)} not on the page ({shown.total})"
            )
        if (back := total_of(client, alternate)) != shown.total:
            out.append(f"{where}: its feed's web page {alternate} has {back}, not {shown.total}")
    if printed := shown.soup.select_one("a.print-list"):
        rows = page(client, local(str(printed["href"]))).select("table.printed tbody th a")
        if (got := [str(a["href"]).rsplit("/", 1)[-1] for a in rows]) != shown.ids:
            out.append(f"{where}: its printable list holds {len(got)} ({len(set(got) ^ page_set)} differ or moved)")
    if link := shown.soup.select_one("a.csv"):
        got = csv_ids(client, str(link["href"]))
        if set(got) != page_set or len(got) != shown.total:
            out.append(f"{where}: its CSV holds {len(got)} ({len(set(got) ^ page_set)} differ) not {shown.total}")
        asked = local(str(link["href"])).replace("programs.csv", "programs")
        api = client.get(asked + ("&" if "?" in asked else "?") + "per_page=1").json()
        if api["total"] != shown.total:
            out.append(f"{where}: the API's answer to its CSV's search says {api['total']}, not {shown.total}")
    return out


def _links(client: Client, where: str, shown: Seen) -> list[str]:
    """The "Filter by …" offers and the ways out of an empty answer: each count is what its link opens."""
    out = []
    for offer in shown.soup.select("a.offer"):
        said, found = number(offer.select_one(".count").get_text()), total_of(client, str(offer["href"]))  # type: ignore[union-attr]
        if said != found:
            out.append(f"{where}: the offer {offer.get_text(' ', strip=True)!r} leads to {found}")
    for escape in shown.soup.select(".empty li"):
        a = escape.select_one("a")
        if a is not None and "→" in escape.get_text():
            said, found = number(escape.get_text().rsplit("→", 1)[-1]), total_of(client, str(a["href"]))
            if said != found:
                out.append(f"{where}: the way out {escape.get_text(' ', strip=True)!r} leads to {found}")
    return out


def _parts(where: str, shown: Seen) -> list[str]:
    heads = shown.soup.select("h3.part-head")
    parts = [str(li.get("data-part")) for li in shown.soup.select("li.hit") if li.get("data-part")]
    out = []
    if parts != sorted(parts, key=PART_ORDER.__getitem__):
        out.append(f"{where}: its parts are out of order: {parts}")
    if (
        heads
        and len(shown.ids) == shown.total
        and sum(number(h.select_one(".count").get_text()) for h in heads) != shown.total
    ):  # type: ignore[union-attr]
        out.append(f"{where}: its parts' counts do not add up to {shown.total}")
    return out


def _eligibility(client: Client, where: str, shown: Seen) -> list[str]:
    notice = shown.soup.select_one("#eligibility")
    if notice is None:
        return []
    a = notice.select_one("a")
    assert a is not None
    n = number(notice.get_text() if "Including" in notice.get_text().split(".")[0] else a.get_text())
    other = total_of(client, str(a["href"]))
    if abs(other - shown.total) != n:
        return [f"{where}: the eligibility link says {n} programs differ, but leads to {other} (from {shown.total})"]
    return []


def _sidebar(client: Client, pairs: Pairs, where: str, shown: Seen, rng: random.Random) -> list[str]:
    """A few filter boxes: the count beside each is what ticking it gives (a ticked one: what this page has, when it is
    its facet's only choice)."""
    boxes = [
        b
        for b in shown.soup.select("#filters input[type=checkbox]")
        if b.get("name") != "status" and not b.has_attr("disabled")
    ]
    out = []
    for box in rng.sample(boxes, min(3, len(boxes))):
        label = shown.soup.find("label", attrs={"for": box["id"]})
        said = number(label.select_one(".count [aria-hidden]").get_text())  # type: ignore[union-attr]
        name, value = str(box["name"]), str(box["value"])
        if box.has_attr("checked"):
            if sum(1 for k, _ in pairs if k == name) == 1 and said != shown.total:
                out.append(f"{where}: the ticked {name}={value} says {said}, the page {shown.total}")
            continue
        found = total_of(client, "/?" + urlencode([*pairs, (name, value)]))
        if said != found:
            out.append(f"{where}: ticking {name}={value} gives {found}, its count says {said}")
    return out


def _completions(client: Client, pairs: Pairs, where: str, soup: BeautifulSoup, rng: random.Random) -> list[str]:
    """Completions typed on this page: a value's count is what ticking it here gives (the words leave the box), a
    sponsor's what searching its name here gives; and their links lead there."""
    combo = soup.select_one("div.combo")
    assert combo is not None
    name = rng.choice([n for n in FACETS if n != "status"])
    typed = rng.choice(FACETS[name].terms).label[:4]
    url = str(combo["data-completions"])
    url += ("&" if "?" in url else "?") + urlencode([("q", typed)])
    out = []
    kept = [(k, v) for k, v in pairs if k != "q"]
    for c in client.get(url).json()["completions"]:
        if c["kind"] == "program":
            continue
        ticked = [*kept, (c["facet"], c["value"])] if c["kind"] == "filter" else [*kept, ("q", c["label"])]
        hrefs = {c["links"]["html"]} if c["facet"] == "status" else {"/?" + urlencode(ticked), c["links"]["html"]}
        for href in hrefs:  # a status has no box on the page: taking it opens its link
            if (found := total_of(client, href)) != c["count"]:
                out.append(f"{where}: the completion {c['label']} ({typed!r}) says {c['count']}, {href} gives {found}")
    return out
