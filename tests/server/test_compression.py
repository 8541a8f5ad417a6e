"""Compression of pages, JSON, feeds and static files, with ETags, 304s and Vary still right."""

from __future__ import annotations

import gzip

import httpx
import pytest

from tests.support.app import Client

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
PLAIN = {"Accept-Encoding": "identity"}


def raw(client: Client, url: str, headers: dict[str, str]) -> httpx.Response:
    """The response as sent: httpx would otherwise decode the body and hide the encoding."""
    response = client.get(url, headers=headers)
    response.read()
    return response


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/", "text/html"),
        ("/?q=women", "text/html"),
        ("/programs/swims", "text/html"),
        ("/api/v1/programs?per_page=50", "application/json"),
        ("/api/v1/programs.csv", "text/csv"),
        ("/feed.xml", "application/atom+xml"),
        ("/static/app.css", "text/css"),
        ("/static/app.js", "text/javascript"),
    ],
)
def test_text_answers_are_gzipped_for_clients_that_accept_it(client: Client, url: str, kind: str) -> None:
    plain = raw(client, url, PLAIN)
    packed = raw(client, url, GZIP)
    assert plain.status_code == packed.status_code == 200
    assert packed.headers["content-type"].startswith(kind)
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    # httpx decodes gzip: the decoded body is the plain one, and what travelled is smaller.
    assert packed.content == plain.content
    assert len(gzip.compress(plain.content)) < len(plain.content)


def test_small_answers_go_plain(client: Client) -> None:
    response = raw(client, "/healthz", GZIP)
    assert response.status_code == 200 and "content-encoding" not in response.headers


@pytest.mark.parametrize("url", ["/api/v1/programs?q=women", "/api/v1/programs/swims", "/static/app.css", "/feed.xml"])
def test_etags_and_304s_for_each_encoding(client: Client, url: str) -> None:
    plain = client.get(url, headers=PLAIN)
    packed = client.get(url, headers=GZIP)
    strong = plain.headers["etag"]
    assert strong.startswith('"')
    # The compressed body is another representation: its tag is the weak form of the same validator.
    assert packed.headers["etag"] == f"W/{strong}"
    for held, headers in [(strong, PLAIN), (packed.headers["etag"], GZIP), (strong, GZIP)]:
        # Twice: the first answer may be rendered, the second comes from the response cache.
        for _ in range(2):
            again = client.get(url, headers=headers | {"If-None-Match": held})
            assert again.status_code == 304, (held, headers)
            assert again.content == b""
            assert again.headers["etag"].removeprefix("W/") == strong
            if headers is GZIP:
                assert "accept-encoding" in again.headers["vary"].lower()
    # A 304 to a client holding the gzip body repeats the tag as the client holds it.
    assert client.get(url, headers=GZIP | {"If-None-Match": f"W/{strong}"}).headers["etag"] == f"W/{strong}"
    stale = client.get(url, headers=GZIP | {"If-None-Match": 'W/"something-else"'})
    assert stale.status_code == 200 and stale.headers["etag"] == f"W/{strong}"


def test_the_cache_keeps_each_encoding_apart(client: Client) -> None:
    """A gzip body cached for one client is never replayed to a client that cannot read it, nor the reverse."""
    for first, second in [(GZIP, PLAIN), (PLAIN, GZIP)]:
        url = f"/?q=leadership&first={first['Accept-Encoding'][:4]}"
        raw(client, url, first)
        answer = raw(client, url, second)
        assert ("content-encoding" in answer.headers) == (second is GZIP)
        assert b"leadership" in answer.content


def test_head_reports_the_compressed_length(client: Client) -> None:
    get = raw(client, "/?q=women", GZIP)
    head = client.request("HEAD", "/?q=women", headers=GZIP)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-encoding"] == "gzip"
    assert head.headers["content-length"] == get.headers["content-length"]
