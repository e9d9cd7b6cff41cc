"""ExportScreen: choose what leaves the tool (notes, case packet, escalation update...)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList
from textual.widgets.option_list import Option

Entry = tuple[str, str, str]
"""An export: (id, key, title)."""


class ExportScreen(ModalScreen[str | None]):
    """A short list of exports; Enter or the entry's key picks one, Escape closes."""

    BINDINGS = [Binding("escape", "close", "Close", tooltip="Close without exporting")]

    DEFAULT_CSS = """
    ExportScreen { align: center middle; background: $background 60%; }
    ExportScreen > Vertical {
        width: 64; height: auto; max-height: 100%; border: round $accent; background: $surface;
    }
    ExportScreen OptionList { height: auto; border: none; }
    """

    def __init__(self, entries: Sequence[Entry]) -> None:
        super().__init__()
        self.entries = tuple(entries)

    def compose(self) -> ComposeResult:
        """The list of exports."""
        with Vertical() as box:
            box.border_title = "Export · Enter opens, then c copies, s saves"
            yield OptionList(
                *(Option(f"{key}  {title}", id=ident) for ident, key, title in self.entries)
            )
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Return the chosen export."""
        self.dismiss(event.option.id)

    def on_key(self, event: Key) -> None:
        """An entry's key picks it directly."""
        key = event.character
        for ident, k, _ in self.entries:
            if key == k:
                event.stop()  # the key must not reach the export it opens
                event.prevent_default()
                self.dismiss(ident)
                return

    def action_close(self) -> None:
        """Close without exporting."""
        self.dismiss(None)
