"""SamplePane: the identifiers of one or two samples, side by side."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from checks.analysis import Analysis
from checks.model import Address
from widgets._render import Cell, grid, heading, join_lines, safe
from widgets.pane import Pane

SLOT_NAMES = ("A", "B")


def _addrs(addrs: Sequence[Address]) -> str:
    return ", ".join(a.addr or a.display for a in addrs) or "—"


def _rows(a: Analysis) -> list[tuple[str, str, str]]:
    s = a.sample
    parts = ", ".join(f"{p.filename or p.content_type} ({p.size} B)" for p in s.parts if p.filename)
    return [
        ("Source", s.source, ""),
        ("From", _addrs(s.from_), ""),
        ("To", _addrs(s.to), ""),
        ("Subject", s.subject or "—", "bold"),
        ("Likely layer", a.layer or "—", "$warning bold" if a.layer else ""),
        ("Quarantine", a.quarantine or "no signal", "$warning" if a.quarantine else ""),
        ("Date", s.date.isoformat() if s.date else (s.date_raw or "—"), ""),
        ("Message-ID", s.message_id or "—", ""),
        ("Envelope from", s.envelope_from or "—", ""),
        ("Envelope to", ", ".join(s.envelope_to) or "—", ""),
        ("Connecting IP", a.connecting_ip or "—", ""),
        ("Hops", str(len(a.hops)), ""),
        ("Size", f"{s.size:,} B" + ("" if s.has_body else " (headers only)"), ""),
        ("Attachments", parts or "none", ""),
        ("Unparsed", str(len(s.problems)) + " problem(s)", "$warning" if s.problems else ""),
    ]


class SamplePane(Pane):
    """Shows who, what and when for each loaded sample, plus what could not be parsed."""

    BORDER_TITLE = "Sample"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.analyses: tuple[Analysis | None, ...] = (None, None)
        self.labels: tuple[str, ...] = ("blocked", "delivered")

    def show(self, analyses: Sequence[Analysis | None], labels: Sequence[str]) -> None:
        """Display these analyses (slot A, slot B) with their role labels."""
        self.analyses = tuple(analyses)
        self.labels = tuple(labels)
        self.refresh_body()

    def build(self, width: int) -> Content:
        """Render the identifier grid and the problems list."""
        loaded = [(i, a) for i, a in enumerate(self.analyses) if a is not None]
        if not loaded:
            return Content.styled(
                "No sample loaded. Press a to open the blocked sample, b for the delivered one.",
                "$text-muted",
            )
        head: tuple[Cell, list[Cell]] = (
            ("", ""),
            [(f"{SLOT_NAMES[i]} · {self.labels[i]}", "$accent bold") for i, _ in loaded],
        )
        table = [_rows(a) for _, a in loaded]
        rows: list[tuple[Cell, list[Cell]]] = [head]
        for r, (label, _, _) in enumerate(table[0]):
            rows.append(((label, "$text-muted"), [(safe(t[r][1]), t[r][2]) for t in table]))
        lines = grid(rows, width)
        for i, a in loaded:
            if a.sample.problems:
                lines.append(Content(""))
                lines.append(heading(f"{SLOT_NAMES[i]}: could not parse", width, "$warning"))
                for p in a.sample.problems[:12]:
                    lines.append(Content.styled(safe(f"  {p.where}: {p.message}"), "$text-muted"))
        return join_lines(lines)
