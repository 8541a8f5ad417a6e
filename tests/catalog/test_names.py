"""The everyday names of facet values (app/catalog/names.py): each names a real value that some program carries."""

from __future__ import annotations

import pytest

from app.catalog import names
from app.catalog.models import Catalog
from app.catalog.vocab import FACETS


def test_every_name_is_of_a_real_facet_value() -> None:
    assert names.unknown() == []


def test_a_wrong_facet_or_value_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(names, "NAMES", {"colour": {"red": ("crimson",)}, "format": {"hybrid": ("mixed",)}})
    assert names.unknown() == ["colour: not a facet", "format.hybrid: not a value of format"]


def test_identity_words_name_only_groups_some_program_is_for(real_catalog: Catalog) -> None:
    # A word for a group no program is for would promise what the search cannot give.
    carried = {
        (name, value)
        for p in real_catalog.programs
        for name, vocab in FACETS.items()
        for value in (lambda v: v if isinstance(v, list) else [v])(p.record.get(vocab.field))
    }
    named = {("demographic_focus", value) for value in names.NAMES["demographic_focus"]}
    named |= {("specialty", "pediatrics"), ("type", "training-grant")}
    assert named - carried == set()
    assert names.names_of("specialty", "pediatrics") == ("peds", "pediatric", "pediatrician")
