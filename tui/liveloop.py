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

T = TypeVar("T")
P = TypeVar("P")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None

#: How long a hand-over may wait for the live loop to have nothing else to run.
_MAX_WAIT = 0.005

#: Seconds a thread waiting for the interpreter lock waits before it asks the running
#: thread to let go (Python's default is 5 ms). Reading one answer takes the live
#: loop several short turns (the socket, dnspython, the resolver, the check), and each
#: turn that finds the dashboard painting would wait the whole interval for the lock:
#: with 5 ms, a repaint that overlaps an answer holds it back by tens of milliseconds.
#: A thread that runs alone never waits, so this costs nothing then.
SWITCH_INTERVAL = 0.0005


def _background() -> asyncio.AbstractEventLoop:
    """The shared background loop, started on first use (a daemon thread).

    Starting it also shortens the interpreter's thread switch interval to
    :data:`SWITCH_INTERVAL` (see there).
    """
    global _loop
    with _lock:
        if _loop is None:
            if sys.getswitchinterval() > SWITCH_INTERVAL:
                sys.setswitchinterval(SWITCH_INTERVAL)
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="live-dns", daemon=True).start()
            _loop = loop
        return _loop


def _busy(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether other callbacks are ready to run on ``loop`` (unknown: not busy).

    Reads the ready queue of asyncio's own loops; another loop is taken as idle,
    which only makes a hand-over come sooner.
    """
    return bool(getattr(loop, "_ready", None))


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
        self._every = progress_every
        self._future = asyncio.run_coroutine_threadsafe(self._pump(start), _background())

    def cancel(self) -> None:
        """Stop the run (items not yet handed over are dropped)."""
        self._future.cancel()

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
        due: list[tuple[asyncio.Handle, bool]] = []  # the pending hand-over, and if a timer
        started = False

        def flush(since: float, final: bool = False) -> None:
            nonlocal started
            if not final and _busy(loop) and loop.time() - since < _MAX_WAIT:
                due[:] = [(loop.call_soon(flush, since), False)]  # after what is ready now
                return
            for handle, _ in due:
                handle.cancel()
            due.clear()
            progress = latest.pop() if latest else None
            batch = Batch(tuple(items), not started, progress, final)
            items.clear()
            started = True
            self._hand(batch)

        def now() -> None:
            if due and due[0][1]:  # only the progress timer: the items go now instead
                due.pop()[0].cancel()
            if not due:
                due.append((loop.call_soon(flush, loop.time()), False))

        def report(snapshot: P) -> None:
            latest[:] = [snapshot]
            if not due:
                handle = loop.call_later(self._every, flush, loop.time() + self._every)
                due.append((handle, True))

        try:
            iterator = start(report)
            now()  # "started", once the first queries are out
            async for item in iterator:
                items.append(item)
                now()
        except BaseException as exc:
            for handle, _ in due:
                handle.cancel()
            if not isinstance(exc, asyncio.CancelledError):
                self._hand(exc)
            raise
        flush(loop.time(), final=True)
