"""Merging two sessions' changes to one ticket, field by field (no I/O here).

When two sessions work the same ticket (``mailtriage serve`` hands it to several
browsers), each keeps the version it read (the *base*). At save, the store finds
whether someone else saved since; if so, :func:`merge` combines the two versions:

- A field only one side changed takes that side's value; both sides making the same
  change is no conflict.
- The same field changed differently on both sides is *refused*: the version already
  saved stays, and the local value is returned in :class:`Refused` so the session can
  show it and the technician can type it again. Nothing is lost silently.
- Checklist ticks and kept explanations are sets: what either side added is kept,
  what one side removed (and the other left alone) is removed.
- Each sample slot is one field. The analysis snapshot is recomputed by every
  session, so the local one wins without a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from mailtriage.checks.ticket.model import SLOTS, Affected, Ticket

TEXT_FIELDS = (
    "kind",
    "state",
    "symptom",
    "scope",
    "logs_checked",
    "changes",
    "volume",
    "notes",
    "fix",
    "verification",
    "verified_ok",
)
"""Ticket fields merged as one value each (a refused one keeps the saved value)."""

AFFECTED_FIELDS = tuple(f for f in Affected.__dataclass_fields__)
"""Fields of :class:`~.model.Affected`, merged one by one (``affected.customer``...)."""

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


@dataclass(frozen=True)
class Refused:
    """A field both sessions changed differently: the saved value stays.

    Attributes:
        field: The field's name (``fix``, ``affected.customer``, ``sample A``).
        mine: The local value that was not saved, as text.
        theirs: The value that stays saved, as text.
    """

    field: str
    mine: str
    theirs: str


@dataclass(frozen=True)
class Merged:
    """The outcome of a merge.

    Attributes:
        ticket: The merged ticket (to save).
        refused: The fields left at the saved value because both sides changed them.
    """

    ticket: Ticket
    refused: tuple[Refused, ...] = ()


def as_text(value: object) -> str:
    """A field's value as shown when it is refused (``yes``/``no``, a sample's path)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    path = getattr(value, "path", None)
    if isinstance(path, str):  # a TicketSample
        return path or "pasted text"
    return str(value)


def _field(name: str, base: _V, mine: _V, theirs: _V, refused: list[Refused]) -> _V:
    """One field's merged value; a conflict keeps ``theirs`` and is recorded."""
    if mine in (base, theirs):
        return theirs
    if theirs == base:
        return mine
    refused.append(Refused(name, as_text(mine), as_text(theirs)))
    return theirs


def merge_sets(
    base: Iterable[_V], mine: Iterable[_V], theirs: Iterable[_V], key: Callable[[_V], _K]
) -> tuple[_V, ...]:
    """Three-way merge of collections keyed by ``key``: additions of both sides kept,
    a removal by one side honoured. Order: ``theirs`` first, then ``mine``'s additions.

    Args:
        base: The collection both sides started from.
        mine: The local side.
        theirs: The side saved meanwhile.
        key: Identity of an element (a tick's item id).
    """
    b = {key(x) for x in base}
    m = {key(x): x for x in mine}
    out: dict[_K, _V] = {}
    for x in theirs:
        k = key(x)
        if k in m or k not in b:  # kept by both, or added by them
            out.setdefault(k, x)
    for k, x in m.items():
        if k not in b:  # added here
            out.setdefault(k, x)
    return tuple(out.values())


def merge(base: Ticket, mine: Ticket, theirs: Ticket) -> Merged:
    """Merge the local version of a ticket with the one saved meanwhile.

    Args:
        base: The version this session read (both sides started from it).
        mine: This session's version.
        theirs: The version on disk now (another session saved it).

    Returns:
        The merged ticket and the fields refused (both sides changed them).
    """
    refused: list[Refused] = []
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        values[name] = _field(
            name, getattr(base, name), getattr(mine, name), getattr(theirs, name), refused
        )
    affected = {
        name: _field(
            f"affected.{name}",
            getattr(base.affected, name),
            getattr(mine.affected, name),
            getattr(theirs.affected, name),
            refused,
        )
        for name in AFFECTED_FIELDS
    }
    samples = []
    for slot in SLOTS:
        chosen = _field(
            f"sample {slot}", base.sample(slot), mine.sample(slot), theirs.sample(slot), refused
        )
        if chosen is not None:
            samples.append(chosen)
    ticks = merge_sets(base.ticks, mine.ticks, theirs.ticks, key=lambda t: t.item)
    kept = merge_sets(base.kept, mine.kept, theirs.kept, key=lambda k: (k.text, k.result, k.at))
    snapshot = mine.snapshot if mine.snapshot != base.snapshot else theirs.snapshot
    ticket = replace(
        theirs,
        **values,
        affected=Affected(**affected),
        samples=tuple(samples),
        ticks=ticks,
        kept=kept,
        snapshot=snapshot,
        changed=max(mine.changed, theirs.changed),
    )
    return Merged(ticket, tuple(refused))


def field_value(ticket: Ticket, name: str) -> object:
    """The value of a merged field by its :class:`Refused` name.

    Args:
        ticket: Any ticket.
        name: ``fix``, ``notes``, ``affected.customer``, ``sample A``...

    Raises:
        KeyError: Not a field :func:`merge` names.
    """
    if name in TEXT_FIELDS:
        return getattr(ticket, name)
    if name.startswith("affected.") and name[9:] in AFFECTED_FIELDS:
        return getattr(ticket.affected, name[9:])
    if name.startswith("sample ") and name[7:] in SLOTS:
        return ticket.sample(name[7:])
    raise KeyError(name)


def keep_fields(target: Ticket, source: Ticket, names: Iterable[str]) -> Ticket:
    """``target`` with the named fields taken from ``source``.

    A session keeps a field it is editing when another session's save clashed with
    it: the saves it sends carry the saved value (``keep_fields(local, saved, held)``)
    so the local text is never written over theirs unasked, while the ticket it shows
    keeps the local text (``keep_fields(saved, local, held)``) so nothing typed is lost.

    Args:
        target: The ticket to change.
        source: Where the named fields' values come from.
        names: Field names as in :class:`Refused` (``sample A`` slots included).

    Raises:
        KeyError: A name :func:`merge` does not use.
    """
    values: dict[str, Any] = {}
    affected: dict[str, Any] = {}
    slots: dict[str, Any] = {}
    for name in names:
        value = field_value(source, name)
        if name in TEXT_FIELDS:
            values[name] = value
        elif name.startswith("affected."):
            affected[name[9:]] = value
        else:
            slots[name[7:]] = value
    if not (values or affected or slots):
        return target
    if affected:
        values["affected"] = replace(target.affected, **affected)
    if slots:
        chosen = [slots[s] if s in slots else target.sample(s) for s in SLOTS]
        values["samples"] = tuple(x for x in chosen if x is not None)
    return replace(target, **values)


def refusals(mine: Ticket, kept: Ticket, names: Iterable[str]) -> tuple[Refused, ...]:
    """The named fields' local texts (from ``mine``) beside the values that stay (``kept``).

    Raises:
        KeyError: A name :func:`merge` does not use.
    """
    return tuple(
        Refused(f, as_text(field_value(mine, f)), as_text(field_value(kept, f))) for f in names
    )
