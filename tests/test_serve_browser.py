"""``mailtriage serve --demo`` in a real headless browser (Debian's chromium via Playwright).

The server runs as a subprocess on a free loopback port, exactly as a technician
starts it. Playwright drives the system chromium (never a downloaded browser); the
test reads the terminal's screen from xterm.js's buffer (textual-serve draws on a
canvas, so there is no DOM text), presses keys like a user, and checks both the page
and the ticket file on disk. A second page (another colleague) sees the tick: live,
through the ticket file, while both are open.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium executable (Debian: apt-get install chromium)"
)

HOOK = "this.terminal="
"""Where textual-serve's page creates its xterm.js Terminal; the test keeps a handle on it."""

READ_SCREEN = """() => {
  const t = window.__mtTerminal;
  if (!t) return '';
  const b = t.buffer.active, out = [];
  for (let y = 0; y < t.rows; y++) {
    const l = b.getLine(b.viewportY + y);
    out.push(l ? l.translateToString(true) : '');
  }
  return out.join('\\n');
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"mailtriage serve exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    """``mailtriage serve --demo`` on a free loopback port: (url, ticket file, stdout)."""
    port = _free_port()
    env = dict(os.environ)
    env["MAILTRIAGE_DATA"] = str(tmp_path / "data")
    env["MAILTRIAGE_CONFIG"] = str(tmp_path / "config" / "config.toml")
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mailtriage.tui.cli", "serve", "--demo", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
            start_new_session=True,  # its own process group: the sessions go with it
        )
    try:
        _wait_port(port, proc)
        text = log.read_text(errors="replace")
        found = re.search(r"Serving ticket (\S+)", text)
        assert found, text
        ticket = tmp_path / "data" / "tickets" / f"{found.group(1)}.toml"
        assert ticket.is_file()
        yield f"http://127.0.0.1:{port}/", ticket, text
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def _hook(route: Any) -> None:
    response = route.fetch()
    body = response.text()
    assert body.count(HOOK) == 1, "textual-serve's page changed: update HOOK"
    route.fulfill(response=response, body=body.replace(HOOK, "this.terminal=window.__mtTerminal="))


def _screen(page: Any) -> str:
    return str(page.evaluate(READ_SCREEN))


def _until(page: Any, ok: Callable[[str], bool], what: str, timeout: float = 30.0) -> str:
    end = time.monotonic() + timeout
    text = ""
    while time.monotonic() < end:
        text = _screen(page)
        if ok(text):
            return text
        time.sleep(0.25)
    raise AssertionError(f"the page never showed {what}; it shows:\n{text}")


def _open(browser: Any, url: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 820})
    page.set_default_timeout(20_000)
    page.route("**/static/js/textual.js", _hook)
    page.goto(url)
    _until(page, lambda t: "Checklist" in t and "done" in t, "the dashboard")
    page.locator(".xterm-helper-textarea").focus()
    return page


def _keys(page: Any, *keys: str) -> None:
    for k in keys:
        page.keyboard.press(k)
        time.sleep(0.15)


QUARANTINE = re.compile(r"(.) Look in the quarantine and message trace")


def test_serve_demo_in_chromium(served: tuple[str, Path, str]) -> None:
    url, ticket, printed = served
    assert "ssh -N -L" in printed and ":127.0.0.1:" in printed
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, timeout=30_000)
        try:
            one = _open(browser, url)
            two = _open(browser, url)  # a colleague, at the same time
            first = QUARANTINE.search(_screen(one))
            assert first and first.group(1) == "☐", _screen(one)

            # Tick "Look in the quarantine..." in the checklist (pane 4, fifth item).
            _keys(one, "4", "Home", "ArrowDown", "ArrowDown", "ArrowDown", "ArrowDown", "Space")
            _until(one, lambda t: (m := QUARANTINE.search(t)) is not None and m.group(1) != "☐",
                   "the tick")  # fmt: skip
            end = time.monotonic() + 10
            while "triage-quarantine" not in ticket.read_text() and time.monotonic() < end:
                time.sleep(0.2)
            assert 'item = "triage-quarantine"' in ticket.read_text()

            # The colleague's page shows it without a reload (the ticket file is watched).
            _until(two, lambda t: (m := QUARANTINE.search(t)) is not None and m.group(1) != "☐",
                   "the other session's tick")  # fmt: skip

            # The notes, and the command palette, work in the browser as in a terminal.
            _keys(one, "n")
            notes = _until(one, lambda t: "Ticket notes" in t, "the notes")
            assert ticket.stem in notes
            _keys(one, "Escape", "Control+p")
            one.keyboard.type("swap")
            _until(one, lambda t: "Swap samples A and B" in t, "the palette entry")
            _keys(one, "Escape")

            # A page opened later starts from the saved ticket.
            three = _open(browser, url)
            m = QUARANTINE.search(_screen(three))
            assert m and m.group(1) != "☐"
            three.screenshot(path=str(ticket.parent / "browser.png"))
        finally:
            browser.close()
