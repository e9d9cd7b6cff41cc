"""The troubleshooting checklist: a TOML playbook, ticked by the evidence at hand.

The playbook lists what a technician should do on an email-security ticket,
section by section. Items that name an ``auto`` rule are ticked by themselves
when the loaded samples or the live DNS results show the step is done; the rules
are in :mod:`mailtriage.checks.playbook_rules`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailtriage.checks.model import Sample
from mailtriage.checks.playbook_rules import RULES

if TYPE_CHECKING:
    from mailtriage.checks.live.plan import LiveResult



class PlaybookError(Exception):
    """The playbook file is unreadable or malformed (one-line message)."""


@dataclass(frozen=True)
class Item:
    """One checklist step.

    Attributes:
        id: Unique id, e.g. ``"triage-ids"``.
        text: The step, one short line.
        auto: Name of the evidence rule that ticks it, or ``None`` (ticked by hand).
        hint: An optional short explanation.
    """

    id: str
    text: str
    auto: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Section:
    """A titled group of steps (fast triage, tier 1, ...)."""

    id: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Playbook:
    """The whole checklist, sections in order."""

    sections: tuple[Section, ...]


@dataclass(frozen=True)
class ItemState:
    """An item as evaluated against the current evidence.

    Attributes:
        item: The playbook item.
        auto_done: Whether evidence shows the step is done.
        evidence: Short plain text behind the state (also when not done), or ``None``.
        section_title: Title of the section the item belongs to.
    """

    item: Item
    auto_done: bool
    evidence: str | None
    section_title: str = ""


def _text(table: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
    value = table.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise PlaybookError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _parse(data: dict[str, Any]) -> Playbook:
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        raise PlaybookError("no [[sections]] found")
    seen: set[str] = set()
    out = []
    for n, sec in enumerate(sections, 1):
        if not isinstance(sec, dict) or not isinstance(sec.get("items", []), list):
            raise PlaybookError(f"section {n}: not a table with an items list")
        sid = _text(sec, "id", f"section {n}") or ""
        items = []
        for m, it in enumerate(sec.get("items", []), 1):
            where = f"section {sid!r} item {m}"
            if not isinstance(it, dict):
                raise PlaybookError(f"{where}: not a table")
            iid = _text(it, "id", where) or ""
            auto = _text(it, "auto", where, required=False)
            if iid in seen:
                raise PlaybookError(f"{where}: duplicate item id {iid!r}")
            if auto is not None and auto not in RULES:
                raise PlaybookError(f"{where}: unknown auto rule {auto!r}")
            seen.add(iid)
            items.append(
                Item(
                    iid,
                    _text(it, "text", where) or "",
                    auto,
                    _text(it, "hint", where, required=False),
                )
            )
        out.append(Section(sid, _text(sec, "title", f"section {sid!r}") or "", tuple(items)))
    return Playbook(tuple(out))


def load_playbook(path: str | os.PathLike[str] | None = None) -> Playbook:
    """Load a playbook.

    Args:
        path: A TOML file; ``None`` loads the packaged ``checks/data/playbook.toml``.

    Returns:
        The parsed playbook.

    Raises:
        PlaybookError: The file cannot be read, is not valid TOML, or lacks a
            required field; the message is one line.
    """
    label = str(path) if path is not None else "packaged playbook"
    try:
        if path is None:
            raw = resources.files("mailtriage.checks").joinpath("data/playbook.toml").read_bytes()
        else:
            raw = Path(path).read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
        return _parse(data)
    except PlaybookError as e:
        raise PlaybookError(f"{label}: {e}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        msg = " ".join(str(e).split())
        raise PlaybookError(f"{label}: {msg}") from None


def evaluate(
    playbook: Playbook, samples: Sequence[Sample], live: Sequence[LiveResult] = ()
) -> tuple[ItemState, ...]:
    """Evaluate every item against the loaded samples and live results.

    Args:
        playbook: The checklist.
        samples: Loaded samples in slot order (A = blocked, B = delivered).
        live: Finished live DNS results of any sample.

    Returns:
        One state per item, in playbook order.
    """
    cache: dict[str, tuple[bool, str | None]] = {}
    out = []
    for sec in playbook.sections:
        for item in sec.items:
            done, evidence = False, None
            rule = RULES.get(item.auto or "")
            if rule is not None and item.auto is not None:
                if item.auto not in cache:
                    cache[item.auto] = rule(tuple(samples), tuple(live))
                done, evidence = cache[item.auto]
            out.append(ItemState(item, done, evidence, sec.title))
    return tuple(out)
