"""SpfTreeScreen: the SPF evaluation tree of each sample, evaluated now against its own IP."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mailtriage.checks.auth.spf.text import tree_lines
from mailtriage.checks.live.run import unanswered
from mailtriage.checks.text import printable
from mailtriage.tui.screens.text_view import TextViewScreen
from textual.binding import Binding
from textual.content import Content

if TYPE_CHECKING:
    from mailtriage.checks.live.auth import LiveAuth

STYLE = {
    "record": "$accent",
    "match": "$success bold",
    "nomatch": "$text-muted",
    "error": "$error",
    "limit": "$error bold",
    "beyond": "$warning italic",
}


Tree = tuple[str, "LiveAuth | None", str]
"""(label, the live re-evaluation or ``None``, the live run's status)."""


def render_trees(trees: Sequence[Tree]) -> Content:
    """Render each sample's SPF tree as indented, markup-free lines.

    A sample without a re-evaluation says why (still running, cancelled, offline).
    """
    lines: list[Content] = []
    for label, auth, status in trees:
        if auth is None or auth.spf is None:
            why = unanswered(status) if auth is None else "; ".join(auth.notes) or "not evaluated"
            lines += [Content.styled(printable(f"{label}: SPF {why}"), "$warning"), Content("")]
            continue
        spf = auth.spf
        ip, _domain, sender, helo = auth.spf_inputs or ("?", "?", "?", "?")
        lines.append(
            Content.styled(
                printable(
                    f"{label}: SPF {spf.result} for {ip} as {sender} (HELO {helo or '-'}): "
                    f"{spf.lookups}/10 lookups, {spf.void_lookups}/2 void"
                ),
                "$accent bold",
            )
        )
        if spf.explanation:
            lines.append(Content(printable(f"  explanation: {spf.explanation}", 300)))
        for ln in tree_lines(spf):
            text = printable("  " + "  " * ln.depth + ln.text, 400)
            lines.append(Content.styled(text, STYLE.get(ln.status, "")))
        lines.append(Content(""))
    return Content("\n").join(lines)


class SpfTreeScreen(TextViewScreen):
    """Full-screen SPF trees; Escape closes."""

    BINDINGS = [Binding("escape,t", "close", "Close", tooltip="Close the SPF tree")]

    def __init__(self, trees: Sequence[Tree]) -> None:
        super().__init__("SPF evaluated now (RFC 7208)", render_trees(trees))
