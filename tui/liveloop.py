"""The live DNS checks' own event loop, in a background thread.

The dashboard's event loop also lays out and paints the screen; a repaint takes
several milliseconds, and an answer that arrives meanwhile would wait for it, so
every round trip of a chain of dependent lookups would be longer by up to one
repaint. Sending, receiving and reading the answers here instead keeps the
round trips at the server's pace; the dashboard's worker only receives the
finished rows. Closing the stream (a cancelled worker) cancels the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def _background() -> asyncio.AbstractEventLoop:
    """The shared background loop, started on first use (a daemon thread)."""
    global _loop
    with _lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="live-dns", daemon=True).start()
            _loop = loop
        return _loop


async def in_background(start: Callable[[], AsyncIterator[T]]) -> AsyncIterator[T]:
    """Iterate ``start()`` on the background loop, yielding its items on this loop.

    Args:
        start: Makes the async iterator; called on the background loop, so it
            may build what belongs to that loop (a resolver).

    Yields:
        The items in the order the background iterator produced them; an
        exception it raised is raised here.
    """
    here = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[bool, T | BaseException | None]] = asyncio.Queue()

    def hand(done: bool, item: T | BaseException | None) -> None:
        with contextlib.suppress(RuntimeError):  # this loop closed: nobody is listening
            here.call_soon_threadsafe(queue.put_nowait, (done, item))

    async def pump() -> None:
        try:
            async for item in start():
                hand(False, item)
        except BaseException as exc:
            hand(True, exc)
            raise
        hand(True, None)

    future = asyncio.run_coroutine_threadsafe(pump(), _background())
    try:
        while True:
            done, item = await queue.get()
            if done:
                if isinstance(item, BaseException):
                    raise item
                return
            yield item  # type: ignore[misc]
    finally:
        future.cancel()
