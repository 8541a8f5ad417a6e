"""The README's settings table names every setting, so operators can find each one."""

from __future__ import annotations

import re

from app.config import ROOT, Settings


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Settings") :]
    documented = set(re.findall(r"`MENTORDIR_([A-Z_]+)`", table))
    assert documented == {name.upper() for name in Settings.model_fields}
