"""FullTextScreen: the whole text of one pane row (evidence, next step, a diff row...).

At 80x24 the panes cut long values to a few lines; Enter on a row opens this
read-only view of it, uncut and wrapped at the view's width. Escape closes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailtriage.tui.screens.text_view import TextViewScreen, line
from textual.binding import Binding
from textual.content import Content

LIMIT = 20_000
"""Characters of one line shown (a hostile sample's header can be far longer)."""


def render_text(text: Sequence[str]) -> Content:
    """The row's lines as markup-free Content, control characters escaped."""
    return Content("\n").join(line(t, limit=LIMIT) for t in text)


class FullTextScreen(TextViewScreen):
    """Read-only full text of the focused row; Escape or q closes."""

    BINDINGS = [Binding("escape,q", "close", "Close", tooltip="Close the full text")]

    def __init__(self, title: str, text: Sequence[str]) -> None:
        super().__init__(title, render_text(text))
