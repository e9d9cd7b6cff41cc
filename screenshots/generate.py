"""Regenerate the SVG screenshots in this folder from the real app.

Run: ``.venv/bin/python screenshots/generate.py`` (uses the bundled demo samples
and the demo DNS server on 127.0.0.1, like ``mailtriage --demo``).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.tui_support import demo_server, live_done, make_app, wait_for  # noqa: E402

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
]
# Relative paths: the titles in the pictures should not show this machine's checkout.
DEMO = Path("tui") / "demo"
BOUNCE = Path("tests") / "samples" / "bounce-proofpoint.eml"


async def shoot(name: str, size: tuple[int, int], keys: tuple[str, ...], port_server) -> None:  # type: ignore[no-untyped-def]
    samples = [str(BOUNCE), str(DEMO / "delivered.eml")] if name.startswith("bounce") else None
    app = make_app(samples, server=port_server)
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
