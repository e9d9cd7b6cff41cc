"""The ``--watch`` drop folder: which new files are samples, and when they are whole.

The dashboard runs :func:`watch_drops` in a worker (group ``drop-folder``). A new
regular file (created or moved in) that has stopped growing is posted as
``FileDropped`` and offered with a notification; ``w`` opens a small box to load it
as A or B, or to ignore it. Dotfiles, ``~`` files and the usual partial-download
names are skipped. The worker stops when cancelled (the app exiting cancels it).
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Callable

from mailtriage.tui.messages import FileDropped
from textual.message import Message
from textual.worker import get_current_worker

SLOT_NAMES = ("A", "B")
PARTIAL_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp")
"""Names a file has while it is still being written or downloaded."""
STABLE_SECONDS = 1.0
"""A dropped file is offered once its size and time stayed the same this long."""
TICK_MS = 250
"""How often the drop-folder worker wakes to check files and cancellation."""


def is_drop_candidate(name: str) -> bool:
    """Whether a file name in the drop folder may be a sample (not hidden, temporary or partial).

    Skipped: dotfiles (``.x.eml.swp``, ``.DS_Store``), names starting or ending with
    ``~`` (editor backups, Office's ``~$`` lock files) and partial-download names.
    """
    if not name or name.startswith((".", "~")) or name.endswith("~"):
        return False
    return not name.lower().endswith(PARTIAL_SUFFIXES)


async def watch_drops(
    folder: str, post: Callable[[Message], object], stable: float = STABLE_SECONDS
) -> None:
    """Watch ``folder`` and post ``FileDropped`` for each new file once it stopped changing.

    Runs until its worker is cancelled. Files present at start are not offered; each
    path is offered once.

    Args:
        folder: The drop folder.
        post: ``post_message`` of the screen to tell.
        stable: Seconds a file's size and time must stay unchanged.
    """
    from watchfiles import Change, awatch

    worker = get_current_worker()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    pending: dict[str, tuple[tuple[int, int], float]] = {}  # path -> (size, mtime), since
    offered: set[str] = set()

    def wanted(change: Change, path: str) -> bool:
        return change != Change.deleted and is_drop_candidate(os.path.basename(path))

    try:
        async for changes in awatch(
            folder,
            watch_filter=wanted,
            debounce=200,
            step=50,
            rust_timeout=TICK_MS,
            yield_on_timeout=True,
            recursive=False,
            stop_event=stop,
        ):
            if worker.is_cancelled:
                break
            now = loop.time()
            for _, path in changes:
                if path not in offered and path not in pending:
                    pending[path] = ((-1, -1), now)
            for path, (seen, since) in list(pending.items()):
                try:
                    info = os.stat(path)
                except OSError:  # moved away or deleted again
                    del pending[path]
                    continue
                if not stat.S_ISREG(info.st_mode):
                    del pending[path]
                    continue
                current = (info.st_size, info.st_mtime_ns)
                if current != seen or info.st_size == 0:
                    pending[path] = (current, now)
                elif now - since >= stable:
                    del pending[path]
                    offered.add(path)
                    post(FileDropped(path))
    finally:
        stop.set()  # the watcher thread ends within one step
