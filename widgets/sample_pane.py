"""SamplePane: the identifiers of one or two samples, side by side."""

from __future__ import annotations

from collections.abc import Sequence

from mailtriage.checks.analysis import BOUNCE_ID_LABEL, ORIGINAL_ID_LABEL, Analysis
from mailtriage.checks.model import Address
from mailtriage.widgets._render import Cell, grid, heading, join_lines, safe
from mailtriage.widgets.pane import Pane
from textual.content import Content

SLOT_NAMES = ("A", "B")


def _addrs(addrs: Sequence[Address]) -> str:
    """Display name and address: a spoofed name beside a stranger's address must show."""
    return ", ".join(f"{a.display} <{a.addr}>" if a.display and a.addr else a.addr or a.display
                     for a in addrs) or "—"  # fmt: skip


def _top(a: Analysis) -> tuple[str, str]:
    """Evidence and next step of the strongest finding on the likely layer."""
    f = next((f for f in a.findings if f.layer == a.layer), None)
    return (f.evidence, f.next_step) if f else ("—", "—")


def _bounce(a: Analysis) -> str:
    b = a.bounce
    if b is None:
        return "not a bounce"
    if not b.recipients:
        return f"{b.kind} ({b.format}), no recipient found"
    r = b.deciding or b.recipients[0]
    code = r.code
    more = f" +{len(b.recipients) - 1} more" if len(b.recipients) > 1 else ""
    return f"{r.category} {code} · {r.recipient or '?'}{more}"


def _recipients(a: Analysis) -> list[str]:
    """Every recipient of a bounce in full: address, status, category and its own reason."""
    b = a.bounce
    if b is None or not b.recipients:
        return ["  none"]
    out: list[str] = []
    for r in b.recipients:
        mark = " (decides)" if r is b.deciding and len(b.recipients) > 1 else ""
        where = f" at {r.remote_mta}" if r.remote_mta else ""
        out += [
            f"  {r.recipient or '?'}: {' '.join(x for x in (r.code, r.category) if x)}{mark}",
            f"    reason{where}: {r.diagnostic or '—'}",
        ]
    return [safe(line) for line in out]


def _ids(a: Analysis, bounced: bool) -> list[tuple[str, str, str]]:
    """Message-ID rows: with a bounce loaded, the original's first, the bounce's own second."""
    if not bounced:
        return [("Message-ID", a.sample.message_id or "—", "")]
    own = a.sample.message_id or "—" if a.bounce is not None else "—"
    return [
        (ORIGINAL_ID_LABEL, a.original_message_id or "— (not returned)", "bold"),
        (BOUNCE_ID_LABEL, own, "$text-muted"),
    ]


def _hold_row(a: Analysis) -> tuple[str, str, str]:
    """The quarantine signal; for a copy a mailbox filed (Junk Email too) it is a placement."""
    if a.quarantine and a.fate.delivered is True:
        return ("Placement", a.quarantine, "$warning")
    return ("Quarantine", a.quarantine or "no signal", "$warning" if a.quarantine else "")


def _forward_row(a: Analysis) -> tuple[str, str, str]:
    """Which customer forward the analysed message was attached to (subject and sender)."""
    outer = a.forwarded_in
    return (FORWARD_ROW, outer or "—", "$warning" if outer else "")


def _rows(
    a: Analysis, trace: str | None, bounced: bool, forwarded: bool = False
) -> list[tuple[str, str, str]]:
    s = a.sample
    evidence, step = _top(a)
    parts = ", ".join(f"{p.filename or p.content_type} ({p.size} B)" for p in s.parts if p.filename)
    return [
        ("Source", s.source, ""),
        *([_forward_row(a)] if forwarded else []),
        ("From", _addrs(s.from_), ""),
        ("To", _addrs(s.to), ""),
        ("Subject", s.subject or "—", "bold"),
        ("Likely layer", a.layer or "—", "$warning bold" if a.layer else ""),
        ("Evidence", evidence, ""),
        ("Next step", step, "$success" if a.layer else ""),
        _hold_row(a),
        *(
            [(BOUNCE_ROW, _bounce(a), "$error" if a.bounce else ""), *_ids(a, True)]
            if bounced
            else []
        ),
        ("Date", s.date.isoformat() if s.date else (s.date_raw or "—"), ""),
        *([] if bounced else _ids(a, False)),
        ("Envelope from", s.envelope_from or "—", ""),
        ("Envelope to", ", ".join(s.envelope_to) or "—", ""),
        ("Connecting IP", a.connecting_ip or "—", ""),
        ("Hops", str(len(a.hops)), ""),
        ("Size", f"{s.size:,} B" + ("" if s.has_body else " (headers only)"), ""),
        ("Attachments", parts or "none", ""),
        ("Unparsed", str(len(s.problems)) + " problem(s)", "$warning" if s.problems else ""),
    ] + ([("M365 trace", trace or "—", "$warning" if trace else "")] if trace is not None else [])


FINDING_ROWS = ("Likely layer", "Evidence", "Next step")
"""Rows whose full text lists every finding, not only the top one."""
FORWARD_ROW = "Forwarded in"
"""The row naming the customer's forward an analysed message arrived attached to."""
BOUNCE_ROW = "Bounce"
"""The row whose full text lists every recipient of a bounce with its own status and reason."""


def _findings(a: Analysis) -> list[str]:
    """Every finding of a sample in full: layer, severity, title, evidence, next step."""
    if not a.findings:
        return ["  none"]
    out: list[str] = []
    for f in a.findings:
        out += [
            f"  [{f.severity}] {f.layer}: {f.title}",
            f"    evidence: {f.evidence}",
            f"    next step: {f.next_step}",
        ]
    return [safe(line) for line in out]


class SamplePane(Pane):
    """Shows who, what and when for each loaded sample, plus what could not be parsed."""

    BORDER_TITLE = "Sample"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.analyses: tuple[Analysis | None, ...] = (None, None)
        self.labels: tuple[str, ...] = ("blocked", "delivered")
        self.traces: tuple[str | None, ...] = (None, None)

    def show(
        self,
        analyses: Sequence[Analysis | None],
        labels: Sequence[str],
        traces: Sequence[str | None] = (None, None),
    ) -> None:
        """Display these analyses (slot A, slot B) with their role labels.

        Args:
            analyses: Slot A and slot B (``None`` when empty).
            labels: Role labels ("blocked", "delivered").
            traces: Per slot, one line on what an imported message trace says.
        """
        self.analyses = tuple(analyses)
        self.labels = tuple(labels)
        self.traces = tuple(traces)
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
        traced = any(self.traces)
        bounced = any(a.bounce for _, a in loaded)
        forwarded = any(a.sample.outer for _, a in loaded)
        table = [
            _rows(
                a,
                (self.traces[i] or "") if traced and i < len(self.traces) else None,
                bounced,
                forwarded,
            )
            for i, a in loaded
        ]
        rows: list[tuple[Cell, list[Cell]]] = [head]
        for r, (label, _, _) in enumerate(table[0]):
            rows.append(((label, "$text-muted"), [(safe(t[r][1]), t[r][2]) for t in table]))
        heights: list[int] = []
        lines = grid(rows, width, heights=heights)
        start = heights[0]
        for r, (label, _, _) in enumerate(table[0]):
            text = [f"{SLOT_NAMES[i]} · {self.labels[i]}: {safe(t[r][1])}" for (i, _), t in
                    zip(loaded, table, strict=True)]  # fmt: skip
            if label == BOUNCE_ROW:
                for i, a in loaded:
                    if a.bounce is not None:
                        text += [
                            "",
                            f"{SLOT_NAMES[i]} · {self.labels[i]}: every recipient",
                            *_recipients(a),
                        ]
            if label in FINDING_ROWS:
                for i, a in loaded:
                    text += [
                        "",
                        f"{SLOT_NAMES[i]} · {self.labels[i]}: every finding",
                        *_findings(a),
                    ]
            self.add_row(start, heights[r + 1], label, tuple(text))
            start += heights[r + 1]
        for i, a in loaded:
            if a.sample.problems:
                lines.append(Content(""))
                lines.append(heading(f"{SLOT_NAMES[i]}: could not parse", width, "$warning"))
                for p in a.sample.problems[:12]:
                    lines.append(Content.styled(safe(f"  {p.where}: {p.message}"), "$text-muted"))
        return join_lines(lines)
