"""Helpers that turn untrusted strings into width-aware, markup-free Content.

Not a widget: the pane modules share these. Every string passes through
``mailtriage.checks.text.printable`` (control characters made visible) and is wrapped in
``Content`` directly, so ``[bold]`` in a sample stays literal text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from mailtriage.checks.text import printable
from textual.content import Content

Cell = tuple[str, str]
"""(text, style) where style uses theme variables only, e.g. ``"$error bold"``."""

STATUS_STYLE = {
    "pass": "$success",
    "found": "$success",
    "fail": "$error bold",
    "error": "$error",
    "permerror": "$error",
    "temperror": "$warning",
    "softfail": "$warning",
    "missing": "$warning",
    "neutral": "$text-muted",
    "none": "$text-muted",
    "pending": "$text-muted italic",
    "cancelled": "$text-muted italic",
    "offline": "$text-muted italic",
}


def safe(text: object) -> str:
    """Return ``text`` as a single display-safe string (no control characters)."""
    return printable("" if text is None else str(text))


def style_for(status: str) -> str:
    """Return the theme style for a result word such as ``pass`` or ``fail``."""
    return STATUS_STYLE.get(status.lower(), "")


def wrap(text: str, width: int, max_lines: int = 4) -> list[str]:
    """Wrap display-safe text to ``width`` cells, at most ``max_lines`` lines."""
    width = max(width, 1)
    lines = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: max(width - 1, 0)] + "…"]
    return lines


def fit(text: str, width: int, style: str = "") -> Content:
    """Return one line of exactly ``width`` cells (truncated with an ellipsis or padded)."""
    return Content.styled(text, style).truncate(max(width, 0), ellipsis=True, pad=True)


def heading(text: str, width: int, style: str = "$accent bold") -> Content:
    """Return a section heading line."""
    return fit(safe(text), width, style)


def grid(
    rows: Sequence[tuple[Cell, Sequence[Cell]]],
    width: int,
    label_width: int = 14,
    max_lines: int = 3,
) -> list[Content]:
    """Lay out a label column and N equal value columns, wrapping values.

    Args:
        rows: ``(label_cell, value_cells)`` per row; texts must already be display-safe.
        width: Total width in cells.
        label_width: Width of the label column.
        max_lines: Most lines a wrapped value may take.

    Returns:
        One Content per screen line.
    """
    out: list[Content] = []
    for (label, label_style), cells in rows:
        n = max(len(cells), 1)
        col = max((width - label_width - n) // n, 6)
        wrapped = [wrap(text, col, max_lines) for text, _ in cells]
        height = max((len(w) for w in wrapped), default=1)
        label = safe(label)  # row labels can come from the sample (method names)
        for i in range(height):
            parts = [fit(label if i == 0 else "", label_width, label_style)]
            for (_, style), lines in zip(cells, wrapped, strict=True):
                parts.append(Content(" "))
                parts.append(fit(lines[i] if i < len(lines) else "", col, style))
            out.append(Content("").join(parts))
    return out


def join_lines(lines: Sequence[Content]) -> Content:
    """Join lines with newlines into one Content."""
    return Content("\n").join(lines)
