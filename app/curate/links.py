"""The link checker: every URL in the catalog, fetched concurrently with bounded concurrency, timeouts and retries."""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

import httpx
from rich.console import Console
from rich.table import Table

from app.catalog.models import Catalog

USER_AGENT = "mentordir-link-checker/1.0 (catalog maintenance; one request per link)"
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 10.0  # seconds; a server asking for longer is reported rather than waited for
PER_HOST = 2  # requests at once to any one host, to stay polite to small sites
Status = Literal["ok", "redirect", "broken"]


@dataclass(frozen=True)
class Link:
    """A URL and every place in the catalog that uses it."""

    url: str
    used_by: tuple[str, ...]  # e.g. "elam (line 4) url"


@dataclass
class LinkResult:
    url: str
    used_by: tuple[str, ...]
    status: Status
    code: int | None = None  # the final status code, or the first redirect's code for a redirect
    target: str | None = None  # where a redirect ends
    error: str | None = None
    attempts: int = 1
    seconds: float = 0.0
    permanent: bool = field(default=False)  # a 301/308: the catalog should be updated to the target


def collect_links(catalog: Catalog) -> list[Link]:
    """Every program and source URL, each once, with the entries that use it."""
    places: dict[str, list[str]] = {}
    for p in catalog.programs:
        where = f"{p.id} (line {catalog.lines.get(p.id, 0)})"
        if p.url:
            places.setdefault(p.url, []).append(f"{where} url")
        for j, source in enumerate(p.sources):
            if source.url:
                places.setdefault(source.url, []).append(f"{where} sources[{j}].url")
    return [Link(url, tuple(used)) for url, used in places.items()]


async def check_links(
    links: list[Link],
    *,
    concurrency: int = 8,
    timeout: float = 10.0,
    retries: int = 2,
    on_done: Callable[[LinkResult], None] | None = None,
) -> list[LinkResult]:
    """Check every link; at most `concurrency` requests at once (and PER_HOST per host), results in input order."""
    overall = asyncio.Semaphore(concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=10,
        timeout=httpx.Timeout(timeout),
        limits=limits,
        headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.8"},
    ) as client:

        async def one(link: Link) -> LinkResult:
            host = hosts.setdefault(urlsplit(link.url).netloc.lower(), asyncio.Semaphore(PER_HOST))
            async with overall, host:
                result = await check_one(client, link, timeout=timeout, retries=retries)
            if on_done is not None:
                on_done(result)
            return result

        return list(await asyncio.gather(*(one(link) for link in links)))


async def check_one(client: httpx.AsyncClient, link: Link, *, timeout: float, retries: int) -> LinkResult:
    """One link: retried on timeouts, connection errors and temporary server errors, with backoff."""
    started = time.monotonic()
    result = LinkResult(link.url, link.used_by, "broken")
    for attempt in range(1, retries + 2):
        result.attempts = attempt
        wait = 0.5 * 2 ** (attempt - 1)
        try:
            async with asyncio.timeout(timeout):  # a whole-request deadline: a slow trickle cannot hold a slot
                response = await _fetch(client, link.url)
        except TimeoutError:
            result.error = f"timed out after {timeout:g} s"
        except httpx.TooManyRedirects:
            result.error = "too many redirects (more than 10)"
            break
        except httpx.ConnectError as exc:
            result.error = f"cannot connect: {_reason(exc)}"
        except httpx.HTTPError as exc:  # protocol errors, bad TLS, resets
            result.error = f"{type(exc).__name__}: {_reason(exc)}"
        else:
            _classify(result, response)
            if response.status_code not in RETRY_STATUSES:
                break
            wait = max(wait, _retry_after(response))
            if wait > MAX_RETRY_AFTER:
                break
        if attempt <= retries:
            await asyncio.sleep(wait)
    result.seconds = round(time.monotonic() - started, 3)
    return result


async def _fetch(client: httpx.AsyncClient, url: str) -> httpx.Response:
    # GET, not HEAD (many servers answer HEAD wrongly), streamed so that the body is never downloaded.
    async with client.stream("GET", url) as response:
        return response


def _classify(result: LinkResult, response: httpx.Response) -> None:
    result.error = None
    code = response.status_code
    if code >= 400:
        result.status, result.code = "broken", code
        result.error = f"HTTP {code} {response.reason_phrase}".rstrip()
        if response.history:
            result.error += f" at {response.url}"
        if code in {401, 403, 429}:
            result.error += " (the server may refuse automated checks: open it in a browser)"
    elif response.history:
        first = response.history[0].status_code
        result.status, result.code, result.target = "redirect", first, str(response.url)
        result.permanent = first in {301, 308}
    else:
        result.status, result.code = "ok", code


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.headers.get("retry-after", "0"))
    except ValueError:
        return 0.0


def _reason(exc: BaseException) -> str:
    """The underlying cause in plain words (httpx wraps it: 'All connection attempts failed')."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return "the host name does not resolve"
        if isinstance(cause, ConnectionRefusedError) or getattr(cause, "errno", None) == errno.ECONNREFUSED:
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    return str(exc) or type(exc).__name__


ORDER = {"broken": 0, "redirect": 1, "ok": 2}  # how results are listed: what needs fixing first
STYLE = {"broken": "red", "redirect": "yellow", "ok": "green"}


def render(results: list[LinkResult], console: Console) -> None:
    """The summary table for people, then one line of totals."""
    table = Table(title=f"{len(results)} link(s)", title_justify="left", show_edge=False)
    for column in ("result", "code", "url", "detail", "used by"):
        table.add_column(column, overflow="fold")
    for r in results:
        detail = r.error or ""
        if r.status == "redirect":
            detail = f"→ {r.target}" + (" (permanent: update the catalog)" if r.permanent else "")
        code = str(r.code) if r.code else "-"
        table.add_row(f"[{STYLE[r.status]}]{r.status}[/]", code, r.url, detail, "\n".join(r.used_by))
    console.print(table)
    counts = {status: sum(r.status == status for r in results) for status in ORDER}
    console.print(f"{counts['ok']} ok, {counts['redirect']} redirected, {counts['broken']} broken")
