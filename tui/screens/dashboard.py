"""DashboardScreen: four panes over two samples, with live DNS workers.

The screen owns the workers that fill its panes: one loader and one live-check
worker per slot (group ``load-N`` / ``live-N``, exclusive, never fatal). Every
result carries a run id; anything from an older run is dropped.
"""

from __future__ import annotations

from pathlib import Path

from mailtriage.checks.analysis import Analysis
from mailtriage.checks.diff import compared, diff_samples, single_sample_hint
from mailtriage.checks.live.agreement import compare
from mailtriage.checks.live.run import LiveRun
from mailtriage.checks.playbook import ItemState, evaluate
from mailtriage.checks.text import printable
from mailtriage.tui.messages import (
    AroundReady,
    LiveAnswered,
    LiveAuthReady,
    LiveFinished,
    LivePlanned,
    QueriesLogged,
    SampleChanged,
    SampleFailed,
    SampleLoaded,
)
from mailtriage.tui.screens.dashboard_actions import DashboardActions
from mailtriage.tui.screens.dashboard_keys import BINDINGS as DASHBOARD_BINDINGS
from mailtriage.tui.screens.dashboard_views import DashboardViews
from mailtriage.widgets.auth_pane import AuthPane
from mailtriage.widgets.checklist_pane import ChecklistPane
from mailtriage.widgets.diff_pane import DiffPane
from mailtriage.widgets.hops_pane import HopsPane
from mailtriage.widgets.sample_pane import SamplePane
from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static, Tab, Tabs

PANES = ("sample", "auth", "diff", "checklist", "route")
PANE_TITLES = ("Sample", "Auth", "Diff", "Checklist", "Route")
NARROW_WIDTH = 120
NARROW_HEIGHT = 34


class DashboardScreen(DashboardViews, DashboardActions, Screen[None]):
    """The main screen: sample, authentication, diff, checklist and route panes.

    On a wide terminal four panes share a grid and the route pane takes the sample
    pane's place while it is shown; on a narrow one, tabs pick one pane.
    """

    BINDINGS = DASHBOARD_BINDINGS

    def __init__(self) -> None:
        super().__init__()
        self.analyses: list[Analysis | None] = [None, None]
        self.runs: list[LiveRun] = [LiveRun(), LiveRun()]
        self.load_ids = [0, 0]
        self.ticked: frozenset[str] = frozenset()
        self.active_pane = "sample"
        self.refresh_pending = False
        self._shown: tuple[object, ...] = ()

    def compose(self) -> ComposeResult:
        """Title line, pane tabs (narrow terminals), the four panes, footer."""
        yield Static("", id="title", markup=False)
        yield Tabs(
            *(
                Tab(f"{i + 1} {t}", id=f"tab-{p}")
                for i, (p, t) in enumerate(zip(PANES, PANE_TITLES, strict=True))
            ),
            id="pane-tabs",
        )
        with Container(id="panes"):
            yield SamplePane(id="sample")
            with Vertical(id="route"):  # shares the sample pane's cell on wide terminals
                yield HopsPane(id="route-0")
                yield HopsPane(id="route-1")
            yield AuthPane(id="auth")
            yield DiffPane(id="diff")
            yield ChecklistPane(id="checklist")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Apply the layout for the terminal size, then load the initial samples."""
        self._apply_layout(self.app.size.width, self.app.size.height)
        self.query_one("#sample").add_class("active")
        for slot, item in enumerate(getattr(self.app, "initial_samples", ())[:2]):
            self.load(slot, item)
        self.refresh_all()
        self.query_one("#sample", SamplePane).focus()
        for error in getattr(self.app, "initial_errors", ()):
            self.notify(printable(error, 300), title="Cannot open sample", severity="error",
                        markup=False)  # fmt: skip
        if getattr(self.app, "initial_trace", ""):
            # After the first paint: the samples matter first on a slow link.
            self.call_after_refresh(self.import_trace, self.app.initial_trace, False)

    # ---- layout -------------------------------------------------------------
    def on_resize(self, event: Resize) -> None:
        """Switch between tabbed (narrow) and four-pane (wide) layouts."""
        self._apply_layout(event.size.width, event.size.height)

    def _apply_layout(self, width: int, height: int) -> None:
        self.set_class(width < NARROW_WIDTH or height < NARROW_HEIGHT, "narrow")

    def action_show_pane(self, pane: str) -> None:
        """Bring a pane forward (narrow) and focus it; route and sample share a cell (wide)."""
        self.active_pane = pane
        for p in PANES:
            self.query_one(f"#{p}").set_class(p == pane, "active")
        if pane in ("route", "sample"):
            self.set_class(pane == "route", "route-shown")
        self.query_one(Tabs).active = f"tab-{pane}"
        target = self.query_one("#route-0" if pane == "route" else f"#{pane}")
        target.focus()

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        """Clicking or arrowing through the tab bar switches panes."""
        pane = (event.tab.id or "tab-sample").removeprefix("tab-")
        if pane != self.active_pane:
            self.action_show_pane(pane)

    # ---- rendering ----------------------------------------------------------
    def labels(self) -> tuple[str, str]:
        """Role labels for the two slots."""
        if self.analyses[1] is None:
            return ("sample", "delivered")
        return ("blocked", "delivered")

    def refresh_all(self) -> None:
        """Ask for a repaint of the panes; a burst of requests makes one repaint.

        Live results arrive in bursts; coalescing keeps a slow SSH link smooth.
        """
        if not self.refresh_pending:
            self.refresh_pending = True
            self.call_later(self._refresh_now)

    def _refresh_now(self) -> None:
        self.refresh_pending = False
        labels = self.labels()
        a, b = self.analyses
        key = (id(a), id(b), labels, id(self.trace))
        if key != self._shown:
            self._shown = key
            self.query_one(SamplePane).show(self.analyses, labels, self.trace_lines())
            for slot, x in enumerate(self.analyses):
                route = self.query_one(f"#route-{slot}", HopsPane)
                route.display = x is not None
                route.border_title = f"Route · {'AB'[slot]} · {labels[slot]}"
                if x is not None:
                    route.show(x)
            if a and b:
                (sa, sb), notes = compared(a, b)
                self.query_one(DiffPane).show(diff_samples(sa, sb), notes, labels)
            else:
                one = a or b
                hints = single_sample_hint(one) if one else ()
                self.query_one(DiffPane).show((), hints, labels)
            self._update_title()
        self.query_one(AuthPane).show(
            self.analyses,
            self.runs,
            self.app.config.show_timings,  # type: ignore[attr-defined]
            labels,
            [
                compare(x.recorded, tuple(run.results.values()), auth=run.auth) if x else ()
                for x, run in zip(self.analyses, self.runs, strict=True)
            ],
        )
        self.query_one(ChecklistPane).show(self.checklist_states(), self.ticked)

    def checklist_states(self) -> tuple[ItemState, ...]:
        """Evaluate the playbook against the loaded samples and finished lookups."""
        loaded = [x for x in self.analyses if x]
        live = [r for run in self.runs for r in run.results.values()]
        return evaluate(self.app.playbook, loaded, live)  # type: ignore[attr-defined]

    def _update_title(self) -> None:
        names = [x.sample.source for x in self.analyses if x]
        mode = " · offline" if getattr(self.app, "offline", False) else ""
        self.query_one("#title", Static).update(
            "mailtriage · " + (" vs ".join(names) if names else "no sample") + mode
        )

    # ---- checklist ----------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Tick or untick a checklist item."""
        item = event.option.id
        if item is None:
            return
        self.ticked = self.ticked ^ {item}
        self.refresh_all()

    # ---- worker results -----------------------------------------------------
    def on_sample_loaded(self, msg: SampleLoaded) -> None:
        """Show a freshly loaded sample and start its live checks."""
        if msg.run_id not in self.load_ids:
            return
        slot = self.load_ids.index(msg.run_id)
        self.analyses[slot] = msg.analysis
        self.refresh_all()
        # Paint what the sample says first; the network can answer a frame later.
        self.call_after_refresh(self.start_live, slot)

    def on_sample_changed(self, msg: SampleChanged) -> None:
        """Reload a sample whose file changed on disk (into whichever slot now holds it)."""
        slot = next(
            (
                i
                for i, a in enumerate(self.analyses)
                if a is not None and Path(a.sample.source).resolve() == Path(msg.path)
            ),
            None,
        )
        if slot is None:  # no longer loaded: a late event from a stopped watcher
            return
        self.load(slot, msg.path, watch=False)
        self.notify(printable(f"Reloaded {msg.path} (changed on disk)", 300), markup=False)

    def on_sample_failed(self, msg: SampleFailed) -> None:
        """Say in one line why a sample could not be opened."""
        if msg.run_id in self.load_ids:
            self.notify(
                printable(msg.error, 300),
                title="Cannot open sample",
                severity="error",
                markup=False,
            )

    def on_live_planned(self, msg: LivePlanned) -> None:
        """Show the planned lookups as pending."""
        self.on_live_event(msg)

    def on_live_answered(self, msg: LiveAnswered) -> None:
        """Fill in one answered lookup."""
        self.on_live_event(msg)

    def on_queries_logged(self, msg: QueriesLogged) -> None:
        """Update the query counter."""
        self.on_live_event(msg)

    def on_around_ready(self, msg: AroundReady) -> None:
        """Show reverse DNS, MX and DNSBL results."""
        self.on_live_event(msg)

    def on_live_auth_ready(self, msg: LiveAuthReady) -> None:
        """Show the full re-evaluation."""
        self.on_live_event(msg)

    def on_live_finished(self, msg: LiveFinished) -> None:
        """Mark a run done or cancelled."""
        self.on_live_event(msg)
