"""The live DNS checks' own event loop, in a background thread, and the feed from it.

The dashboard's event loop also lays out and paints the screen; a repaint takes
several milliseconds, and an answer that arrives meanwhile would wait for it, so
every round trip of a chain of dependent lookups would be longer by up to one
repaint. Sending, receiving and reading the answers here instead keeps the
round trips at the server's pace; the dashboard's worker only receives the
finished rows, through a :class:`Feed`.

Both loops share one interpreter lock, so the dashboard's repaints still slow this
loop whenever they overlap its work. A feed therefore hands its items over in
batches, when this loop has nothing else ready to run: the queries an answer
leads to are out before the dashboard starts to repaint, the repaint overlaps the
wait for the network instead, and rows that became final together cost one
repaint. Progress (the query log) is handed over with the rows and otherwise at
most once per interval. Cancelling the feed cancels the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from mailtriage.checks.dns.pacing import busy, pollers, when_idle

T = TypeVar("T")
P = TypeVar("P")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None

#: How long a hand-over may wait for the live loop to have nothing else to run.
_MAX_WAIT = 0.005

#: Items are handed over once nothing new (an item, an answer) came for this long...
QUIET = 0.003
#: ...or, while answers keep arriving, this long after the first item waited.
LATEST = 0.02

#: Seconds a thread waiting for the interpreter lock waits before it asks the running
#: thread to let go (Python's default is 5 ms). The dashboard's process has two threads
#: that work in short steps between the UI thread's long ones. Reading one answer takes
#: the live loop several short turns (the socket, dnspython, the resolver, the check),
#: and each turn that finds the dashboard painting would wait the whole interval: with
#: 5 ms, a repaint that overlaps an answer holds it back by tens of milliseconds.
#: Textual's output thread writes each frame to the terminal in a few system calls,
#: taking the lock back after each: the first frame reached the screen about 15 ms after
#: it was made, while the UI thread went on with the checklist. A thread that runs alone
#: never waits, so this costs nothing then.
SWITCH_INTERVAL = 0.0005


def quick_switches() -> None:
    """Shorten the interpreter's thread switch interval to :data:`SWITCH_INTERVAL`.

    Called when the dashboard app is made and when the live loop starts; a shorter
    interval already set is kept.
    """
    if sys.getswitchinterval() > SWITCH_INTERVAL:
        sys.setswitchinterval(SWITCH_INTERVAL)


def _background() -> asyncio.AbstractEventLoop:
    """The shared background loop, started on first use (a daemon thread).

    Starting it also shortens the thread switch interval (:func:`quick_switches`).
    """
    global _loop
    with _lock:
        if _loop is None:
            quick_switches()
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="live-dns", daemon=True).start()
            _loop = loop
        return _loop


@dataclass(frozen=True)
class Batch(Generic[T, P]):
    """What a feed hands over at once.

    Attributes:
        items: Items in the order the run produced them.
        started: The run's first step is done: its first queries are out.
        progress: The latest progress snapshot, when it changed since the last batch.
        done: The run ended (every item handed over).
    """

    items: tuple[T, ...] = ()
    started: bool = False
    progress: P | None = None
    done: bool = False


class Feed(Generic[T, P]):
    """An async iterator run on the live loop, its items handed to this loop in batches.

    The run starts when the feed is made (call it on the loop that will read it).

    Args:
        start: Called on the live loop with a ``report(snapshot)`` callback; returns
            the iterator to run. It may build what belongs to that loop (a resolver)
            and call ``report`` from there whenever progress was made.
        progress_every: Seconds between progress hand-overs while no item is due.
    """

    def __init__(
        self,
        start: Callable[[Callable[[P], None]], AsyncIterator[T]],
        *,
        progress_every: float = 0.1,
    ) -> None:
        self._here = asyncio.get_running_loop()
        self._queue: asyncio.Queue[Batch[T, P] | BaseException] = asyncio.Queue()
        self._out = threading.Event()
        self._every = progress_every
        self._future = asyncio.run_coroutine_threadsafe(self._pump(start), _background())

    def cancel(self) -> None:
        """Stop the run (items not yet handed over are dropped)."""
        self._future.cancel()

    def wait_out(self, timeout: float) -> bool:
        """Block this thread until the run's first queries are out (at most ``timeout`` s).

        "Out": the live loop ran the run's first steps and has nothing ready to run,
        so every query that needs no earlier answer has been sent. A caller that would
        otherwise go on to lay out and paint (holding the interpreter lock the live
        loop needs to send them) waits here for a millisecond or two instead.

        Returns:
            Whether they are out (False: the timeout passed first).
        """
        return self._out.wait(timeout)

    @property
    def done(self) -> bool:
        """Whether the run is over on the live loop (finished, failed or cancelled)."""
        return self._future.done()

    async def batches(self) -> AsyncIterator[Batch[T, P]]:
        """Yield the batches until the run is done; an exception of the run is raised here.

        Leaving the loop early (or being cancelled) cancels the run.
        """
        try:
            while True:
                batch = await self._queue.get()
                if isinstance(batch, BaseException):
                    raise batch
                yield batch
                if batch.done:
                    return
        finally:
            self.cancel()

    def _hand(self, batch: Batch[T, P] | BaseException) -> None:
        with contextlib.suppress(RuntimeError):  # that loop closed: nobody is listening
            self._here.call_soon_threadsafe(self._queue.put_nowait, batch)

    async def _pump(self, start: Callable[[Callable[[P], None]], AsyncIterator[T]]) -> None:
        loop = asyncio.get_running_loop()
        items: list[T] = []
        latest: list[P] = []  # the newest snapshot not yet handed over (at most one)
        started = False
        t0 = loop.time()
        waiting: float | None = t0  # since when an item (or "started") waits
        progress_since: float | None = None  # since when a snapshot waits
        last_seen = t0  # the latest item or progress: answers may still be arriving
        handle: asyncio.Handle | None = None

        def due() -> float | None:
            if waiting is not None:
                return min(last_seen + QUIET, waiting + LATEST)
            if progress_since is not None:
                return progress_since + self._every
            return None

        def arm(at: float | None) -> None:
            nonlocal handle
            if handle is not None:
                handle.cancel()
            handle = None if at is None else loop.call_at(at, check)

        def check(busy_since: float | None = None) -> None:
            nonlocal handle
            handle = None
            at, now = due(), loop.time()
            if at is not None and now < at:
                arm(at)  # something arrived since this check was set: wait for quiet again
            elif at is not None and busy(loop) and now - (busy_since or now) < _MAX_WAIT:
                handle = loop.call_soon(check, busy_since or now)  # after what is ready now
                pollers.add(check)
            elif at is not None:
                flush()

        def flush(final: bool = False) -> None:
            nonlocal started, waiting, progress_since
            arm(None)
            batch = Batch(tuple(items), not started, latest.pop() if latest else None, final)
            items.clear()
            started, waiting, progress_since = True, None, None
            self._hand(batch)

        def seen(item: bool) -> None:
            nonlocal waiting, progress_since, last_seen
            # An answer is in: the first queries are out, or the server is so near that
            # the loop will be reading answers, not idle, until the run ends.
            self._out.set()
            last_seen = loop.time()
            if item and waiting is None:
                waiting = last_seen
            elif not item and progress_since is None:
                progress_since = last_seen
            at = due()
            armed = handle.when() if isinstance(handle, asyncio.TimerHandle) else None
            if at is not None and (handle is None or (armed is not None and at < armed)):
                arm(at)  # (a later due is found when the armed check runs)

        def report(snapshot: P) -> None:
            latest[:] = [snapshot]
            seen(item=False)

        # "Out" once the run's first steps ran and the loop rests (or an answer came).
        out = loop.create_task(when_idle())
        out.add_done_callback(lambda _: self._out.set())
        try:
            iterator = start(report)
            arm(due())  # "started", once the first queries are out
            async for item in iterator:
                items.append(item)
                seen(item=True)
        except BaseException as exc:
            arm(None)
            if not isinstance(exc, asyncio.CancelledError):
                self._hand(exc)
            raise
        finally:
            self._out.set()
        flush(final=True)
