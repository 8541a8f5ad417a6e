"""Save screenshots of the main pages at a desktop and a phone width, with and without JavaScript: `make screenshots`
(into screenshots/)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from app.config import BUNDLED_CATALOG
from app.main import create_app
from tests.conftest import CHROMIUM_ARGS, make_settings, serving

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (1280, 390)
PAGES = {
    "home": "/",
    "filtered": "/?q=leadership&career_stage=early-career&demographic_focus=women",
    "program": "/programs/every-other-thursday",
    "compare": "/compare?ids=swims,every-other-thursday",
    "coverage": "/coverage",
    "models": "/models",
    "women": "/?q=women",
}


def main(out: Path = ROOT / "screenshots") -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    out.mkdir(exist_ok=True)
    settings = make_settings(Path(tempfile.mkdtemp()), BUNDLED_CATALOG)
    with serving(create_app(settings)) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for width, script in [(w, js) for w in WIDTHS for js in (True, False)]:
            page = browser.new_page(viewport={"width": width, "height": 844}, java_script_enabled=script)
            for name, path in PAGES.items():
                response = page.goto(base + path)
                if response is None or response.status != 200:
                    print(f"{path}: HTTP {response.status if response else '?'}", file=sys.stderr)
                    return 1
                target = out / f"{name}-{width}{'' if script else '-nojs'}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target.relative_to(ROOT))
            page.close()
        browser.close()
    shutil.rmtree(settings.index_dir.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
