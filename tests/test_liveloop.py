"""The live checks' own loop and the feed that hands their rows to the dashboard (issue 11).

The feed hands items over in batches, once answers stop arriving, so that rows final
together cost the dashboard one repaint and a repaint does not start while the live
loop still has answers to read; progress is throttled, the last snapshot always comes
with the end; errors and cancellation cross the threads.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import AsyncIterator, Callable

import pytest
from mailtriage.tui import liveloop
from mailtriage.tui.liveloop import Batch, Feed

Report = Callable[[int], None]


async def _collect(feed: Feed[str, int]) -> list[Batch[str, int]]:
    return [batch async for batch in feed.batches()]


async def test_items_final_together_come_in_one_batch() -> None:
    def start(_report: Report) -> AsyncIterator[str]:
        async def rows() -> AsyncIterator[str]:
            for name in ("spf", "dmarc", "mx"):
                yield name

        return rows()

    batches = await _collect(Feed(start))
    assert [b.items for b in batches] == [("spf", "dmarc", "mx")]
    assert batches[0].started and batches[0].done


async def test_items_apart_come_apart_and_started_comes_first() -> None:
    sent = threading.Event()

    def start(_report: Report) -> AsyncIterator[str]:
        async def rows() -> AsyncIterator[str]:
            sent.set()  # the run's first step: its first queries
            await asyncio.sleep(0.3)
            yield "spf"
            await asyncio.sleep(0.3)
            yield "around"

        return rows()

    feed: Feed[str, int] = Feed(start)
    batches = []
    async for batch in feed.batches():
        if not batches:
            assert sent.is_set()  # "started" is handed over once the first step ran
        batches.append(batch)
    assert [(b.items, b.started, b.done) for b in batches] == [
        ((), True, False),
        (("spf",), False, False),
        (("around",), False, True),
    ]


async def test_progress_is_throttled_and_the_last_snapshot_is_handed_over() -> None:
    def start(report: Report) -> AsyncIterator[str]:
        async def rows() -> AsyncIterator[str]:
            for n in range(1, 41):  # forty answers, one every 5 ms
                report(n)
                await asyncio.sleep(0.005)
            yield "done"

        return rows()

    batches = await _collect(Feed(start, progress_every=0.1))
    snapshots = [b.progress for b in batches if b.progress is not None]
    assert len(snapshots) < 10  # not one hand-over per answer
    # The last snapshot is never lost: it comes with the end, or in the hand-over just
    # before it when the interval ran out as the run ended (then the end has none new).
    assert snapshots[-1] == 40
    assert batches[-1].done and batches[-1].items == ("done",)


async def test_an_error_of_the_run_is_raised_to_the_reader() -> None:
    def start(_report: Report) -> AsyncIterator[str]:
        async def rows() -> AsyncIterator[str]:
            yield "spf"
            raise ValueError("no usable resolver")

        return rows()

    with pytest.raises(ValueError, match="no usable resolver"):
        await _collect(Feed(start))


async def _stopped_when(stop: Callable[[Feed[str, int]], object]) -> bool:
    """Whether the run's own clean-up ran after ``stop(feed)`` (within two seconds)."""
    cleaned = threading.Event()

    def start(_report: Report) -> AsyncIterator[str]:
        async def rows() -> AsyncIterator[str]:
            try:
                yield "first"
                await asyncio.sleep(30)
                yield "never"
            finally:
                cleaned.set()

        return rows()

    feed: Feed[str, int] = Feed(start)
    result = stop(feed)
    if asyncio.iscoroutine(result):
        await result
    return await asyncio.to_thread(cleaned.wait, 2.0)


async def test_cancel_stops_the_run_even_if_nobody_read_it() -> None:
    # The dashboard cancels a slot's feed itself: a worker cancelled before it started
    # would never close the feed's reader.
    assert await _stopped_when(lambda feed: feed.cancel())


async def test_leaving_the_batches_early_stops_the_run() -> None:
    async def first_then_leave(feed: Feed[str, int]) -> None:
        async for _batch in feed.batches():
            break

    assert await _stopped_when(first_then_leave)


def test_the_live_loop_shortens_the_thread_switch_interval() -> None:
    # The default 5 ms lets a dashboard repaint hold each step of reading an answer
    # back by up to 5 ms; the live loop's thread needs the lock within a fraction of that.
    liveloop._background()
    assert sys.getswitchinterval() <= liveloop.SWITCH_INTERVAL


async def test_wait_out_returns_once_the_first_queries_are_out() -> None:
    """Two runs started together: each feed says when its first steps ran (no ping-pong)."""
    sent: list[str] = []

    def start(_report: Report) -> AsyncIterator[str]:
        async def rows() -> AsyncIterator[str]:
            for name in ("spf", "dmarc", "dkim"):
                sent.append(name)
                await asyncio.sleep(0)  # a socket, a task: a few turns per query
            await asyncio.sleep(0.2)  # the answers take a round trip
            yield "done"

        return rows()

    feeds = [Feed(start), Feed(start)]
    outs = await asyncio.to_thread(lambda: [feed.wait_out(5.0) for feed in feeds])
    assert outs == [True, True] and len(sent) == 6
    for feed in feeds:
        assert [b.items for b in await _collect(feed) if b.items] == [("done",)]


def test_the_dashboard_app_shortens_the_switch_interval_when_made() -> None:
    """Textual's output thread writes the first frame in a few system calls, taking the lock
    back after each: made by the app, not only by the live loop, the short interval is
    in place for the first frame."""
    code = (
        "import sys\n"
        "from mailtriage.tui.app import MailtriageApp\n"
        "from mailtriage.tui.liveloop import SWITCH_INTERVAL\n"
        "before = sys.getswitchinterval()\n"
        "MailtriageApp(offline=True)\n"
        "print(before > SWITCH_INTERVAL, sys.getswitchinterval() <= SWITCH_INTERVAL)\n"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]
