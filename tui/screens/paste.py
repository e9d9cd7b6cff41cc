"""PasteScreen: paste raw headers (with or without a body) straight into slot A or B.

A bracketed paste into the empty box is taken at once: the box closes and hands the
text over, so one paste is all it takes. Text typed or edited in the box is taken
with ctrl+s. The box never parses anything itself; the dashboard runs the same
loader as for a file. A paste larger than the loader takes is never put into the
box (that would stall the screen): it is handed over and refused in one line.
"""

from __future__ import annotations

from mailtriage.checks.message.loader import MAX_PASTE
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static, TextArea

SLOT_LABELS = ("A (blocked)", "B (delivered)")
HINT = (
    "Paste the message's headers (the body may follow). A paste into the empty box "
    "is used at once; text typed or edited here is used with ctrl+s."
)


class PasteArea(TextArea):
    """A text area that reports a bracketed paste instead of always inserting it."""

    class Pasted(Message):
        """The terminal delivered a paste (the whole of it, in one event)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    async def _on_paste(self, event: events.Paste) -> None:
        # Not inserted first: a huge or binary paste must never reach the editor.
        event.prevent_default()
        event.stop()
        self.post_message(self.Pasted(event.text))


class PasteScreen(ModalScreen[str | None]):
    """The paste box for one slot; dismissed with the text to load, or ``None``."""

    BINDINGS = [
        Binding("ctrl+s", "use", "Use text", tooltip="Use the text in the paste box as the sample"),
        Binding("escape", "cancel", "Cancel", tooltip="Close the paste box without loading"),
    ]

    DEFAULT_CSS = """
    PasteScreen { align: center middle; background: $background 60%; }
    PasteScreen > Vertical {
        width: 100%; max-width: 120; height: 100%; max-height: 30; margin: 1 2; padding: 0 1;
        border: round $accent; background: $surface;
    }
    PasteScreen #hint { color: $text-muted; }
    PasteScreen #status { color: $error; height: auto; }
    PasteScreen PasteArea { height: 1fr; }
    """

    def __init__(self, slot: int) -> None:
        super().__init__()
        self.slot = slot

    def compose(self) -> ComposeResult:
        """Hint, the paste box, a status line, footer."""
        with Vertical() as box:
            box.border_title = f"Paste headers into {SLOT_LABELS[self.slot]}"
            yield Static(HINT, id="hint", markup=False)
            area = PasteArea("", id="paste", soft_wrap=True, show_line_numbers=False)
            area.cursor_blink = False  # a blinking cursor repaints forever over a slow link
            yield area
            yield Label("", id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        """Focus the paste box."""
        self.query_one(PasteArea).focus()

    def on_paste_area_pasted(self, event: PasteArea.Pasted) -> None:
        """Take a paste into the empty box at once; add a later one to what is there."""
        area = self.query_one(PasteArea)
        if not area.text.strip() or len(event.text) > MAX_PASTE:
            self.dismiss(event.text)  # the loader says why a huge one is refused
            return
        area.insert(event.text)

    def action_use(self) -> None:
        """Use what the box holds (typed or edited)."""
        text = self.query_one(PasteArea).text
        if not text.strip():
            self.query_one("#status", Label).update("The box is empty: paste the headers first.")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        """Close without loading anything."""
        self.dismiss(None)
