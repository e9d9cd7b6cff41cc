"""Pane: the scrollable, focusable, titled box every dashboard pane builds on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.events import Resize, Show
from textual.geometry import Region
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.css.styles import RulesMap

CURSOR_STYLE = "on $block-cursor-blurred-background"
"""The focused row's background (a theme variable: readable over every text style)."""


@dataclass(frozen=True)
class Row:
    """A row of a pane's body that Enter can open in full.

    Attributes:
        start: Its first line in the body.
        height: How many lines it takes there (wrapped, maybe cut).
        title: What it is, e.g. ``"Evidence"`` or ``"≠ DKIM d="``.
        text: Its full text, one entry per line, display-safe, never cut.
    """

    start: int
    height: int
    title: str
    text: tuple[str, ...]


class FullTextRequested(Message):
    """A pane asks for the full text of its focused row to be shown (Enter)."""

    def __init__(self, title: str, text: tuple[str, ...]) -> None:
        super().__init__()
        self.title = title
        self.text = text


class Pane(VerticalScroll, can_focus=True):
    """A bordered, scrollable pane that re-renders its body at its current width.

    Subclasses implement :meth:`build` (pure: state in, Content out) and call
    :meth:`refresh_body` after changing their state. The body is (re)built whenever a
    layout pass gives the pane a width it was not built at: a pane hidden while its
    state changed fills in on the first layout that shows it, whatever path Textual's
    layout took (a Resize or Show event is not always sent, e.g. after another pane
    was scrolled).

    While building, a subclass may mark rows (:meth:`add_row`): up and down then move a
    row cursor over them (shown while the pane has focus) and Enter posts
    :class:`FullTextRequested` with the focused row's full text. Without rows, up and
    down scroll.
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

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False, tooltip="Previous row"),
        Binding("down", "cursor(1)", "Down", show=False, tooltip="Next row"),
        Binding("enter", "open_row", "Full text", show=False, tooltip="Full text of this row"),
    ]

    _built_width = -1

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.marked_rows: list[Row] = []
        self.cursor = 0
        self._body = Content("")
        self._marking: list[Row] = []
        self._expected: tuple[int, int] | None = None
        self._painted: Content | None = None

    def expect_size(self, width: int, height: int) -> None:
        """Say the outer size the first layout is expected to give this pane.

        Until the pane has been laid out, :meth:`refresh_body` builds at the width
        this size implies, so that the first frame already shows the body instead of
        an empty box followed by a second layout and frame. It is only a guess: the
        first layout checks the real width and rebuilds when it differs.
        """
        self._expected = (width, height)

    def _expected_build(self) -> tuple[int, tuple[Content, list[Row]] | None]:
        """The body width the expected size gives (0: no expectation), and its body.

        The body is built here at the width it has when a scrollbar shows (the usual
        case for a pane full of evidence) and returned for that width; a body that fits
        without a scrollbar is not returned: it is built again, wider.
        """
        if self._expected is None:
            return 0, None
        width, height = self._expected
        gutter = self.styles.gutter
        inner = width - gutter.width
        if inner <= 0:
            return 0, None
        narrower = inner - self.styles.scrollbar_size_vertical
        built = self._build_rows(max(narrower - 1, 20))
        if built[0].plain.count("\n") + 1 > height - gutter.height:  # taller: a scrollbar
            return narrower, built
        return inner, None

    def _build_rows(self, width: int) -> tuple[Content, list[Row]]:
        """Build the body at ``width`` with the rows it marks."""
        self._marking = []
        try:
            return self.build(width), self._marking
        finally:
            self._marking = []

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

    def add_row(self, start: int, height: int, title: str, text: tuple[str, ...]) -> None:
        """Mark lines ``start`` to ``start + height`` of the body being built as one row.

        Call from :meth:`build` only; rows are kept in the order they are added.
        """
        if height > 0:
            self._marking.append(Row(start, height, title, text))

    def refresh_body(self, force: bool = True) -> None:
        """Rebuild the body from current state at the current width.

        Args:
            force: Rebuild even if the width is unchanged (the state changed).
        """
        if not self.is_mounted:
            return
        region = self.scrollable_content_region.width
        prebuilt = None  # a body built at this width already
        if region <= 0 and not self.size:  # not laid out yet: build for the expected size
            region, prebuilt = self._expected_build()
        elif self.size:
            self._expected = None  # laid out: from now on only real widths count
        if region <= 0:
            self._built_width = -1  # no width known: the first resize builds it
            return
        width = max(region - 1, 20)
        if not force and width == self._built_width:
            return
        self._built_width = width
        self._body, self.marked_rows = prebuilt or self._build_rows(width)
        self.cursor = min(self.cursor, max(len(self.marked_rows) - 1, 0))
        self._paint()

    def _paint(self) -> None:
        """Show the built body with the focused row highlighted (while focused)."""
        body = self._body
        if self.has_focus and self.marked_rows:
            row = self.marked_rows[self.cursor]
            lines = body.plain.split("\n")
            start = sum(len(line) + 1 for line in lines[: row.start])
            end = sum(len(line) + 1 for line in lines[: row.start + row.height]) - 1
            body = body.stylize(CURSOR_STYLE, start, max(end, start))
        last = self._painted
        if last is not None and body.plain == last.plain and body.spans == last.spans:
            return  # the same text and styles: no new layout and frame for nothing
        self._painted = body
        # A body as tall as the one laid out needs no new layout of the screen, only a
        # repaint of this pane: a live row going from pending to answered must not cost
        # a layout and a render of every pane.
        static = self.query_one(".pane--body", Static)
        width, height = static.size
        rules = cast("RulesMap", static.styles)  # what Textual itself measures the body with
        same_height = height > 0 and body.get_height(rules, width) == height
        static.update(body, layout=not same_height)

    def on_resize(self, event: Resize) -> None:
        """Re-wrap when the width changes."""
        self.refresh_body(force=False)

    def on_show(self, event: Show) -> None:
        """Build a body that was left unbuilt while the pane was hidden."""
        self.refresh_body(force=False)

    def on_focus(self) -> None:
        """Show the row cursor."""
        if self.marked_rows:
            self._paint()

    def on_blur(self) -> None:
        """Hide the row cursor."""
        if self.marked_rows:
            self._paint()

    def action_cursor(self, step: int) -> None:
        """Move the row cursor (scroll when the pane has no rows or the cursor is at an end)."""
        if not self.marked_rows:
            if step < 0:
                self.scroll_up()
            else:
                self.scroll_down()
            return
        cursor = max(0, min(self.cursor + step, len(self.marked_rows) - 1))
        if cursor == self.cursor:  # past the first or last row: show what is above/below
            self.scroll_relative(y=step, animate=False)
            return
        self.cursor = cursor
        row = self.marked_rows[self.cursor]
        self._paint()
        # The body is the pane's only child, at the top of its scrollable area.
        self.scroll_to_region(Region(0, row.start, 1, row.height), animate=False, immediate=True)

    def action_open_row(self) -> None:
        """Ask for the focused row's full text to be shown."""
        if self.marked_rows:
            row = self.marked_rows[self.cursor]
            self.post_message(FullTextRequested(row.title, row.text))
