"""CORS on the API: a preflight allows conditional requests, and answers expose the sync headers."""

from __future__ import annotations

from tests.support.app import Client


def test_cors_preflight_allows_conditional_requests_and_exposes_the_sync_headers(client: Client) -> None:
    preflight = client.options(
        "/api/v1/programs",
        headers={
            "Origin": "https://intranet.example.edu",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match, If-Modified-Since, Range, If-Range, X-Request-ID",
        },
    )
    assert preflight.status_code == 200
    allowed = {h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")}
    assert {"if-none-match", "if-modified-since", "range", "if-range", "x-request-id"} <= allowed
    get = client.get("/api/v1/programs?per_page=2", headers={"Origin": "https://intranet.example.edu"})
    exposed = {h.strip().lower() for h in get.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "link", "retry-after", "sync-token", "catalog-version", "x-request-id"} <= exposed
    assert {"repr-digest", "content-range", "accept-ranges"} <= exposed  # to resume a snapshot from a page
