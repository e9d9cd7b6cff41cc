"""MboxPickerScreen: choose which message of a mailbox goes into a slot."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from mailtriage.checks.message.mbox import MboxListing
from mailtriage.checks.text import printable
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label


class MboxPickerScreen(ModalScreen[int | None]):
    """A list of the mailbox's messages; Enter picks one (its number), Escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without loading a message"),
        Binding("enter", "pick", "Pick", tooltip="Load the highlighted message into the slot"),
    ]

    DEFAULT_CSS = """
    MboxPickerScreen { align: center middle; }
    MboxPickerScreen > Vertical {
        width: 90%; height: 90%; padding: 0 1;
        border: round $accent; background: $surface;
    }
    MboxPickerScreen Label { width: 1fr; }
    MboxPickerScreen DataTable { height: 1fr; }
    """

    def __init__(self, listing: MboxListing, slot_label: str) -> None:
        super().__init__()
        self.listing = listing
        self.slot_label = slot_label

    def compose(self) -> ComposeResult:
        """The heading and the table of messages."""
        count = len(self.listing.entries)
        more = " (more not listed)" if self.listing.truncated else ""
        with Vertical():
            yield Label(
                f"{printable(self.listing.source, 120)}: {count} messages{more}. "
                f"Enter loads one into {self.slot_label}, Esc cancels.",
                markup=False,
            )
            table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True, id="messages")
            yield table

    def on_mount(self) -> None:
        """Fill the table; every cell is plain text (sample content is never markup).

        The From column gets what the Subjects leave, and at least 40% of the width
        the number and date leave but no more when the Subjects need the rest, so a
        long sender never pushes the Subject out of view (at 80 columns too); a narrow
        screen shows dates as ``YYYY-MM-DD HH:MM``.
        """
        table = self.query_one("#messages", DataTable)
        entries = self.listing.entries
        # the dialog is 90% wide; its border, padding, scrollbar and cell padding
        usable = int(self.app.size.width * 0.9) - 6 - 2 * 4
        short = self.app.size.width < 120
        dates = [_date(e.date, short) for e in entries]
        number = max([len(str(e.index)) for e in entries] + [1])
        date = max([len(d) for d in dates] + [4])
        rest = max(usable - number - date, 24)
        longest = max([len(e.from_ or "-") for e in entries] + [4])
        subject = max([len(e.subject or "-") for e in entries] + [7])
        from_width = min(longest, max(rest * 2 // 5, rest - subject, 12))
        table.add_column("#", width=number)
        table.add_column("Date", width=date)
        table.add_column("From", width=from_width)
        table.add_column("Subject", width=max(rest - from_width, 12))
        for e, shown in zip(entries, dates, strict=True):
            table.add_row(
                Text(str(e.index)),
                Text(shown, no_wrap=True),
                Text(e.from_ or "-", no_wrap=True, overflow="ellipsis"),
                Text(e.subject or "-", no_wrap=True, overflow="ellipsis"),
                key=str(e.index),
            )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter (or a click) on a row picks that message."""
        event.stop()
        self.dismiss(int(str(event.row_key.value)))

    def action_pick(self) -> None:
        """Pick the highlighted message."""
        table = self.query_one("#messages", DataTable)
        if self.listing.entries:
            self.dismiss(self.listing.entries[table.cursor_row].index)

    def action_cancel(self) -> None:
        """Close without loading anything."""
        self.dismiss(None)


def _date(text: str, short: bool) -> str:
    """A listed Date as shown: compact (``YYYY-MM-DD HH:MM``) on a narrow screen when it
    parses, else as written (already escaped by the listing)."""
    if not text:
        return "-"
    if short:
        try:
            return parsedate_to_datetime(text).strftime("%Y-%m-%d %H:%M")
        except (TypeError, ValueError, IndexError, OverflowError):
            return text
    return text
