"""Problems a curator can act on: where in the file, which field, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Loc = tuple[str | int, ...]
Pending = list[tuple[Loc, str, bool]]  # problems still to be placed in the file: where, what, and whether at the key


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a catalog file, where it is, and what to do about it."""

    path: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        return f"{where} {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "field": self.field, "message": self.message}


class CatalogError(Exception):
    """The catalog file is invalid; `errors` lists every problem found."""

    def __init__(self, errors: list[Problem]) -> None:
        self.errors = errors
        super().__init__("\n".join(map(str, errors)))


def dotted(loc: Loc) -> str:
    """('programs', 5, 'career_stages', 1) -> 'programs[5].career_stages[1]'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
