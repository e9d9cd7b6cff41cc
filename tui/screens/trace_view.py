"""TraceScreen: a Microsoft 365 message trace export set against the loaded samples.

Each loaded sample is matched to its trace rows by Message-ID; where the trace
and the sample's own headers tell different stories ("portal and mailbox
disagree"), that is said first.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mailtriage.checks.msgtrace.load import STATUS, Trace, TraceMatch
from mailtriage.checks.text import printable
from mailtriage.tui.screens.text_view import TextViewScreen, line
from textual.binding import Binding
from textual.content import Content

ROW_FIELDS = ("received", "status", "sender", "recipient", "from_ip", "subject")


def render_matches(trace: Trace, matches: Sequence[tuple[str, TraceMatch]]) -> Content:
    """The trace's summary, then per sample: status, disagreement, layer, next step, rows."""
    lines = [
        line(
            f"{printable(Path(trace.source).name, 80)}: {len(trace.rows)} row(s), "
            f"format {trace.format}, "
            f"{trace.encoding}" + (" (cut short)" if trace.truncated else ""),
            "$accent bold",
        )
    ]
    lines += [line(f"  {p.where}: {p.message}", "$warning") for p in trace.problems[:6]]
    for label, m in matches:
        lines.append(Content(""))
        head = f"{label}: {m.status_summary or 'no trace row'}"
        if m.matched_by:
            head += f" (matched by {m.matched_by})"
        lines.append(line(head, "bold"))
        if m.disagreement and m.rows:
            lines.append(line(f"  Portal and mailbox disagree: {m.disagreement}", "$error"))
        elif m.disagreement:
            lines.append(line(f"  {m.disagreement}", "$warning"))
        if m.mailbox:
            lines.append(line(f"  Mailbox headers say: {m.mailbox}", "$text-muted"))
        known = STATUS.get(m.status) if m.status else None
        if known is not None:
            lines.append(line(f"  {m.status}: {known.meaning}", ""))
        lines.append(line(f"  Layer: {m.layer}", "$warning"))
        lines.append(line(f"  Next: {m.next_step}", "$success"))
        for row in m.rows[:20]:
            cells = " · ".join(row.display(f, 60) for f in ROW_FIELDS if row.display(f, 60))
            lines.append(line(f"    {cells}", "$text-muted"))
    return Content("\n").join(lines)


class TraceScreen(TextViewScreen):
    """Full-screen trace matches; Escape closes."""

    BINDINGS = [Binding("escape", "close", "Close", tooltip="Close the message trace view")]

    def __init__(self, trace: Trace, matches: Sequence[tuple[str, TraceMatch]]) -> None:
        super().__init__("Microsoft 365 message trace", render_matches(trace, matches))
