"""DashboardScreen: four panes over two samples, with live DNS workers.

The screen owns the workers that fill its panes: one loader and one live-check
worker per slot (group ``load-N`` / ``live-N``, exclusive, never fatal), a file
watcher per slot (``watch-N``) and a trace reader (``trace``). Loader and trace
workers run in threads (a 30 MB sample must not stall the UI); live DNS workers
are async tasks on the app's loop. Every result carries a run id; anything from
an older run is dropped. Pop-up screens are imported when first opened, not at
start-up.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeAlias, cast

from mailtriage.checks.analysis import Analysis, analyse
from mailtriage.checks.atomic import atomic_write_bytes
from mailtriage.checks.diff import DiffRow, compared, diff_samples, single_sample_hint
from mailtriage.checks.live.run import LiveRun, live_state
from mailtriage.checks.message.loader import PASTED_PREFIX, SampleError, load_text
from mailtriage.checks.message.mbox import MboxListing, load_or_list
from mailtriage.checks.model import AuthResults, Sample
from mailtriage.checks.suspect import Comparison, suspect
from mailtriage.checks.text import printable, printable_lines
from mailtriage.tui.config import Config, data_dir
from mailtriage.tui.messages import (
    AroundReady,
    FileDropped,
    LiveAnswered,
    LiveAuthReady,
    LiveFinished,
    LiveMessage,
    LivePlanned,
    MboxListed,
    PasteParsed,
    QueriesLogged,
    SampleChanged,
    SampleFailed,
    SampleLoaded,
    SamplePasted,
    TraceLoaded,
)
from mailtriage.tui.screens.dashboard_keys import BINDINGS as DASHBOARD_BINDINGS
from mailtriage.tui.screens.intake import SLOT_NAMES, watch_drops
from mailtriage.tui.screens.key_footer import KeyFooter
from mailtriage.tui.tickets import inside, is_sample_file, swapped, with_sample
from mailtriage.widgets.auth_pane import AuthPane
from mailtriage.widgets.checklist_pane import ChecklistPane
from mailtriage.widgets.diff_pane import DiffPane
from mailtriage.widgets.hops_pane import HopsPane, largest_delay
from mailtriage.widgets.pane import FullTextRequested, Pane
from mailtriage.widgets.sample_pane import SamplePane
from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from mailtriage.checks.dns.resolver import QueryLogEntry, Resolver
    from mailtriage.checks.guardrails import ExceptionProposal, NoException
    from mailtriage.checks.live.agreement import Agreement
    from mailtriage.checks.live.plan import LiveSpec
    from mailtriage.checks.live.session import LiveEvent
    from mailtriage.checks.msgtrace.load import Trace, TraceMatch
    from mailtriage.checks.packet import CasePacket
    from mailtriage.checks.playbook import ItemState, Playbook, Suggestion
    from mailtriage.checks.redact import Redactor
    from mailtriage.checks.ticket.model import Ticket, TicketSample
    from mailtriage.tui.liveloop import Feed
    from mailtriage.tui.screens.notes import Formats
    from textual.widgets import Tabs

    #: One slot's live run as the worker reads it: its rows and its query log.
    LiveFeed: TypeAlias = Feed[LiveEvent, tuple[QueryLogEntry, ...]]

PANES = ("sample", "auth", "diff", "checklist", "route")
PANE_TITLES = ("Sample", "Auth", "Diff", "Checklist", "Route")
NARROW_WIDTH = 120
NARROW_HEIGHT = 34


def narrow_size(width: int, height: int) -> bool:
    """Whether a terminal this size shows one pane at a time, under a tab bar."""
    return width < NARROW_WIDTH or height < NARROW_HEIGHT


FIRST_QUERIES_WAIT = 0.01
"""Longest the screen waits for new live runs' first queries to leave (seconds)."""

INLINE_BYTES = 2_000_000
"""Samples already loaded and smaller than this are analysed without a thread."""


def _short_source(source: str) -> str:
    """``folder/file`` of a sample path (the whole of a short one, e.g. ``demo/blocked.eml``)."""
    parts = Path(source).parts
    return "/".join(parts[-2:]) if len(parts) > 2 else source


class DashboardHost(Protocol):
    """What the dashboard uses of its app beyond textual's App (MailtriageApp provides it).

    Named here rather than imported so that the screen does not depend on the app
    module that creates it.
    """

    config: Config
    playbook: Playbook
    offline: bool
    ticket: Ticket | None
    served_root: str
    """Served to a browser: the ticket's folder, the only place files open from ("": not served)."""

    def change_ticket(self, ticket: Ticket) -> None: ...

    def start_ticket(self, ticket_id: str) -> Ticket: ...

    @property
    def resolver_label(self) -> str: ...

    def make_resolver(self) -> Resolver: ...

    def now(self) -> datetime: ...


def _import_live() -> None:
    """Load everything a live run uses; run in a thread before the first run.

    dnspython and the live engine are imported, and the Public Suffix List is read
    (the DMARC and MX rows need it; reading it takes tens of milliseconds, which
    on the live loop would hold back every row's first query). Then what is loaded
    is left out of later full garbage collections (see ``freeze_loaded``).
    """
    from mailtriage.checks.live.session import preload
    from mailtriage.tui.gc_pause import freeze_loaded

    preload()
    freeze_loaded()  # what is loaded now stays: later full collections skip it


def _live_message(slot: int, run_id: int, event: LiveEvent) -> LiveMessage:
    """The message that shows one finished live row."""
    from mailtriage.checks.live.around import Around  # loaded by the live run already
    from mailtriage.checks.live.auth import LiveAuth

    if isinstance(event, LiveAuth):
        return LiveAuthReady(slot, run_id, event)
    if isinstance(event, Around):
        return AroundReady(slot, run_id, event)
    return LiveAnswered(slot, run_id, event)


def _agreements(recorded: Sequence[AuthResults], run: LiveRun) -> tuple[Agreement, ...]:
    """Recorded then against DNS now, once the run has an answer (none before it)."""
    if not run.results and run.auth is None:
        return ()
    from mailtriage.checks.live.agreement import compare  # the record parser: not at first paint

    return compare(recorded, tuple(run.results.values()), auth=run.auth)


def _unmatched(sample: Sample, why: str) -> TraceMatch:
    from mailtriage.checks.msgtrace.load import TraceMatch

    step = "Search the trace by sender, recipient and time instead."
    return TraceMatch(
        sample.source, sample.message_id or "", (), why, None, "routing/connector", step
    )


class DashboardScreen(Screen[None]):
    """The main screen: sample, authentication, diff, checklist and route panes.

    On a wide terminal four panes share a grid and the route pane takes the sample
    pane's place while it is shown; on a narrow one, tabs pick one pane.
    """

    BINDINGS = DASHBOARD_BINDINGS
    # The sample pane has the focus from the start: Textual's default would give it to
    # the first focusable widget (the tab bar, hidden on wide terminals), and moving it
    # on mount then costs a second restyle before the first frame.
    AUTO_FOCUS = "#sample"

    def __init__(self) -> None:
        super().__init__()
        self.analyses: list[Analysis | None] = [None, None]
        self.runs: list[LiveRun] = [LiveRun(), LiveRun()]
        self.load_ids = [0, 0]
        self.ticked: frozenset[str] = frozenset()
        self.active_pane = "sample"
        self.refresh_pending = False
        self._shown: tuple[object, ...] = ()
        # The state the first frame was filled from and the panes it filled: the full
        # refresh right after it fills only the rest (no second comparison or build).
        self._first_fill: tuple[tuple[object, ...], frozenset[str]] = ((), frozenset())
        self._diff_notes: list[str] = []
        self._serial = 0
        self.trace: Trace | None = None
        self.trace_path = ""
        self.trace_id = 0
        self.show_trace_when_loaded = True
        self._matched: tuple[tuple[object, ...], list[tuple[str, TraceMatch]]] = ((), [])
        self.diff_rows: tuple[DiffRow, ...] = ()
        self.dropped: list[str] = []
        self._advice_cache: tuple[
            tuple[int, ...], ExceptionProposal | NoException | None, Suggestion | None
        ] = ((), None, None)
        """Files from the drop folder offered and not yet taken or ignored, oldest first."""
        self.comparison: Comparison | None = None
        self._live_loaded = False  # the live modules (dnspython) are imported
        self._live_import: asyncio.Future[None] | None = None  # that import, once started
        self._live_feeds: dict[int, LiveFeed] = {}  # per slot: its running live run
        self._letting_out = False  # a wait for the first queries of new runs is queued

    @property
    def host(self) -> DashboardHost:
        """The app, as the dashboard uses it (config, playbook, resolvers, clock)."""
        return cast("DashboardHost", self.app)

    def compose(self) -> ComposeResult:
        """Title line, pane tabs (narrow terminals), the four panes, footer.

        The tab bar (ten widgets) is made only on a terminal narrow enough to show it:
        a wide one never styles or mounts it unless it is narrowed later.
        """
        yield Static("", id="title", markup=False)
        if narrow_size(*self.app.size):
            yield self._tab_bar()
        with Container(id="panes"):
            yield SamplePane(id="sample", classes="active")  # (classed here: no restyle)
            with Vertical(id="route"):  # shares the sample pane's cell on wide terminals
                yield HopsPane(id="route-0")
                yield HopsPane(id="route-1")
            yield AuthPane(id="auth")
            yield DiffPane(id="diff")
            yield ChecklistPane(id="checklist")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Apply the layout for the terminal size, then load the initial samples."""
        self._apply_layout(self.app.size.width, self.app.size.height)
        ticket = self.host.ticket
        if ticket is not None:
            self.ticked = ticket.ticked
        # Fill the panes on screen before the first layout, at the size it will give
        # them: the first frame then shows the samples, not empty boxes and a second
        # frame. The checklist, the hidden panes and the snapshot follow right after
        # it (before the live checks start), in the one refresh queued here: the
        # screen's first layout and frame are already queued ahead of it.
        self.refresh_pending = True
        self.call_later(self._refresh_now)
        # Focus now, not a message later: the first frame already has the focused
        # pane's border and row cursor, and needs no repaint for them.
        self.set_focus(self.query_one("#sample", SamplePane), scroll_visible=False)
        for slot, item in enumerate(getattr(self.app, "initial_samples", ())[:2]):
            if item is not None:  # None: the CLI could not open it; the slot stays empty
                self.load(slot, item, at_once=True)
        self._expect_sizes()
        self._refresh_now(only=self._panes_on_screen())
        self.refresh_pending = True  # later requests join the refresh scheduled above
        for error in getattr(self.app, "initial_errors", ()):
            self.notify(printable(error, 300), title="Cannot open sample", severity="error",
                        markup=False)  # fmt: skip
        if ticket is not None and getattr(self.app, "ticket_created", False):
            self.call_after_refresh(self.action_ticket, "kind")  # a new ticket: pick its type
        for warning in getattr(self.app, "initial_warnings", ()):
            self.notify(printable(warning, 300), title="Ticket", severity="warning", markup=False)
        folder = getattr(self.app, "watch_dir", "")
        if folder:
            self.watch_folder(folder)
        trace = getattr(self.app, "initial_trace", "")
        if trace:
            # After the first paint: the samples matter first on a slow link.
            self.call_after_refresh(self.import_trace, trace, False)

    # ---- layout -------------------------------------------------------------
    def on_resize(self, event: Resize) -> None:
        """Switch between tabbed (narrow) and four-pane (wide) layouts."""
        self._apply_layout(event.size.width, event.size.height)

    def _apply_layout(self, width: int, height: int) -> None:
        narrow = narrow_size(width, height)
        was = self.has_class("narrow")
        if narrow and not was:  # the pane being worked in stays on screen
            pane = self._focused_pane()
            if pane is not None and pane != self.active_pane:
                self.action_show_pane(pane)
        if narrow and not self.query("#pane-tabs"):
            self.mount(self._tab_bar(), after="#title")
        self.set_class(narrow, "narrow")
        if was and not narrow and self.focused is not None and self.focused.id == "pane-tabs":
            self.action_show_pane(self.active_pane)  # the tab bar hides: focus its pane

    def _focused_pane(self) -> str | None:
        """The pane holding the focus (``"route"`` for either route pane), if any."""
        node = self.focused
        while node is not None and node is not self:
            if node.id in PANES:
                return node.id
            if node.id is not None and node.id.startswith("route-"):
                return "route"
            node = node.parent  # type: ignore[assignment]
        return None

    def _tab_bar(self) -> Tabs:
        """The tab bar of a narrow terminal, on the active pane."""
        from textual.widgets import Tab, Tabs  # a wide terminal never loads them

        return Tabs(
            *(
                Tab(f"{i + 1} {t}", id=f"tab-{p}")
                for i, (p, t) in enumerate(zip(PANES, PANE_TITLES, strict=True))
            ),
            id="pane-tabs",
            active=f"tab-{self.active_pane}",
        )

    def _expect_sizes(self) -> None:
        """Tell the panes on screen the size the first layout will give them.

        This mirrors ``app.tcss`` (title and footer one line each; wide: a 2 x 2 grid,
        the left column and top row taking the smaller half; narrow: the active pane
        below two lines of tabs). A wrong guess costs one more layout, never a wrong
        screen: each pane checks its real width (see ``Pane.expect_size``).
        """
        width, height = self.app.size
        rows = height - 2
        if self.has_class("narrow"):
            cells = {self.active_pane: (width, rows - 2)}
        else:
            left, top = width // 2, rows // 2
            right, bottom = width - left, rows - top
            cells = {"sample": (left, top), "auth": (right, top), "diff": (left, bottom)}
        for pane_id, (w, h) in cells.items():
            pane = self.query_one(f"#{pane_id}")
            if isinstance(pane, Pane):
                pane.expect_size(w, h)

    def action_show_pane(self, pane: str) -> None:
        """Bring a pane forward (narrow) and focus it; route and sample share a cell (wide)."""
        self.active_pane = pane
        for p in PANES:
            self.query_one(f"#{p}").set_class(p == pane, "active")
        if pane in ("route", "sample"):
            self.set_class(pane == "route", "route-shown")
        for tabs in self.query("#pane-tabs"):  # made once the terminal is narrow
            cast("Tabs", tabs).active = f"tab-{pane}"
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

    def _panes_on_screen(self) -> frozenset[str]:
        """The panes the screen shows now: all four on a wide terminal, one on a narrow one."""
        if self.has_class("narrow"):
            return frozenset({self.active_pane})
        first = "route" if self.has_class("route-shown") else "sample"
        return frozenset({first, "auth", "diff", "checklist"})

    def _refresh_now(self, only: frozenset[str] | None = None) -> None:
        """Show the current state in the panes.

        Args:
            only: Fill just these panes (the first frame); ``None``: every pane, the
                checklist and the ticket's snapshot included.
        """
        self.refresh_pending = False
        labels = self.labels()
        a, b = self.analyses
        key = (id(a), id(b), labels, id(self.trace))
        if key != self._shown:
            # Panes the first frame already filled from this very state.
            first = self._first_fill[1] if self._first_fill[0] == key else None
            if only is None:
                self._shown = key
                self._first_fill = ((), frozenset())
            else:
                self._first_fill = (key, only)
            if first is None:
                self.query_one(SamplePane).show(self.analyses, labels, self.trace_lines())
            scale = largest_delay([x.timeline if x else None for x in self.analyses])
            for slot, x in enumerate(self.analyses):
                route = self.query_one(f"#route-{slot}", HopsPane)
                route.display = x is not None
                route.border_title = f"Route · {'AB'[slot]} · {labels[slot]}"
                wanted = only is None or "route" in only
                if x is not None and wanted and not (first and "route" in first):
                    route.show(x, scale=scale)
            show = (only is None or "diff" in only) and not (first and "diff" in first)
            self._show_diff(labels, show=show, compare=first is None)
            self._update_title(alerts=only is None)
            if only is None:
                self._keep_snapshot()
        if only is None or "auth" in only:
            self.query_one(AuthPane).show(
                self.analyses,
                self.runs,
                self.host.config.show_timings,
                labels,
                [
                    _agreements(x.recorded, run) if x else ()
                    for x, run in zip(self.analyses, self.runs, strict=True)
                ],
            )
        if only is None:  # the playbooks are read for it: never before the first frame
            self.query_one(ChecklistPane).show(self.checklist_states(), self.ticked)

    def _show_diff(self, labels: tuple[str, str], show: bool = True, compare: bool = True) -> None:
        """Compare the two samples and decide the suspect layer; ``show`` both in the diff pane.

        The comparison is made whether or not the pane is on screen (it takes about a
        millisecond, and keys and the ticket read it); only laying it out waits.
        ``compare=False`` shows the comparison already made for the same samples.
        """
        a, b = self.analyses
        if compare:
            self.diff_rows, self.comparison, self._diff_notes = (), None, []
        if a and b:
            if compare:
                (sa, sb), self._diff_notes = compared(a, b)
                self.comparison = self._decide(a, b, self._diff_notes)
                self.diff_rows = tuple(diff_samples(sa, sb))
            if show:
                self.query_one(DiffPane).show(
                    self.diff_rows, self._diff_notes, labels, self.comparison
                )
        elif not show:
            return
        else:
            one = a or b
            hints = single_sample_hint(one) if one else ()
            missing = "A" if b else "B" if a else "AB"
            self.query_one(DiffPane).show((), hints, labels, missing=missing)

    @staticmethod
    def _decide(a: Analysis, b: Analysis, notes: list[str]) -> Comparison | None:
        """The two-copy decision for the diff pane; an engine bug becomes a note, not a crash."""
        try:
            return suspect(a, b)
        except Exception as exc:  # runs on the UI thread: a decision bug must not end the app
            notes.append(
                f"Could not decide which layer explains the block ({type(exc).__name__}); "
                "please report this pair. The field-by-field comparison follows."
            )
            return None

    def checklist_states(self) -> tuple[ItemState, ...]:
        """Evaluate the playbook against the loaded samples and finished lookups."""
        from mailtriage.checks.playbook import evaluate  # not needed for the first paint

        loaded = [x for x in self.analyses if x]
        live = [r for run in self.runs for r in run.results.values()]
        statuses = [run.status for run, a in zip(self.runs, self.analyses, strict=True) if a]
        return evaluate(self.host.playbook, loaded, live, live_state(statuses))

    def _keep_snapshot(self) -> None:
        """Save what the analysis says now with the ticket, when it says something new."""
        ticket = self.host.ticket
        if ticket is None or not any(self.analyses):
            return
        from mailtriage.checks.ticket.snapshot import same_snapshot, take_snapshot

        snap = take_snapshot(self.analyses, self.diff_rows, self.comparison, self.host.now())
        if not same_snapshot(snap, ticket.snapshot):
            self.host.change_ticket(replace(ticket, snapshot=snap))

    def _update_title(self, alerts: bool = True) -> None:
        # The last folder and the file name: the whole path does not fit 80 columns, and
        # the line is cut with an ellipsis rather than wrapped out of sight. The ticket's
        # alerts (escalation, guard rails) wait for the refresh after the first frame.
        names = [printable(_short_source(x.sample.source), 120) for x in self.analyses if x]
        mode = "offline · " if getattr(self.app, "offline", False) else ""
        ticket = self.host.ticket
        head = "mailtriage · "
        if ticket is not None:
            head += f"{ticket.id}{self._ticket_alerts(ticket) if alerts else ''} · "
        self.query_one("#title", Static).update(
            head + mode + (" vs ".join(names) if names else "no sample")
        )

    def _ticket_alerts(self, ticket: Ticket) -> str:
        """`` (escalation advised, broad allow)`` when the ticket meets an escalation trigger or
        its fix proposes a broad allow (a guard rail). Neither changes the ticket's state.

        The title says so on the dashboard, so the technician sees it without the form
        (``i`` shows what and why).
        """
        from mailtriage.checks.escalation import triggers
        from mailtriage.checks.guardrails import broad_allow_warnings

        loaded = [a for a in self.analyses if a is not None]
        alerts = []
        if triggers(ticket, loaded, self.comparison):
            alerts.append("escalation advised")
        if broad_allow_warnings("\n".join((ticket.fix, ticket.notes))):
            alerts.append("broad allow")
        return f" ({', '.join(alerts)})" if alerts else ""

    # ---- full text of a row --------------------------------------------------
    def on_full_text_requested(self, msg: FullTextRequested) -> None:
        """Open the full text of the row a pane asked for (Enter on a row)."""
        from mailtriage.tui.screens.full_text import FullTextScreen

        self.app.push_screen(FullTextScreen(msg.title, msg.text))

    def action_full_text(self) -> None:
        """Open the full text of the focused pane's row (the palette's way to Enter)."""
        focused = self.focused
        if isinstance(focused, Pane | ChecklistPane):
            focused.action_open_row()

    # ---- a ticket shared with other sessions (mailtriage serve) ----------------
    def ticket_reloaded(self, before: Ticket, after: Ticket, refused: set[str]) -> None:
        """Show a ticket another session changed: its samples, ticks, title and checklist."""
        if before.ticked != after.ticked:
            self.ticked = after.ticked
        for slot, letter in enumerate("AB"):
            entry = after.sample(letter)
            if entry is not None and entry != before.sample(letter):
                self._load_entry(slot, entry)
        self._shown = ()  # the title and the checklist follow the ticket
        self.refresh_all()

    def _load_entry(self, slot: int, entry: TicketSample) -> None:
        """Load a ticket's sample (a file, or pasted text) into ``slot``."""
        if not entry.path:
            from mailtriage.tui.tickets import pasted_sample

            try:
                self.load(slot, pasted_sample(slot, entry))
            except SampleError as exc:
                self.notify(printable(str(exc), 300), title="Ticket", severity="error",
                            markup=False)  # fmt: skip
            return
        root = self.host.served_root
        path = inside(root, entry.path) if root else entry.path
        if path is None:
            return  # served: another session cannot make this one read outside its folder
        self.load(slot, path)

    async def action_refused_edits(self) -> None:
        """Show the ticket edits that another session's save refused (the app's list)."""
        await self.app.run_action("refused_edits")

    # ---- served: files only from the ticket's folder -----------------------------
    def allowed_path(self, path: str) -> str | None:
        """``path`` if this session may open it; served, only inside the ticket's folder.

        Served to a browser (``mailtriage serve``), a path is resolved against the
        ticket's folder and refused (with one line saying why) when it leads outside.
        """
        root = self.host.served_root
        if not root:
            return path
        found = inside(root, path)
        if found is None:
            self.notify(
                printable(f"Served: only files in the ticket's folder ({root}) open here.", 300),
                title="Not opened",
                severity="error",
                markup=False,
            )
        return found

    def _path_hint(self, placeholder: str) -> str:
        root = self.host.served_root
        return f"a file in {root}" if root else placeholder

    # ---- checklist ----------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Tick or untick a checklist item."""
        item = event.option.id
        if item is None:
            return
        self.ticked = self.ticked ^ {item}
        ticket = self.host.ticket
        if ticket is not None:
            kept = tuple(t for t in ticket.ticks if t.item in self.ticked)
            if item in self.ticked:
                from mailtriage.checks.ticket.model import Tick

                kept += (Tick(item, self.host.now()),)
            self.host.change_ticket(replace(ticket, ticks=kept))
        self.refresh_all()

    # ---- loading ------------------------------------------------------------
    def next_id(self) -> int:
        """Return a run id unique across both slots (so a swap cannot mix results)."""
        self._serial += 1
        return self._serial

    def load(
        self, slot: int, item: Sample | str, watch: bool = True, at_once: bool = False
    ) -> None:
        """Load (if a path) and analyse a sample in a thread worker.

        With ``watch``, a sample that is a file is reloaded whenever it changes. With
        ``at_once``, a small sample already parsed is shown before this returns (the
        start-up samples: they are in the first frame).
        """
        run_id = self.load_ids[slot] = self.next_id()
        self.cancel_live(slot)
        source = item.source if isinstance(item, Sample) else item
        if watch and Path(source).is_file():
            self.follow_file(slot, source)
        elif watch:
            self.workers.cancel_group(self, f"watch-{slot}")

        def job(deliver: Callable[[Message], object] = self.post_message) -> None:
            try:
                sample = item if isinstance(item, Sample) else load_or_list(item)
                if isinstance(sample, MboxListing):  # several messages: the user picks one
                    deliver(MboxListed(slot, run_id, sample))
                    return
                deliver(SampleLoaded(slot, run_id, analyse(sample)))
            except SampleError as exc:
                deliver(SampleFailed(slot, run_id, str(exc)))
            except Exception as exc:  # an engine bug must not take the dashboard down
                msg = f"analysis failed ({type(exc).__name__}: {exc}); please report this sample"
                deliver(SampleFailed(slot, run_id, msg))

        if isinstance(item, Sample) and item.size < INLINE_BYTES:
            job(self._handle_now if at_once else self.post_message)  # parsed, small: no thread
            return
        self.run_worker(
            job,
            name=f"load {slot}",
            group=f"load-{slot}",
            exclusive=True,
            exit_on_error=False,
            thread=True,
        )

    def _handle_now(self, msg: Message) -> None:
        """Handle a loader's SampleLoaded at once; post anything else as usual."""
        if isinstance(msg, SampleLoaded):
            self.on_sample_loaded(msg)
        else:
            self.post_message(msg)

    def on_mbox_listed(self, msg: MboxListed) -> None:
        """Open the picker for a mailbox with several messages; Esc loads nothing."""
        if msg.run_id != self.load_ids[msg.slot]:
            return
        from mailtriage.tui.screens.mbox_picker import MboxPickerScreen

        source = msg.listing.source

        def picked(number: int | None) -> None:
            if number is not None:
                self.load(msg.slot, f"{source}#{number}")

        label = ("sample A (blocked)", "sample B (delivered)")[msg.slot]
        self.app.push_screen(MboxPickerScreen(msg.listing, label), picked)

    def on_sample_loaded(self, msg: SampleLoaded) -> None:
        """Show a freshly loaded sample and start its live checks."""
        if msg.run_id not in self.load_ids:
            return
        slot = self.load_ids.index(msg.run_id)
        self.analyses[slot] = msg.analysis
        self._keep_sample(slot, msg.analysis.sample)
        self.refresh_all()
        # Paint what the sample says first; the network can answer a frame later.
        self.call_after_refresh(self.start_live, slot)

    def _keep_sample(self, slot: int, sample: Sample) -> None:
        """Record a loaded sample with the ticket: its file, or its text when it has none."""
        ticket = self.host.ticket
        if ticket is None:
            return
        source = sample.outer.source if sample.outer is not None else sample.source
        if source.startswith(PASTED_PREFIX):
            return  # on_sample_pasted keeps the text exactly as it was pasted
        kept = ticket.sample("AB"[slot])
        if is_sample_file(source):
            if kept is not None and kept.path == os.path.abspath(source):
                return  # the same file again (a reload): its first digest stays the reference
            new = with_sample(ticket, slot, self.host.now(), path=source)
        else:
            raw = (sample.outer or sample).raw.decode("utf-8", "replace")
            if kept is not None and kept.pasted == raw:
                return
            new = with_sample(ticket, slot, self.host.now(), pasted=raw)
        self.host.change_ticket(new)

    def on_sample_pasted(self, msg: SamplePasted) -> None:
        """Keep pasted text with the ticket, exactly as it was pasted."""
        ticket = self.host.ticket
        if ticket is not None:
            new = with_sample(ticket, msg.slot, self.host.now(), pasted=msg.text)
            self.host.change_ticket(new)

    def on_sample_failed(self, msg: SampleFailed) -> None:
        """Say in one line why a sample could not be opened."""
        if msg.run_id in self.load_ids:
            self.notify(
                printable(msg.error, 300),
                title="Cannot open sample",
                severity="error",
                markup=False,
            )

    # ---- paste --------------------------------------------------------------
    def action_paste(self, slot: int) -> None:
        """Open the paste box for slot A (0) or B (1)."""
        from mailtriage.tui.screens.paste import PasteScreen

        def pasted(text: str | None) -> None:
            if text is not None:
                self.load_pasted(slot, text)

        self.app.push_screen(PasteScreen(slot), pasted)

    def load_pasted(self, slot: int, text: str) -> None:
        """Parse pasted text as the sample of a slot, in a thread worker.

        On success the sample loads into the slot and ``SamplePasted`` is posted (it
        carries the text for a ticket); otherwise one line says why. A later load
        into the slot supersedes this one (then nothing is posted).

        Args:
            slot: 0 for A (blocked), 1 for B (delivered).
            text: What was pasted: headers, with or without a body.
        """
        now = self.host.now()
        zone = now.tzname() or ""
        label = f"{PASTED_PREFIX}{SLOT_NAMES[slot]} at {now:%H:%M}" + (f" {zone}" if zone else "")
        run_id = self.load_ids[slot] = self.next_id()

        def job() -> None:
            try:
                sample = load_text(text, label)
            except SampleError as exc:
                self.post_message(SampleFailed(slot, run_id, str(exc)))
                return
            except Exception as exc:  # an engine bug must not take the dashboard down
                why = f"the pasted text could not be read ({type(exc).__name__}: {exc})"
                self.post_message(SampleFailed(slot, run_id, why))
                return
            self.post_message(PasteParsed(slot, run_id, text, sample))

        self.run_worker(
            job,
            name=f"paste {slot}",
            group=f"paste-{slot}",
            exclusive=True,
            exit_on_error=False,
            thread=True,
        )

    def on_paste_parsed(self, msg: PasteParsed) -> None:
        """Load a parsed paste into its slot (unless something newer went there)."""
        if msg.run_id != self.load_ids[msg.slot]:
            return
        self.load(msg.slot, msg.sample)
        self.post_message(SamplePasted(msg.slot, msg.text, msg.sample))
        where = ("A (blocked)", "B (delivered)")[msg.slot]
        self.notify(f"The pasted headers are now sample {where}.", markup=False)

    # ---- drop folder --------------------------------------------------------
    def watch_folder(self, folder: str) -> None:
        """Watch a drop folder for new samples (one watcher; a new call replaces it)."""

        async def job() -> None:
            try:
                await watch_drops(folder, self.post_message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # e.g. the folder was removed: say so once
                why = printable(f"stopped watching {folder}: {type(exc).__name__}: {exc}", 300)
                self.notify(why, title="Drop folder", severity="error", markup=False)

        self.run_worker(
            job(), name="drop folder", group="drop-folder", exclusive=True, exit_on_error=False
        )

    def on_file_dropped(self, msg: FileDropped) -> None:
        """Offer a new file from the drop folder (notification; ``w`` takes it)."""
        if msg.path in self.dropped:
            return
        self.dropped.append(msg.path)
        name = printable(Path(msg.path).name, 120)
        self.notify(
            f"{name}: press w to load it as A or B.",
            title="New file in the drop folder",
            markup=False,
            timeout=10,
        )

    def action_take_dropped(self) -> None:
        """Offer the newest dropped file: load it as A or B, or ignore it."""
        if not self.dropped:
            why = (
                "No new file in the drop folder."
                if getattr(self.app, "watch_dir", "")
                else "No drop folder: start with --watch DIR to have new files offered."
            )
            self.notify(why, markup=False)
            return
        from mailtriage.tui.screens.drop_offer import IGNORE, DropOfferScreen

        path = self.dropped[-1]

        def chosen(slot: int | None) -> None:
            if slot is None:
                return
            self.app.clear_notifications()  # the "new file" notice is answered
            if path in self.dropped:
                self.dropped.remove(path)
            if slot != IGNORE:
                found = self.allowed_path(path)
                if found:
                    self.load(slot, found)

        self.app.push_screen(DropOfferScreen(path, len(self.dropped) - 1), chosen)

    # ---- reload when the file changes -------------------------------------------
    def follow_file(self, slot: int, path: str) -> None:
        """Reload a sample whenever its file is saved again (e.g. new pasted headers)."""
        target = Path(path).resolve()

        async def job() -> None:
            from watchfiles import awatch

            def only_target(_change: object, changed: str) -> bool:
                return Path(changed).resolve() == target

            async for _ in awatch(
                target.parent, watch_filter=only_target, debounce=300, recursive=False
            ):
                if target.is_file():
                    self.post_message(SampleChanged(slot, str(target)))

        self.run_worker(
            job(),
            name=f"watch {slot}",
            group=f"watch-{slot}",
            exclusive=True,
            exit_on_error=False,
        )

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

    # ---- live DNS -----------------------------------------------------------
    def start_live(self, slot: int) -> None:
        """(Re)start the live checks of one slot; older results become stale."""
        analysis = self.analyses[slot]
        if analysis is None:
            return
        if not self._live_loaded:
            # dnspython and the live modules take tens of ms to import: a thread does it
            # after the first paint, so keys are answered meanwhile.
            self.run_worker(
                self._start_live_when_loaded(slot, analysis),
                name=f"live import {slot}",
                group=f"live-import-{slot}",
                exclusive=True,
                exit_on_error=False,
            )
            return
        run = self.runs[slot]
        host = self.host
        from mailtriage.checks.live.plan import plan

        if host.offline:
            self.runs[slot] = replace(
                run,
                run_id=self.next_id(),
                status="offline",
                specs=plan(analysis.sample),
                results={},
                resolver="offline: no DNS queries",
                log=(),
                auth=None,
                around=None,
            )
            self.refresh_all()
            return
        run_id = self.next_id()
        specs = plan(analysis.sample)
        self.runs[slot] = replace(
            run,
            run_id=run_id,
            status="running",
            specs=specs,
            resolver=host.resolver_label,
            results={},
            log=(),
            auth=None,  # a new run starts empty: nothing of the last one is shown as now
            around=None,
        )
        # The queries go out now, before this loop does anything else; the pending rows
        # are painted once they are out (LivePlanned), while the answers are awaited.
        feed = self._live_feeds[slot] = self._start_feed(slot, specs, analysis)
        if not self._letting_out:  # once for the runs started by this message
            self._letting_out = True
            self.call_later(self._let_queries_out)

        async def job() -> None:  # a function, not a coroutine: nothing to close if cancelled first
            await self._live_job(slot, run_id, feed, specs)

        self.run_worker(
            job,  # type: ignore[arg-type]  # (Textual's WorkType wants send type None)
            name=f"live {slot}",
            group=f"live-{slot}",
            exclusive=True,
            exit_on_error=False,
        )

    def _let_queries_out(self) -> None:
        """Wait (a few ms at most) for the runs just started to send their first queries.

        Every round trip of a run's longest chain starts with one of those queries. The
        live loop sends them in a thread of its own, but it needs the interpreter lock
        for each, and this loop would hold it for the layout and paint that follow: the
        first queries would then leave one by one over 5 to 10 ms. Waiting here, before
        anything is painted, lets them all leave in a millisecond or two.
        """
        self._letting_out = False
        until = time.monotonic() + FIRST_QUERIES_WAIT
        for feed in list(self._live_feeds.values()):
            if not feed.wait_out(max(until - time.monotonic(), 0.0)):
                break

    def _start_feed(self, slot: int, specs: tuple[LiveSpec, ...], analysis: Analysis) -> LiveFeed:
        """Start one slot's live run on the live checks' own loop (see ``tui/liveloop.py``)."""
        from mailtriage.tui.liveloop import Feed

        old = self._live_feeds.pop(slot, None)
        if old is not None:
            old.cancel()
        host = self.host
        zones = host.config.dnsbl_zones

        def rows(report: Callable[[tuple[QueryLogEntry, ...]], None]) -> AsyncIterator[LiveEvent]:
            # On the live checks' own loop: the resolver (the demo server starts on
            # first use) and every query stay off this one.
            from mailtriage.checks.live.session import run_sample

            resolver = host.make_resolver()
            resolver.add_listener(lambda _: report(resolver.log))
            return run_sample(analysis, resolver, specs=specs, dnsbl_zones=zones)

        return Feed(rows)

    async def _live_job(
        self, slot: int, run_id: int, feed: LiveFeed, specs: tuple[LiveSpec, ...]
    ) -> None:
        post = self.post_message
        try:
            status = await self._live_run(slot, run_id, feed, specs)
        except asyncio.CancelledError:
            post(LiveFinished(slot, run_id, "cancelled"))
            raise
        except Exception as exc:  # e.g. no usable resolver: say so, never hang "running"
            msg = f"live checks stopped ({type(exc).__name__}: {exc})"
            self.notify(printable(msg, 300), severity="error", markup=False)
            status = "error"
        finally:
            if self._live_feeds.get(slot) is feed:
                del self._live_feeds[slot]
        post(LiveFinished(slot, run_id, status))

    async def _live_run(
        self, slot: int, run_id: int, feed: LiveFeed, specs: tuple[LiveSpec, ...]
    ) -> str:
        """Post each batch of the feed: the rows final together are shown by one repaint."""
        post = self.post_message
        resolver = self.host.resolver_label
        worker = get_current_worker()
        async for batch in feed.batches():
            if worker.is_cancelled:
                break
            if batch.started:
                post(LivePlanned(slot, run_id, specs, resolver))
            if batch.progress is not None:
                post(QueriesLogged(slot, run_id, batch.progress))
            for event in batch.items:  # every row is posted the moment it is final
                post(_live_message(slot, run_id, event))
        return "cancelled" if worker.is_cancelled else "done"

    async def _start_live_when_loaded(self, slot: int, analysis: Analysis) -> None:
        """Import the live modules in a thread, then start the slot's checks if still wanted.

        Everything a run needs is loaded here (``_import_live``: the re-check's modules,
        dnspython's record readers, the Public Suffix List), so the first run's round
        trips wait for none of it.
        """
        if self._live_import is None:  # one import for both slots: they start together
            self._live_import = asyncio.ensure_future(asyncio.to_thread(_import_live))
        await asyncio.shield(self._live_import)
        self._live_loaded = True
        if self.analyses[slot] is analysis:  # else the newer sample started its own
            self.start_live(slot)

    def cancel_live(self, slot: int) -> bool:
        """Cancel the live worker of one slot; True when one was running."""
        running = self.runs[slot].status == "running"
        self.workers.cancel_group(self, f"live-import-{slot}")
        self.workers.cancel_group(self, f"live-{slot}")
        feed = self._live_feeds.pop(slot, None)
        if feed is not None:  # a worker cancelled before it started would not stop it
            feed.cancel()
        if running:
            self.runs[slot] = replace(self.runs[slot], status="cancelled")
        return running

    def on_live_event(self, msg: LiveMessage) -> None:
        """Apply a live-worker message unless it belongs to an older run."""
        run_id: int = msg.run_id
        slot = next((i for i, r in enumerate(self.runs) if r.run_id == run_id), None)
        if slot is None:
            return
        run = self.runs[slot]
        if isinstance(msg, LivePlanned):
            run = replace(run, specs=msg.specs, resolver=msg.resolver)
        elif isinstance(msg, LiveAnswered):
            run = run.with_result(msg.result)
        elif isinstance(msg, LiveAuthReady):
            run = replace(run, auth=msg.auth)
        elif isinstance(msg, AroundReady):
            run = replace(run, around=msg.around)
        elif isinstance(msg, QueriesLogged):
            run = replace(run, log=msg.log)
        elif isinstance(msg, LiveFinished) and run.status == "running":
            run = replace(run, status=msg.status)
        self.runs[slot] = run
        self.refresh_all()

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

    # ---- diff pane: stepping through the differences ------------------------
    def action_step_difference(self, by: int) -> None:
        """Highlight the next (``1``) or previous (``-1``) difference between the copies.

        Brings the diff pane forward first (on a narrow terminal it may be hidden).
        """
        pane = self.query_one(DiffPane)
        if pane.comparison is None:
            why = (
                "Load a second sample to compare (a: blocked copy, b: delivered copy)."
                if any(x is None for x in self.analyses)
                else "No decision on this pair: see the diff pane."
            )
            self.notify(why, title="No differences to step through", markup=False)
            return
        if not pane.differences:
            self.notify(
                "The two copies differ in no layer.",
                title="No differences to step through",
                markup=False,
            )
            return
        if self.active_pane != "diff":
            self.action_show_pane("diff")
        pane.step(by)

    # ---- actions: re-check, cancel, swap, open ------------------------------
    def action_recheck(self) -> None:
        """Run the live DNS checks of every loaded sample again."""
        for slot in (0, 1):
            self.start_live(slot)

    def action_cancel_checks(self) -> None:
        """Cancel running DNS checks (Escape)."""
        cancelled = [self.cancel_live(slot) for slot in (0, 1)]
        if any(cancelled):
            self.refresh_all()
            self.notify("Live DNS checks cancelled.", markup=False)

    def action_swap(self) -> None:
        """Swap samples A and B (which one is the blocked one).

        Workers and file watchers belong to a slot, so they are stopped and started
        again for the sample that now sits in it.
        """
        for slot in (0, 1):
            self.cancel_live(slot)
            self.workers.cancel_group(self, f"watch-{slot}")
        self.analyses.reverse()
        self.runs.reverse()
        self.load_ids.reverse()
        ticket = self.host.ticket
        if ticket is not None:
            self.host.change_ticket(swapped(ticket))
        for slot, a in enumerate(self.analyses):
            if a is not None:
                if Path(a.sample.source).is_file():
                    self.follow_file(slot, a.sample.source)
                self.start_live(slot)
        self.refresh_all()
        blocked = self.analyses[0]
        if blocked is not None:
            name = blocked.sample.source
            self.notify(f"A (blocked) is now {name}", markup=False)

    def action_open_sample(self, slot: int) -> None:
        """Ask for a path and load it into slot A or B."""

        def chosen(path: str | None) -> None:
            if path:
                found = self.allowed_path(path)
                if found:
                    self.load(slot, found)

        from mailtriage.tui.screens.open_sample import OpenSampleScreen

        label = ("sample A (blocked)", "sample B (delivered)")[slot]
        prompt = f"Open {label}: path to an .eml, pasted headers or mbox"
        self.app.push_screen(
            OpenSampleScreen(prompt, self._path_hint("/path/to/sample.eml")), chosen
        )

    # ---- actions: pop-up views ----------------------------------------------
    def _loaded(self) -> list[tuple[str, Analysis]]:
        return [(f"{'AB'[i]} · {a.sample.source}", a) for i, a in enumerate(self.analyses) if a]

    def action_dns_log(self) -> None:
        """Show every DNS query made by the live checks."""
        from mailtriage.tui.screens.dns_log import DnsLogScreen

        logs = [
            (f"{'AB'[i]} · {self.runs[i].status}", self.runs[i].log)
            for i, a in enumerate(self.analyses)
            if a is not None
        ]
        timings = self.host.config.show_timings
        self.app.push_screen(DnsLogScreen(logs, timings))

    def action_spf_tree(self) -> None:
        """Show each sample's SPF evaluation tree (evaluated now against its own IP)."""
        from mailtriage.tui.screens.spf_tree import SpfTreeScreen

        trees = [
            (f"{'AB'[i]} · {a.sample.source}", self.runs[i].auth, self.runs[i].status)
            for i, a in enumerate(self.analyses)
            if a is not None
        ]
        self.app.push_screen(SpfTreeScreen(trees))

    def _notes_dir(self) -> Path:
        root = self.host.served_root
        if root:  # served: exports stay with the ticket
            return Path(root)
        cfg = self.host.config
        return Path(cfg.notes_dir).expanduser() if cfg.notes_dir else data_dir() / "notes"

    def notes_text(self, fmt: str = "txt") -> str:
        """The ticket notes for the PSA, as Markdown (``md``) or plain text (``txt``)."""
        from mailtriage.checks.notes import build_notes, notes_markdown, notes_text

        notes = build_notes(
            self.analyses,
            self.comparison,
            self.runs,
            self.checklist_states(),
            self.host.ticket,
            diff=self.diff_rows,
            ticked=self.ticked,
            now=self.host.now(),
            traces=self.trace_lines(),
        )
        return notes_markdown(notes) if fmt == "md" else notes_text(notes)

    def case_packet(self) -> CasePacket:
        """The vendor case packet from the samples, the decision and the ticket."""
        from mailtriage.checks.packet import case_packet

        return case_packet(
            self.analyses,
            self.comparison,
            self.host.ticket,
            now=self.host.now(),
            runs=self.runs,
            checklist=self.checklist_states(),
        )

    def action_notes(self) -> None:
        """Open the ticket notes for the PSA."""
        self.action_export("notes")

    EXPORTS: tuple[tuple[str, str, str], ...] = (
        ("notes", "n", "Ticket notes for the PSA (Markdown / plain text)"),
        ("packet", "p", "Support case packet for the vendor, with its readiness"),
        ("escalation", "u", "Escalation update for an open vendor case"),
        ("runbook", "r", "Runbook entry: root cause, detection signal, validation"),
        ("redacted-packet", "d", "Redacted case packet, to share outside the customer"),
        ("redacted-samples", "c", "Redacted copies of the samples, saved as files"),
    )
    """Everything that can leave the tool: (id, key in the export list, title)."""

    def export_text(self, ident: str) -> tuple[str, str, str, Formats]:
        """Build one export: (title, text, file suffix, other formats)."""
        from mailtriage.checks.packet import packet_text

        if ident == "notes":
            formats: Formats = {
                "Markdown": (".md", lambda: self.notes_text("md")),
                "plain text": (".txt", lambda: self.notes_text("txt")),
            }
            return "Ticket notes", self.notes_text("md"), ".md", formats
        packet = self.case_packet()
        if ident == "packet":
            title = f"Case packet · {packet.readiness}"
            return title, packet_text(packet, extras=False), ".txt", {}
        if ident == "escalation":
            return "Escalation update", printable_lines(packet.escalation), ".txt", {}
        if ident == "runbook":
            return "Runbook entry", printable_lines(packet.runbook), ".txt", {}
        if ident == "redacted-packet":
            from mailtriage.checks.redact import NOT_VERIFIABLE

            redactor, _ = self.redacted_samples()
            text = redactor.redact_text(packet_text(packet, extras=False))
            return (
                "Redacted case packet",
                f"{printable_lines(text)}\n\n{NOT_VERIFIABLE}",
                ".txt",
                {},
            )
        if ident == "redacted-samples":
            return "Redacted samples", self.save_redacted_samples(), ".txt", {}
        raise ValueError(ident)

    def redacted_samples(self) -> tuple[Redactor, list[tuple[str, bytes, str]]]:
        """Both samples redacted with one mapping: the redactor and (slot, bytes, note) each.

        A sample with no raw bytes of its own (an Outlook .msg: its strings sit in a
        binary container) is redacted from its transport headers, and the note says so.

        Raises:
            RedactError: A sample holds too many different values of one kind to map.
        """
        from mailtriage.checks.redact import Redactor

        raws = []
        for slot, a in zip("AB", self.analyses, strict=True):
            if a is None:
                continue
            raw, note = a.sample.raw, ""
            if not raw:
                lines = [f"{h.name}:{h.raw}" for h in a.sample.headers]
                raw = ("\r\n".join(lines) + "\r\n").encode("utf-8", "replace")
                note = " (the transport headers only: the sample has no message text of its own)"
            raws.append((slot, raw, note))
        redactor = Redactor()
        redactor.prepare(*(raw for _, raw, _ in raws))
        return redactor, [(slot, redactor.redact_bytes(raw), note) for slot, raw, note in raws]

    def save_redacted_samples(self) -> str:
        """Write the redacted copies to the notes folder; say where, or why not."""
        from mailtriage.checks.redact import NOT_VERIFIABLE, RedactError

        try:
            _, copies = self.redacted_samples()
        except RedactError as exc:
            return f"Could not redact: {printable(str(exc), 300)}"
        ticket = self.host.ticket
        stem = f"{ticket.id}-redacted" if ticket is not None else "redacted"
        when = self.host.now().strftime("%Y%m%d-%H%M%S")
        lines = []
        for slot, data, note in copies:
            path = self._notes_dir() / f"{stem}-{slot.lower()}-{when}.eml"
            try:
                atomic_write_bytes(path, data)
            except OSError as exc:
                return f"Could not save {path}: {exc.strerror or exc}"
            lines.append(f"{slot}: {path}{note}")
        if not lines:
            return "No sample loaded: nothing to redact."
        return "\n".join([*map(printable, lines), "", NOT_VERIFIABLE])

    def action_export(self, ident: str = "") -> None:
        """Open one export (notes, case packet...), or the list of them."""
        from mailtriage.tui.screens.notes import NotesScreen

        if not ident:
            from mailtriage.tui.screens.export import ExportScreen

            def chosen(picked: str | None) -> None:
                if picked:
                    self.action_export(picked)

            self.app.push_screen(ExportScreen(self.EXPORTS), chosen)
            return
        title, text, suffix, formats = self.export_text(ident)
        ticket = self.host.ticket
        stem = f"{ticket.id}-{ident}" if ticket is not None else ident
        self.app.push_screen(
            NotesScreen(text, self._notes_dir(), title=title, stem=stem, suffix=suffix,
                        formats=formats)
        )  # fmt: skip

    def action_ticket(self, focus: str = "customer", retry: str = "") -> None:
        """Open the ticket form (asks for a ticket id when none is open)."""
        if self.host.ticket is None:
            from mailtriage.tui.screens.open_sample import OpenSampleScreen

            def named(ticket_id: str | None) -> None:
                if ticket_id:
                    self.begin_ticket(ticket_id)

            prompt = "Start or resume a ticket: its id (the PSA's number, e.g. T-1)"
            self.app.push_screen(OpenSampleScreen(prompt, placeholder="T-1", value=retry), named)
            return
        from mailtriage.tui.screens.ticket import TicketScreen

        def closed(_: None) -> None:
            self._update_title()
            self.refresh_all()

        self.app.push_screen(TicketScreen(self.ticket_advice, focus), closed)

    def begin_ticket(self, ticket_id: str) -> None:
        """Start (or resume) a ticket for the samples on screen, then open its form.

        An id that cannot be used is said in one line and the prompt comes back with
        what was typed, so the next keys do not land on the dashboard.
        """
        from mailtriage.checks.ticket.store import TicketError

        try:
            ticket = self.host.start_ticket(ticket_id)
        except TicketError as exc:
            self.notify(printable(str(exc), 300), title="Ticket", severity="error", markup=False)
            self.action_ticket(retry=ticket_id)
            return
        self.ticked = self.ticked | ticket.ticked
        for slot, a in enumerate(self.analyses):
            if a is not None:
                self._keep_sample(slot, a.sample)
        self._shown = ()  # the title and the snapshot follow the ticket
        self.refresh_all()
        self.action_ticket("kind" if getattr(self.app, "ticket_created", False) else "customer")

    def ticket_advice(self, ticket: Ticket) -> list[tuple[str, str]]:
        """Guard rails, escalation triggers and the narrowest exception for the ticket as typed.

        One story, not two: when the evidence says no exception is the right fix (an
        authentication or routing problem), a guard rail does not also recommend a
        narrow exception.
        """
        from mailtriage.checks.escalation import triggers
        from mailtriage.checks.guardrails import APPROVAL, ExceptionProposal, broad_allow_warnings

        loaded = [a for a in self.analyses if a is not None]
        proposal, hint = self._evidence_advice()
        out: list[tuple[str, str]] = []
        for w in broad_allow_warnings("\n".join((ticket.fix, ticket.notes))):
            if proposal is None or isinstance(proposal, ExceptionProposal):
                text = w.warning
            else:
                text = f"{w.risk} {APPROVAL} here the evidence says an exception is not the fix."
            out.append(("warn", f"Guard rail: \u201c{w.quote}\u201d. {text}"))
        for t in triggers(ticket, loaded, self.comparison):
            out.append(("escalate", f"Escalate: {t.title}."))
            out += [("muted", f"  {why}") for why in t.why]
            out.append(("muted", f"  Send: {t.send}"))
        if isinstance(proposal, ExceptionProposal):
            out.append(("propose", proposal.text))
        elif proposal is not None:
            out.append(("muted", f"No exception proposed: {proposal.reason}"))
        if hint is not None:
            title = dict(getattr(self.app, "kinds", ())).get(hint.kind, hint.kind)
            if hint.kind == ticket.kind:
                out.append(("muted", f"Ticket type {title} matches the evidence."))
            elif hint.reason:
                out.append(("propose", f"Suggested ticket type: {title} ({hint.reason})"))
        return out

    def _evidence_advice(self) -> tuple[ExceptionProposal | NoException | None, Suggestion | None]:
        """The narrowest exception and the suggested ticket type: they read only the
        samples and the decision, so they are worked out once per comparison, not on
        every keystroke in the ticket form."""
        from mailtriage.checks.guardrails import narrowest_exception
        from mailtriage.checks.playbook import suggest

        key = (*map(id, self.analyses), id(self.comparison))
        if self._advice_cache[0] != key:
            loaded = [a for a in self.analyses if a is not None]
            decision = self.comparison
            self._advice_cache = (
                key,
                narrowest_exception(loaded, decision) if loaded else None,
                suggest(loaded, decision) if loaded else None,
            )
        return self._advice_cache[1], self._advice_cache[2]

    def action_verdicts(self) -> None:
        """Show every gateway and filter header of both samples, decoded."""
        from mailtriage.tui.screens.verdicts import VerdictsScreen

        self.app.push_screen(VerdictsScreen(self._loaded()))

    def action_explain(self) -> None:
        """Open the box that explains a pasted log status, SMTP reply or bounce."""
        from mailtriage.tui.screens.explain import ExplainScreen

        keep = self.keep_explained if self.host.ticket is not None else None
        self.app.push_screen(ExplainScreen(keep=keep))

    def keep_explained(self, text: str, result: str) -> None:
        """Keep an explain-box result with the ticket."""
        from mailtriage.checks.ticket.model import KeptExplain

        ticket = self.host.ticket
        if ticket is not None:
            kept = (*ticket.kept, KeptExplain(text, result, self.host.now()))
            self.host.change_ticket(replace(ticket, kept=kept))

    # ---- message trace ------------------------------------------------------
    def trace_matches(self) -> list[tuple[str, TraceMatch]]:
        """The loaded trace matched against the loaded samples (empty without a trace)."""
        if self.trace is None:
            return []
        from mailtriage.checks.msgtrace.load import match

        loaded = self._loaded()
        key = (self.trace, *(a for _, a in loaded))  # the objects, so ids cannot be reused
        seen = self._matched[0]
        if len(seen) == len(key) and all(x is y for x, y in zip(seen, key, strict=True)):
            return self._matched[1]  # a big export takes a while: match once per pairing
        try:
            found = match(self.trace, [a for _, a in loaded])
        except Exception as exc:  # runs on the UI thread: a matcher bug must not end the app
            why = f"could not match ({type(exc).__name__}); please report this trace file"
            found = tuple(_unmatched(a.sample, why) for _, a in loaded)
        result = [(label, m) for (label, _), m in zip(loaded, found, strict=True)]
        self._matched = (key, result)
        return result

    def trace_lines(self) -> list[str | None]:
        """Per slot, one line on what the imported trace says (``None`` without a trace)."""
        lines: list[str | None] = [None, None]
        if self.trace is None:
            return lines
        slots = [i for i, a in enumerate(self.analyses) if a]
        for slot, (_, m) in zip(slots, self.trace_matches(), strict=True):
            text = m.status_summary or "no row"
            if m.disagreement and m.rows:
                text += " · disagrees with the mailbox"
            elif m.disagreement:
                text += f" · {m.layer}"
            lines[slot] = text
        return lines

    def action_import_trace(self) -> None:
        """Ask for a Microsoft 365 message trace CSV and match it to the samples."""
        from mailtriage.tui.screens.open_sample import OpenSampleScreen

        def chosen(path: str | None) -> None:
            if path:
                found = self.allowed_path(path)
                if found:
                    self.import_trace(found)

        prompt = "Import a Microsoft 365 message trace export (.csv)"
        self.app.push_screen(
            OpenSampleScreen(prompt, self._path_hint("/path/to/trace.csv"), self.trace_path),
            chosen,
        )

    def import_trace(self, path: str, show: bool = True) -> None:
        """Read a trace export in a thread worker; the result arrives as TraceLoaded."""
        from mailtriage.checks.msgtrace.load import TraceError, load_trace_path

        self.trace_id += 1
        run_id = self.trace_id

        def job() -> None:
            try:
                self.post_message(TraceLoaded(run_id, load_trace_path(path)))
            except TraceError as exc:
                self.post_message(TraceLoaded(run_id, None, str(exc)))
            except Exception as exc:  # a parser bug must not take the dashboard down
                self.post_message(TraceLoaded(run_id, None, f"{type(exc).__name__}: {exc}"))

        self.show_trace_when_loaded = show
        self.run_worker(
            job, name="trace", group="trace", exclusive=True, exit_on_error=False, thread=True
        )

    def on_trace_loaded(self, msg: TraceLoaded) -> None:
        """Keep the trace, repaint, and show the matches."""
        if msg.run_id != self.trace_id:
            return
        if msg.trace is None:
            why = printable(msg.error or "not a message trace", 300)
            self.notify(why, title="Cannot import trace", severity="error", markup=False)
            return
        self.trace, self.trace_path = msg.trace, msg.trace.source
        self.refresh_all()
        # Only over the dashboard itself: never on top of a box the user is typing in.
        if self.show_trace_when_loaded and self.app.screen is self:
            self.action_show_trace()

    def action_show_trace(self) -> None:
        """Show the imported trace against the samples (asks for a file when none)."""
        if self.trace is None:
            self.action_import_trace()
            return
        from mailtriage.tui.screens.trace_view import TraceScreen

        self.app.push_screen(TraceScreen(self.trace, self.trace_matches()))
