"""The ticket's content as frozen dataclasses (no I/O here; see :mod:`.store`).

A ticket gathers what the guides ask a technician to write down: who and what is
affected, the symptom with its exact error, the two samples compared, the checklist
with the time of each tick, the fix applied and how it was verified, and a snapshot
of the findings and of the comparison at the last save. Every change makes a new
``Ticket`` (``dataclasses.replace``); the store saves the whole of it atomically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SCHEMA_VERSION = 1
"""The ticket file format this version writes. A file with a higher number is
reported and never overwritten."""

SLOTS = ("A", "B")
"""Slot letters: A is the blocked (or bounced) copy, B the delivered one."""

STATES = ("open", "escalated", "resolved")
"""A ticket's state, as ``mailtriage tickets`` lists it."""


@dataclass(frozen=True)
class TicketSample:
    """One sample of the ticket, by file or by pasted text.

    Attributes:
        slot: ``"A"`` or ``"B"``.
        path: Absolute path of the file (with ``#N`` for a mailbox member), or ""
            when the sample was pasted.
        sha256: Hex digest of the file's bytes (or of the pasted text, UTF-8) when it
            was added; a file whose digest differs on resume is flagged as changed.
        pasted: The pasted text itself ("" for a file).
        added: When the sample was added (UTC).
    """

    slot: str
    path: str = ""
    sha256: str = ""
    pasted: str = ""
    added: datetime | None = None


@dataclass(frozen=True)
class Tick:
    """A checklist item ticked by hand, with the time it was ticked (UTC)."""

    item: str
    at: datetime


@dataclass(frozen=True)
class Affected:
    """Who and what the ticket is about (free text, each may be empty)."""

    customer: str = ""
    user: str = ""
    device: str = ""
    site: str = ""


@dataclass(frozen=True)
class KeptExplain:
    """An explain-box result the technician chose to keep with the ticket.

    Attributes:
        text: What was pasted (a log status, an SMTP reply, a bounce line).
        result: The explanation shown, as plain text.
        at: When it was kept (UTC).
    """

    text: str
    result: str
    at: datetime


@dataclass(frozen=True)
class Snapshot:
    """The analysis as it stood at the last save, so the ticket reads without the samples.

    Attributes:
        layer: The layer the comparison named ("" when it named none).
        decision: The comparison's one-line decision.
        next_step: Its next step.
        findings: One line per finding, per slot (``"A: ..."``).
        diff: One line per differing row (``"field: a | b"``).
        taken: When the snapshot was taken (UTC).
    """

    layer: str = ""
    decision: str = ""
    next_step: str = ""
    findings: tuple[str, ...] = ()
    diff: tuple[str, ...] = ()
    taken: datetime | None = None


@dataclass(frozen=True)
class Ticket:
    """One ticket.

    Attributes:
        id: The ticket id as the technician typed it (``T-1``, a PSA number...).
        created: When the ticket was created (UTC).
        changed: When it was last saved (UTC).
        kind: The ticket type, i.e. the id of the playbook in use.
        state: One of :data:`STATES`.
        affected: Customer, user, device, site.
        symptom: The symptom in the customer's words, with the exact error and time.
        scope: What was tested (who else, which senders, which sites).
        logs_checked: Logs and portals checked, and what they showed.
        changes: Recent changes (DNS, connectors, policies, migrations).
        volume: How many messages, users or sites are affected.
        notes: Free-text notes.
        fix: The fix applied ("" while none).
        verification: How the fix was verified and the result ("" while not yet).
        verified_ok: Whether the verification showed the problem gone (``None``: not
            verified yet; ``False``: the same symptom after the fix).
        samples: The samples, at most one per slot.
        ticks: Checklist items ticked by hand, with their times.
        kept: Explain-box results kept with the ticket.
        snapshot: The analysis at the last save.
    """

    id: str
    created: datetime
    changed: datetime
    kind: str = "general"
    state: str = "open"
    affected: Affected = field(default_factory=Affected)
    symptom: str = ""
    scope: str = ""
    logs_checked: str = ""
    changes: str = ""
    volume: str = ""
    notes: str = ""
    fix: str = ""
    verification: str = ""
    verified_ok: bool | None = None
    samples: tuple[TicketSample, ...] = ()
    ticks: tuple[Tick, ...] = ()
    kept: tuple[KeptExplain, ...] = ()
    snapshot: Snapshot = field(default_factory=Snapshot)

    def sample(self, slot: str) -> TicketSample | None:
        """The sample in ``slot`` (``"A"``/``"B"``), or ``None``."""
        return next((s for s in self.samples if s.slot == slot), None)

    @property
    def ticked(self) -> frozenset[str]:
        """Ids of the items ticked by hand."""
        return frozenset(t.item for t in self.ticks)
