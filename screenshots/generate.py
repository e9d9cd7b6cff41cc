"""Regenerate the SVG screenshots in this folder from the real app.

Run: ``.venv/bin/python screenshots/generate.py`` (uses the bundled demo samples
and the demo DNS server on 127.0.0.1, like ``mailtriage --demo``).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.tui_support import (  # noqa: E402
    demo_server,
    demo_ticket,
    live_done,
    make_app,
    wait_for,
)

SHOTS = [
    ("dashboard-160x45", (160, 45), ()),
    ("dashboard-80x24", (80, 24), ()),
    ("auth-80x24", (80, 24), ("2",)),
    ("diff-80x24", (80, 24), ("3",)),
    ("checklist-80x24", (80, 24), ("4",)),
    ("notes-160x45", (160, 45), ("n",)),
    ("dnslog-160x45", (160, 45), ("l",)),
    ("spftree-160x45", (160, 45), ("t",)),
    ("route-160x45", (160, 45), ("5",)),
    ("route-80x24", (80, 24), ("5",)),
    ("verdicts-160x45", (160, 45), ("v",)),
    ("trace-160x45", (160, 45), ("m",)),
    ("bounce-80x24", (80, 24), ()),
    ("ticket-80x24", (80, 24), ("i",)),
    ("ticket-160x45", (160, 45), ("i",)),
    ("export-80x24", (80, 24), ("x",)),
    ("packet-160x45", (160, 45), ("x", "p")),
    ("paste-80x24", (80, 24), ("p",)),
]
"""(file name, terminal size, keys pressed once the live checks are done)."""
TICKET_SHOTS = ("ticket", "export", "packet")
"""Shots made with the demo ticket open (saved in a temporary folder)."""
# Relative paths: the titles in the pictures should not show this machine's checkout.
DEMO = Path("tui") / "demo"
BOUNCE = Path("tests") / "samples" / "bounce-proofpoint.eml"


async def shoot(name: str, size: tuple[int, int], keys: tuple[str, ...], port_server) -> None:  # type: ignore[no-untyped-def]
    samples = [str(BOUNCE), str(DEMO / "delivered.eml")] if name.startswith("bounce") else None
    with_ticket = name.split("-")[0] in TICKET_SHOTS
    with tempfile.TemporaryDirectory(prefix="mailtriage-shots-") as store:
        await _shoot(name, size, keys, port_server, samples, with_ticket, store)


async def _shoot(name, size, keys, port_server, samples, with_ticket, store) -> None:  # type: ignore[no-untyped-def]
    app = make_app(
        samples,
        server=port_server,
        ticket=demo_ticket() if with_ticket else None,
        store_dir=store,
    )
    app.initial_trace = str(DEMO / "trace.csv")
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: live_done(app) and app.screen.trace is not None)
        if keys:
            await pilot.press(*keys)
        await pilot.pause(0.3)
        app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
    print(f"wrote screenshots/{name}.svg")


async def main() -> None:
    os.chdir(HERE.parent)
    server = demo_server()
    try:
        for name, size, keys in SHOTS:
            await shoot(name, size, keys, server)
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
