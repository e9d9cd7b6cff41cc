"""``mailtriage report --jobs N``: the samples spread over N worker processes.

The parent hands *paths* (never parsed samples) to the workers in chunks, one
round trip per chunk, and gets finished output lines back; each worker loads,
analyses and serialises (:func:`mailtriage.tui.report_jobs.process`). Output keeps input
order and streams: a chunk is yielded as soon as it and everything before it are
done, and only a few chunks are ever in flight.

Live DNS with several workers: each worker runs the live checks itself, with a
fresh resolver per sample, exactly as one process does (nothing DNS-related is
shared between processes, so the DNS server sees up to N samples' queries at once).
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from mailtriage.tui.report_jobs import Item, Outcome, Settings, process

MAX_CHUNK = 32
STOP_WAIT = 5.0  # seconds to wait for the pool's own thread after killing the workers
WINDOW = 3  # chunks in flight per worker: workers never starve, memory stays bounded


def chunk_size(count: int, jobs: int, offline: bool) -> int:
    """Items per round trip: large enough that IPC is small, small enough to balance.

    Live checks wait on the network, so they go one sample at a time.
    """
    if not offline:
        return 1
    return max(1, min(MAX_CHUNK, count // (jobs * 4)))


_settings: Settings | None = None


def _init_worker(settings: Settings) -> None:
    global _settings
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _settings = settings


def _work(items: list[Item]) -> list[Outcome]:
    assert _settings is not None, "worker not initialised"
    return [process(item, _settings) for item in items]


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_parallel(
    items: Iterable[Item], settings: Settings, jobs: int, chunk: int
) -> Generator[list[Outcome], None, None]:
    """Process the items in ``jobs`` worker processes, yielding each chunk in input order.

    At most ``jobs * WINDOW`` chunks are in flight, so a long list of paths is
    never read ahead far and finished lines never pile up.

    Raises:
        concurrent.futures.process.BrokenProcessPool: A worker died (killed, out of memory).
    """
    # fork: workers start at once with every module already imported.
    ctx = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    batches = _batches(items, chunk)
    pending: deque[Future[list[Outcome]]] = deque()
    pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker, initargs=(settings,))
    try:
        for batch in batches:
            pending.append(pool.submit(_work, batch))
            if len(pending) >= jobs * WINDOW:
                break
        while pending:
            done = pending.popleft().result()
            for batch in batches:
                pending.append(pool.submit(_work, batch))
                break
            yield done
    except BaseException:  # Ctrl-C, a closed pipe, a dead worker: stop at once
        _stop_now(pool)
        raise
    pool.shutdown(wait=True)


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Cancel queued work and end the workers without waiting for their chunks.

    A graceful shutdown would wait for running chunks (long with live DNS), and a
    second Ctrl-C during it could leave the pool's threads waiting on workers that
    never get their stop signal. Further Ctrl-C is ignored for the few milliseconds
    this takes. (Python 3.14 has ``terminate_workers()``; before it there is no
    public list of the workers.)
    """
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        procs = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        manager = getattr(pool, "_executor_manager_thread", None)
        if isinstance(manager, threading.Thread):
            manager.join(STOP_WAIT)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
