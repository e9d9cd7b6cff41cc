"""The ticket store as the app and the ticket commands use it.

The store lives in the data directory (:func:`mailtriage.tui.config.data_dir`:
``MAILTRIAGE_DATA``, else the XDG data directory), beside the saved notes. Loading a
ticket's samples goes through the same loaders as a sample named on the command line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from mailtriage.checks.message.loader import PASTED_PREFIX, SampleError, load_text
from mailtriage.checks.message.mbox import MboxListing, load_or_list
from mailtriage.checks.model import Sample
from mailtriage.tui.config import config_path, data_dir

if TYPE_CHECKING:
    from mailtriage.checks.analysis import Analysis
    from mailtriage.checks.diff import DiffRow
    from mailtriage.checks.playbook import ItemState, Playbook
    from mailtriage.checks.suspect import Comparison
    from mailtriage.checks.ticket.model import Ticket, TicketSample
    from mailtriage.checks.ticket.store import TicketStore



def open_store() -> TicketStore:
    """The ticket store in the data directory (:func:`mailtriage.tui.config.data_dir`)."""
    from mailtriage.checks.ticket.store import TicketStore  # not needed for the first paint

    return TicketStore(data_dir())


def inside(root: str, path: str) -> str | None:
    """Where ``path`` leads if that is inside the folder ``root``; ``None`` if it escapes.

    A served session opens files only in its ticket's folder. ``path`` may be
    relative (to ``root``); symbolic links and ``..`` are resolved before the check,
    so neither leads out. A mailbox member (``FILE#N``) is checked as FILE.

    Args:
        root: The folder allowed.
        path: What was typed or given.

    Returns:
        The resolved path (``#N`` kept), or ``None`` when it is outside ``root``.
    """
    base, member = path, ""
    head, sep, n = path.rpartition("#")
    if sep and n.isdigit() and not os.path.exists(os.path.join(root, path)):
        base, member = head, f"#{n}"
    top = os.path.realpath(root)
    full = os.path.realpath(os.path.join(top, base))
    if os.path.commonpath([top, full]) == top:
        return full + member
    return None


def is_sample_file(source: str) -> bool:
    """Whether a sample's source names a file (``FILE#N`` names FILE), not stdin or a label."""
    if source == "-":
        return False
    base = source.rsplit("#", 1)[0] if "#" in source and not os.path.isfile(source) else source
    return os.path.isfile(base)


def pasted_sample(slot: int, entry: TicketSample) -> Sample:
    """Parse a ticket's pasted text again as the sample of ``slot`` (0 = A), as the paste box did.

    Raises:
        SampleError: The text is not an email.
    """
    from mailtriage.checks.ticket.model import SLOTS  # the ticket's modules wait for a ticket

    when = f" at {entry.added:%H:%M %Z}" if entry.added else ""
    return load_text(entry.pasted, f"{PASTED_PREFIX}{SLOTS[slot]}{when}".rstrip())


def load_samples(ticket: Ticket) -> tuple[list[Sample | str | None], list[str]]:
    """The ticket's samples in slot order, and one-line warnings.

    A file sample whose bytes changed since it was added, or which is gone, is
    loaded as it is now (or left empty) and flagged in the warnings. A mailbox
    path without ``#N`` stays a path, for the dashboard's picker.
    """
    from mailtriage.checks.ticket.model import SLOTS
    from mailtriage.checks.ticket.store import sample_changed

    out: list[Sample | str | None] = [None, None]
    warnings: list[str] = []
    for n, slot in enumerate(SLOTS):
        s = ticket.sample(slot)
        if s is None:
            continue
        if not s.path:
            try:
                out[n] = pasted_sample(n, s)
            except SampleError as exc:
                warnings.append(f"{slot}: the pasted text no longer loads: {exc}")
            continue
        why = sample_changed(s)
        if why == "changed":
            warnings.append(f"{slot}: {s.path} changed on disk since it was added to the ticket")
        elif why == "missing":
            warnings.append(f"{slot}: {s.path} is missing or unreadable")
            continue
        try:
            loaded = load_or_list(s.path)
        except SampleError as exc:
            warnings.append(f"{slot}: {exc}")
            continue
        out[n] = s.path if isinstance(loaded, MboxListing) else loaded
    return out, warnings


def with_sample(
    ticket: Ticket, slot: int, now: datetime, *, path: str = "", pasted: str = ""
) -> Ticket:
    """The ticket with slot ``slot``'s sample replaced by a file path or pasted text.

    A relative path is made absolute, so the ticket resumes from any directory.
    """
    from mailtriage.checks.ticket.model import SLOTS, TicketSample
    from mailtriage.checks.ticket.store import file_digest, text_digest

    letter = SLOTS[slot]
    if path and path != "-":
        base = path.rsplit("#", 1)[0] if "#" in path and not os.path.exists(path) else path
        if os.path.exists(base):
            path = os.path.abspath(base) + path[len(base) :]
        digest = file_digest(path) or ""
        entry = TicketSample(letter, path=path, sha256=digest, added=now)
    else:
        entry = TicketSample(letter, pasted=pasted, sha256=text_digest(pasted), added=now)
    kept = tuple(s for s in ticket.samples if s.slot != letter)
    return replace(ticket, samples=tuple(sorted((*kept, entry), key=lambda s: s.slot)))


def swapped(ticket: Ticket) -> Ticket:
    """The ticket with samples A and B exchanged."""
    other = {"A": "B", "B": "A"}
    return replace(
        ticket,
        samples=tuple(
            sorted((replace(s, slot=other[s.slot]) for s in ticket.samples), key=lambda s: s.slot)
        ),
    )


@dataclass(frozen=True)
class Worked:
    """A ticket's samples analysed offline, as the headless commands need them.

    Attributes:
        analyses: Slot A and B analyses (``None`` for an empty slot).
        diff: Diff rows when both slots hold a sample.
        comparison: The two-copy decision when both slots hold a sample.
        states: The checklist of the ticket's type, evaluated.
        warnings: One line per sample that changed, went missing or failed to load.
    """

    analyses: tuple[Analysis | None, Analysis | None]
    diff: tuple[DiffRow, ...]
    comparison: Comparison | None
    states: tuple[ItemState, ...]
    warnings: tuple[str, ...]


def work(ticket: Ticket, playbook: Playbook | None = None) -> Worked:
    """Load and analyse a ticket's samples offline (no DNS), as the dashboard would.

    Args:
        ticket: The ticket.
        playbook: The checklist; ``None`` takes the ticket type's (MSP files included).
    """
    from mailtriage.checks.analysis import analyse
    from mailtriage.checks.diff import compared, diff_samples
    from mailtriage.checks.playbook import evaluate, load_playbooks
    from mailtriage.checks.suspect import suspect

    samples, warnings = load_samples(ticket)
    analyses = tuple(analyse(s) if isinstance(s, Sample) else None for s in samples)
    a, b = analyses[0], analyses[1]
    rows: tuple[DiffRow, ...] = ()
    decision = None
    if a is not None and b is not None:
        (sa, sb), _ = compared(a, b)
        rows = tuple(diff_samples(sa, sb))
        decision = suspect(a, b)
    if playbook is None:
        playbook = load_playbooks(config_path().parent).for_kind(ticket.kind)
    loaded = [x for x in analyses if x is not None]
    states = evaluate(playbook, loaded, (), "offline")
    return Worked((a, b), rows, decision, states, tuple(warnings))


def worked_notes(ticket: Ticket, fmt: str) -> tuple[str, tuple[str, ...]]:
    """The ticket's notes (``md`` or ``txt``), built from its samples analysed offline,
    and the warnings about its samples (changed on disk, missing)."""
    from mailtriage.checks.notes import build_notes, notes_markdown, notes_text

    w = work(ticket)
    notes = build_notes(w.analyses, w.comparison, (), w.states, ticket, diff=w.diff)
    return (notes_markdown(notes) if fmt == "md" else notes_text(notes)), w.warnings
