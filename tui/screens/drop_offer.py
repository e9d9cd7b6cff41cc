"""DropOfferScreen: a new file landed in the ``--watch`` folder; load it as A, as B, or not.

A small box with one key per choice, so taking a forwarded sample is two keys from
the dashboard (``w``, then ``a`` or ``b``). Escape leaves the offer for later.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mailtriage.checks.text import printable
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

#: What the box is dismissed with: the slot to load into, ``IGNORE``, or ``None`` (later).
IGNORE = -1


def describe(path: str) -> str:
    """One line about a dropped file: its size and when it was last written (UTC)."""
    try:
        info = Path(path).stat()
    except OSError as exc:
        return f"cannot read it now ({exc.strerror or exc})"
    size = info.st_size
    amount = f"{size} bytes" if size < 10_240 else f"{size >> 10} KB"
    return f"{amount}, saved {datetime.fromtimestamp(info.st_mtime, UTC):%H:%M:%S} UTC"


class DropOfferScreen(ModalScreen[int | None]):
    """Offers one dropped file; dismissed with 0 (A), 1 (B), ``IGNORE`` or ``None``."""

    BINDINGS = [
        Binding("a", "choose(0)", "Load as A", tooltip="Load the dropped file as A (blocked)"),
        Binding("b", "choose(1)", "Load as B", tooltip="Load the dropped file as B (delivered)"),
        Binding("i", "choose(-1)", "Ignore", tooltip="Ignore the dropped file"),
        Binding("escape", "later", "Later", tooltip="Close; the file stays offered (w)"),
    ]

    DEFAULT_CSS = """
    DropOfferScreen { align: center middle; background: $background 60%; }
    DropOfferScreen > Vertical {
        width: 100%; max-width: 90; height: auto; margin: 0 2; padding: 0 1;
        border: round $accent; background: $surface;
    }
    DropOfferScreen #about { color: $text-muted; }
    """

    def __init__(self, path: str, waiting: int = 0) -> None:
        super().__init__()
        self.path = path
        self.waiting = waiting

    def compose(self) -> ComposeResult:
        """The file's name and folder, its size and time, the choices."""
        with Vertical() as box:
            box.border_title = "New file in the drop folder"
            where = Path(self.path)
            yield Static(printable(where.name, 200), id="name", markup=False)
            about = f"in {printable(str(where.parent), 200)} · {describe(self.path)}"
            if self.waiting:
                about += f" · {self.waiting} more waiting"
            yield Static(about, id="about", markup=False)
            yield Static("a: load as A (blocked) · b: load as B (delivered) · i: ignore",
                         markup=False)  # fmt: skip
        yield Footer()

    def action_choose(self, slot: int) -> None:
        """Load as A (0), as B (1), or ignore (``IGNORE``)."""
        self.dismiss(slot)

    def action_later(self) -> None:
        """Close and keep the offer."""
        self.dismiss(None)
