"""Pane: the scrollable, focusable, titled box every dashboard pane builds on."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.events import Resize, Show
from textual.screen import Screen
from textual.widgets import Static


class Pane(VerticalScroll, can_focus=True):
    """A bordered, scrollable pane that re-renders its body at its current width.

    Subclasses implement :meth:`build` (pure: state in, Content out) and call
    :meth:`refresh_body` after changing their state. The body is (re)built whenever a
    layout pass gives the pane a width it was not built at: a pane hidden while its
    state changed fills in on the first layout that shows it, whatever path Textual's
    layout took (a Resize or Show event is not always sent, e.g. after another pane
    was scrolled).
    """

    DEFAULT_CSS = """
    Pane {
        border: round $panel;
        border-title-color: $foreground;
        border-title-style: bold;
        padding: 0 1;
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    Pane:focus, Pane:focus-within {
        border: round $accent;
    }
    Pane > .pane--body {
        width: 1fr;
        height: auto;
    }
    """

    _built_width = -1

    def compose(self) -> ComposeResult:
        """Compose the single body Static."""
        yield Static(Content(""), classes="pane--body", markup=False)

    def on_mount(self) -> None:
        """Rebuild after every layout pass of the screen if the width changed."""
        self.screen.screen_layout_refresh_signal.subscribe(self, self._after_layout)

    def _after_layout(self, _screen: Screen[object]) -> None:
        if self.display:
            self.refresh_body(force=False)

    def build(self, width: int) -> Content:
        """Return the body for the given inner width (override in subclasses)."""
        return Content("")

    def refresh_body(self, force: bool = True) -> None:
        """Rebuild the body from current state at the current width.

        Args:
            force: Rebuild even if the width is unchanged (the state changed).
        """
        if not self.is_mounted:
            return
        region = self.scrollable_content_region.width
        if region <= 0:
            self._built_width = -1  # not laid out yet: the first resize builds it
            return
        width = max(region - 1, 20)
        if not force and width == self._built_width:
            return
        self._built_width = width
        self.query_one(".pane--body", Static).update(self.build(width))

    def on_resize(self, event: Resize) -> None:
        """Re-wrap when the width changes."""
        self.refresh_body(force=False)

    def on_show(self, event: Show) -> None:
        """Build a body that was left unbuilt while the pane was hidden."""
        self.refresh_body(force=False)
