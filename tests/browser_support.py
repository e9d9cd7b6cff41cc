"""Driving ``mailtriage serve`` in Debian's chromium: shared by the browser test and
``screenshots/serve_browser.py``.

textual-serve draws the terminal with xterm.js on a canvas, so the page has no text
in its DOM. The page's script is patched as it loads to keep a handle on its xterm.js
``Terminal`` (``window.__mtTerminal``); the screen is then read from its buffer,
row by row, as the user sees it.
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
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
"""Debian's chromium (``apt-get install chromium``); ``None`` when absent."""

HOOK = "this.terminal="
"""Where textual-serve's page creates its xterm.js Terminal."""

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


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
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


@contextlib.contextmanager
def serving(folder: Path, args: Sequence[str] = ("--demo",)) -> Iterator[tuple[str, Path, str]]:
    """Run ``mailtriage serve ARGS`` on a free loopback port, data and config in ``folder``.

    Yields:
        The URL, the served ticket's file and what the command printed. The server's
        process group (the sessions included) is ended on the way out.
    """
    port = free_port()
    env = dict(os.environ)
    env["MAILTRIAGE_DATA"] = str(folder / "data")
    env["MAILTRIAGE_CONFIG"] = str(folder / "config" / "config.toml")
    log = folder / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mailtriage.tui.cli", "serve", *args, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=folder,
            start_new_session=True,  # its own process group: the sessions go with it
        )
    try:
        _wait_port(port, proc)
        text = log.read_text(errors="replace")
        found = re.search(r"Serving ticket (\S+)", text)
        assert found, text
        ticket = folder / "data" / "tickets" / f"{found.group(1)}.toml"
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


def screen(page: Any) -> str:
    """The terminal's screen in ``page``, one line per row."""
    return str(page.evaluate(READ_SCREEN))


def until(page: Any, ok: Callable[[str], bool], what: str, timeout: float = 30.0) -> str:
    """Wait until the screen satisfies ``ok``; fails naming ``what`` and showing the screen."""
    end = time.monotonic() + timeout
    text = ""
    while time.monotonic() < end:
        text = screen(page)
        if ok(text):
            return text
        time.sleep(0.25)
    raise AssertionError(f"the page never showed {what}; it shows:\n{text}")


def open_dashboard(
    browser: Any,
    url: str,
    size: tuple[int, int] = (1400, 820),
    on_request: Callable[[str], object] | None = None,
) -> Any:
    """A new page on ``url``, once the dashboard shows, with the keyboard on the terminal.

    ``on_request`` is called with the URL of every request the page makes.
    """
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.set_default_timeout(20_000)
    if on_request is not None:
        page.on("request", lambda request: on_request(request.url))
        page.on("websocket", lambda ws: on_request(ws.url))
    page.route("**/static/js/textual.js", _hook)
    page.goto(url)
    until(page, lambda t: "Checklist" in t and "done" in t, "the dashboard")
    page.locator(".xterm-helper-textarea").focus()
    return page


def keys(page: Any, *names: str) -> None:
    """Press keys (Playwright names: ``Space``, ``ArrowDown``, ``Control+p``) one by one."""
    for k in names:
        page.keyboard.press(k)
        time.sleep(0.15)
