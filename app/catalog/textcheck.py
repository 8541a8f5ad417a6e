"""Checks on the catalog's text that no field type expresses: invisible and control characters, URLs that hide
where they lead, and the key under which two names count as the same."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from app.catalog.models import normalize
from app.catalog.problems import Loc

# Fields written as paragraphs: a tab or a line break is text there, and nowhere else.
BLOCK_FIELDS = frozenset({"description", "eligibility", "outcomes", "note"})
URL_FIELDS = frozenset({"url"})

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]")
# Embeddings, overrides and isolates reorder what is shown (the "Trojan Source" trick); the marks are invisible.
_BIDI_REORDER = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BIDI_MARKS = re.compile("[\u061c\u200e\u200f]")
_ZERO_WIDTH = re.compile("[\u00ad\u034f\u180e\u200b-\u200d\u2060-\u2064\ufeff]")

# Letters of other scripts drawn like Latin ones (from Unicode's confusables.txt, the Cyrillic and Greek letters
# that a name copied from a web page or typed on another keyboard layout is likely to carry).
_LOOKALIKES = str.maketrans(
    "аАвВеЕёЁкКмМнНоОрРсСтТуУхХіІјЈѕЅԁԛԝһӏ"  # Cyrillic
    "αΑβΒεΕζΖηΗιΙκΚμΜνΝοΟρΡτΤυΥχΧ",  # Greek
    "aABBeEeEkKMMHHoOpPcCTTyYxXiIjJsSdqwhlaABBeEZZnHiIkKMMvNoOpPTTuYxX",
)


SUSPECT = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u061c\u200e\u200f]"
)  # any character a check below looks for: most strings have none, and are passed over by this one search


def text_problem(text: str, loc: Loc) -> str | None:
    """What is wrong with a string of the file at `loc` (None: nothing). The reader calls this for each string
    that `SUSPECT` matches or, in a `url` field, that holds an '@'."""
    field = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    block = field in BLOCK_FIELDS
    if found := _CONTROL.search(text):
        return f"contains the control character U+{ord(found.group()):04X}; remove it"
    if not block and (found := _BREAKS.search(text)):
        return f"contains a line break or tab (U+{ord(found.group()):04X}); keep {field} on one line"
    if (found := _BIDI_REORDER.search(text)) or (not block and (found := _BIDI_MARKS.search(text))):
        return f"contains the invisible direction control U+{ord(found.group()):04X}; remove it"
    if field in URL_FIELDS and "@" in urlsplit(text).netloc:
        return (
            "a URL with a user name or password before '@' hides where it leads "
            f"(it goes to {urlsplit(text).hostname}); write the site's own address"
        )
    return None


def name_key(label: str) -> str:
    """The form in which two names or aliases count as the same: NFKC-folded, zero-width characters removed,
    look-alike letters of other scripts read as Latin, and case and punctuation ignored."""
    folded = unicodedata.normalize("NFKC", _ZERO_WIDTH.sub("", label))
    return normalize(folded.translate(_LOOKALIKES))
