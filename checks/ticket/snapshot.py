"""What a ticket keeps of the analysis: the decision, the findings and the differing fields.

The snapshot is taken from results the dashboard already has (analyses, diff rows,
the two-copy decision), never from the raw samples, so a ticket reads the same
later even when a sample file is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from mailtriage.checks.analysis import Analysis
from mailtriage.checks.diff import DiffRow
from mailtriage.checks.suspect import Comparison
from mailtriage.checks.text import printable
from mailtriage.checks.ticket.model import SLOTS, Snapshot


def take_snapshot(
    analyses: Sequence[Analysis | None],
    diff: Sequence[DiffRow],
    comparison: Comparison | None,
    now: datetime,
) -> Snapshot:
    """Summarise the current analysis for the ticket.

    Args:
        analyses: Slot A and slot B analyses (``None`` for an empty slot).
        diff: The diff rows of the two samples (empty with one sample).
        comparison: The two-copy decision, when both slots hold a sample.
        now: The time of the snapshot.

    Returns:
        The snapshot; its layer is the comparison's suspect layer, else the most
        likely layer of the first sample that names one.
    """
    findings = tuple(
        f"{SLOTS[n]}: [{f.severity}] {f.layer}: {printable(f.title)}"
        for n, a in enumerate(analyses)
        if a is not None
        for f in a.findings
    )
    rows = tuple(
        f"{r.layer}: {r.field}: {printable(r.a)} | {printable(r.b)}" for r in diff if r.differs
    )
    if comparison is not None:
        layer = comparison.suspect_layer or ""
        decision = f"A: {comparison.outcome_a}; B: {comparison.outcome_b}"
        step = comparison.next_step
    else:
        layer = next((a.layer for a in analyses if a is not None and a.layer), "") or ""
        decision, step = "", ""
    return Snapshot(layer, printable(decision), printable(step), findings, rows, now)


def same_snapshot(a: Snapshot, b: Snapshot) -> bool:
    """Whether two snapshots say the same (their times aside)."""
    return replace(a, taken=None) == replace(b, taken=None)
