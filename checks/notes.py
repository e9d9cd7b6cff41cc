"""Ticket notes: a plain-text summary to paste into the PSA after the call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from mailtriage.checks.analysis import BOUNCE_ID_LABEL, ORIGINAL_ID_LABEL, Analysis
from mailtriage.checks.diff import DiffRow
from mailtriage.checks.live.run import LiveRun, unanswered
from mailtriage.checks.playbook import ItemState
from mailtriage.checks.text import printable


def _ids(a: Analysis) -> list[str]:
    """Message-ID lines: a bounce's original first, labelled, then the bounce's own."""
    if a.bounce is None:
        return [f"  Message-ID: {a.sample.message_id or '-'}"]
    return [
        f"  {ORIGINAL_ID_LABEL}: {a.original_message_id or '- (not returned)'}",
        f"  {BOUNCE_ID_LABEL}: {a.sample.message_id or '-'}",
    ]


def _sample_block(
    tag: str, a: Analysis, run: LiveRun | None, trace: str | None = None
) -> list[str]:
    s = a.sample
    lines = [
        f"{tag}: {s.source}",
        f"  From: {', '.join(x.addr for x in s.from_) or '-'}   To: "
        f"{', '.join(x.addr for x in s.to) or '-'}",
        f"  Subject: {s.subject or '-'}",
        f"  Date: {s.date.isoformat() if s.date else s.date_raw or '-'}",
        *_ids(a),
        f"  Connecting IP: {a.connecting_ip or '-'}   Hops: {len(a.hops)}",
    ]
    for r in a.recorded:
        methods = ", ".join(f"{m.method}={m.result}" for m in r.methods)
        lines.append(f"  Recorded ({r.authserv_id or 'unknown host'}): {methods}")
    if run is not None:
        for spec in run.specs:
            res = run.results.get(spec)
            state = f"{res.status} - {res.summary}" if res else unanswered(run.status)
            lines.append(f"  Live DNS {spec.kind} {spec.domain}: {state}")
    if a.timeline.verdict:
        lines.append(f"  Route: {a.timeline.verdict}")
    if a.quarantine:
        # A copy a mailbox filed (Junk Email too) was delivered: its signal is a placement.
        label = "Placement" if a.fate.delivered is True else "Quarantine signal"
        lines.append(f"  {label}: {a.quarantine}")
    if a.bounce is not None:
        for rcpt in a.bounce.recipients[:5]:
            code = rcpt.code or "no code"
            who = rcpt.recipient or "?"
            lines.append(f"  Bounce ({a.bounce.format}): {who}: {code} {rcpt.category}")
            if rcpt.diagnostic:
                lines.append(f"    Reply: {rcpt.diagnostic[:300]}")
    if trace:
        lines.append(f"  Microsoft 365 message trace: {trace}")
    for f in a.findings:
        lines.append(f"  Finding [{f.severity}] {f.layer}: {f.title}")
    return lines


def ticket_notes(
    analyses: Sequence[Analysis | None],
    runs: Sequence[LiveRun | None],
    diff: Sequence[DiffRow],
    checklist: Sequence[ItemState],
    ticked: frozenset[str],
    now: datetime | None = None,
    traces: Sequence[str | None] = (),
) -> str:
    """Build the ticket notes.

    Args:
        analyses: Slot A (blocked) and slot B (delivered) analyses.
        runs: The live runs of each slot.
        diff: Diff rows when two samples were compared.
        checklist: Checklist item states.
        ticked: Item ids ticked by hand.
        now: Time stamp for the header (defaults to now, UTC).
        traces: Per slot, what an imported message trace says (optional).

    Returns:
        Plain text, control characters neutralised, ready to paste.
    """
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"mailtriage ticket notes - {stamp}", ""]
    layers = [a.layer for a in analyses if a is not None and a.layer]
    out.append(f"Most likely layer: {layers[0] if layers else 'not determined yet'}")
    top = [f for a in analyses if a is not None for f in a.findings if f.severity == "high"]
    for f in top[:3]:
        out.append(f"  {f.title}")
        out.append(f"  Evidence: {f.evidence}")
        out.append(f"  Next step: {f.next_step}")
    differing = [r for r in diff if r.differs]
    if differing:
        out += ["", "Working comparison (A blocked vs B delivered) - fields that differ:"]
        out += [f"  {r.layer}: {r.field}: A={r.a} | B={r.b}" for r in differing]
    out.append("")
    tags = ("Sample A (blocked)", "Sample B (delivered)")
    for i, a in enumerate(analyses):
        if a is not None:
            run = runs[i] if i < len(runs) else None
            trace = traces[i] if i < len(traces) else None
            out += [*_sample_block(tags[i], a, run, trace), ""]
    done = [s for s in checklist if s.auto_done or s.item.id in ticked]
    if done:
        out.append("Checked:")
        out += [f"  [x] {s.item.text}" + (f" ({s.evidence})" if s.evidence else "") for s in done]
    out += ["", "Fix applied: ", "Verification result: ", ""]
    return "\n".join(printable(line) for line in out)
