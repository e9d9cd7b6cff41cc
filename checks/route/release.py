"""Release and re-injection hops: a gateway re-sending a message it held.

A filtering gateway that releases a held message re-sends it through itself:
Proofpoint writes a Received hop ``from pps.reinject (localhost [127.0.0.1])``
by its own host (the names are in :mod:`mailtriage.checks.vendors`,
``reinject_hosts``). What matters for a missing message is whether any hop by
another system (the mailbox service) follows the re-injection: if none does,
the release did not reach the next server as far as the headers show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mailtriage.checks.route.hops import Hop
from mailtriage.checks.vendors import reinject_vendor


@dataclass(frozen=True)
class Reinjection:
    """A gateway's re-injection hop and what came after it.

    Attributes:
        index: Index of the re-injection hop (hops oldest first).
        vendor: The product that re-injected it, e.g. ``"Proofpoint"``.
        next_index: Index of the first later hop written by another system, or
            ``None`` when nothing follows (no hand-off after the release).
        next_system: That hop's system, e.g. ``"Microsoft EOP"``, or ``None``.
    """

    index: int
    vendor: str
    next_index: int | None
    next_system: str | None

    @property
    def handed_on(self) -> bool:
        """Whether another system received the message after the re-injection."""
        return self.next_index is not None


def reinjection(hops: Sequence[Hop], systems: Sequence[str | None]) -> Reinjection | None:
    """Find the newest re-injection hop and the first hop by another system after it.

    Args:
        hops: Received hops, oldest first.
        systems: The system that wrote each hop (the timeline's ``systems``).

    Returns:
        The re-injection, or ``None`` when no hop comes from a re-injection host.
    """
    found = [(i, v) for i, h in enumerate(hops) if (v := reinject_vendor(h.from_host)) is not None]
    if not found:
        return None
    i, vendor = found[-1]
    own = systems[i] if i < len(systems) else None
    mine = {vendor.name, own} - {None}
    nxt = next(
        (j for j in range(i + 1, len(hops)) if j < len(systems) and systems[j] not in mine),
        None,
    )
    return Reinjection(i, vendor.name, nxt, systems[nxt] if nxt is not None else None)
