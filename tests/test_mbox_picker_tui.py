"""Pilot tests of the mbox picker (issue 10): pick A and B from a two-message mbox."""

from __future__ import annotations

from pathlib import Path

from mailtriage.tui.cli import load_some
from mailtriage.tui.screens.mbox_picker import MboxPickerScreen
from mailtriage.tui.screens.open_sample import OpenSampleScreen

from tests.tui_support import make_app, wait_for

TWO = Path(__file__).parent / "samples" / "two_messages.mbox"


def test_cli_keeps_a_multi_message_mbox_as_a_path_and_loads_hash_n() -> None:
    samples, errors = load_some([str(TWO), f"{TWO}#2"])
    assert samples[0] == str(TWO) and not errors
    second = samples[1]
    assert not isinstance(second, str) and second is not None
    assert second.subject == "second" and second.source == f"{TWO}#2"


async def test_pick_a_then_b_from_two_message_mbox() -> None:
    app = make_app([str(TWO)], offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MboxPickerScreen))
        dash = app.screen_stack[0]
        await pilot.press("enter")  # the first message is highlighted
        await wait_for(pilot, lambda: dash.analyses[0] is not None)
        assert dash.analyses[0].sample.subject == "first"
        await pilot.press("b")
        assert isinstance(app.screen, OpenSampleScreen)
        await pilot.press(*str(TWO))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MboxPickerScreen))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: dash.analyses[1] is not None)
        assert dash.analyses[1].sample.subject == "second"
        assert dash.analyses[0].sample.subject == "first"


async def test_escape_cancels_and_loads_nothing() -> None:
    app = make_app([str(TWO)], offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MboxPickerScreen))
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, MboxPickerScreen)
        assert app.screen.analyses == [None, None]


async def test_picker_bindings_have_descriptions() -> None:
    for b in MboxPickerScreen.BINDINGS:
        assert b.description and b.tooltip  # type: ignore[union-attr]


async def test_subject_stays_readable_at_80_columns() -> None:
    """Issue 12: a long From pushed the Subject to 4 columns at 80x24."""
    from mailtriage.checks.message.mbox import MboxEntry, MboxListing
    from textual.widgets import DataTable

    sender = (
        "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e"
        "@customer.example.org>"
    )
    subject = "Undeliverable: Invoice 2291 for December"
    entry = MboxEntry(1, 0, 10, "Wed, 4 Dec 2024 16:20:04 +0000", sender, subject, "<x@y>")
    listing = MboxListing((entry,), source="box.mbox")
    app = make_app([], offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(MboxPickerScreen(listing, "sample A"))
        await wait_for(pilot, lambda: isinstance(app.screen, MboxPickerScreen))
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        widths = [c.width for c in table.columns.values()]
        assert widths[3] >= 20 and sum(widths) + 2 * 4 <= 72, widths
        assert table.get_row_at(0)[1].plain == "2024-12-04 16:20"
        assert table.virtual_size.width <= table.size.width  # nothing scrolled out of view
