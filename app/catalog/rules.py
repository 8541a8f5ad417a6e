"""Rules across an entry's fields that no field type expresses: web-page sources a reader can check, a status
resting on a cited source, and descriptions in the catalog's own words."""

from __future__ import annotations

import re
from typing import Protocol

from app.catalog.problems import Loc

QUOTE_WORDS = 40
QUOTE_CHARS = 320
CURATOR_ONLY = frozenset({"quote", "note"})  # source fields kept in the file, never in a record, page or export
STATUS_SOURCED = ("active", "ended")  # statuses a cited public page must show
_META = re.compile(r"\bthe\s+(?:article|review)\b", re.IGNORECASE)


class FieldError(ValueError):
    """A problem with one field of the model being validated: the validator reports it at `loc` within the model
    (an empty `loc`: the model itself, as for a missing field)."""

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc = loc


class SourceLike(Protocol):
    @property
    def url(self) -> str | None: ...
    @property
    def doi(self) -> str | None: ...


def is_web_page(source: SourceLike) -> bool:
    """A source that is a public web page (an address and no DOI), as opposed to the article or a reference."""
    return source.url is not None and source.doi is None


def quote_length(text: str) -> str:
    words = len(text.split())
    if words > QUOTE_WORDS or len(text) > QUOTE_CHARS:
        raise ValueError(
            f"is {words} words ({len(text)} characters): quote the one sentence that supports the entry, "
            f"at most {QUOTE_WORDS} words and {QUOTE_CHARS} characters"
        )
    return text


def own_words(text: str) -> str:
    """Refuse text that talks about the seed article: that is said once, on the About page and in the sources."""
    if found := _META.search(text):
        raise ValueError(
            f"mentions '{found.group()}': describe the program in your own words; where a fact comes from belongs "
            "in sources (the About page tells where the catalog began)"
        )
    return text


def check_web_source(source: SourceLike, accessed: object, quote: object) -> None:
    if not is_web_page(source):
        return
    missing = [name for name, value in (("accessed", accessed), ("quote", quote)) if value is None]
    if missing:
        raise FieldError(
            (),
            f"missing {' and '.join(repr(m) for m in missing)}: a web-page source (url, no doi) says when it was "
            "read (accessed: YYYY-MM-DD) and quotes the sentence on the page that supports the entry (quote)",
        )


def check_status(status: str, since: int | None, index: int | None, sources: list[SourceLike]) -> None:
    """status_since only with ended; status_source required for active and ended, naming a listed web page."""
    if since is not None and status != "ended":
        raise FieldError(("status_since",), f"only an ended program has status_since (this one is '{status}')")
    if index is None:
        if status in STATUS_SOURCED:
            raise FieldError(
                (),
                f"missing required field 'status_source': the number of the source (1 for the first) whose page "
                f"shows the program is {status}",
            )
        return
    if index > len(sources):
        raise FieldError(("status_source",), f"points to source {index}, but the entry lists {len(sources)} source(s)")
    if status in STATUS_SOURCED and not is_web_page(sources[index - 1]):
        raise FieldError(
            ("status_source",),
            f"source {index} is not a web page (url and no doi): that a program is {status} must rest on a "
            "public page a reader can check, with its url, accessed and quote",
        )
