"""/models cites the evidence for every strength and weakness (the review's references, by its own numbers, or the
review itself, or says the point is ours) and gives the how-to the review's account supports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup

from app.config import BUNDLED_CATALOG, ROOT
from app.main import create_app
from app.web.evidence import MODELS, REFERENCES
from tests.support.app import Client, make_settings, running
from tests.support.html import page

# The stored copy of the review, beside the checkout (or beside the folder of worktrees) on curators' machines.
SEEDS = [up / "shared" / "seed" / "000_e6120284e290c2a1.txt" for up in (ROOT.parent, ROOT.parent.parent)]
SEED = next((p for p in SEEDS if p.exists()), SEEDS[0])


@pytest.fixture(scope="module")
def real_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    with running(create_app(make_settings(tmp_path_factory.mktemp("models"), catalog=BUNDLED_CATALOG))) as c:
        yield c


@pytest.fixture(scope="module")
def soup(real_client: Client) -> BeautifulSoup:
    return page(real_client, "/models")


def test_every_strength_and_weakness_says_where_it_comes_from(soup: BeautifulSoup) -> None:
    points = soup.select("section.model .proscons li")
    assert len(points) == sum(len(m.good) + len(m.bad) for m in MODELS.values()) > 30
    for li in points:
        cites = li.select_one(".cites")
        assert cites is not None, li.get_text()
        said = cites.get_text(" ", strip=True)
        assert said.startswith("[") and said.endswith("]")
        assert cites.select("a") or "our note" in said, li.get_text()
    review = [a for a in soup.select(".cites a") if a.get_text() == "review"]
    assert review and {a["href"] for a in review} == {"https://doi.org/10.1136/jim-2020-001391"}


def test_each_cited_number_is_listed_once_with_a_doi_pubmed_or_directory_link(
    soup: BeautifulSoup, real_client: Client
) -> None:
    cited = {str(a["href"]) for a in soup.select(".cites a") if str(a["href"]).startswith("#ref-")}
    listed = {f"#ref-{li['id'].removeprefix('ref-')}": li for li in soup.select("ol.references li")}
    assert cited == set(listed), "a reference cited but not listed, or listed but never cited"
    for li in listed.values():
        assert li["value"] == li["id"].removeprefix("ref-")
        for a in li.select("a"):
            href = str(a["href"])
            assert href.startswith(("https://doi.org/10.", "https://pubmed.ncbi.nlm.nih.gov/", "/programs/")), href
            if href.startswith("/programs/"):
                assert real_client.get(href).status_code == 200, href


@pytest.mark.skipif(not SEED.exists(), reason="the stored copy of the review is not on this machine")
def test_every_reference_is_the_reviews_own() -> None:
    # Never an invented reference: each title listed is one the article's reference list gives (as stored).
    article = " ".join(SEED.read_text(encoding="utf-8").lower().split())
    for r in REFERENCES.values():
        assert r.title.split(" (")[0].lower()[:25] in article, r.title


def test_the_how_to_gives_a_cadence_a_first_agenda_and_an_invitation(soup: BeautifulSoup) -> None:
    guide = soup.select_one("#start-your-own")
    assert guide is not None
    headings = [h.get_text(strip=True) for h in guide.select("h3")]
    assert {"How often to meet", "A first meeting", "An invitation you can adapt"} <= set(headings)
    assert "every two weeks" in guide.get_text(" ", strip=True)
    agenda = guide.select_one("#agenda-h + ol")
    assert agenda is not None and len(agenda.select("li")) >= 4
    invitation = guide.select_one("blockquote.invitation").get_text(" ", strip=True)  # type: ignore[union-attr]
    assert "eight" in invitation and "stays in the group" in invitation and "commit" in invitation
