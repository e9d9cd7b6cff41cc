"""Lenient parser for ``tag=value; tag=value`` lists (RFC 6376 section 3.2).

DKIM-Signature headers, DKIM key records and DMARC records all use this
syntax. Problems are reported, never raised, so hostile input still yields
whatever tags could be read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class TagList:
    """The parsed tags of one tag list.

    Attributes:
        tags: ``(name, value)`` pairs in order, first occurrence of each name only;
            values are stripped of surrounding whitespace.
        problems: One line per syntax problem found (duplicate tags, missing ``=``...).
    """

    tags: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = ()

    def get(self, name: str, default: str | None = None) -> str | None:
        """Return the value of tag ``name`` (exact name match), or ``default``."""
        for tag, value in self.tags:
            if tag == name:
                return value
        return default

    def __contains__(self, name: object) -> bool:
        return any(tag == name for tag, _ in self.tags)

    @property
    def names(self) -> tuple[str, ...]:
        """The tag names in order."""
        return tuple(tag for tag, _ in self.tags)


def parse_tags(text: str, *, lower_names: bool = False) -> TagList:
    """Parse a tag list.

    Args:
        text: The raw list, e.g. ``"v=1; a=rsa-sha256; d=example.com"``.
        lower_names: Lower-case tag names (DMARC treats them case-insensitively).

    Returns:
        The tags and any problems; never raises.
    """
    tags: list[tuple[str, str]] = []
    seen: set[str] = set()
    problems: list[str] = []
    for part in text.split(";"):
        if not part.strip():
            continue
        name, eq, value = part.partition("=")
        name = name.strip()
        if lower_names:
            name = name.lower()
        if not eq:
            problems.append(f"{_short(part)!r} is not a tag=value pair")
        elif not _NAME_RE.match(name):
            problems.append(f"{_short(name)!r} is not a valid tag name")
        elif name in seen:
            problems.append(f"tag {name!r} appears more than once (first one used)")
        else:
            seen.add(name)
            tags.append((name, value.strip()))
    return TagList(tuple(tags), tuple(problems))


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
