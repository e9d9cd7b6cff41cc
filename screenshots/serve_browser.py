"""Take ``serve-browser.png``: ``mailtriage serve --demo`` as a colleague sees it in a browser.

Run: ``.venv/bin/python screenshots/serve_browser.py``. Starts the server on a free
loopback port (ticket data in a temporary folder), opens it in Debian's chromium
headless through Playwright (no browser is downloaded), ticks a checklist item and
saves the page as a PNG beside this script.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.browser_support import CHROMIUM, keys, open_dashboard, serving, until  # noqa: E402

OUT = HERE / "serve-browser.png"


def main() -> int:
    """Serve the demo ticket, open it in chromium, take the screenshot."""
    if CHROMIUM is None:
        print("no chromium executable: apt-get install chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="mailtriage-serve-") as folder,
        serving(Path(folder), ("--demo", "--ticket", "T-1042")) as (url, _ticket, _out),
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, timeout=30_000)
        try:
            page = open_dashboard(browser, url, size=(1400, 820))
            keys(page, "4", "Home", "ArrowDown", "ArrowDown", "ArrowDown", "ArrowDown", "Space")
            until(page, lambda t: "12/32 done" in t, "the tick")
            page.screenshot(path=str(OUT))
        finally:
            browser.close()
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
