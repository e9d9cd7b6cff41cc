"""SVG snapshots of every screen at 80x24 and 160x45 (pytest-textual-snapshot).

Regenerate after an intended UI change with ``pytest tests/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest

from tests.tui_support import demo_server, live_done, make_app, wait_for

SIZES = [(80, 24), (160, 45)]


@pytest.fixture(scope="module")
def server():  # type: ignore[no-untyped-def]
    srv = demo_server()
    yield srv
    srv.stop()


def settled(*keys: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_for(pilot, lambda: live_done(pilot.app))
        if keys:
            await pilot.press(*keys)
        await pilot.pause(0.2)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "keys",
    [(), ("2",), ("3",), ("4",)],
    ids=["sample", "auth", "diff", "checklist"],
)
def test_dashboard(snap_compare, server, size, keys) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(server=server), terminal_size=size, run_before=settled(*keys))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_one_sample(snap_compare, server, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_app().initial_samples[:1], server)
    assert snap_compare(app, terminal_size=size, run_before=settled("3"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "keys", [("a",), ("l",), ("n",), ("t",)], ids=["open", "dnslog", "notes", "spftree"]
)
def test_screens(snap_compare, server, size, keys) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(server=server), terminal_size=size, run_before=settled(*keys))
