"""Pacing CPU-bound steps behind the lookups that share their event loop.

A live run sends its lookups and reads their answers on one asyncio loop. Some of
its steps are plain computation: parsing a message for DKIM, verifying signatures.
Run while answers wait to be read, such a step holds back the queries those answers
lead to (an SPF include, the address of a PTR name), and every chain of dependent
lookups gets longer by it, even from a worker thread, which needs the interpreter
lock as much as the loop does. :func:`when_idle` lets such a step wait until the
loop has nothing else ready: the answers are read and the next queries are out.

This reads the ready queue of asyncio's own loops (``_ready``, a private attribute
that has been stable since Python 3.4); any other loop counts as idle, so a step
only starts sooner there.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable

__all__ = ["busy", "pollers", "when_idle"]

pollers: weakref.WeakSet[Callable[..., object]] = weakref.WeakSet()
"""Callbacks that only wait for the loop to be idle and queue themselves again meanwhile.

They do not make a loop busy: two of them would otherwise each wait for the other for
ever. Add a callback here before queueing it with ``call_soon``.
"""

IDLE_WAIT = 0.05
"""Longest :func:`when_idle` waits (seconds): a loop that never rests still gets on."""


def busy(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether callbacks other than :data:`pollers` are ready to run on ``loop``."""
    ready = getattr(loop, "_ready", None) or ()
    return any(getattr(handle, "_callback", None) not in pollers for handle in ready)


async def when_idle(max_wait: float = IDLE_WAIT) -> None:
    """Return once the running loop has nothing but pollers ready (or ``max_wait`` passed).

    Args:
        max_wait: Seconds to wait at most.
    """
    loop = asyncio.get_running_loop()
    until = loop.time() + max_wait
    idle: asyncio.Future[None] = loop.create_future()

    def poll() -> None:
        if idle.done():  # cancelled meanwhile
            return
        if busy(loop) and loop.time() < until:
            loop.call_soon(poll)
        else:
            idle.set_result(None)

    pollers.add(poll)
    loop.call_soon(poll)
    await idle
