"""Count phrases in plain English: '1 program', '2 programs', '7 online communities' (a Jinja filter)."""

from __future__ import annotations

VOWELS = frozenset("aeiou")


def plural(noun: str) -> str:
    """The plural of a noun phrase (its last word changes): 'online community' → 'online communities'."""
    head, _, last = noun.rpartition(" ")
    if last.endswith("y") and len(last) > 1 and last[-2].lower() not in VOWELS:
        last = last[:-1] + "ies"
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}" if head else last


def count(n: int, noun: str, many: str | None = None) -> str:
    """'0 programs', '1 program', '2 programs'; `many` gives an irregular plural."""
    return f"{n:,} {noun if n == 1 else (many or plural(noun))}"
