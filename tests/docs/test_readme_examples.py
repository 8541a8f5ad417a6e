"""The README's API examples, run against the app over the bundled catalog, so the documentation cannot rot.

Each ```sh block holds one `curl` command; the fenced block after it says what comes back: ```json is an excerpt
of the body (objects may leave keys out, lists may stop early), ```text the first lines of the body, ```http the
status line, headers (`…` for any value) and, after a blank line, an excerpt of the JSON body.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from app.config import BUNDLED_CATALOG, ROOT
from app.main import create_app
from tests.support.app import Client, make_settings, running

README = ROOT / "README.md"
SECTION = "### For institutions: the JSON API"
BASE = "http://127.0.0.1:8000"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


@dataclass(frozen=True)
class Example:
    command: str
    kind: str
    expected: str


def examples() -> list[Example]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.find("\n### ", len(SECTION))]
    blocks = [(m.group(1), m.group(2)) for m in BLOCK.finditer(section)]
    found = []
    for (kind, body), (next_kind, expected) in zip(blocks, [*blocks[1:], ("", "")], strict=True):
        if kind == "sh":
            assert next_kind in {"json", "text", "http"}, f"no expected output after {body!r}"
            found.append(Example(body.strip(), next_kind, expected))
    return found


def call(client: Client, command: str) -> tuple[Any, bool]:
    """Run one curl command line in-process: (the response, whether -i was given)."""
    words = shlex.split(command)
    assert words[0] == "curl", command
    headers, include, url = {}, False, ""
    args = iter(words[1:])
    for word in args:
        if word in {"-s", "-si", "-is", "-i"}:
            include = include or "i" in word
        elif word == "-H":
            name, _, value = next(args).partition(":")
            headers[name.strip()] = value.strip()
        else:
            assert word.startswith(BASE), f"an example must call {BASE}: {command}"
            url = word.removeprefix(BASE)
    return client.get(url, headers=headers), include


def contains(actual: Any, expected: Any, where: str = "body") -> None:
    """`expected` is an excerpt of `actual`: objects may leave keys out, lists may stop early."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} is missing"
            contains(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) >= len(expected), where
        for i, value in enumerate(expected):
            contains(actual[i], value, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    settings = make_settings(Path(tmp_path_factory.mktemp("readme")), catalog=BUNDLED_CATALOG, base_url=BASE)
    with running(create_app(settings)) as client:
        yield client


def test_the_section_has_examples() -> None:
    assert len(examples()) >= 7


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.command)
def test_readme_example(bundled: Client, example: Example) -> None:
    response, include = call(bundled, example.command)
    if example.kind == "json":
        assert response.status_code == 200, response.text
        contains(orjson.loads(response.content), orjson.loads(example.expected))
    elif example.kind == "text":
        assert response.status_code == 200, response.text
        assert response.text.splitlines()[: len(example.expected.splitlines())] == example.expected.splitlines()
    else:
        assert include, "an ```http expectation needs curl -i"
        head, _, body = example.expected.partition("\n\n")
        status_line, *header_lines = head.splitlines()
        assert status_line == f"HTTP/1.1 {response.status_code} {response.reason_phrase}"
        for line in header_lines:
            name, _, value = line.partition(":")
            assert name in response.headers, f"no {name} header"
            if value.strip() != "…":
                assert response.headers[name] == value.strip()
        if body.strip():
            contains(orjson.loads(response.content), orjson.loads(body))
