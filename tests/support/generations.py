"""Generated catalogs whose every program says which generation it belongs to, for reload and sync tests."""

from __future__ import annotations

ENTRY = """\
  - id: p{i}
    name: Program {i} of generation {gen}
    summary: Test program {i}.
    description: Generation {gen} of a generated test catalog.
    sponsor: Test sponsor
    sponsor_type: independent
    type: online-community
    career_stages: [senior]
    demographic_focus: [open]
    formats: [online]
    scope: national
    specialties: [any]
    status: unverified
    access: anyone
    sources:
      - title: A source
    date_added: 2026-01-01
    last_verified: 2026-01-01
    tags: [gen-{gen}]
"""


def generation(gen: int) -> tuple[str, int]:
    """A valid catalog whose every program says which generation it belongs to; sizes vary so rows come and go."""
    count = 3 + gen % 5
    return f"title: generation {gen}\nprograms:\n" + "".join(ENTRY.format(i=i, gen=gen) for i in range(count)), count


def invalid(gen: int) -> str:
    """A catalog with one error on a known line: the second entry's scope (2 header lines + 17 + its 11th line: 30)."""
    text, _ = generation(gen)
    return text.replace("scope: national", "scope: nationwide", 2).replace("scope: nationwide", "scope: national", 1)


def numbered(numbers: range, gen: int = 0) -> str:
    """A valid catalog of the programs p{i} for these numbers (a larger catalog than `generation`'s, to remove many
    programs at once)."""
    return f"title: generation {gen}\nprograms:\n" + "".join(ENTRY.format(i=i, gen=gen) for i in numbers)
