"""LiveRun: the state of one sample's live DNS re-check, as the UI and report see it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailtriage.checks.dns.resolver import QueryLogEntry
    from mailtriage.checks.live.around import Around
    from mailtriage.checks.live.auth import LiveAuth
    from mailtriage.checks.live.plan import LiveResult, LiveSpec




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
