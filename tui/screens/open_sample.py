"""OpenSampleScreen: ask for a path (a sample for slot A or B, or a trace export)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class OpenSampleScreen(ModalScreen[str | None]):
    """A one-line path prompt; Enter opens, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Close without opening")]

    DEFAULT_CSS = """
    OpenSampleScreen { align: center middle; }
    OpenSampleScreen > Vertical {
        width: 76; height: auto; padding: 1 2;
        border: round $accent; background: $surface;
    }
    OpenSampleScreen Label { width: 1fr; }
    """

    def __init__(
        self, prompt: str, placeholder: str = "/path/to/sample.eml", value: str = ""
    ) -> None:
        super().__init__()
        self.prompt = prompt
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        """The prompt and the input."""
        with Vertical():
            yield Label(self.prompt, markup=False)
            path = Input(self.value, placeholder=self.placeholder, id="path")
            path.cursor_blink = False  # a blinking cursor repaints forever over a slow link
            yield path

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Return the typed path (empty input cancels)."""
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        """Close without opening anything."""
        self.dismiss(None)
