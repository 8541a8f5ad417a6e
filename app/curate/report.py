"""The curators' health report: stale entries, missing fields users value, unused terms, near-duplicate names."""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from app.catalog.models import Catalog, normalize
from app.catalog.vocab import FACETS

VALUED_FIELDS = ("url", "eligibility", "cost", "duration")
DEFAULT_STALE_DAYS = 365
TYPO_SIMILARITY = 0.8  # two words this alike are one word misspelt
FILLER = frozenset({"a", "an", "the", "of", "for", "in", "and", "s", "program", "programs", "group", "groups"})


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    line: int


@dataclass(frozen=True)
class Stale(Entry):
    last_verified: str
    days: int


@dataclass(frozen=True)
class Term:
    facet: str
    value: str
    label: str


@dataclass(frozen=True)
class NearDuplicate:
    first: Entry
    second: Entry
    first_text: str
    second_text: str
    similarity: float
    reason: str


@dataclass
class Report:
    programs: int
    stale_days: int
    today: str
    stale: list[Stale] = field(default_factory=list)
    missing: dict[str, list[Entry]] = field(default_factory=dict)
    unused_terms: list[Term] = field(default_factory=list)
    near_duplicates: list[NearDuplicate] = field(default_factory=list)
    held: dict[str, object] | None = None  # the server's verdicts, from the index folder (app.live.verdicts)
    last_reload_error: dict[str, object] | None = None

    @property
    def findings(self) -> int:
        missing = sum(len(v) for v in self.missing.values())
        return len(self.stale) + missing + len(self.unused_terms) + len(self.near_duplicates)


def build_report(catalog: Catalog, *, today: dt.date, stale_days: int = DEFAULT_STALE_DAYS) -> Report:
    """Everything in the catalog that needs a curator's attention."""
    entry = {p.id: Entry(p.id, p.name, catalog.lines.get(p.id, 0)) for p in catalog.programs}
    report = Report(len(catalog.programs), stale_days, today.isoformat())
    for p in sorted(catalog.programs, key=lambda p: (p.last_verified, p.id)):
        age = (today - p.last_verified).days
        if age > stale_days:
            e = entry[p.id]
            report.stale.append(Stale(e.id, e.name, e.line, p.last_verified.isoformat(), age))
    for name in VALUED_FIELDS:
        report.missing[name] = [entry[p.id] for p in catalog.programs if getattr(p, name) is None]
    for facet, vocab in FACETS.items():
        used = {v for p in catalog.programs for v in p.facet_values(vocab)}
        report.unused_terms += [Term(facet, t.value, t.label) for t in vocab.terms if t.value not in used]
    report.near_duplicates = near_duplicates(catalog, entry)
    return report


def near_duplicates(catalog: Catalog, entry: dict[str, Entry]) -> list[NearDuplicate]:
    """Pairs of programs whose names or aliases use the same words, or words a typo apart, or which share a URL.

    Words, not characters: 'ACG trainee program' and 'ADA trainee program' are different programs, while
    'Physician Moms Group' and 'Physician Mom group' are one.
    """
    labels = [(p.id, text, _words(text)) for p in catalog.programs for text in (p.name, *p.aliases)]
    best: dict[tuple[str, str], NearDuplicate] = {}
    for i, (a_id, a_text, a_words) in enumerate(labels):
        for b_id, b_text, b_words in labels[i + 1 :]:
            if a_id == b_id or not a_words or len(a_words) != len(b_words):
                continue
            score, reason = _likeness(a_words, b_words)
            pair = (a_id, b_id) if a_id < b_id else (b_id, a_id)
            if score and (pair not in best or best[pair].similarity < score):
                first, second = (a_text, b_text) if pair[0] == a_id else (b_text, a_text)
                best[pair] = NearDuplicate(entry[pair[0]], entry[pair[1]], first, second, score, reason)
    by_url: dict[str, list[str]] = {}
    for p in catalog.programs:
        if p.url:
            by_url.setdefault(p.url.rstrip("/").casefold(), []).append(p.id)
    for url, ids in by_url.items():
        for other in ids[1:]:
            pair = (ids[0], other) if ids[0] < other else (other, ids[0])
            best[pair] = NearDuplicate(entry[pair[0]], entry[pair[1]], url, url, 1.0, "same url")
    return sorted(best.values(), key=lambda d: (-d.similarity, d.first.line, d.second.line))


def _words(text: str) -> Counter[str]:
    """The telling words of a name: normalized, without filler words, plurals folded ('moms' -> 'mom')."""
    words = (w for w in normalize(text).split() if w not in FILLER)
    return Counter(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


def _likeness(a: Counter[str], b: Counter[str]) -> tuple[float, str]:
    """(1.0, 'same words') or (similarity, 'a typo apart') when one word differs by a typo; (0, '') otherwise."""
    if a == b:
        return 1.0, "same words"
    only_a, only_b = list((a - b).elements()), list((b - a).elements())
    if len(only_a) != 1 or len(only_b) != 1:
        return 0.0, ""
    x, y = only_a[0], only_b[0]
    if min(len(x), len(y)) < 4 or any(c.isdigit() for c in x + y):  # codes and acronyms name different things
        return 0.0, ""
    ratio = difflib.SequenceMatcher(None, x, y).ratio()
    return (round(ratio, 3), f"'{x}' / '{y}' a typo apart") if ratio >= TYPO_SIMILARITY else (0.0, "")


def render(report: Report, console: Console) -> None:
    """The report as text for people: one section per kind of finding, each naming the entry and its line."""
    console.print(f"[bold]Catalog health report[/bold]: {report.programs} programs, as of {report.today}")
    console.print()
    if held := report.held:
        console.print(
            f"[bold red]Load held[/bold red]: file {held['file_digest']} would remove {held['removals']} of the "
            f"{held['programs_stored']} programs stored ({', '.join(map(str, held['removed_ids']))}); the current "  # type: ignore[call-overload]
            f"catalog is served until the file changes or a curator confirms with {held['confirm']}"
        )
    if failed := report.last_reload_error:
        console.print(f"[bold red]Last reload failed[/bold red] at {failed['at']}: {failed['what']}")
    _section(
        console,
        f"Not verified for more than {report.stale_days} days",
        ["line", "id", "last verified", "days ago"],
        [[str(s.line), s.id, s.last_verified, str(s.days)] for s in report.stale],
    )
    lacking: dict[Entry, list[str]] = {}
    for name, entries in report.missing.items():
        for e in entries:
            lacking.setdefault(e, []).append(name)
    _section(
        console,
        f"Missing fields users value ({', '.join(report.missing)})",
        ["line", "id", "missing"],
        [[str(e.line), e.id, ", ".join(names)] for e, names in sorted(lacking.items(), key=lambda i: i[0].line)],
    )
    _section(
        console,
        "Vocabulary values no program uses",
        ["facet", "value", "label"],
        [[t.facet, t.value, t.label] for t in report.unused_terms],
    )
    _section(
        console,
        "Possible duplicates",
        ["lines", "first", "second", "similarity", "why"],
        [
            [
                f"{d.first.line}, {d.second.line}",
                f"{d.first.id}: {d.first_text}",
                f"{d.second.id}: {d.second_text}",
                f"{d.similarity:.2f}",
                d.reason,
            ]
            for d in report.near_duplicates
        ],
    )
    console.print(f"{report.findings} finding(s)")


def _section(console: Console, title: str, columns: list[str], rows: list[list[str]]) -> None:
    if not rows:
        console.print(f"[green]✓[/green] {title}: none")
        return
    table = Table(title=f"{title}: {len(rows)}", title_justify="left", show_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print()
