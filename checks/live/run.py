"""LiveRun: the state of one sample's live DNS re-check, as the UI and report see it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailtriage.checks.dns.resolver import QueryLogEntry
    from mailtriage.checks.live.around import Around
    from mailtriage.checks.live.auth import LiveAuth
    from mailtriage.checks.live.plan import LiveResult, LiveSpec


OFFLINE = "offline: live checks not run"
"""What every live result says when the app runs with ``--offline`` (no DNS at all)."""


def unanswered(status: str, short: bool = False) -> str:
    """Plain words for a live check that has no answer, from its run's status.

    The one wording of a missing live answer: the auth pane, the SPF tree, the
    checklist and the notes all say it this way.

    Args:
        status: The run's status (``running``, ``cancelled``, ``offline``, ``done``, ``idle``).
        short: The few words for one row of many (the run's status line says the rest).

    Returns:
        E.g. ``"still running"`` or ``"offline: live checks not run"``.
    """
    if short and status in ("offline", "cancelled"):
        return "not run (offline)" if status == "offline" else "cancelled"
    return {
        "running": "still running",
        "cancelled": "cancelled before it answered",
        "offline": OFFLINE,
        "done": "no answer",
    }.get(status, "not run yet")


def live_state(statuses: Sequence[str]) -> str:
    """One status for several samples' runs: running wins, then done, cancelled, offline.

    Args:
        statuses: The run status of each loaded sample.

    Returns:
        The status that says best whether live answers can still arrive.
    """
    for status in ("running", "done", "cancelled", "offline"):
        if status in statuses:
            return status
    return "idle"


@dataclass(frozen=True)
class LiveRun:
    """Progress of the live checks of one sample.

    Attributes:
        run_id: Increases with every (re)start; results from older runs are dropped.
        status: ``"idle"``, ``"running"``, ``"done"``, ``"cancelled"`` or ``"offline"``.
        specs: The planned lookups, in display order.
        results: Finished lookups keyed by spec.
        resolver: Label of the DNS server used, e.g. ``"127.0.0.1:5353"``.
        log: The DNS query log of this run so far.
        auth: The full re-evaluation (SPF against the sample's IP, DKIM, ARC, DMARC)
            once it has finished, else ``None``.
        around: Reverse DNS, recipient MX vs gateway, DNSBL, once finished.
    """

    run_id: int = 0
    status: str = "idle"
    specs: tuple[LiveSpec, ...] = ()
    results: dict[LiveSpec, LiveResult] = field(default_factory=dict)
    resolver: str = ""
    log: tuple[QueryLogEntry, ...] = ()
    auth: LiveAuth | None = None
    around: Around | None = None

    def with_result(self, result: LiveResult) -> LiveRun:
        """Return a copy with one more finished lookup."""
        return replace(self, results={**self.results, result.spec: result})

    @property
    def queries(self) -> int:
        """Number of DNS queries logged so far."""
        return len(self.log)

    def pending(self) -> tuple[LiveSpec, ...]:
        """Specs still waiting for an answer."""
        return tuple(s for s in self.specs if s not in self.results)

    def state_of(self, spec: LiveSpec) -> str:
        """Return ``found``/``missing``/``error`` or ``pending``/``cancelled``/``offline``."""
        if spec in self.results:
            return self.results[spec].status
        if self.status in ("cancelled", "offline"):
            return self.status
        return "pending"
