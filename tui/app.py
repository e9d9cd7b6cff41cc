"""MailtriageApp: wires configuration, DNS and the playbook to the dashboard screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mailtriage.checks.model import Sample
from mailtriage.checks.playbook import Playbook, load_playbook
from mailtriage.tui.commands import ActionCommands
from mailtriage.tui.config import Config, make_resolver
from mailtriage.tui.screens.dashboard import DashboardScreen
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from mailtriage.checks.dns.resolver import Resolver


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
    ) -> None:
        """Create the app.

        Args:
            samples: Up to two samples (loaded Sample or path), A then B; ``None``
                leaves that slot empty (a sample the CLI could not open).
            config: Settings; defaults when ``None``.
            nameserver: ``(host, port)`` for live DNS, or a callable returning it on
                first use (the demo server starts lazily); ``None`` = system resolvers.
            offline: Never run live DNS checks (the CLI folds ``config.offline`` in).
            playbook: Checklist playbook; the packaged one when ``None``.
            trace: Path of a Microsoft 365 message trace export to import at start.
        """
        super().__init__()
        self.config = config or Config()
        self.initial_samples = tuple(samples)
        self.nameserver = nameserver
        self.offline = offline
        self.playbook = playbook or load_playbook()
        self.initial_trace = trace
        self.initial_errors: tuple[str, ...] = ()  # samples the CLI could not open, to show
        self.watch_dir = ""  # --watch: a drop folder whose new files are offered as A or B
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme

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

    def get_default_screen(self) -> Screen[None]:
        """The dashboard is the app's base screen."""
        return DashboardScreen()
