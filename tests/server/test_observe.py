"""Operations: request ids, JSON access logs, Prometheus metrics and the strict headers."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, running


def test_request_id_is_kept_when_sane_and_made_otherwise(client: Client) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"}).headers["x-request-id"]
    assert len(made) == 32 and made.isalnum()
    assert client.get("/healthz").headers["x-request-id"] != made


def test_access_log_is_one_json_line_per_request(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="mentordir.access"):
        client.get("/readyz", headers={"X-Request-ID": "req-1"})
        client.get("/nowhere")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "mentordir.access"]
    first = lines[0]
    assert (first["request_id"], first["path"], first["route"], first["status"]) == (
        "req-1",
        "/readyz",
        "/readyz",
        200,
    )
    assert lines[1]["status"] == 404 and lines[1]["route"] == "unmatched"
    assert all(isinstance(ln["ms"], float) and ln["ms"] >= 0 for ln in lines)


def _metric(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            head, _, value = line.rpartition(" ")
            if all(f'{k}="{v}"' in head for k, v in labels.items()):
                return float(value)
    return None


def test_metrics_count_requests_by_route_and_show_the_catalog(client: Client) -> None:
    for _ in range(3):
        client.get("/healthz")
    text = client.get("/metrics").text
    assert _metric(text, "mentordir_requests_total", route="/healthz", status="200") == 3.0
    assert _metric(text, "mentordir_request_duration_seconds_count", route="/healthz") == 3.0
    version = client.get("/readyz").json()["catalog"]["version"]
    assert _metric(text, "mentordir_catalog_programs", version=version) == 8.0
    assert _metric(text, "mentordir_catalog_reload_failures_total") == 0.0


def test_strict_headers_on_every_response(client: Client) -> None:
    for path in ("/healthz", "/nowhere", "/metrics"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "script-src 'self'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in headers["permissions-policy"]
        assert "server" not in headers


def test_metrics_count_rejected_reloads_and_follow_the_served_version(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(FIXTURE_CATALOG.read_text())
    with running(create_app(make_settings(tmp_path, catalog=catalog))) as client:
        live = client.app.state.live
        first = live.current.version
        catalog.write_text(FIXTURE_CATALOG.read_text().replace("scope: national", "scope: galactic", 1))
        assert live.reload() is False
        text = client.get("/metrics").text
        assert _metric(text, "mentordir_catalog_reload_failures_total") == 1.0
        assert _metric(text, "mentordir_catalog_programs", version=first) == 8.0
        catalog.write_text(FIXTURE_CATALOG.read_text().replace("A year of leadership", "A year of deep leadership"))
        assert live.reload() is True
        text = client.get("/metrics").text
        assert _metric(text, "mentordir_catalog_programs", version=first) == 0.0
        assert _metric(text, "mentordir_catalog_programs", version=live.current.version) == 8.0
        assert _metric(text, "mentordir_catalog_reload_failures_total") == 1.0


def test_made_up_http_methods_do_not_grow_the_metrics(client: Client) -> None:
    for i in range(150):
        assert client.request(f"BREW{i}", "/api/v1/programs").status_code == 405
    text = client.get("/metrics").text
    methods = set(re.findall(r'mentordir_requests_total\{[^}]*method="([^"]+)"', text))
    assert methods == {"other"}  # this GET is counted once answered
    other = re.search(r'mentordir_requests_total\{[^}]*method="other"[^}]*\} (\S+)', text)
    assert other is not None and float(other.group(1)) == 150.0
