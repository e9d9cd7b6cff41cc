"""Helpers that turn untrusted strings into width-aware, markup-free Content.

Not a widget: the pane modules share these. Every string passes through
``mailtriage.checks.text.printable`` (control characters made visible) and is wrapped in
``Content`` directly, so ``[bold]`` in a sample stays literal text.
"""

from __future__ import annotations

import re
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


BREAK_AFTER = ".@:;/,=&?"
"""A token too long for a line is broken after one of these (host names, addresses, URLs,
SPF terms, header fields), never in the middle of a label."""
_BREAKS = re.escape(BREAK_AFTER)
_PIECE = re.compile(rf"[^{_BREAKS}]*[{_BREAKS}]+|[^{_BREAKS}]+")


def _pieces(token: str, width: int) -> list[str]:
    """Split a token longer than ``width`` after its break characters.

    A piece still longer than ``width`` is broken after its last hyphen that fits,
    or else cut at ``width`` (a Message-ID local part, a key, a hash).
    """
    out: list[str] = []
    for piece in _PIECE.findall(token):
        while len(piece) > width:
            cut = piece.rfind("-", 0, width) + 1 or width
            out.append(piece[:cut])
            piece = piece[cut:]
        if piece:
            out.append(piece)
    return out


def wrap(text: str, width: int, max_lines: int = 4) -> list[str]:
    """Wrap display-safe text to ``width`` cells, at most ``max_lines`` lines.

    Lines break at spaces; a token that does not fit on a line of its own (a long
    host name, address, URL or SPF term) is broken after ``.``, ``@``, ``:``, ``;``,
    ``/``, ``,``, ``=``, ``&`` or ``?`` (see :data:`BREAK_AFTER`), then after a hyphen,
    and only as a last resort in the middle. A cut last line ends with ``…``.

    Args:
        text: Display-safe text (no control characters).
        width: Line width in cells (at least 1).
        max_lines: Most lines returned.

    Returns:
        The lines, at least one (``[""]`` for empty text).
    """
    width = max(width, 1)
    lines: list[str] = []
    current = ""
    for token in text.split():
        gap = " " if current else ""
        if len(current) + len(gap) + len(token) <= width:
            current += gap + token
            continue
        if len(token) <= width:  # fits on a line of its own: never split it
            lines.append(current)
            current = token
            continue
        for piece in _pieces(token, width):
            if len(current) + len(gap) + len(piece) <= width:
                current += gap + piece
            else:
                if current:
                    lines.append(current)
                current = piece
            gap = ""
    lines.append(current)
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
    heights: list[int] | None = None,
) -> list[Content]:
    """Lay out a label column and N equal value columns, wrapping values.

    Args:
        rows: ``(label_cell, value_cells)`` per row; texts must already be display-safe.
        width: Total width in cells.
        label_width: Width of the label column.
        max_lines: Most lines a wrapped value may take.
        heights: When given, the number of lines of each row is appended to it.

    Returns:
        One Content per screen line.
    """
    out: list[Content] = []
    for (label, label_style), cells in rows:
        n = max(len(cells), 1)
        col = max((width - label_width - n) // n, 6)
        wrapped = [wrap(text, col, max_lines) for text, _ in cells]
        height = max((len(w) for w in wrapped), default=1)
        if heights is not None:
            heights.append(height)
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
