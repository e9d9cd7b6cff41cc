"""Samples that arrive without the open dialog: the paste box and the ``--watch`` drop folder.

``SampleIntake`` is a base class of the dashboard screen. It keeps these ways in
one module so the dashboard itself only inherits them:

- ``p`` / ``P`` open the paste box for A / B. :meth:`SampleIntake.load_pasted` parses
  the text with the sample loader in a thread worker (group ``paste-N``), loads the
  sample into the slot, labelled "pasted into A at HH:MM UTC", and posts
  ``SamplePasted`` (it bubbles up, so a ticket can keep the text).
- With ``--watch DIR`` a worker (group ``drop-folder``) watches the folder. A new
  regular file (created or moved in) that has stopped growing is posted as
  ``FileDropped`` and offered with a notification; ``w`` opens a small box to load
  it as A or B, or to ignore it. Dotfiles, ``~`` files and the usual partial-download
  names are skipped. The worker stops when cancelled (the app exiting cancels it).
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol, cast

from mailtriage.checks.message.loader import SampleError, load_text
from mailtriage.checks.model import Sample
from mailtriage.checks.text import printable
from mailtriage.tui.messages import FileDropped, PasteParsed, SampleFailed, SamplePasted
from textual.message import Message
from textual.screen import Screen
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


class _Clock(Protocol):
    def now(self) -> datetime: ...


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


class SampleIntake(Screen[None]):
    """The paste box and the drop folder, as a base class of the dashboard screen.

    The dashboard provides ``load``, ``next_id`` and ``load_ids``; the app may carry
    ``watch_dir`` (from ``--watch``) and ``now()``.
    """

    load_ids: list[int]

    def __init__(self) -> None:
        super().__init__()
        self.dropped: list[str] = []
        """Files from the drop folder offered and not yet taken or ignored, oldest first."""

    def load(self, slot: int, item: Sample | str, watch: bool = True) -> None:
        """Load a sample into a slot (the dashboard's loader)."""
        raise NotImplementedError

    def next_id(self) -> int:
        """A new run id (the dashboard's counter)."""
        raise NotImplementedError

    def on_mount(self) -> None:
        """Start watching the drop folder when the app was given one."""
        folder = getattr(self.app, "watch_dir", "")
        if folder:
            self.watch_folder(folder)

    # ---- paste --------------------------------------------------------------
    def action_paste(self, slot: int) -> None:
        """Open the paste box for slot A (0) or B (1)."""
        from mailtriage.tui.screens.paste import PasteScreen

        def pasted(text: str | None) -> None:
            if text is not None:
                self.load_pasted(slot, text)

        self.app.push_screen(PasteScreen(slot), pasted)

    def load_pasted(self, slot: int, text: str) -> None:
        """Parse pasted text as the sample of a slot, in a thread worker.

        On success the sample loads into the slot and ``SamplePasted`` is posted (it
        carries the text for a ticket); otherwise one line says why. A later load
        into the slot supersedes this one (then nothing is posted).

        Args:
            slot: 0 for A (blocked), 1 for B (delivered).
            text: What was pasted: headers, with or without a body.
        """
        clock = cast("_Clock", self.app)
        now = clock.now() if hasattr(self.app, "now") else datetime.now().astimezone()
        zone = now.tzname() or ""
        label = f"pasted into {SLOT_NAMES[slot]} at {now:%H:%M}" + (f" {zone}" if zone else "")
        run_id = self.load_ids[slot] = self.next_id()

        def job() -> None:
            try:
                sample = load_text(text, label)
            except SampleError as exc:
                self.post_message(SampleFailed(slot, run_id, str(exc)))
                return
            except Exception as exc:  # an engine bug must not take the dashboard down
                why = f"the pasted text could not be read ({type(exc).__name__}: {exc})"
                self.post_message(SampleFailed(slot, run_id, why))
                return
            self.post_message(PasteParsed(slot, run_id, text, sample))

        self.run_worker(
            job,
            name=f"paste {slot}",
            group=f"paste-{slot}",
            exclusive=True,
            exit_on_error=False,
            thread=True,
        )

    def on_paste_parsed(self, msg: PasteParsed) -> None:
        """Load a parsed paste into its slot (unless something newer went there)."""
        if msg.run_id != self.load_ids[msg.slot]:
            return
        self.load(msg.slot, msg.sample)
        self.post_message(SamplePasted(msg.slot, msg.text, msg.sample))
        where = ("A (blocked)", "B (delivered)")[msg.slot]
        self.notify(f"The pasted headers are now sample {where}.", markup=False)

    # ---- drop folder --------------------------------------------------------
    def watch_folder(self, folder: str) -> None:
        """Watch a drop folder for new samples (one watcher; a new call replaces it)."""

        async def job() -> None:
            try:
                await watch_drops(folder, self.post_message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # e.g. the folder was removed: say so once
                why = printable(f"stopped watching {folder}: {type(exc).__name__}: {exc}", 300)
                self.notify(why, title="Drop folder", severity="error", markup=False)

        self.run_worker(
            job(), name="drop folder", group="drop-folder", exclusive=True, exit_on_error=False
        )

    def on_file_dropped(self, msg: FileDropped) -> None:
        """Offer a new file from the drop folder (notification; ``w`` takes it)."""
        if msg.path in self.dropped:
            return
        self.dropped.append(msg.path)
        name = printable(Path(msg.path).name, 120)
        self.notify(
            f"{name}: press w to load it as A or B.",
            title="New file in the drop folder",
            markup=False,
            timeout=10,
        )

    def action_take_dropped(self) -> None:
        """Offer the newest dropped file: load it as A or B, or ignore it."""
        if not self.dropped:
            why = (
                "No new file in the drop folder."
                if getattr(self.app, "watch_dir", "")
                else "No drop folder: start with --watch DIR to have new files offered."
            )
            self.notify(why, markup=False)
            return
        from mailtriage.tui.screens.drop_offer import IGNORE, DropOfferScreen

        path = self.dropped[-1]

        def chosen(slot: int | None) -> None:
            if slot is None:
                return
            if path in self.dropped:
                self.dropped.remove(path)
            if slot != IGNORE:
                self.load(slot, path)

        self.app.push_screen(DropOfferScreen(path, len(self.dropped) - 1), chosen)
