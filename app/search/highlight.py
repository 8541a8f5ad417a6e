"""Highlighting the query's words in a hit's name, summary and description snippet, as safe HTML."""

from __future__ import annotations

import html

from app.search.analysis import WORD_RE, term_of

SNIPPET_CHARS = 220


def mark(text: str, terms: frozenset[str], *, window: int | None = None) -> tuple[str, bool]:
    """HTML-escaped text with the words whose stems are in `terms` wrapped in <mark>; optionally a window."""
    spans = _spans(text, terms, window)
    start, end = 0, len(text)
    if window is not None and len(text) > window:
        centre = spans[0][0] if spans else 0
        start = max(0, min(centre - window // 3, len(text) - window))
        end = start + window
        if start > 0:
            start = text.find(" ", start) + 1 or start
        if end < len(text):
            end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out += [html.escape(text[pos:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        pos = e
    out.append(html.escape(text[pos:end]))
    body = "".join(out)
    if window is not None:
        body = ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
    return body, bool(spans)


def _spans(text: str, terms: frozenset[str], window: int | None) -> list[tuple[int, int]]:
    """Where the words with stems in `terms` are; with a window, only as far as the window can reach: it starts
    at most a third of a window before the first match, so later words cannot be shown (a long description
    need not be read to its end)."""
    spans: list[tuple[int, int]] = []
    reach = len(text)
    for m in WORD_RE.finditer(text):
        if m.start() > reach:
            break
        if term_of(m.group()) in terms:
            if not spans and window is not None:
                reach = max(0, m.start() - window // 3) + window
            spans.append(m.span())
    return spans


def highlights(name: str, summary: str, description: str, terms: frozenset[str]) -> dict[str, str]:
    """The name, and the summary or (when only it matches) a window of the description, with the terms marked."""
    name, _ = mark(name, terms)
    summary, in_summary = mark(summary, terms)
    if not in_summary:
        snippet, in_description = mark(description, terms, window=SNIPPET_CHARS)
        if in_description:
            return {"name": name, "snippet": snippet}
    return {"name": name, "snippet": summary}
