"""Shared helpers for the UI tests: the real app, the real demo DNS server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from mailtriage.checks.dns.zoneserver import ZoneServer
from mailtriage.checks.model import Sample
from mailtriage.checks.ticket.model import Affected, Ticket
from mailtriage.checks.ticket.store import TicketStore
from mailtriage.tui.app import MailtriageApp
from mailtriage.tui.config import Config
from mailtriage.tui.demo.runtime import demo_samples

ROOT = Path(__file__).resolve().parents[1]
DEMO_ZONES = ROOT / "tui" / "demo" / "zones"
FIXED_NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


class TestApp(MailtriageApp):
    """The real app with a fixed clock, so notes and screenshots are reproducible."""

    __test__ = False

    def now(self) -> datetime:
        """A fixed time for ticket notes."""
        return FIXED_NOW

    @property
    def resolver_label(self) -> str:
        """The demo server's port changes every run; screenshots must not."""
        return "offline" if self.offline else "demo DNS on 127.0.0.1"


def demo_server(delay: float = 0.0, hang: Callable[[str, str], bool] | None = None) -> ZoneServer:
    """Start a real authoritative server on 127.0.0.1 serving the demo zones."""
    return ZoneServer(zone_dir=DEMO_ZONES, delay=delay, hang=hang).start()


def make_app(
    samples: Sequence[Sample | str | None] | None = None,
    server: ZoneServer | None = None,
    *,
    offline: bool = False,
    timeout: float = 1.0,
    deadline: float = 4.0,
    notes_dir: str = "",
    ticket: Ticket | None = None,
    store_dir: str | Path | None = None,
) -> TestApp:
    """Build the app over the demo samples (default) and a DNS server.

    With ``ticket``, the app works that ticket, saved under ``store_dir`` with the
    fixed clock (screenshots and snapshots stay the same run after run).
    """
    cfg = Config(timeout=timeout, deadline=deadline, show_timings=False, notes_dir=notes_dir)
    store = None
    if ticket is not None:
        store = TicketStore(store_dir or ".", clock=lambda: FIXED_NOW)
        store.save(ticket, touch=False)
    return TestApp(
        demo_samples() if samples is None else samples,
        config=cfg,
        nameserver=("127.0.0.1", server.port) if server else None,
        offline=offline or server is None,
        ticket=ticket,
        store=store,
    )


def demo_ticket(ticket_id: str = "T-1") -> Ticket:
    """A ticket as a technician would have filled it in for the demo samples.

    Its fix proposes a domain-wide allow, so the form shows the guard rail's warning.
    """
    return Ticket(
        ticket_id,
        created=FIXED_NOW,
        changed=FIXED_NOW,
        kind="general",
        affected=Affected("Contoso Ltd", "ap@contoso.example", "", "Leeds office"),
        symptom="Invoices from Fabrikam held since 09:10 UTC; no NDR to the sender",
        scope="two senders at Fabrikam, one recipient; other senders deliver",
        logs_checked="Proofpoint smart search: quarantined, rule Inbound-Spam",
        fix="Customer asks to allowlist the fabrikam.example domain",
        volume="about 12 messages since Monday",
    )


async def wait_for(pilot, cond: Callable[[], bool], timeout: float = 8.0) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``cond()`` holds (fails the test after ``timeout``)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.05)


def live_done(app: MailtriageApp) -> bool:
    """True once every loaded sample's live run has finished."""
    screen = app.screen_stack[0]
    if screen.refresh_pending:  # type: ignore[attr-defined]
        return False
    return all(
        run.status in ("done", "offline")
        for run, a in zip(screen.runs, screen.analyses, strict=True)  # type: ignore[attr-defined]
        if a is not None
    ) and any(a is not None for a in screen.analyses)  # type: ignore[attr-defined]
