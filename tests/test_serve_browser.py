"""``mailtriage serve --demo`` in a real headless browser (Debian's chromium via Playwright).

The server runs as a subprocess on a free loopback port, exactly as a technician
starts it. Playwright drives the system chromium (never a downloaded browser); the
test reads the terminal's screen from xterm.js's buffer (see ``browser_support``),
presses keys like a user, and checks both the page and the ticket file on disk. A
second page (another colleague) sees the tick live, through the ticket file, while
both are open; a page opened later starts from the saved ticket.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, keys, open_dashboard, screen, serving, until

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium executable (Debian: apt-get install chromium)"
)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    """``mailtriage serve --demo`` on a free loopback port: (url, ticket file, stdout)."""
    with serving(tmp_path) as running:
        yield running


QUARANTINE = re.compile(r"(.) Look in the quarantine and message trace")


def _ticked(text: str) -> bool:
    """Whether the screen shows "Look in the quarantine..." ticked."""
    found = QUARANTINE.search(text)
    return found is not None and found.group(1) != "☐"


def test_serve_demo_in_chromium(served: tuple[str, Path, str]) -> None:
    url, ticket, printed = served
    assert "ssh -N -L" in printed and ":127.0.0.1:" in printed
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, timeout=30_000)
        try:
            asked: list[str] = []
            one = open_dashboard(browser, url, on_request=asked.append)
            two = open_dashboard(browser, url)  # a colleague, at the same time
            first = QUARANTINE.search(screen(one))
            assert first and first.group(1) == "☐", screen(one)

            # Tick "Look in the quarantine..." in the checklist (pane 4, fifth item).
            keys(one, "4", "Home", "ArrowDown", "ArrowDown", "ArrowDown", "ArrowDown", "Space")
            until(one, _ticked, "the tick")
            end = time.monotonic() + 10
            while "triage-quarantine" not in ticket.read_text() and time.monotonic() < end:
                time.sleep(0.2)
            assert 'item = "triage-quarantine"' in ticket.read_text()

            # The colleague's page shows it without a reload (the ticket file is watched).
            until(two, _ticked, "the other session's tick", timeout=15)

            # The notes, and the command palette, work in the browser as in a terminal.
            keys(one, "n")
            notes = until(one, lambda t: "Ticket notes" in t, "the notes")
            assert ticket.stem in notes
            keys(one, "Escape", "Control+p")
            one.keyboard.type("swap")
            until(one, lambda t: "Swap samples A and B" in t, "the palette entry")
            keys(one, "Escape")

            # The page asks nothing of any other site (the stock template's web font is gone).
            local = (url, url.replace("http://", "ws://"))
            assert asked and all(u.startswith(local) for u in asked), asked

            # A page opened later starts from the saved ticket.
            three = open_dashboard(browser, url)
            assert _ticked(screen(three)), screen(three)
        finally:
            browser.close()
