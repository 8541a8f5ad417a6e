"""A one-entry catalog to vary, and the validator's errors on a text, for the catalog's tests."""

from __future__ import annotations

import pytest

from app.catalog.problems import CatalogError, Problem
from app.catalog.validate import validate

ENTRY = """\
  - id: {id}
    name: {name}
    summary: A program.
    description: What it does.
    sponsor: Someone
    sponsor_type: foundation
    type: small-group
    career_stages: [{stage}]
    demographic_focus: [women]
    formats: [in-person]
    scope: national
    specialties: [any]
    status: unverified
    access: anyone
    sources:
      - title: The article
        doi: 10.1136/jim-2020-001391
    date_added: 2026-01-01
    last_verified: 2026-01-02
"""


def catalog(*entries: str, header: str = "title: Test\n") -> str:
    return header + "programs:\n" + "".join(entries)


def entry(id: str = "one", name: str = "One", stage: str = "mid-career", extra: str = "") -> str:
    return ENTRY.format(id=id, name=name, stage=stage) + extra


def errors(text: str) -> list[Problem]:
    with pytest.raises(CatalogError) as info:
        validate(text, path="c.yaml")
    return info.value.errors
