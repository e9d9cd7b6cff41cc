"""NotesScreen: a text to take away (notes, case packet...), copied with OSC 52 or saved.

Copying uses the terminal's clipboard escape (OSC 52), which also works over SSH
when the local terminal allows it; saving writes the text atomically to the notes
directory under a name with the ticket and the time, so nothing is overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from mailtriage.checks.atomic import atomic_write_text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Footer, TextArea

Formats = dict[str, tuple[str, Callable[[], str]]]
"""Other renderings of the same text: key -> (file suffix, builder)."""


class NotesScreen(ModalScreen[None]):
    """Read-only text with copy and save actions (and a format switch when given)."""

    BINDINGS = [
        Binding("c", "copy", "Copy", tooltip="Copy the text to the clipboard (OSC 52)"),
        Binding("s", "save", "Save", tooltip="Save the text to a file in the notes directory"),
        Binding("f", "next_format", "Format", tooltip="Switch Markdown / plain text"),
        Binding("escape", "close", "Close", tooltip="Back to the dashboard"),
    ]

    DEFAULT_CSS = """
    NotesScreen { background: $background 60%; }
    NotesScreen > TextArea { margin: 1 2; border: round $accent; }
    """

    def __init__(
        self,
        text: str,
        notes_dir: Path,
        *,
        title: str = "Ticket notes",
        stem: str = "ticket",
        suffix: str = ".txt",
        formats: Formats | None = None,
    ) -> None:
        super().__init__()
        self.text = text
        self.notes_dir = notes_dir
        self.title = title
        self.stem = stem
        self.suffix = suffix
        self.formats = formats or {}
        self.saved_to: Path | None = None

    def compose(self) -> ComposeResult:
        """The text and a footer."""
        area = TextArea(self.text, read_only=True, soft_wrap=True, id="notes")
        area.border_title = self.title
        yield area
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The format switch only where there is another format."""
        if action == "next_format":
            return len(self.formats) > 1
        return True

    def action_next_format(self) -> None:
        """Show the next rendering (Markdown, plain text)."""
        keys = list(self.formats)
        current = next((k for k in keys if self.formats[k][0] == self.suffix), keys[0])
        key = keys[(keys.index(current) + 1) % len(keys)]
        self.suffix, build = self.formats[key]
        self.text = build()
        area = self.query_one(TextArea)
        area.load_text(self.text)
        area.border_title = f"{self.title} · {key}"

    def action_copy(self) -> None:
        """Copy to the terminal's clipboard."""
        self.app.copy_to_clipboard(self.text)
        self.notify(f"{self.title} copied to the clipboard.", markup=False)

    def action_save(self) -> None:
        """Write the text atomically to the notes directory."""
        name = datetime.now(UTC).strftime(f"{self.stem}-%Y%m%d-%H%M%S{self.suffix}")
        try:
            self.saved_to = atomic_write_text(self.notes_dir / name, self.text)
        except OSError as exc:
            self.notify(f"Could not save: {exc.strerror}", severity="error", markup=False)
            return
        self.notify(f"Saved to {self.saved_to}", markup=False)

    def action_close(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)
