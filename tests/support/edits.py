"""An edit of the fixture catalog that removes, changes and adds a program, for sync tests."""

from __future__ import annotations

from tests.support.app import FIXTURE_CATALOG

TEXT = FIXTURE_CATALOG.read_text()
NEW_ENTRY = TEXT[TEXT.index("  - id: kl2") : TEXT.index("  - id: em-night")].replace("id: kl2", "id: aaa-new", 1)


def edited() -> str:
    """pmg removed, elam changed, a new program that sorts first by name."""
    text = TEXT.replace("A year of leadership training", "A year of intensive leadership training")
    text = text[: text.index("  - id: pmg")] + text[text.index("  - id: minority-seminar") :]
    name = NEW_ENTRY.split("name: ", 1)[1].split("\n", 1)[0]
    return text + "\n" + NEW_ENTRY.replace(f"name: {name}", "name: AAA New Program", 1)
