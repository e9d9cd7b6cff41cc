"""TextViewScreen: a full-screen, scrollable, read-only view of rendered text.

The DNS log and the SPF tree are both such views; subclasses give the title,
the content and the key that closes them.
"""

from __future__ import annotations

from mailtriage.checks.text import printable
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static


def line(text: str, style: str = "", limit: int = 400) -> Content:
    """One line of sample-derived text for a view: control characters escaped, never markup."""
    return Content.styled(printable(text, limit), style)


class TextViewScreen(ModalScreen[None]):
    """Shows one block of markup-free Content over the dashboard; Escape closes."""

    DEFAULT_CSS = """
    TextViewScreen { background: $background 60%; }
    TextViewScreen > VerticalScroll {
        border: round $accent; background: $surface; margin: 1 2; padding: 0 1;
    }
    """

    def __init__(self, title: str, body: Content) -> None:
        super().__init__()
        self.view_title = title
        self.body = body

    def compose(self) -> ComposeResult:
        """The text and a footer."""
        scroll = VerticalScroll()
        scroll.border_title = Content(printable(self.view_title, 200))  # never markup
        with scroll:
            yield Static(self.body, markup=False)
        yield Footer()

    def action_close(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)
