"""The dashboard's actions: re-check, cancel, swap, open, DNS log and ticket notes.

A mixin for DashboardScreen (kept apart so each module stays small). The pop-up
screens are imported when first opened, not at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailtriage.checks.diff import compared, diff_samples
from mailtriage.checks.notes import ticket_notes
from mailtriage.tui.config import data_dir
from mailtriage.tui.screens.live_workers import LiveWorkers

if TYPE_CHECKING:
    from mailtriage.checks.analysis import Analysis
    from mailtriage.checks.live.run import LiveRun
    from mailtriage.checks.playbook import ItemState


class DashboardActions(LiveWorkers):
    """Actions bound to keys on the dashboard (expects the DashboardScreen state)."""

    analyses: list[Analysis | None]
    runs: list[LiveRun]
    load_ids: list[int]
    ticked: frozenset[str]

    if TYPE_CHECKING:  # provided by DashboardScreen / Screen
        app: Any

        def checklist_states(self) -> tuple[ItemState, ...]: ...

    def action_recheck(self) -> None:
        """Run the live DNS checks of every loaded sample again."""
        for slot in (0, 1):
            self.start_live(slot)

    def action_cancel_checks(self) -> None:
        """Cancel running DNS checks (Escape)."""
        cancelled = [self.cancel_live(slot) for slot in (0, 1)]
        if any(cancelled):
            self.refresh_all()  # type: ignore[attr-defined]
            self.notify("Live DNS checks cancelled.", markup=False)  # type: ignore[attr-defined]

    def action_swap(self) -> None:
        """Swap samples A and B (which one is the blocked one).

        Workers and file watchers belong to a slot, so they are stopped and started
        again for the sample that now sits in it.
        """
        for slot in (0, 1):
            self.cancel_live(slot)
            self.workers.cancel_group(self, f"watch-{slot}")  # type: ignore[attr-defined]
        self.analyses.reverse()
        self.runs.reverse()
        self.load_ids.reverse()
        for slot, a in enumerate(self.analyses):
            if a is not None:
                if Path(a.sample.source).is_file():
                    self.follow_file(slot, a.sample.source)
                self.start_live(slot)
        self.refresh_all()  # type: ignore[attr-defined]
        blocked = self.analyses[0]
        if blocked is not None:
            name = blocked.sample.source
            self.notify(f"A (blocked) is now {name}", markup=False)  # type: ignore[attr-defined]

    def action_open_sample(self, slot: int) -> None:
        """Ask for a path and load it into slot A or B."""

        def chosen(path: str | None) -> None:
            if path:
                self.load(slot, path)

        from mailtriage.tui.screens.open_sample import OpenSampleScreen

        label = ("sample A (blocked)", "sample B (delivered)")[slot]
        prompt = f"Open {label}: path to an .eml, pasted headers or mbox"
        self.app.push_screen(OpenSampleScreen(prompt), chosen)

    def action_dns_log(self) -> None:
        """Show every DNS query made by the live checks."""
        from mailtriage.tui.screens.dns_log import DnsLogScreen

        logs = [
            (f"{'AB'[i]} · {self.runs[i].status}", self.runs[i].log)
            for i, a in enumerate(self.analyses)
            if a is not None
        ]
        timings = self.app.config.show_timings
        self.app.push_screen(DnsLogScreen(logs, timings))

    def action_spf_tree(self) -> None:
        """Show each sample's SPF evaluation tree (evaluated now against its own IP)."""
        from mailtriage.tui.screens.spf_tree import SpfTreeScreen

        trees = [
            (f"{'AB'[i]} · {a.sample.source}", self.runs[i].auth)
            for i, a in enumerate(self.analyses)
            if a is not None
        ]
        self.app.push_screen(SpfTreeScreen(trees))

    def action_notes(self) -> None:
        """Open the ticket notes for the PSA."""
        from mailtriage.tui.screens.notes import NotesScreen

        a, b = self.analyses
        diff = diff_samples(*compared(a, b)[0]) if a and b else ()
        states = self.checklist_states()
        now = self.app.now()
        traces = self.trace_lines()  # type: ignore[attr-defined]
        text = ticket_notes(self.analyses, self.runs, diff, states, self.ticked, now, traces)
        cfg = self.app.config
        notes_dir = Path(cfg.notes_dir).expanduser() if cfg.notes_dir else data_dir() / "notes"
        self.app.push_screen(NotesScreen(text, notes_dir))
