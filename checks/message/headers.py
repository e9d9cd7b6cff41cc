"""Fast, lenient parsing of an RFC 5322 header block into ordered ``Header`` records.

The block is split by hand (not with ``email.policy.default``) so raw values are
kept, order is preserved and a broken header cannot stop the rest from loading.
Pasted headers are tolerated: a line that is neither ``Name: value`` nor indented
is taken as a continuation whose folding was lost, and a ``Problem`` says so; so is
a line that looks like ``Name:`` but clearly continues a Microsoft tag list or a
signature's ``h=`` list (:mod:`mailtriage.checks.message.lostfold`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailtriage.checks.message.lostfold import continues
from mailtriage.checks.model import Header, Problem
from mailtriage.checks.text import decode_bytes

HEADER_LINE = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-]*)[ \t]*:(?!//)")
_END_LF = re.compile(rb"\n\r*\n")
_END_CR = re.compile(rb"\r\r")
_SPLIT_LF = re.compile(r"\r*\n")
_WS = re.compile(r"[ \t\r\n]+")
_FOLD = (" ", "\t")
MAX_LOST_FOLD_PROBLEMS = 5
MAX_HEADERS = 5000


@dataclass
class Block:
    """A parsed header block (mutable while the loader works on it).

    Attributes:
        headers: Header fields, topmost first.
        problems: What was guessed or skipped.
    """

    headers: list[Header] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def find_header_end(data: bytes, start: int = 0, limit: int | None = None) -> tuple[int, int]:
    """Locate the blank line that ends the header block.

    Args:
        data: Message bytes.
        start: Offset where the header block starts.
        limit: Stop looking after this offset.

    Returns:
        ``(header_end, body_start)``: the header block is ``data[start:header_end]``
        and the body starts at ``body_start``; both are ``len(data)`` (or ``limit``)
        when there is no blank line.
    """
    stop = len(data) if limit is None else min(limit, len(data))
    pattern = _END_LF if b"\n" in data[start : min(start + 65536, stop)] else _END_CR
    m = pattern.search(data, start, stop)
    if m is None:
        return stop, stop
    return m.start() + 1, m.end()


def split_lines(text: str) -> list[str]:
    """Split header text on LF (with any CRs before it), or on CR for CR-only text."""
    lines = _SPLIT_LF.split(text) if "\n" in text else text.split("\r")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def collapse(raw: str) -> str:
    """Unfold a raw value and collapse runs of spaces, tabs and line breaks."""
    if "\n" not in raw and "\t" not in raw and "  " not in raw and "\r" not in raw:
        return raw.strip(" ")
    return _WS.sub(" ", raw).strip()


def unfold(raw: str) -> str:
    """Remove line breaks from a raw value, keeping the whitespace after them."""
    return raw.replace("\r", "").replace("\n", "").strip()


def parse_lines(lines: list[str], indent: str = "", dedent_all: bool = False) -> Block:
    """Turn header lines into ``Header`` records.

    Args:
        lines: Lines of the header block, without line endings.
        indent: Indentation that copy-paste added to the first line.
        dedent_all: Remove ``indent`` from every line that starts with it, and stop
            at the first whitespace-only line (the paste's header/body separator).

    Returns:
        The parsed block; lines before the first header field are skipped with a problem.
    """
    block = Block()
    names: list[str] = []
    raws: list[list[str]] = []
    lost = 0
    skipped = 0
    plain = not indent and not dedent_all
    match = HEADER_LINE.match
    for n, line in enumerate(lines, 1):
        if plain and raws and line[:1] in _FOLD:
            raws[-1].append(line)  # a folded continuation: the common case, decided early
            continue
        if dedent_all and raws and not line.strip():
            break  # an indented paste: a blank (indent-only) line ends the header block
        if indent and (n == 1 or dedent_all) and line.startswith(indent):
            line = line[len(indent) :]
        m = match(line)
        if m and raws and continues(names[-1], raws[-1], line):
            lost += 1
            if lost <= MAX_LOST_FOLD_PROBLEMS:
                block.problems.append(
                    Problem(
                        "Header",
                        f"line {n} starts like a header field ({m.group(1)}:) "
                        f"but continues {names[-1]}; joined back to it (folding lost in "
                        "copy-paste?)",
                    )
                )
            raws[-1].append(line)
            continue
        if m:
            if len(names) >= MAX_HEADERS:
                block.problems.append(
                    Problem("Header", f"more than {MAX_HEADERS} header fields; the rest ignored")
                )
                break
            names.append(m.group(1))
            raws.append([line[m.end() :].lstrip(" \t")])
            continue
        if not raws:
            if line.strip():
                skipped += 1
            continue
        if line[:1] not in (" ", "\t") and line.strip():
            lost += 1
            if lost <= MAX_LOST_FOLD_PROBLEMS:
                block.problems.append(
                    Problem(
                        "Header",
                        f"line {n} is not a header field; joined to {names[-1]} "
                        "(folding lost in copy-paste?)",
                    )
                )
        raws[-1].append(line)
    if lost > MAX_LOST_FOLD_PROBLEMS:
        more = lost - MAX_LOST_FOLD_PROBLEMS
        block.problems.append(Problem("Header", f"{more} more lines joined to the header above"))
    if skipped:
        block.problems.append(
            Problem("Header", f"skipped {skipped} line(s) before the first header field")
        )
    headers = block.headers
    for i, (name, parts) in enumerate(zip(names, raws, strict=True)):
        raw = (parts[0] if len(parts) == 1 else "\n".join(parts)).rstrip()
        headers.append(Header(name, raw, collapse(raw), i))
    return block


def parse_block(data: bytes) -> Block:
    """Parse a header block given as bytes (no paste handling), e.g. a MIME part's."""
    return parse_lines(split_lines(decode_bytes(data)))
