"""MailtriageApp: wires configuration, DNS and the playbook to the dashboard screen."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mailtriage.checks.model import Sample
from mailtriage.checks.text import printable
from mailtriage.tui.commands import ActionCommands
from mailtriage.tui.config import Config, make_resolver
from mailtriage.tui.screens.dashboard import DashboardScreen
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer

if TYPE_CHECKING:
    import os

    from mailtriage.checks.dns.resolver import Resolver
    from mailtriage.checks.playbook import Playbook, Playbooks
    from mailtriage.checks.ticket.model import Ticket
    from mailtriage.checks.ticket.store import TicketStore


SAVE_DELAY = 0.3
"""Seconds a change of the ticket waits for the next one before it is written."""


class MailtriageApp(App[None]):
    """The mailtriage terminal dashboard."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "mailtriage"
    COMMANDS = App.COMMANDS | {ActionCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="Quit mailtriage"),
    ]

    def __init__(
        self,
        samples: Sequence[Sample | str | None] = (),
        *,
        config: Config | None = None,
        nameserver: tuple[str, int] | Callable[[], tuple[str, int]] | None = None,
        offline: bool = False,
        playbook: Playbook | None = None,
        trace: str = "",
        ticket: Ticket | None = None,
        store: TicketStore | None = None,
        playbooks: Playbooks | None = None,
        playbook_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        """Create the app.

        Args:
            samples: Up to two samples (loaded Sample or path), A then B; ``None``
                leaves that slot empty (a sample the CLI could not open).
            config: Settings; defaults when ``None``.
            nameserver: ``(host, port)`` for live DNS, or a callable returning it on
                first use (the demo server starts lazily); ``None`` = system resolvers.
            offline: Never run live DNS checks (the CLI folds ``config.offline`` in).
            playbook: One checklist playbook for every ticket type (tests); ``None``
                uses ``playbooks``, by the ticket's type.
            trace: Path of a Microsoft 365 message trace export to import at start.
            ticket: The open ticket (``mailtriage --ticket ID``), saved to ``store`` on
                every change; ``None`` works without a ticket.
            store: Where the ticket is saved.
            playbooks: Every ticket type's playbook; when ``None``, the packaged ones
                and the MSP's files in ``playbook_dir``, read on first use (after the
                first paint), their problems shown as warnings.
            playbook_dir: The configuration folder whose ``playbooks/`` holds the MSP's
                playbook files (the CLI passes it); ``None``: packaged ones only.
        """
        super().__init__()
        self.config = config or Config()
        self.initial_samples = tuple(samples)
        self.nameserver = nameserver
        self.offline = offline
        self.fixed_playbook = playbook
        self._playbooks = playbooks
        self._playbook_dir = playbook_dir
        self.initial_trace = trace
        self.initial_errors: tuple[str, ...] = ()  # samples the CLI could not open, to show
        self.initial_warnings: tuple[str, ...] = ()  # e.g. a ticket's sample changed on disk
        self.ticket = ticket
        self._save_timer: Timer | None = None
        self.ticket_created = False  # a new ticket: the dashboard offers the ticket form first
        self.store = store
        self._save_lock = threading.Lock()
        self._generation = 0  # bumped by each change of the ticket in memory
        self._saved_generation = 0
        self.watch_dir = ""  # --watch: a drop folder whose new files are offered as A or B
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme

    @property
    def playbooks(self) -> Playbooks:
        """Every ticket type's playbook, read on first use; unusable MSP files are warned of."""
        if self._playbooks is None:
            from mailtriage.checks.playbook import load_playbooks

            self._playbooks = load_playbooks(self._playbook_dir)
            for problem in self._playbooks.problems:
                self.notify(
                    printable(f"playbook file {problem}", 300),
                    title="Ticket",
                    severity="warning",
                    markup=False,
                )
        return self._playbooks

    @property
    def kinds(self) -> tuple[tuple[str, str], ...]:
        """Each ticket type's id and title, in picker order."""
        return tuple((pb.id, pb.title) for pb in self.playbooks.values())

    @property
    def playbook(self) -> Playbook:
        """The checklist in use: the ticket type's playbook (the general one without a ticket)."""
        if self.fixed_playbook is not None:
            return self.fixed_playbook
        return self.playbooks.for_kind(self.ticket.kind if self.ticket else "general")

    @property
    def resolver_label(self) -> str:
        """Where live DNS queries go, for display."""
        if self.offline:
            return "offline"
        if callable(self.nameserver):
            return "demo DNS on 127.0.0.1"  # naming it must not start it
        server = self.nameserver
        return f"{server[0]}:{server[1]}" if server else "system resolver"

    def _server(self) -> tuple[str, int] | None:
        ns = self.nameserver
        return ns() if callable(ns) else ns

    def make_resolver(self) -> Resolver:
        """Return a fresh resolver (own cache and deadline) for one live run.

        May block (the demo DNS server starts on first use): call it off the UI loop.
        """
        return make_resolver(self._server(), self.config)

    def now(self) -> datetime:
        """Current time in UTC (ticket notes are stamped with it)."""
        return datetime.now(UTC)

    def change_ticket(self, ticket: Ticket) -> None:
        """Make ``ticket`` the open ticket and save it in the background.

        The change is in memory at once; the write (temporary file, fsync, rename)
        runs in a thread so a slow disk never stalls the keys. Saves are serialised
        and only the newest state is written.
        """
        if self.ticket is None or ticket == self.ticket:
            return
        self.ticket = replace(ticket, changed=self.now())
        self._generation += 1
        if self._save_timer is not None:
            self._save_timer.stop()  # typing: one write when the keys pause
        self._save_timer = self.set_timer(SAVE_DELAY, self._save_in_background)

    def _save_in_background(self) -> None:
        self.run_worker(
            self.save_ticket, name="save ticket", group="ticket-save", exit_on_error=False,
            thread=True,
        )  # fmt: skip

    def start_ticket(self, ticket_id: str) -> Ticket:
        """Create or resume ticket ``ticket_id`` from inside the app (no ``--ticket`` given).

        Raises:
            TicketError: The id is invalid or the ticket file cannot be used.
        """
        from mailtriage.tui.tickets import open_store

        store = open_store()
        ticket, self.ticket_created = store.open(ticket_id)
        self.store, self.ticket = store, ticket
        return ticket

    def save_ticket(self) -> bool:
        """Write the newest in-memory ticket if it is not on disk yet (thread-safe).

        Returns:
            Whether the ticket on disk is now the newest; a failure is notified.
        """
        with self._save_lock:
            generation, ticket = self._generation, self.ticket
            if ticket is None or self.store is None or generation == self._saved_generation:
                return True
            from mailtriage.checks.ticket.store import TicketError

            try:
                self.store.save(ticket, touch=False)
            except TicketError as exc:
                self._notify_anywhere(str(exc))
                return False
            self._saved_generation = generation
            return True

    def _notify_anywhere(self, message: str) -> None:
        text = f"Ticket not saved: {printable(message, 300)}"
        if threading.get_ident() == self._thread_id:
            self.notify(text, severity="error", markup=False)
        else:
            self.call_from_thread(self.notify, text, severity="error", markup=False)

    async def action_quit(self) -> None:
        """Quit, after the ticket's last change is on disk."""
        self.save_ticket()
        self.exit()

    def get_default_screen(self) -> Screen[None]:
        """The dashboard is the app's base screen."""
        return DashboardScreen()
