"""NotesScreen: ticket notes to copy (OSC 52, works over SSH) or save atomically."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mailtriage.checks.atomic import atomic_write_text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Footer, TextArea


class NotesScreen(ModalScreen[None]):
    """Read-only notes with copy and save actions."""

    BINDINGS = [
        Binding("c", "copy", "Copy", tooltip="Copy the notes to the clipboard"),
        Binding("s", "save", "Save", tooltip="Save the notes to a file"),
        Binding("escape", "close", "Close", tooltip="Back to the dashboard"),
    ]

    DEFAULT_CSS = """
    NotesScreen { background: $background 60%; }
    NotesScreen > TextArea { margin: 1 2; border: round $accent; }
    """

    def __init__(self, text: str, notes_dir: Path) -> None:
        super().__init__()
        self.text = text
        self.notes_dir = notes_dir
        self.saved_to: Path | None = None

    def compose(self) -> ComposeResult:
        """The notes and a footer."""
        area = TextArea(self.text, read_only=True, soft_wrap=True, id="notes")
        area.border_title = "Ticket notes"
        yield area
        yield Footer()

    def action_copy(self) -> None:
        """Copy to the terminal's clipboard."""
        self.app.copy_to_clipboard(self.text)
        self.notify("Ticket notes copied to the clipboard.", markup=False)

    def action_save(self) -> None:
        """Write the notes atomically to the notes directory."""
        name = datetime.now(UTC).strftime("ticket-%Y%m%d-%H%M%S.txt")
        try:
            self.saved_to = atomic_write_text(self.notes_dir / name, self.text)
        except OSError as exc:
            self.notify(f"Could not save notes: {exc.strerror}", severity="error", markup=False)
            return
        self.notify(f"Saved to {self.saved_to}", markup=False)

    def action_close(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)
