"""A one-line progress bar for batch commands, drawn on a terminal only.

:func:`progress_for` gives a live bar when the stream is a terminal and a bar that
draws nothing otherwise, so a redirected or piped stderr gets not one extra byte.
The bar shows samples done, the total once it is known (it is counted in the
background while the work runs), the rate and the time left. It redraws at most
ten times a second and erases itself before anything else is written to the
terminal (:meth:`Progress.clear`).
"""

from __future__ import annotations

import os
import time
from typing import TextIO

REDRAW_EVERY = 0.1  # seconds
BAR_WIDTH = 24


def _clock(seconds: float) -> str:
    s = int(seconds)
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


class Progress:
    """A progress line on ``stream`` (a terminal).

    Attributes:
        done: Items finished.
        total: Items in all, once counted (``None`` until then); set from any thread.
    """

    def __init__(self, stream: TextIO | None, what: str = "samples") -> None:
        """Start the bar (``stream`` ``None``: a bar that never draws)."""
        self._stream = stream
        self._what = what
        self.done = 0
        self.total: int | None = None
        self._started = time.monotonic()
        self._drawn_at = 0.0
        self._shown = False

    @property
    def active(self) -> bool:
        """Whether this bar draws at all."""
        return self._stream is not None

    def line(self, now: float | None = None) -> str:
        """The bar's text for the current counts."""
        elapsed = max((now if now is not None else time.monotonic()) - self._started, 1e-6)
        rate = self.done / elapsed
        total = self.total
        if total is None:
            return f"report: {self.done:,} {self._what} (counting...)  {rate:,.0f}/s"
        share = min(self.done / total, 1.0) if total else 1.0
        filled = round(share * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        left = (total - self.done) / rate if rate > 0 and self.done < total else 0.0
        tail = f"left {_clock(left)}" if self.done < total else f"in {_clock(elapsed)}"
        return (
            f"report: {self.done:,}/{total:,} {self._what} [{bar}] {share:4.0%}  "
            f"{rate:,.0f}/s  {tail}"
        )

    def advance(self, n: int) -> None:
        """Count ``n`` more items done; redraw if the last draw is old enough."""
        self.done += n
        now = time.monotonic()
        if self._stream is not None and now - self._drawn_at >= REDRAW_EVERY:
            self._draw(now)

    def _draw(self, now: float) -> None:
        assert self._stream is not None
        try:
            width = os.get_terminal_size(self._stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            import shutil  # only a terminal gets a bar

            width = shutil.get_terminal_size((80, 24)).columns
        width = width if width > 10 else 80  # a terminal that reports no size
        self._stream.write("\r" + self.line(now)[: width - 1] + "\x1b[K")
        self._stream.flush()
        self._drawn_at = now
        self._shown = True

    def clear(self) -> None:
        """Erase the bar before other output; the next draw brings it back."""
        if self._stream is not None and self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False
            self._drawn_at = 0.0

    def finish(self) -> None:
        """Leave the final counts as one line."""
        if self._stream is not None:
            if self.total is None:
                self.total = self.done
            self._draw(time.monotonic())
            self._stream.write("\n")
            self._stream.flush()


def progress_for(stream: TextIO, wanted: bool = True) -> Progress:
    """A live bar when ``stream`` is a terminal (and ``wanted``), else a silent one."""
    try:
        tty = wanted and stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return Progress(stream if tty else None)
