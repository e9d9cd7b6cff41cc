"""The dashboard's read-only views: decoded verdicts, the explain box, a message trace.

A mixin for DashboardScreen (kept apart so each module stays small). Pop-up
screens are imported when first opened, not at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mailtriage.checks.text import printable
from mailtriage.tui.messages import TraceLoaded

if TYPE_CHECKING:
    from mailtriage.checks.analysis import Analysis
    from mailtriage.checks.model import Sample
    from mailtriage.checks.msgtrace.load import Trace, TraceMatch


def _unmatched(sample: Sample, why: str) -> TraceMatch:
    from mailtriage.checks.msgtrace.load import TraceMatch

    step = "Search the trace by sender, recipient and time instead."
    return TraceMatch(
        sample.source, sample.message_id or "", (), why, None, "routing/connector", step
    )


class DashboardViews:
    """Verdicts (v), explain (e) and message trace (m) for the dashboard."""

    analyses: list[Analysis | None]
    trace: Trace | None = None
    trace_path: str = ""
    trace_id: int = 0
    _matched: tuple[tuple[object, ...], list[tuple[str, TraceMatch]]] = ((), [])

    if TYPE_CHECKING:  # provided by DashboardScreen / Screen
        app: Any

        def run_worker(self, *args: Any, **kwargs: Any) -> Any: ...
        def post_message(self, message: Any) -> bool: ...
        def notify(self, *args: Any, **kwargs: Any) -> None: ...
        def refresh_all(self) -> None: ...

    def _loaded(self) -> list[tuple[str, Analysis]]:
        return [(f"{'AB'[i]} · {a.sample.source}", a) for i, a in enumerate(self.analyses) if a]

    def action_verdicts(self) -> None:
        """Show every gateway and filter header of both samples, decoded."""
        from mailtriage.tui.screens.verdicts import VerdictsScreen

        self.app.push_screen(VerdictsScreen(self._loaded()))

    def action_explain(self) -> None:
        """Open the box that explains a pasted log status, SMTP reply or bounce."""
        from mailtriage.tui.screens.explain import ExplainScreen

        self.app.push_screen(ExplainScreen())

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
                self.import_trace(path)

        prompt = "Import a Microsoft 365 message trace export (.csv)"
        self.app.push_screen(
            OpenSampleScreen(prompt, "/path/to/trace.csv", self.trace_path), chosen
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

    show_trace_when_loaded: bool = True

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
