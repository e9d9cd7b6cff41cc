"""The dashboard's workers and the actions that start, stop and re-run them.

A mixin for DashboardScreen, kept apart so each module stays small. Loader
workers run in threads (a 30 MB sample must not stall the UI); live DNS workers
are async tasks on the app's loop. Both post Messages back with their run id.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailtriage.checks.analysis import Analysis, analyse
from mailtriage.checks.dns.model import QueryLogEntry
from mailtriage.checks.message.loader import SampleError, load_path
from mailtriage.checks.model import Sample
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
from textual.message import Message
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from mailtriage.checks.live.run import LiveRun


INLINE_BYTES = 2_000_000
"""Samples already loaded and smaller than this are analysed without a thread."""


class LiveWorkers:
    """Worker plumbing for the dashboard (expects ``analyses``, ``runs``, ``load_ids``)."""

    analyses: list[Analysis | None]
    runs: list[LiveRun]
    load_ids: list[int]
    _serial: int = 0

    def next_id(self) -> int:
        """Return a run id unique across both slots (so a swap cannot mix results)."""
        self._serial += 1
        return self._serial

    # ---- loading ------------------------------------------------------------
    def load(self, slot: int, item: Sample | str, watch: bool = True) -> None:
        """Load (if a path) and analyse a sample in a thread worker.

        With ``watch``, a sample that is a file is reloaded whenever it changes.
        """
        run_id = self.load_ids[slot] = self.next_id()
        self.cancel_live(slot)
        source = item.source if isinstance(item, Sample) else item
        if watch and Path(source).is_file():
            self.follow_file(slot, source)
        elif watch:
            self.workers.cancel_group(self, f"watch-{slot}")  # type: ignore[attr-defined]

        def job() -> None:
            try:
                sample = item if isinstance(item, Sample) else load_path(item)
                self.post_message(SampleLoaded(slot, run_id, analyse(sample)))  # type: ignore[attr-defined]
            except SampleError as exc:
                self.post_message(SampleFailed(slot, run_id, str(exc)))  # type: ignore[attr-defined]
            except Exception as exc:  # an engine bug must not take the dashboard down
                msg = f"analysis failed ({type(exc).__name__}: {exc}); please report this sample"
                self.post_message(SampleFailed(slot, run_id, msg))  # type: ignore[attr-defined]

        if isinstance(item, Sample) and item.size < INLINE_BYTES:
            job()  # already parsed and small: no thread, no empty first frame
            return
        self.run_worker(  # type: ignore[attr-defined]
            job,
            name=f"load {slot}",
            group=f"load-{slot}",
            exclusive=True,
            exit_on_error=False,
            thread=True,
        )

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
                    self.post_message(SampleChanged(slot, str(target)))  # type: ignore[attr-defined]

        self.run_worker(  # type: ignore[attr-defined]
            job(),
            name=f"watch {slot}",
            group=f"watch-{slot}",
            exclusive=True,
            exit_on_error=False,
        )

    # ---- live DNS -----------------------------------------------------------
    def start_live(self, slot: int) -> None:
        """(Re)start the live checks of one slot; older results become stale."""
        analysis = self.analyses[slot]
        if analysis is None:
            return
        run = self.runs[slot]
        app: Any = self.app  # type: ignore[attr-defined]
        from mailtriage.checks.live.plan import plan  # dnspython loads after the first paint

        if app.offline:
            self.runs[slot] = replace(
                run,
                run_id=self.next_id(),
                status="offline",
                specs=plan(analysis.sample),
                results={},
                resolver="offline: no DNS queries",
            )
            self.refresh_all()  # type: ignore[attr-defined]
            return
        run_id = self.next_id()
        self.runs[slot] = replace(
            run,
            run_id=run_id,
            status="running",
            specs=plan(analysis.sample),
            resolver=app.resolver_label,
            results={},
            log=(),
        )
        self.run_worker(  # type: ignore[attr-defined]
            self._live_job(slot, run_id, analysis),
            name=f"live {slot}",
            group=f"live-{slot}",
            exclusive=True,
            exit_on_error=False,
        )

    async def _live_job(self, slot: int, run_id: int, analysis: Analysis) -> None:
        post = self.post_message  # type: ignore[attr-defined]
        try:
            status = await self._live_run(slot, run_id, analysis)
        except asyncio.CancelledError:
            post(LiveFinished(slot, run_id, "cancelled"))
            raise
        except Exception as exc:  # e.g. no usable resolver: say so, never hang "running"
            msg = f"live checks stopped ({type(exc).__name__}: {exc})"
            self.notify(printable(msg, 300), severity="error", markup=False)  # type: ignore[attr-defined]
            status = "error"
        post(LiveFinished(slot, run_id, status))

    async def _live_run(self, slot: int, run_id: int, analysis: Analysis) -> str:
        app: Any = self.app  # type: ignore[attr-defined]
        post = self.post_message  # type: ignore[attr-defined]
        resolver = await asyncio.to_thread(app.make_resolver)
        from mailtriage.checks.live.around import live_around
        from mailtriage.checks.live.auth import live_auth
        from mailtriage.checks.live.plan import (  # dnspython loads after the first paint
            plan,
            run_all,
        )

        specs = plan(analysis.sample)
        post(LivePlanned(slot, run_id, specs, app.resolver_label))

        def logged(_: QueryLogEntry) -> None:
            post(QueriesLogged(slot, run_id, resolver.log))

        resolver.add_listener(logged)
        worker = get_current_worker()

        async def evaluate() -> None:
            zones = app.config.dnsbl_zones
            auth, around = await asyncio.gather(
                live_auth(analysis, resolver), live_around(analysis, resolver, zones)
            )
            post(LiveAuthReady(slot, run_id, auth))
            post(AroundReady(slot, run_id, around))

        auth_task = asyncio.create_task(evaluate())
        try:
            async for result in run_all(specs, resolver):
                if worker.is_cancelled:
                    break
                post(LiveAnswered(slot, run_id, result))
            await auth_task
        finally:
            auth_task.cancel()
        return "cancelled" if worker.is_cancelled else "done"

    def cancel_live(self, slot: int) -> bool:
        """Cancel the live worker of one slot; True when one was running."""
        running = self.runs[slot].status == "running"
        self.workers.cancel_group(self, f"live-{slot}")  # type: ignore[attr-defined]
        if running:
            self.runs[slot] = replace(self.runs[slot], status="cancelled")
        return running

    def on_live_event(self, msg: Message) -> None:
        """Apply a live-worker message unless it belongs to an older run."""
        run_id: int = msg.run_id  # type: ignore[attr-defined]
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
        self.refresh_all()  # type: ignore[attr-defined]
