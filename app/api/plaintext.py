"""What a visitor may send us as text (the suggestion, confirmation and alert forms, and the API): plain text with no
control characters and nothing shaped like an HTML tag, links on the public web and addresses that look like ones.
Each rule is here twice, once as the check the service runs and once as the pattern its OpenAPI schema publishes;
a pattern is never stricter than its check (tests/api/test_suggestions.py compares them)."""

from __future__ import annotations

import re
from typing import Any

from app.api.weblink import link_problem
from app.catalog.models import EMAIL_PATTERN

# Control characters (tab and line breaks only in a text of several lines) and the bidirectional overrides that can
# make text read differently from what it is, as a regex class that Python, ECMA and Rust read alike.
MARKS = r"\x7f-\x9f\u202a-\u202e\u2066-\u2069"  # DEL, C1 and the bidi overrides
CONTROLS = r"\x00-\x1f" + MARKS  # and C0
CONTROL = re.compile(rf"(?![\t\n\r])[{CONTROLS}]")
LINE_CONTROL = re.compile(rf"[{CONTROLS}]")
TAG = re.compile(r"<\s*[/!?]?\s*[A-Za-z]")
# A web address in angle brackets, as mail writes it ("see <https://example.org/page>"): plain text, not a tag, so
# long as nothing but the address is inside (no space, quote or bracket that could carry an attribute).
BRACKETED_URL = re.compile(r"<https?://[^\s<>\"'`]+>")
EMAIL = re.compile(EMAIL_PATTERN)

# The same rules as OpenAPI patterns, on the text as sent. What the service trims first is Python's white space
# (str.strip), spelled out: ECMA's and Rust's `\s` differ from it (U+FEFF is white space to them, U+001C not).
TRIMMED = r" \t\n\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
TRIM = f"[{TRIMMED}]*"
PLAIN_TEXT = rf"^{TRIM}[^\x00-\x08\x0b\x0c\x0e-\x1f{MARKS}]*{TRIM}$"  # CONTROL: tabs and line breaks allowed
PLAIN_LINE = rf"^{TRIM}[^{CONTROLS}]*{TRIM}$"  # LINE_CONTROL
# EMAIL_PATTERN (whose `\s` is Python's), blank (none), or with white space around it and no control character.
_ADDRESS = EMAIL_PATTERN.strip("^$").replace(r"[^@\s", f"[^@{CONTROLS}{TRIMMED}", 1)
SENT_EMAIL = f"^{TRIM}$|^{TRIM}{_ADDRESS}{TRIM}$"
# A link as sent: blank (none), or http(s):// and no control character (app.api.weblink says the rest).
SENT_LINK = rf"^{TRIM}$|^{TRIM}https?://[^{CONTROLS}]*{TRIM}$"


class Invalid(Exception):
    """What was sent cannot be stored: a message for each field at fault, in form order."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def plain_text(name: str, value: Any, errors: dict[str, str], limit: int, *, lines: bool = False) -> str | None:
    """A field as plain text, stripped; None when left out or blank (errors noted in `errors`).

    The length is that of the text as sent, as the documented schema's `maxLength` counts it; control characters
    are looked for once the white space around it is trimmed, as the schema's `pattern` allows."""
    if value is None:
        return None
    if not isinstance(value, str):
        errors[name] = "must be text (a JSON string)"
        return None
    if len(value) > limit:
        errors[name] = f"is {len(value):,} characters long; at most {limit:,} are accepted"
    elif (CONTROL if lines or name == "message" else LINE_CONTROL).search(value.strip()):
        errors[name] = "contains control characters; please send plain text"
    elif TAG.search(BRACKETED_URL.sub(" ", value)):
        errors[name] = "looks like HTML (a '<' before a letter); please write plain text"
    else:
        return value.strip() or None
    return None


def check_link(name: str, url: str | None, errors: dict[str, str]) -> None:
    """Every link a visitor sends us is checked here (app.api.weblink says what may be sent)."""
    if url is not None and name not in errors and (problem := link_problem(url)):
        errors[name] = problem


def check_email(name: str, email: str | None, errors: dict[str, str]) -> None:
    if email is not None and name not in errors and not EMAIL.match(email):
        errors[name] = "does not look like an email address (name@example.org)"
