"""Reading the website's pages as a faculty member sees them: parsed HTML, the hits, the facet counts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Tag

from tests.support.app import Client


def page(client: Client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url, headers={"accept": "text/html"})
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def hit_names(soup: BeautifulSoup) -> list[str]:
    return [h.get_text(" ", strip=True) for h in soup.select("li.hit h3")]


def counts(soup: BeautifulSoup, facet: str) -> dict[str, int]:
    """Facet value -> the count printed beside its checkbox."""
    out = {}
    for box in soup.select(f"#filters input[type=checkbox][name={facet}]"):
        label = soup.find("label", attrs={"for": box["id"]})
        assert isinstance(label, Tag)
        out[str(box["value"])] = int(label.select_one(".count").get_text(" ", strip=True).split()[0])
    return out


def checked(soup: BeautifulSoup) -> set[tuple[str, str]]:
    return {(str(b["name"]), str(b["value"])) for b in soup.select("input[type=checkbox][checked]")}


def query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)
