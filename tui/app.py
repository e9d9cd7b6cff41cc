"""MailtriageApp: wires configuration, DNS and the playbook to the dashboard screen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from checks.dns import Resolver
from checks.model import Sample
from checks.playbook import Playbook, load_playbook
from tui.commands import ActionCommands
from tui.config import Config
from tui.screens.dashboard import DashboardScreen


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
        samples: Sequence[Sample | str] = (),
        *,
        config: Config | None = None,
        nameserver: tuple[str, int] | None = None,
        offline: bool = False,
        playbook: Playbook | None = None,
    ) -> None:
        """Create the app.

        Args:
            samples: Up to two samples (loaded Sample or path), A then B.
            config: Settings; defaults when ``None``.
            nameserver: ``(host, port)`` for live DNS; ``None`` = config or system.
            offline: Never run live DNS checks.
            playbook: Checklist playbook; the packaged one when ``None``.
        """
        super().__init__()
        self.config = config or Config()
        self.initial_samples = tuple(samples)
        self.nameserver = nameserver
        self.offline = offline or self.config.offline
        self.playbook = playbook or load_playbook()
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme

    @property
    def resolver_label(self) -> str:
        """Where live DNS queries go, for display."""
        if self.offline:
            return "offline"
        if self.nameserver:
            return f"{self.nameserver[0]}:{self.nameserver[1]}"
        return "system resolver"

    def make_resolver(self) -> Resolver:
        """Return a fresh resolver (own cache and deadline) for one live run."""
        if self.nameserver:
            host, port = self.nameserver
            return Resolver(
                [host], port=port, timeout=self.config.timeout, deadline=self.config.deadline
            )
        return Resolver(None, timeout=self.config.timeout, deadline=self.config.deadline)

    def now(self) -> datetime:
        """Current time in UTC (ticket notes are stamped with it)."""
        return datetime.now(UTC)

    def get_default_screen(self) -> Screen[None]:
        """The dashboard is the app's base screen."""
        return DashboardScreen()
