"""`mentordir serve` at the edges of HTTP, as a real process: request bodies dropped or sent a byte at a time,
requests h11 refuses, forged X-Forwarded-For, the admin throttle across workers, and a forged Host."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from app.serving import HEAD_LIMIT
from tests.support.app import FIXTURE_CATALOG
from tests.support.processes import mentordir_serve

pytestmark = pytest.mark.slow  # real `mentordir serve` processes

TOKEN = "transport-test-token"
PUBLIC = "https://directory.example.org"
IDLE = 2  # MENTORDIR_IDLE_TIMEOUT_SECONDS of the first server
SUGGESTION = {"kind": "correction", "program_id": "elam", "message": "ELAM's page has moved."}
ADMIN = "/api/v1/admin/suggestions"
# A new connection per request, as the throttle test needs; patient, for a busy machine.
get, post = partial(httpx.get, timeout=30), partial(httpx.post, timeout=30)


def environment(tmp: Path, **more: str) -> dict[str, str]:
    env = {
        "MENTORDIR_CATALOG": str(FIXTURE_CATALOG),
        "MENTORDIR_DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite'}",
        "MENTORDIR_INDEX_DIR": str(tmp / "index"),
        "MENTORDIR_ADMIN_TOKEN": TOKEN,
        "MENTORDIR_WATCH": "false",
    }
    return env | {f"MENTORDIR_{name.upper()}": value for name, value in more.items()}


class Server:
    def __init__(self, base: str, folder: Path, access_log: Path) -> None:
        self.base, self.folder, self.access_log = base, folder, access_log
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)

    @property
    def error_log(self) -> Path:
        return self.folder / f"serve-{self.port}.log"

    def settled(self, status: str, expected: float) -> float:
        """The count for `status` once it reaches `expected` (the server may still be finishing), or after 30 s."""
        deadline = time.monotonic() + 30
        while (seen := self.requests(status)) < expected and time.monotonic() < deadline:
            time.sleep(0.2)
        return seen

    def requests(self, status: str) -> float:
        """mentordir_requests_total summed over every route and method, for one status."""
        text = get(f"{self.base}/metrics").text
        found = re.findall(r'^mentordir_requests_total\{[^}]*status="(\d+)"[^}]*\} (\S+)$', text, re.MULTILINE)
        return sum(float(value) for code, value in found if code == status)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The defaults, but a short idle timeout: no base URL, every Host trusted, no proxy trusted."""
    tmp = tmp_path_factory.mktemp("plain")
    access = tmp / "access.log"
    with mentordir_serve(environment(tmp, idle_timeout_seconds=str(IDLE)), tmp, access_log=access) as base:
        yield Server(base, tmp, access)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Two workers behind a proxy on 127.0.0.1, with a public base URL."""
    tmp = tmp_path_factory.mktemp("proxied")
    env = environment(tmp, workers="2", forwarded_allow_ips="127.0.0.1", base_url=PUBLIC)
    with mentordir_serve(env, tmp, access_log=tmp / "access.log") as base:
        yield Server(base, tmp, tmp / "access.log")


def head(method: str, path: str, length: int, content_type: str) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Content-Type: {content_type}",
        f"Content-Length: {length}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _drop(server: Server, request: bytes, gate: asyncio.Semaphore) -> None:
    async with gate:
        _, writer = await asyncio.open_connection(server.host, server.port)
        writer.write(request)
        await writer.drain()
        writer.close()
        await writer.wait_closed()


async def _drop_all(server: Server, requests: list[bytes]) -> None:
    gate = asyncio.Semaphore(100)
    await asyncio.gather(*(_drop(server, r, gate) for r in requests))


def test_bodies_dropped_midway_are_client_events_with_one_short_line_each(plain: Server) -> None:
    forms = (("/api/v1/suggestions", "application/json"), ("/suggest", "application/x-www-form-urlencoded"))
    requests = [head("POST", path, 2000, media) + b"x" * 100 for path, media in forms] * 1000
    errors_before, closed_before = plain.requests("500"), plain.requests("499")
    log_before, access_before = plain.error_log.stat().st_size, plain.access_log.read_text().count("\n")

    asyncio.run(_drop_all(plain, requests))

    assert plain.settled("499", closed_before + 2000) - closed_before == 2000
    assert plain.requests("500") == errors_before == 0
    errors = plain.error_log.read_text()
    assert "Traceback" not in errors and plain.error_log.stat().st_size - log_before < 2000
    lines = plain.access_log.read_text().splitlines()[access_before:]
    closed = [json.loads(line) for line in lines if '"status":499' in line]
    assert len(closed) == 2000 and all(len(line) < 400 for line in lines)
    assert {c["route"] for c in closed} == {"/api/v1/suggestions", "/suggest"}


async def _dribble(server: Server, request: bytes, most: int) -> tuple[int, bytes]:
    """Send the headers, then the body a byte a second until the server closes; (bytes of body sent, answer)."""
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(request)
    answer, sent = b"", 0
    try:
        while sent < most:
            try:
                chunk = await asyncio.wait_for(reader.read(4096), 1.0)
            except TimeoutError:
                writer.write(b"x")
                sent += 1
                continue
            if not chunk:
                break
            answer += chunk
    except (ConnectionError, OSError):
        pass
    writer.close()
    return sent, answer


async def _slow_bodies(server: Server, count: int) -> tuple[list[tuple[int, bytes]], int]:
    request = head("POST", "/api/v1/suggestions", 60, "application/json")
    dribblers = [asyncio.ensure_future(_dribble(server, request, 60)) for _ in range(count)]
    await asyncio.sleep(IDLE / 2)  # every slow client connected and dribbling
    async with httpx.AsyncClient() as client:  # a normal client meanwhile
        served = (await client.get(f"{server.base}/api/v1/programs?per_page=1", timeout=30)).status_code
    return list(await asyncio.gather(*dribblers)), served


def test_a_body_sent_a_byte_at_a_time_is_cut_off_at_the_idle_timeout(plain: Server) -> None:
    results, served = asyncio.run(_slow_bodies(plain, 500))
    assert served == 200
    # A byte a second for 60 s would complete the body: each was closed after about IDLE seconds instead.
    assert max(sent for sent, _ in results) <= IDLE + 10
    for _, answer in results:
        assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
        headers, _, body = answer.partition(b"\r\n\r\n")
        assert b"content-type: application/problem+json" in headers.lower()
        assert json.loads(body)["status"] == 408


async def _exchange(server: Server, request: bytes, piece: int = 8192) -> bytes:
    """Send `request` in pieces of `piece` bytes, as a network delivers it, and read the answer to its end."""
    reader, writer = await asyncio.open_connection(server.host, server.port)
    for start in range(0, len(request), piece):
        if reader.at_eof() or writer.is_closing():
            break
        writer.write(request[start : start + piece])
        await writer.drain()
        await asyncio.sleep(0.1)
    answer = await asyncio.wait_for(reader.read(), 30)  # to the end: the server closes after an error
    writer.close()
    return answer


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"NOT AN HTTP REQUEST\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: yes\r\n\r\n", 400),
        (b"POST /api/v1/suggestions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ten\r\n\r\n", 400),
    ],
    ids=["request-line", "header", "content-length"],
)
def test_requests_h11_refuses_get_problem_json_and_the_strict_headers(
    plain: Server, request_bytes: bytes, status: int
) -> None:
    assert_problem(asyncio.run(_exchange(plain, request_bytes)), status)


GET_CLOSE = "GET /api/v1/programs?per_page=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
COOKIE_8_KIB = f"{GET_CLOSE}Cookie: id={'a' * 8192}\r\n\r\n".encode()


def padded(size: int) -> bytes:
    """A GET whose head (request line, headers and the blank line) is `size` bytes, a header padded to fill it."""
    start = f"{GET_CLOSE}X-Pad: "
    return start.encode() + b"a" * (size - len(start) - 4) + b"\r\n\r\n"


@pytest.mark.parametrize(
    ("size", "piece"),
    [(60_000, 60_000), (60_000, 8192), (20_000, 8192), (HEAD_LIMIT + 1, HEAD_LIMIT + 1)],
    ids=["60000-in-one-write", "60000-in-pieces", "20000-last-piece-completes-it", "one-byte-over-in-one-write"],
)
def test_a_head_over_16_kib_gets_431_however_it_arrives(plain: Server, size: int, piece: int) -> None:
    assert_problem(asyncio.run(_exchange(plain, padded(size), piece)), 431)


def test_a_head_over_16_kib_pipelined_behind_a_legal_request_gets_431_after_its_answer(plain: Server) -> None:
    legal = b"GET /api/v1/programs?per_page=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    answer = asyncio.run(_exchange(plain, legal + padded(60_000), 70_000))
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]
    assert_problem(answer[answer.index(b"HTTP/1.1 431 ") :], 431)


@pytest.mark.parametrize("piece", [8192, 60_000], ids=["in-pieces", "in-one-write"])
def test_a_large_legal_head_is_served(plain: Server, piece: int) -> None:
    for request in (padded(HEAD_LIMIT), COOKIE_8_KIB):
        answer = asyncio.run(_exchange(plain, request, piece))
        assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]


def assert_problem(answer: bytes, status: int) -> None:
    """`answer` is a problem+json for `status` with the strict headers."""
    headers, _, body = answer.partition(b"\r\n\r\n")
    assert headers.startswith(f"HTTP/1.1 {status} ".encode()), answer[:300]
    named = dict(line.split(b": ", 1) for line in headers.lower().split(b"\r\n")[1:])
    assert named[b"content-type"] == b"application/problem+json"
    assert named[b"content-security-policy"].startswith(b"default-src 'self'")
    assert named[b"x-frame-options"] == b"deny" and named[b"x-content-type-options"] == b"nosniff"
    problem = json.loads(body)
    assert problem["status"] == status and problem["title"] and problem["detail"]


def test_a_forged_forwarded_for_is_ignored_by_default(plain: Server) -> None:
    def forged(n: int) -> dict[str, str]:
        return {"X-Forwarded-For": f"192.0.2.{n}"}

    url = f"{plain.base}/api/v1/suggestions"
    assert [post(url, json=SUGGESTION, headers=forged(n)).status_code for n in range(6)] == [201] * 5 + [429]
    wrong = {"Authorization": "Bearer wrong"}
    answers = [get(f"{plain.base}{ADMIN}", headers=wrong | forged(n)).status_code for n in range(11)]
    assert answers == [401] * 10 + [429]
    assert "MENTORDIR_BASE_URL is not set" in plain.error_log.read_text()  # the warning `serve` starts with


def test_a_forwarded_for_from_a_configured_proxy_is_the_client(proxied: Server) -> None:
    url = f"{proxied.base}/api/v1/suggestions"
    client = {"X-Forwarded-For": "198.51.100.1"}
    assert [post(url, json=SUGGESTION, headers=client).status_code for _ in range(6)] == [201] * 5 + [429]
    assert post(url, json=SUGGESTION, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 201
    assert "MENTORDIR_BASE_URL is not set" not in proxied.error_log.read_text()


def test_one_admin_throttle_for_all_workers_and_the_right_token_always_passes(proxied: Server) -> None:
    client = {"X-Forwarded-For": "203.0.113.9"}
    wrong, right = client | {"Authorization": "Bearer wrong"}, client | {"Authorization": f"Bearer {TOKEN}"}
    answers = [get(f"{proxied.base}{ADMIN}", headers=wrong) for _ in range(20)]  # a connection each
    assert [a.status_code for a in answers] == [401] * 10 + [429] * 10
    assert [a.headers["ratelimit-remaining"] for a in answers[:10]] == [str(n) for n in range(9, -1, -1)]
    assert {a.headers["ratelimit-limit"] for a in answers} == {"10"}
    assert all(1 <= int(a.headers["retry-after"]) <= 60 for a in answers[10:])
    assert all(int(a.headers["ratelimit-reset"]) == int(a.headers["retry-after"]) for a in answers[10:])
    for _ in range(6):  # the curator, from the throttled address, on whichever worker
        assert get(f"{proxied.base}{ADMIN}", headers=right).status_code == 200
    assert post(f"{proxied.base}/api/v1/admin/reload", headers=right).status_code == 200
    assert get(f"{proxied.base}{ADMIN}", headers=wrong).status_code == 429


def test_with_a_base_url_a_forged_host_never_reaches_a_link(proxied: Server) -> None:
    evil = {"Host": "evil.example"}
    api = get(f"{proxied.base}/api/v1/programs?per_page=2", headers=evil)
    body = api.json()
    links = [body["links"]["self"], body["links"]["next"], *(r["links"]["self"] for r in body["results"])]
    assert all(link.startswith(f"{PUBLIC}/") for link in links), links
    assert get(f"{proxied.base}/api/v1/programs/", headers=evil).headers["location"].startswith(f"{PUBLIC}/")
    for path in ("/feed.xml", "/sitemap.xml", "/programs/elam"):
        text = get(f"{proxied.base}{path}", headers=evil | {"Accept": "text/html"}).text
        assert "evil" not in text and PUBLIC in text, path
    page = BeautifulSoup(get(f"{proxied.base}/programs/elam", headers=evil).text, "html.parser")
    script = page.find("script", type="application/ld+json")
    assert script is not None and f'"{PUBLIC}/programs/elam"' in script.string
