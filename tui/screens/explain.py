"""ExplainScreen: paste a gateway log status, an SMTP reply or an NDR snippet; read what it means.

The explanation is redrawn as the text changes (it is cheap and needs no network),
so there is no submit key to learn. Escape closes.
"""

from __future__ import annotations

from collections.abc import Callable

from mailtriage.checks.explain import MAX_PASTE, explain_paste
from mailtriage.checks.text import printable
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static, TextArea

STYLE = {
    "title": "$accent bold",
    "meaning": "",
    "next": "$success",
    "warn": "$warning",
    "muted": "$text-muted",
}
PROMPT = "Paste a Proofpoint Essentials log status or row, an SMTP reply or an NDR."


def render(text: str) -> Content:
    """Explanation lines for ``text``, styled by kind, never markup."""
    lines = explain_paste(text)
    if not lines:
        return Content.styled("Nothing recognised yet.", "$text-muted")
    return Content("\n").join(
        Content.styled(printable(line, 4000), STYLE.get(kind, "")) for kind, line in lines
    )


class ExplainScreen(ModalScreen[None]):
    """A paste box over an explanation that follows what is pasted."""

    BINDINGS = [
        Binding("escape", "close", "Close", tooltip="Close the explain box"),
        Binding(
            "ctrl+k", "keep", "Keep", tooltip="Keep this explanation with the ticket", priority=True
        ),
    ]

    DEFAULT_CSS = """
    ExplainScreen { align: center middle; background: $background 60%; }
    ExplainScreen > Vertical {
        width: 100%; max-width: 120; height: 100%; margin: 1 2; padding: 0 1;
        border: round $accent; background: $surface;
    }
    ExplainScreen TextArea { height: 5; }
    ExplainScreen VerticalScroll { height: 1fr; }
    """

    def __init__(self, text: str = "", keep: Callable[[str, str], None] | None = None) -> None:
        super().__init__()
        self.initial = text
        self.keep = keep

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keeping needs an open ticket."""
        return self.keep is not None if action == "keep" else True

    def action_keep(self) -> None:
        """Keep the pasted text and its explanation with the ticket."""
        text = self.query_one(TextArea).text[:MAX_PASTE].strip()
        lines = explain_paste(text)
        if self.keep is None or not text or not lines:
            self.notify("Nothing explained to keep yet.", severity="warning", markup=False)
            return
        self.keep(text, "\n".join(line for _, line in lines))
        self.notify("Kept with the ticket.", markup=False)

    def compose(self) -> ComposeResult:
        """Prompt, paste box, explanation, footer."""
        with Vertical() as box:
            box.border_title = "Explain a status, reply or bounce"
            yield Label(PROMPT, markup=False)
            area = TextArea(self.initial, id="paste", soft_wrap=True, show_line_numbers=False)
            area.cursor_blink = False  # a blinking cursor repaints forever over a slow link
            yield area
            with VerticalScroll():
                yield Static(render(self.initial), id="explained", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        """Focus the paste box."""
        self.query_one(TextArea).focus()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Explain the text again (capped, so a huge paste stays quick)."""
        text = event.text_area.text[:MAX_PASTE]
        self.query_one("#explained", Static).update(render(text))

    def action_close(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)
