"""MboxPickerScreen: choose which message of a mailbox goes into a slot."""

from __future__ import annotations

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
        """Fill the table; every cell is plain text (sample content is never markup)."""
        table = self.query_one("#messages", DataTable)
        table.add_columns("#", "Date", "From", "Subject")
        for e in self.listing.entries:
            table.add_row(
                Text(str(e.index)),
                Text(e.date or "-", no_wrap=True),
                Text(e.from_ or "-", no_wrap=True),
                Text(e.subject or "-", no_wrap=True),
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
