"""What ``mailtriage report`` reads: named files, folders, mailboxes and stdin, as items.

The named paths are expanded lazily, in this order, into one item per sample:

- ``-``: standard input (read once, before the run).
- ``FILE#N`` (a path that does not exist as written, ending in ``#N``): message N
  of the mailbox FILE, as in the dashboard.
- A folder: walked recursively, entries sorted by name at each level. Files named
  ``*.eml``, ``*.msg``, ``*.txt`` (samples) or ``*.mbox`` (mailboxes), in any case,
  are read. Everything else is skipped and counted: other files, hidden entries
  (name starting with ``.``), and links to folders (never followed, so a loop of
  links cannot run forever). A folder holding no sample at all is an error item.
- A file (named, or found in a folder) whose content is an mbox holding two or more
  messages: one item per message, labelled ``FILE#N`` (N from 1). The file is
  scanned in one forward pass (:func:`mailtriage.checks.message.mbox.scan_file`),
  never held whole. Any other file is one item, loaded as the dashboard loads it.

An input that cannot be listed becomes a :class:`Failed` item in its place, so
the run goes on and the output keeps one record per item in input order.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mailtriage.checks.message.loader import SampleError
from mailtriage.checks.message.mbox import MboxSpan, scan_file, split_number
from mailtriage.checks.text import printable

SAMPLE_SUFFIXES = (".eml", ".msg", ".txt")
MBOX_SUFFIXES = (".mbox",)
READ_IN_FOLDERS = SAMPLE_SUFFIXES + MBOX_SUFFIXES
NO_SAMPLES = "no .eml, .msg, .txt or .mbox files in this folder"


@dataclass(frozen=True, slots=True)
class MboxPart:
    """Message ``span.number`` of the mailbox ``path``, found by a scan."""

    path: str
    span: MboxSpan

    @property
    def label(self) -> str:
        """``FILE#N``, the sample's source."""
        return f"{self.path}#{self.span.number}"


@dataclass(frozen=True, slots=True)
class Numbered:
    """``FILE#N`` as named on the command line: message ``number`` of ``path``."""

    path: str
    number: int


@dataclass(frozen=True, slots=True)
class Failed:
    """An input that could not even be listed (an unreadable folder, stdin)."""

    label: str
    error: str


#: One sample to report: a path, ``(label, bytes)`` already read (stdin), a message of
#: a mailbox, or an input that failed before loading.
Item = str | tuple[str, bytes] | MboxPart | Numbered | Failed


def label_of(item: Item) -> str:
    """The source label a sample's report (or its error) carries."""
    if isinstance(item, str):
        return item
    if isinstance(item, tuple):
        return item[0]
    if isinstance(item, MboxPart | Failed):
        return item.label
    return f"{item.path}#{item.number}"


class Inputs:
    """The named inputs, expanded lazily into items (iterate once).

    Attributes:
        skipped: Folder entries skipped so far (not samples by name, hidden, linked folders).
        first_skipped: The first of them, to name in the note.
    """

    def __init__(self, paths: Iterable[str], stdin: bytes | SampleError | None = None) -> None:
        """Prepare the expansion.

        Args:
            paths: As named on the command line.
            stdin: Standard input's bytes when ``-`` is named, or why it could not be read.
        """
        self._paths = list(paths)
        self._stdin = stdin
        self.skipped = 0
        self.first_skipped: str | None = None

    def __iter__(self) -> Iterator[Item]:
        for path in self._paths:
            if path == "-":
                if isinstance(self._stdin, SampleError):
                    yield Failed("-", str(self._stdin))
                elif self._stdin is not None:
                    yield ("-", self._stdin)
                continue
            base, number = split_number(path)
            if number is not None:
                yield Numbered(base, number)
            elif os.path.isdir(path):
                found = False
                for item in self._walk(path):
                    found = True
                    yield item
                if not found:
                    yield Failed(path, f"{printable(path, 200)}: {NO_SAMPLES}")
            else:
                yield from _file(path)

    def _skip(self, path: str) -> None:
        self.skipped += 1
        if self.first_skipped is None:
            self.first_skipped = path

    def _walk(self, folder: str) -> Iterator[Item]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            why = exc.strerror or str(exc)
            yield Failed(folder, f"cannot read folder {printable(folder, 200)}: {why}")
            return
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                linked_dir = not is_dir and entry.is_symlink() and entry.is_dir()
            except OSError:
                is_dir = linked_dir = False
            if entry.name.startswith(".") or linked_dir:
                self._skip(entry.path)
            elif is_dir:
                yield from self._walk(entry.path)
            elif entry.name.lower().endswith(READ_IN_FOLDERS):
                yield from _file(entry.path)
            else:
                self._skip(entry.path)


def _file(path: str) -> Iterator[Item]:
    """One item for a file, or one per message when it is an mbox of several."""
    spans = scan_file(path)
    try:
        first = next(spans, None)
        second = next(spans, None) if first is not None else None
    except (SampleError, OSError):
        first = second = None  # the loader says why, in this item's place
    if first is None or second is None:
        spans.close()
        yield path
        return
    yield MboxPart(path, first)
    yield MboxPart(path, second)
    try:
        for span in spans:
            yield MboxPart(path, span)
    except OSError as exc:
        yield Failed(path, f"cannot read {printable(path, 200)}: {exc.strerror or exc}")


def count(paths: Iterable[str], stdin: bytes | SampleError | None = None) -> int:
    """How many items the inputs expand to (a second pass, for the progress bar)."""
    return sum(1 for _ in Inputs(paths, stdin))
