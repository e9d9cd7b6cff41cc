"""Ticket notes to paste into the PSA: one builder, two renderings (plain text, Markdown).

:func:`build_notes` gathers what the guides ask a technician to write down after a
call, in their order: who and what is affected; the symptom with the exact error and
when it happened; the scope tested and the comparison used (copy A against copy B, with
the decision :func:`mailtriage.checks.suspect.suspect` made); the logs and portals
checked; the root cause or the most likely layer with its evidence; the fix applied and
how it was verified. The samples fill what they can; a
:class:`~mailtriage.checks.ticket.model.Ticket` fills the rest, and without one each such
line says plainly what is still to be filled in. :func:`notes_text` and
:func:`notes_markdown` render the same :class:`Notes`; values are never cut, and every
value passes through :func:`~mailtriage.checks.text.printable` so nothing from a sample
can start a line of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from mailtriage.checks.analysis import BOUNCE_ID_LABEL, ORIGINAL_ID_LABEL, Analysis
from mailtriage.checks.bounce.model import BounceRecipient
from mailtriage.checks.diff import DiffRow
from mailtriage.checks.guardrails import broad_allow_warnings
from mailtriage.checks.live.run import LiveRun, unanswered
from mailtriage.checks.playbook import ItemState
from mailtriage.checks.suspect import Comparison, suspect
from mailtriage.checks.text import printable
from mailtriage.checks.ticket.model import Ticket

TO_FILL = "to be filled in"
"""How a line the samples cannot answer, and no ticket answers yet, reads."""

TIME_FORMAT = "%Y-%m-%d %H:%M UTC"


@dataclass(frozen=True)
class NoteLine:
    """One line of the notes.

    Attributes:
        label: What the value is (``"Customer"``), or ``""`` for a line of text.
        value: The value, whole (rendering escapes it; it is never cut).
        depth: Indentation level under the section (0 or 1).
    """

    label: str
    value: str
    depth: int = 0


@dataclass(frozen=True)
class NoteSection:
    """A titled part of the notes (``"Affected"``, ``"Symptom"``...)."""

    title: str
    lines: tuple[NoteLine, ...]


@dataclass(frozen=True)
class Notes:
    """The ticket notes, before rendering.

    Attributes:
        title: The heading line (with the time stamp and the ticket id).
        headline: The most likely layer in one line, shown under the title.
        sections: The parts, in the guides' order, then the samples.
    """

    title: str
    headline: str
    sections: tuple[NoteSection, ...]


def utc(when: datetime | None) -> str:
    """``when`` as ``YYYY-MM-DD HH:MM UTC`` (naive times are taken as UTC), or ``""``."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime(TIME_FORMAT)


def failed_recipient(a: Analysis) -> BounceRecipient | None:
    """The recipient whose failure a bounce sample is about (its deciding one, else its first)."""
    if a.bounce is None or not a.bounce.recipients:
        return None
    return a.bounce.deciding or a.bounce.recipients[0]


def exact_error(a: Analysis) -> str:
    """The exact error a sample shows, whole: a bounce's SMTP reply, else the hold or junk signal.

    Returns:
        The reply text as the bounce gives it (code and diagnostic), the quarantine or
        placement signal, or ``""`` when the sample shows no error.
    """
    rcpt = failed_recipient(a)
    if rcpt is not None:
        diagnostic = " ".join(rcpt.diagnostic.split())
        if rcpt.code and not diagnostic.startswith(rcpt.code.split()[0]):
            return f"{rcpt.code} {diagnostic}".strip()
        return diagnostic or rcpt.code
    return a.quarantine or ""


def failure_time(a: Analysis) -> datetime | None:
    """When the failure a sample shows happened: a bounce's own date, else the message's Date."""
    return a.sample.date


def guard_rail_lines(text: str) -> tuple[str, ...]:
    """The guard rail's warnings about a broad exception ``text`` proposes, each quoting it.

    One line per kind :func:`~mailtriage.checks.guardrails.broad_allow_warnings` finds (a
    whole domain or sending service allowed, an SCL -1 rule, a policy bypass): the words
    that proposed it, then what to tell the customer. Empty when nothing broad is proposed.
    """
    return tuple(f'"{w.quote}": {w.warning}' for w in broad_allow_warnings(text or ""))


def _text_lines(label: str, text: str, missing: str, depth: int = 0) -> list[NoteLine]:
    """A free-text ticket field as lines: one per line of text, or one saying what is missing."""
    parts = [p for p in (text or "").splitlines() if p.strip()]
    if not parts:
        return [NoteLine(label, missing, depth)]
    return [NoteLine(label, parts[0], depth)] + [NoteLine("", p, depth + 1) for p in parts[1:]]


def _ids(a: Analysis) -> list[NoteLine]:
    """Message-ID lines: a bounce's original first, labelled, then the bounce's own."""
    if a.bounce is None:
        return [NoteLine("Message-ID", a.sample.message_id or "-", 1)]
    return [
        NoteLine(ORIGINAL_ID_LABEL, a.original_message_id or "- (not returned)", 1),
        NoteLine(BOUNCE_ID_LABEL, a.sample.message_id or "-", 1),
    ]


def _sample_lines(a: Analysis, run: LiveRun | None, trace: str | None) -> list[NoteLine]:
    s = a.sample
    lines = [
        NoteLine("From", ", ".join(x.addr for x in s.from_) or "-", 1),
        NoteLine("To", ", ".join(x.addr for x in s.to) or "-", 1),
        NoteLine("Subject", s.subject or "-", 1),
        NoteLine("Date", s.date.isoformat() if s.date else s.date_raw or "-", 1),
        *_ids(a),
        NoteLine("Connecting IP", f"{a.connecting_ip or '-'}   Hops: {len(a.hops)}", 1),
    ]
    for r in a.recorded:
        methods = ", ".join(f"{m.method}={m.result}" for m in r.methods)
        lines.append(NoteLine(f"Recorded ({r.authserv_id or 'unknown host'})", methods, 1))
    if run is not None:
        for spec in run.specs:
            res = run.results.get(spec)
            state = f"{res.status} - {res.summary}" if res else unanswered(run.status)
            lines.append(NoteLine(f"Live DNS {spec.kind} {spec.domain}", state, 1))
    if a.timeline.verdict:
        lines.append(NoteLine("Route", a.timeline.verdict, 1))
    if a.quarantine:
        # A copy a mailbox filed (Junk Email too) was delivered: its signal is a placement.
        label = "Placement" if a.fate.delivered is True else "Quarantine signal"
        lines.append(NoteLine(label, a.quarantine, 1))
    if a.bounce is not None:
        for rcpt in a.bounce.recipients[:5]:
            code = rcpt.code or "no code"
            who = rcpt.recipient or "?"
            lines.append(
                NoteLine(f"Bounce ({a.bounce.format})", f"{who}: {code} {rcpt.category}", 1)
            )
            if rcpt.diagnostic:
                lines.append(NoteLine("Reply", " ".join(rcpt.diagnostic.split()), 1))
    if trace:
        lines.append(NoteLine("Microsoft 365 message trace", trace, 1))
    for f in a.findings:
        lines.append(NoteLine(f"Finding [{f.severity}] {f.layer}", f.title, 1))
    return lines


def _affected(ticket: Ticket | None) -> NoteSection:
    who = ticket.affected if ticket is not None else None
    rows = (
        ("Customer", who.customer if who else ""),
        ("User", who.user if who else ""),
        ("Device", who.device if who else ""),
        ("Site", who.site if who else ""),
    )
    return NoteSection("Affected", tuple(NoteLine(k, v or TO_FILL) for k, v in rows))


def _symptom(a: Analysis | None, ticket: Ticket | None) -> NoteSection:
    lines = _text_lines(
        "Reported", ticket.symptom if ticket else "", f"{TO_FILL} (the user's words)"
    )
    error = exact_error(a) if a is not None else ""
    lines.append(
        NoteLine(
            "Exact error",
            error or f"{TO_FILL}: none in the samples (paste the SMTP reply or the log line)",
        )
    )
    when = utc(failure_time(a)) if a is not None else ""
    lines.append(NoteLine("When (UTC)", when or f"{TO_FILL}: the time of the failure"))
    return NoteSection("Symptom", tuple(lines))


def _scope(
    analyses: Sequence[Analysis | None],
    comparison: Comparison | None,
    diff: Sequence[DiffRow],
    ticket: Ticket | None,
) -> NoteSection:
    lines = _text_lines(
        "Scope tested",
        ticket.scope if ticket else "",
        f"{TO_FILL} (who else, which senders, which sites)",
    )
    a, b = [*analyses, None, None][:2]
    if a is not None and b is not None:
        lines.append(
            NoteLine(
                "Comparison",
                f"A (blocked) {a.sample.source} vs B (delivered) {b.sample.source}",
            )
        )
    elif a is not None:
        lines.append(
            NoteLine(
                "Comparison",
                f"A (blocked) {a.sample.source} only: a delivered copy of a similar message "
                "is still needed",
            )
        )
    else:
        lines.append(NoteLine("Comparison", f"{TO_FILL}: no sample loaded"))
    if comparison is not None:
        layer = comparison.suspect_layer or "none: no difference explains a block"
        lines.append(NoteLine("Decision", f"suspect layer {layer}"))
        lines.append(NoteLine("A", comparison.outcome_a, 1))
        lines.append(NoteLine("B", comparison.outcome_b, 1))
    differing = [r for r in diff if r.differs]
    if differing:
        lines.append(NoteLine("", "Fields that differ (A blocked vs B delivered):"))
        lines += [NoteLine(f"{r.layer}: {r.field}", f"A={r.a} | B={r.b}", 1) for r in differing]
    return NoteSection("Scope tested and comparison used", tuple(lines))


def _logs(
    checklist: Sequence[ItemState],
    ticked: frozenset[str],
    traces: Sequence[str | None],
    ticket: Ticket | None,
) -> NoteSection:
    lines = _text_lines(
        "Checked",
        ticket.logs_checked if ticket else "",
        f"{TO_FILL} (the gateway's message log, the quarantine, the message trace)",
    )
    for i, trace in enumerate(traces[:2]):
        if trace:
            lines.append(NoteLine(f"Microsoft 365 message trace ({'AB'[i]})", trace))
    for kept in ticket.kept if ticket else ():
        first = next((p for p in kept.result.splitlines() if p.strip()), "")
        lines.append(NoteLine(f"Explained ({utc(kept.at)})", " ".join(kept.text.split())))
        if first:
            lines.append(NoteLine("", first.strip(), 1))
    ticked_at = {t.item: t.at for t in ticket.ticks} if ticket else {}
    done = [s for s in checklist if s.auto_done or s.item.id in ticked or s.item.id in ticked_at]
    if done:
        lines.append(NoteLine("", "Checklist items done:"))
    for s in done:
        when = f" (ticked {utc(ticked_at[s.item.id])})" if s.item.id in ticked_at else ""
        evidence = f" ({s.evidence})" if s.evidence else ""
        lines.append(NoteLine("[x]", f"{s.item.text}{when}{evidence}", 1))
    return NoteSection("Logs and portals checked", tuple(lines))


def most_likely_layer(
    analyses: Sequence[Analysis | None], comparison: Comparison | None
) -> str | None:
    """The layer the notes and the packet name: the comparison's, else the first sample's."""
    if comparison is not None and comparison.suspect_layer:
        return comparison.suspect_layer
    return next((a.layer for a in analyses if a is not None and a.layer), None)


def _cause(analyses: Sequence[Analysis | None], comparison: Comparison | None) -> NoteSection:
    layer = most_likely_layer(analyses, comparison)
    lines = [NoteLine("Most likely layer", layer or "not determined yet")]
    if comparison is not None and comparison.suspect_layer:
        lines += [NoteLine("Evidence", e) for e in comparison.evidence]
        lines.append(NoteLine("Next step", comparison.next_step))
    top = [f for a in analyses if a is not None for f in a.findings if f.severity == "high"]
    for f in top[:3]:
        lines.append(NoteLine("Finding", f.title))
        lines.append(NoteLine("Evidence", f.evidence, 1))
        lines.append(NoteLine("Next step", f.next_step, 1))
    return NoteSection("Root cause or most likely layer", tuple(lines))


def _fix(ticket: Ticket | None) -> tuple[NoteSection, NoteSection]:
    fix = _text_lines("Fix applied", ticket.fix if ticket else "", f"{TO_FILL} (none recorded)")
    fix += [NoteLine("Guard rail", w, 1) for w in guard_rail_lines(ticket.fix if ticket else "")]
    verdict = {True: "problem gone", False: "same symptom after the fix", None: ""}
    ok = verdict[ticket.verified_ok if ticket else None]
    text = ticket.verification if ticket else ""
    verify = _text_lines("Verification result", text, f"{TO_FILL} (not verified yet)")
    if ok:
        verify.append(NoteLine("Outcome", ok))
    return NoteSection("Fix applied", tuple(fix)), NoteSection("Verification", tuple(verify))


def build_notes(
    analyses: Sequence[Analysis | None],
    comparison: Comparison | None,
    runs: Sequence[LiveRun | None],
    checklist: Sequence[ItemState],
    ticket: Ticket | None = None,
    *,
    diff: Sequence[DiffRow] = (),
    ticked: frozenset[str] = frozenset(),
    now: datetime | None = None,
    traces: Sequence[str | None] = (),
) -> Notes:
    """Build the ticket notes (render them with :func:`notes_text` or :func:`notes_markdown`).

    Args:
        analyses: Slot A (blocked) and slot B (delivered) analyses (either may be ``None``).
        comparison: The two-copy decision (:func:`~mailtriage.checks.suspect.suspect`), or
            ``None`` when fewer than two samples are loaded.
        runs: The live runs of each slot.
        checklist: Checklist item states.
        ticket: The ticket whose fields fill what the samples cannot, or ``None``.
        diff: Diff rows when two samples were compared.
        ticked: Item ids ticked by hand (besides the ticket's ticks).
        now: Time stamp for the title (defaults to now, UTC).
        traces: Per slot, what an imported message trace says (optional).

    Returns:
        The notes, values whole.
    """
    title = f"mailtriage ticket notes - {utc(now or datetime.now(UTC))}"
    if ticket is not None:
        title += f" - ticket {ticket.id} ({ticket.state})"
    layer = most_likely_layer(analyses, comparison)
    a = analyses[0] if analyses else None
    ticked = ticked | (ticket.ticked if ticket else frozenset())
    fix, verify = _fix(ticket)
    sections = [
        _affected(ticket),
        _symptom(a, ticket),
        _scope(analyses, comparison, diff, ticket),
        _logs(checklist, ticked, traces, ticket),
        _cause(analyses, comparison),
        fix,
        verify,
    ]
    if ticket is not None and ticket.notes.strip():
        lines = _text_lines("", ticket.notes, "")
        lines += [NoteLine("Guard rail", w, 1) for w in guard_rail_lines(ticket.notes)]
        sections.append(NoteSection("Notes", tuple(lines)))
    tags = ("Sample A (blocked)", "Sample B (delivered)")
    for i, x in enumerate(analyses[:2]):
        if x is not None:
            run = runs[i] if i < len(runs) else None
            trace = traces[i] if i < len(traces) else None
            lines = [NoteLine("Source", x.sample.source), *_sample_lines(x, run, trace)]
            sections.append(NoteSection(tags[i], tuple(lines)))
    return Notes(title, f"Most likely layer: {layer or 'not determined yet'}", tuple(sections))


def _plain(line: NoteLine) -> str:
    pad = "  " * (line.depth + 1)
    if not line.label:
        return f"{pad}{printable(line.value)}"
    return f"{pad}{printable(line.label)}: {printable(line.value)}"


def notes_text(notes: Notes) -> str:
    """The notes as plain text: section titles flush left, lines indented, values whole."""
    out = [printable(notes.title), "", printable(notes.headline)]
    for section in notes.sections:
        out += ["", printable(section.title), *(_plain(x) for x in section.lines)]
    return "\n".join(out) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def md_escape(text: str) -> str:
    """``text`` made display-safe (:func:`printable`) and inert as Markdown (specials escaped)."""
    return _MD_SPECIAL.sub(r"\\\1", printable(text))


def _md(line: NoteLine) -> str:
    pad = "  " * line.depth
    if not line.label:
        return f"{pad}- {md_escape(line.value)}"
    return f"{pad}- **{md_escape(line.label)}:** {md_escape(line.value)}"


def notes_markdown(notes: Notes) -> str:
    """The notes as Markdown: a heading per section, a bullet per line, sample text escaped."""
    out = [f"# {md_escape(notes.title)}", "", f"**{md_escape(notes.headline)}**"]
    for section in notes.sections:
        out += ["", f"## {md_escape(section.title)}", "", *(_md(x) for x in section.lines)]
    return "\n".join(out) + "\n"


def ticket_notes(
    analyses: Sequence[Analysis | None],
    runs: Sequence[LiveRun | None],
    diff: Sequence[DiffRow],
    checklist: Sequence[ItemState],
    ticked: frozenset[str],
    now: datetime | None = None,
    traces: Sequence[str | None] = (),
    ticket: Ticket | None = None,
) -> str:
    """The plain-text ticket notes, as the dashboard's notes screen shows them.

    Args:
        analyses: Slot A (blocked) and slot B (delivered) analyses.
        runs: The live runs of each slot.
        diff: Diff rows when two samples were compared.
        checklist: Checklist item states.
        ticked: Item ids ticked by hand.
        now: Time stamp for the header (defaults to now, UTC).
        traces: Per slot, what an imported message trace says (optional).
        ticket: The ticket, when one is open.

    Returns:
        :func:`notes_text` of :func:`build_notes` (the comparison made here when both
        samples are loaded).
    """
    a, b = [*analyses, None, None][:2]
    comparison = suspect(a, b) if a is not None and b is not None else None
    notes = build_notes(
        analyses,
        comparison,
        runs,
        checklist,
        ticket,
        diff=diff,
        ticked=ticked,
        now=now,
        traces=traces,
    )
    return notes_text(notes)
