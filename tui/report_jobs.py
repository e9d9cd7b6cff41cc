"""The work behind ``mailtriage report``: one sample in, one output line out.

Each sample is loaded, analysed and serialised where it is processed, one at a
time, so memory stays bounded however many files are named. :func:`run_serial`
does that in this process; :func:`run_parallel` (``--jobs N``) runs :func:`process`
in N worker processes. Both keep input order and stream.

With several workers the parent hands *paths* (never parsed samples) to the
workers in chunks, one round trip per chunk, and gets finished output lines back.
A chunk is yielded as soon as it and everything before it are done, and only a
few chunks are ever in flight. With live DNS each worker runs the live checks
itself, with a fresh resolver per sample, exactly as one process does (nothing
DNS-related is shared between processes, so the DNS server sees up to N samples'
queries at once). The process pool is imported only when it is used.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mailtriage.checks.analysis import Analysis, analyse
from mailtriage.checks.message.loader import SampleError, load_bytes, load_path, read_file
from mailtriage.checks.message.mbox import load_message, read_span
from mailtriage.checks.model import Sample
from mailtriage.checks.report.build import offline_report
from mailtriage.checks.report.summary import Facts, facts
from mailtriage.checks.text import json_text, printable
from mailtriage.tui.config import Config, make_resolver
from mailtriage.tui.report_inputs import Item, MboxPart, Numbered, label_of

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

#: What one item gave: ``(output, None, facts)`` for a report; ``(output, error, None)``
#: when it failed, where the output is the JSON error record (``None`` in text mode).
#: Output is encoded where it is made, newline included, so the parent only writes it.
#: Facts are ``None`` unless a summary was asked for.
Outcome = tuple[bytes | None, str | None, Facts | None]


MAX_CHUNK = 32
STOP_WAIT = 5.0  # seconds to wait for the pool's own thread after killing the workers
WINDOW = 3  # chunks in flight per worker: workers never starve, memory stays bounded


@dataclass(frozen=True)
class Settings:
    """How to report each sample.

    Attributes:
        as_json: JSON Lines instead of the text summary.
        offline: No DNS at all (dnspython is never even imported).
        nameserver: ``(host, port)`` for live checks; ``None`` = the system's.
        config: Timeouts, deadline and DNSBL zones for live checks.
        summary: Also return each report's summary facts.
        encoding: Of the output (JSON Lines are always UTF-8; text uses the terminal's).
    """

    as_json: bool
    offline: bool
    nameserver: tuple[str, int] | None = None
    config: Config = field(default_factory=Config)
    summary: bool = False
    encoding: str = "utf-8"


def text(rep: dict[str, Any]) -> str:
    """The human-readable summary of one report, safe to print to a terminal."""
    lines = [f"== {rep['source']}"]
    fwd = rep.get("forwarded_in")
    if fwd:
        lines.append(f"  forwarded in: {fwd['summary']}")
    for key in ("message_id", "subject", "date", "envelope_from", "connecting_ip", "likely_layer"):
        lines.append(f"  {key}: {rep[key] if rep[key] not in (None, '') else '-'}")
    if rep.get("quarantine"):
        lines.append(f"  quarantine: {rep['quarantine']}")
    for r in rep["auth"]["recorded"]:
        methods = ", ".join(f"{m['method']}={m['result']}" for m in r["methods"])
        lines.append(f"  recorded at {r['authserv_id'] or '?'} ({r['header']}): {methods}")
    for kind, results in (rep["auth"]["live"] or {}).items():
        for res in results:
            lines.append(f"  live {kind} {res['domain']}: {res['status']} · {res['summary']}")
    if rep.get("timeline") and rep["timeline"].get("verdict"):
        lines.append(f"  route: {rep['timeline']['verdict']}")
    bounce = rep.get("bounce") or {}
    for r in bounce.get("recipients", []):
        code = " ".join(x for x in (r["reply_code"], r["status"]) if x)
        who = r["recipient"] or bounce.get("kind", "bounce")
        lines.append(f"  bounce: {who}: {' '.join(x for x in (code, r['category']) if x)}")
        if r["diagnostic"]:
            lines.append(f"    reply: {r['diagnostic'][:300]}")
    for i, f in enumerate(rep["findings"]):
        lines.append(f"  [{f['severity']}] {f['layer']}: {f['title']}")
        if i == 0 or f["severity"] == "high":
            lines.append(f"    evidence: {f['evidence']}")
            lines.append(f"    next step: {f['next_step']}")
    for p in rep["problems"]:
        lines.append(f"  could not parse {p['where']}: {p['message']}")
    # Neutralise control characters from the sample.
    return "\n".join(printable(line) for line in lines)


def _live(a: Analysis, settings: Settings) -> dict[str, Any]:
    import asyncio  # only live checks need an event loop (and its ssl, socket, logging)

    from mailtriage.checks.report.build import full_report  # the live modules load dnspython

    resolver = make_resolver(settings.nameserver, settings.config)
    return asyncio.run(full_report(a, resolver, settings.config.dnsbl_zones))


def failed(label: str, error: str, settings: Settings) -> Outcome:
    """The outcome of an item that could not be reported: its error record and line.

    With JSON, the record ``{"source": label, "error": error}`` keeps the item's place
    in the output (a report always has ``findings``; an error record never has).
    """
    if not settings.as_json:
        return None, error, None
    return _encoded(json_text({"source": label, "error": error}), settings), error, None


def _encoded(line: str, settings: Settings) -> bytes:
    return (line + "\n").encode(settings.encoding, "backslashreplace")


def render(sample: Sample, settings: Settings) -> Outcome:
    """Analyse one loaded sample and serialise its report; never raises."""
    try:
        a = analyse(sample)
        rep = offline_report(a) if settings.offline else _live(a, settings)
        line = json_text(rep) if settings.as_json else text(rep)
        return _encoded(line, settings), None, facts(rep) if settings.summary else None
    except Exception as exc:  # one bad sample must not stop a batch
        why = f"{sample.source}: analysis failed ({type(exc).__name__}: {exc})"
        return failed(sample.source, why, settings)


def load(item: Item) -> Sample:
    """Load the sample an item names.

    Raises:
        SampleError: It cannot be read or is not an email (``Failed``: its own error).
    """
    if isinstance(item, str):
        return load_path(item)
    if isinstance(item, tuple):
        return load_bytes(item[1], item[0])
    if isinstance(item, MboxPart):
        return read_span(item.path, item.span)
    if isinstance(item, Numbered):
        return load_message(read_file(item.path)[0], item.number, item.path)
    raise SampleError(item.error)


def process(item: Item, settings: Settings) -> Outcome:
    """Load, analyse and serialise one sample; never raises."""
    label = label_of(item)
    try:
        sample = load(item)
    except SampleError as exc:
        return failed(label, str(exc), settings)
    except Exception as exc:  # a loader bug must not stop a batch either
        why = f"{label}: could not be loaded ({type(exc).__name__}: {exc})"
        return failed(label, why, settings)
    return render(sample, settings)


def run_serial(items: Iterable[Item], settings: Settings) -> Generator[list[Outcome], None, None]:
    """Process the items in this process, yielding one outcome at a time."""
    for item in items:
        yield [process(item, settings)]


# ---- --jobs N: worker processes ----------------------------------------------
def chunk_size(offline: bool) -> int:
    """Most items per round trip: large enough that IPC is small.

    Live checks wait on the network, so they go one sample at a time. Offline,
    chunks start at one item and double up to this size (:func:`_batches`), so a
    short list is still spread over every worker.
    """
    return MAX_CHUNK if offline else 1


_settings: Settings | None = None


def _init_worker(settings: Settings) -> None:
    global _settings
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _settings = settings


def _work(items: list[Item]) -> list[Outcome]:
    assert _settings is not None, "worker not initialised"
    return [process(item, _settings) for item in items]


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Group items into chunks of 1, 2, 4... up to ``size`` items."""
    batch: list[Item] = []
    now = 1
    for item in items:
        batch.append(item)
        if len(batch) >= now:
            yield batch
            batch = []
            now = min(now * 2, size)
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
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

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
