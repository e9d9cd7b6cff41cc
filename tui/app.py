"""MailtriageApp: wires configuration, DNS and the playbook to the dashboard screen."""

from __future__ import annotations

import contextlib
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
from mailtriage.tui.liveloop import quick_switches
from mailtriage.tui.screens.dashboard import DashboardScreen
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer

if TYPE_CHECKING:
    import os

    from mailtriage.checks.dns.resolver import Flights, Resolver
    from mailtriage.checks.playbook import Playbook, Playbooks
    from mailtriage.checks.ticket.merge import Refused
    from mailtriage.checks.ticket.model import Ticket
    from mailtriage.checks.ticket.store import Stored, TicketStore


def shown_text(text: str, lines: int = 12) -> str:
    """A refused text for a notification: its lines kept (never markup, controls escaped)."""
    parts = text.split("\n")
    more = len(parts) - lines
    shown = "\n".join(printable(part, 300) for part in parts[:lines])
    return shown + (f"\n… {more} more lines (ctrl+e)" if more > 0 else "")


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

    REFUSED_TITLE = "Edits refused (another session changed them)"

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
        quick_switches()  # Textual's output thread and the live loop get the lock back soon
        self.config = config or Config()
        self.initial_samples = tuple(samples)
        self.nameserver = nameserver
        self._flights: Flights | None = None  # made on the live loop, on first use
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
        self.ticket_base: Stored | None = None
        """The ticket as last read or saved, with its file's stamp: a save merges with
        whatever another session saved since (``mailtriage serve``)."""
        self.served_root = ""
        """Served to a browser: the ticket's folder, the only place files are opened from."""
        self.refused: tuple[Refused, ...] = ()
        """Edits another session's save refused, newest last, so they can be typed again:
        each with the local text as it was the moment the saved value replaced it."""
        self._quit_warned = False
        self.held: frozenset[str] = frozenset()
        """Fields whose local text clashed with another session's save while being edited
        here: kept in the form and in :attr:`ticket`, but not saved until the technician
        keeps it (:meth:`keep_mine`) or takes the saved value (:meth:`take_theirs`)."""
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

        The resolvers of the app's runs share their lookups in flight (the two copies'
        runs ask many of the same names at once). May block (the demo DNS server starts
        on first use): call it off the UI loop, on the live checks' loop.
        """
        from mailtriage.checks.dns.resolver import Flights

        if self._flights is None:
            self._flights = Flights()
        return make_resolver(self._server(), self.config, self._flights)

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
        base, self.ticket_created = store.open_stored(ticket_id)
        self.store, self.ticket, self.ticket_base = store, base.ticket, base
        self.follow_ticket()
        return base.ticket

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

            base = self.ticket_base
            saved = merged = None
            try:
                if base is None or base.ticket.id != ticket.id:
                    self.store.save(ticket, touch=False)
                else:
                    if self.held:  # never written over the other session's text unasked
                        from mailtriage.checks.ticket.merge import keep_fields

                        ticket = keep_fields(ticket, base.ticket, self.held)
                    saved, merged = self.store.save_merged(base, ticket)
                    self.ticket_base = saved
            except TicketError as exc:
                self._notify_anywhere(str(exc))
                return False
            self._saved_generation = generation
            if saved is not None and merged is not None and saved.ticket != ticket:
                self._on_ui(self.adopt_saved, ticket, saved.ticket, merged.refused)
            return True

    def _on_ui(self, fn: Callable[..., object], *args: object, **kwargs: object) -> None:
        """Run ``fn`` on the app's loop (now when already on it); not once the app ended."""
        if not self.is_running:
            return
        if threading.get_ident() == self._thread_id:
            fn(*args, **kwargs)
        else:
            with contextlib.suppress(RuntimeError):  # the app stopped meanwhile
                self.call_from_thread(fn, *args, **kwargs)

    def adopt_saved(self, sent: Ticket, saved: Ticket, refused: tuple[Refused, ...]) -> None:
        """Take another session's changes that a save merged in (on the app's loop).

        Changes made here since ``sent`` was handed to the save are kept on top. For a
        field both sessions changed (``refused``, or changed here again meanwhile), the
        rule is that no keystroke is lost silently:

        - the field being edited here (focused in the ticket form) is not replaced
          under the technician: its text stays, is *held* (not saved), and a warning
          says so; ``ctrl+e`` shows both texts and takes one;
        - any other such field takes the saved value, and the local text it had at
          that moment is kept in :attr:`refused` and shown (``ctrl+e`` again).

        Args:
            sent: The version this session saved.
            saved: The version now on disk (the merge).
            refused: Fields both sessions changed; the other session's value stayed.
        """
        from mailtriage.checks.ticket.merge import field_value, keep_fields, merge, refusals

        current = self.ticket
        if current is None or current.id != saved.id:
            return
        clashes = [r.field for r in refused]
        if current == sent:
            new = saved
        else:
            late = merge(sent, current, saved)
            new = late.ticket
            clashes += [r.field for r in late.refused if r.field not in clashes]
        editing = self._field_in_edit()
        newly = [f for f in clashes if f == editing and f not in self.held]
        self.held = self.held | set(newly)
        new = keep_fields(new, current, self.held)
        replaced = [f for f in clashes if f not in self.held]
        lost = refusals(
            current, new, (f for f in replaced if field_value(current, f) != field_value(new, f))
        )
        self._show_ticket(current, new, set(replaced))
        for f in newly:
            self.notify(
                f"{f}: another session saved a different text while you typed. Yours stays "
                "in the field but is NOT saved: ctrl+e shows both, then k keeps yours or "
                "t takes theirs.",
                title="Ticket: edit not saved",
                severity="warning",
                markup=False,
                timeout=30,
            )
        self._record_refused(lost)

    def _record_refused(self, lost: Sequence[Refused]) -> None:
        """Keep and show local texts that the saved value replaced."""
        if not lost:
            return
        self.refused = (*self.refused, *lost)[-20:]
        for r in lost:
            self.notify(
                f"{printable(r.field, 80)}: another session changed it too; theirs was kept. "
                f"Your text (ctrl+e shows it again):\n{shown_text(r.mine)}",
                title="Ticket: edit not saved",
                severity="warning",
                markup=False,
                timeout=30,
            )

    def _field_in_edit(self) -> str | None:
        """The ticket field focused in the active screen (the ticket form), if any."""
        with contextlib.suppress(Exception):  # no screen yet, or being torn down
            editing = getattr(self.screen, "field_in_edit", None)
            if callable(editing):
                name = editing()
                return name if isinstance(name, str) else None
        return None

    def keep_mine(self) -> None:
        """Save the held fields' local text over the other session's (asked for)."""
        if not self.held or self.ticket is None:
            return
        self.held = frozenset()
        self._show_ticket(self.ticket, self.ticket, set())
        self._generation += 1
        self._save_in_background()

    def take_theirs(self) -> None:
        """Replace the held fields' local text with the saved one; the local text is
        kept in :attr:`refused` (``ctrl+e``)."""
        from mailtriage.checks.ticket.merge import keep_fields, refusals

        current, base, held = self.ticket, self.ticket_base, self.held
        if not held or current is None or base is None:
            return
        self.held = frozenset()
        new = keep_fields(current, base.ticket, held)
        self.refused = (*self.refused, *refusals(current, new, sorted(held)))[-20:]
        self._show_ticket(current, new, set(held))

    def refused_lines(self) -> list[str]:
        """What ``ctrl+e`` shows: held fields (both texts), then replaced local texts."""
        from mailtriage.checks.ticket.merge import refusals

        def both(r: Refused, mine: str, theirs: str) -> list[str]:
            return [
                r.field,
                f"  {mine}:",
                *("    " + x for x in r.mine.split("\n")),
                f"  {theirs}:",
                *("    " + x for x in r.theirs.split("\n")),
                "",
            ]

        text: list[str] = []
        base, current = self.ticket_base, self.ticket
        if self.held and base is not None and current is not None:
            text += ["Not saved yet (k keeps yours over theirs, t takes theirs):", ""]
            for r in refusals(current, base.ticket, sorted(self.held)):
                text += both(r, "yours (in the form)", "theirs (saved)")
        if self.refused:
            text += ["Replaced by another session's save (type again if still wanted):", ""]
        for r in self.refused:
            text += both(r, "yours (not saved)", "saved")
        return text

    def action_refused_edits(self) -> None:
        """Show the ticket edits another session's save refused: to keep, take or retype."""
        if not self.refused and not self.held:
            self.notify("No edit was refused: every change of yours is saved.", markup=False)
            return
        from mailtriage.tui.screens.refused import RefusedScreen

        self.push_screen(RefusedScreen(self.REFUSED_TITLE, self.refused_lines(), bool(self.held)))

    def _show_ticket(self, before: Ticket, after: Ticket, refused: set[str]) -> None:
        """Make ``after`` the open ticket and let each screen show what changed."""
        self.ticket = after
        for screen in self.screen_stack:
            shown = getattr(screen, "ticket_reloaded", None)
            if callable(shown):
                shown(before, after, refused)

    def follow_ticket(self) -> None:
        """Watch the ticket's file: another session's save is shown here at once."""
        store, base = self.store, self.ticket_base
        if store is None or base is None or not self.is_running:
            return
        target = store.path(base.ticket.id)

        async def job() -> None:
            from watchfiles import awatch

            def only_target(_change: object, changed: str) -> bool:
                return Path(changed).name == target.name

            target.parent.mkdir(parents=True, exist_ok=True)
            async for _ in awatch(
                target.parent, watch_filter=only_target, debounce=150, recursive=False
            ):
                self.ticket_file_changed()

        self.run_worker(job(), name="follow ticket", group="follow-ticket", exclusive=True,
                        exit_on_error=False)  # fmt: skip

    def ticket_file_changed(self) -> None:
        """The ticket file changed on disk: merge in (or simply take) another session's save."""
        if self._generation != self._saved_generation:
            self._save_in_background()  # unsaved edits here: the save merges both
            return
        generation = self._generation

        def read() -> None:
            from mailtriage.checks.ticket.store import TicketError

            with self._save_lock:
                base, store = self.ticket_base, self.store
                if base is None or store is None:
                    return
                try:
                    now = store.read(base.ticket.id)
                except TicketError:
                    return  # a save will report it
            if now.stamp != base.stamp:
                self._on_ui(self._adopt_disk, now, generation)

        self.run_worker(read, name="reload ticket", group="reload-ticket", thread=True,
                        exit_on_error=False)  # fmt: skip

    def _adopt_disk(self, now: Stored, generation: int) -> None:
        current = self.ticket
        if current is None or generation != self._generation:
            return  # edited meanwhile: the next save merges against the older base
        with self._save_lock:
            self.ticket_base = now
        shown = now.ticket
        if self.held:
            from mailtriage.checks.ticket.merge import keep_fields

            shown = keep_fields(shown, current, self.held)  # typed here, not saved, kept
        if shown != current:
            self._show_ticket(current, shown, set())
            self.notify("Another session saved the ticket; shown here.", title="Ticket",
                        markup=False, timeout=4)  # fmt: skip

    def _notify_anywhere(self, message: str) -> None:
        text = f"Ticket not saved: {printable(message, 300)}"
        self._on_ui(self.notify, text, severity="error", markup=False)

    async def action_quit(self) -> None:
        """Quit, after the ticket's last change is on disk.

        With text held back from a clash (:attr:`held`), the first ``q`` says so and
        stays: the held text is not saved, so quitting would drop it; ``q`` again quits.
        """
        if self.held and not self._quit_warned:
            self._quit_warned = True
            fields = ", ".join(sorted(self.held))
            self.notify(
                f"Your text in {fields} is not saved (another session saved theirs): ctrl+e "
                "to keep yours or take theirs; q again quits without it.",
                title="Ticket",
                severity="warning",
                markup=False,
            )
            return
        self.save_ticket()
        self.exit()

    def on_mount(self) -> None:
        """Follow the ticket file when the ticket was opened with its stamp."""
        self.follow_ticket()

    def get_default_screen(self) -> Screen[None]:
        """The dashboard is the app's base screen."""
        return DashboardScreen()
