"""The troubleshooting checklist: a TOML playbook, ticked by the evidence at hand.

The playbook lists what a technician should do on an email-security ticket,
section by section. Items that name an ``auto`` rule are ticked by themselves
when the loaded samples or the live DNS results show the step is done; the rules
are at the end of this module: each takes the analysed samples (slot order: A, B...)
and the finished live DNS results and returns ``(done, evidence)``, whether the step
is shown to be done and a short plain-text reason (also when it is not done, if useful).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from mailtriage.checks.analysis import BOUNCE_ID_LABEL, ORIGINAL_ID_LABEL, Analysis
from mailtriage.checks.diff import diff_samples
from mailtriage.checks.live.run import unanswered
from mailtriage.checks.message.authres import summary
from mailtriage.checks.route.gateways import find_gateway
from mailtriage.checks.text import plural, printable
from mailtriage.checks.verdicts import key_first, microsoft_placement

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
    playbook: Playbook,
    analyses: Sequence[Analysis],
    live: Sequence[LiveResult] = (),
    live_status: str = "running",
) -> tuple[ItemState, ...]:
    """Evaluate every item against the analysed samples and live results.

    Args:
        playbook: The checklist.
        analyses: The loaded samples' analyses in slot order (A = blocked, B = delivered).
        live: Finished live DNS results of any sample.
        live_status: The live checks' status (``running``, ``done``, ``cancelled``,
            ``offline``): items the live answers would tick say why they have none.

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
                    waits = LIVE_RULES.get(item.auto)
                    cache[item.auto] = (
                        waits(tuple(analyses), tuple(live), live_status)
                        if waits
                        else rule(tuple(analyses), tuple(live))
                    )
                done, evidence = cache[item.auto]
            out.append(ItemState(item, done, evidence, sec.title))
    return tuple(out)


# The rules that tick items by themselves (an item's ``auto`` names one).

Analyses: TypeAlias = tuple[Analysis, ...]
Lives: TypeAlias = "tuple[LiveResult, ...]"
Outcome: TypeAlias = tuple[bool, str | None]
Rule: TypeAlias = Callable[[Analyses, Lives], Outcome]
#: Evidence is kept whole up to RFC 5322's line limit (the pane wraps it and Enter shows it
#: in full); only a hostile sample's value is cut.
_MAX = 998


def _label(i: int, n: int) -> str:
    return f"{chr(65 + i % 26)}: " if n > 1 else ""


def _join(parts: list[str]) -> str:
    return printable(", ".join(parts), _MAX)


def message_ids(analyses: Analyses, live: Lives) -> Outcome:
    """Every sample has a Message-ID to trace by; evidence lists them.

    For a bounce that is the original message's (labelled so); the bounce's own ID
    follows in brackets, and does not count.
    """
    if not analyses:
        return False, None
    n = len(analyses)
    parts = []
    for i, a in enumerate(analyses):
        # Whole IDs: a technician pastes them into a message trace search.
        traced = a.original_message_id
        shown = printable(traced, _MAX) if traced else "none"
        if a.bounce is not None:
            own = printable(a.sample.message_id, _MAX) if a.sample.message_id else "none"
            shown = f"{ORIGINAL_ID_LABEL} {shown} ({BOUNCE_ID_LABEL} {own})"
        parts.append(_label(i, n) + shown)
    return all(a.original_message_id for a in analyses), _join(parts)


def basics(analyses: Analyses, live: Lives) -> Outcome:
    """Sender, recipient, timestamp and subject are known for every sample."""
    samples = [a.sample for a in analyses]
    if not samples:
        return False, None
    n, gaps, times = len(samples), [], []
    for i, s in enumerate(samples):
        missing = [
            name
            for name, ok in (
                ("sender", s.from_ or s.envelope_from),
                ("recipient", s.to or s.envelope_to),
                ("time", s.date),
                ("subject", s.subject),
            )
            if not ok
        ]
        if missing:
            gaps.append(_label(i, n) + "no " + "/".join(missing))
        if s.date is not None:
            times.append(_label(i, n) + s.date.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    return (not gaps), _join(gaps or times)


def full_headers(analyses: Analyses, live: Lives) -> Outcome:
    """Every sample has a Received chain (evidence: hop counts)."""
    if not analyses:
        return False, None
    n = len(analyses)
    counts = [len(a.hops) for a in analyses]
    parts = [_label(i, n) + plural(c, "hop") for i, c in enumerate(counts)]
    return all(counts), _join(parts)


def compared(analyses: Analyses, live: Lives) -> Outcome:
    """A blocked and a delivered sample are both loaded."""
    if len(analyses) < 2:
        return False, "load a second sample" if analyses else None
    rows = diff_samples(analyses[0], analyses[1])
    differ = sum(1 for r in rows if r.differs)
    return True, f"{differ} of {len(rows)} fields differ"


def auth_read(analyses: Analyses, live: Lives) -> Outcome:
    """Recorded authentication results were found (evidence: the DMARC results)."""
    n, parts, found = len(analyses), [], False
    for i, a in enumerate(analyses):
        res = summary(a.recorded)
        found = found or bool(res)
        key = next((k for k in ("dmarc", "spf", "dkim") if k in res), None)
        parts.append(_label(i, n) + (f"{key}={res[key]}" if key else "none recorded"))
    return found, (_join(parts) if analyses else None)


def live_dns(analyses: Analyses, live: Lives, status: str = "running") -> Outcome:
    """Live SPF/DKIM/DMARC/MX lookups got answers (else why none: offline, cancelled)."""
    if not live:
        return False, (unanswered(status) if analyses and status != "running" else None)
    kinds = [
        k
        for k in ("spf", "dkim", "dmarc", "mx")
        if any(r.spec.kind == k and r.status == "found" for r in live)
    ]
    if not kinds:
        return False, f"{len(live)} lookups, none answered"
    return True, ", ".join(k.upper() for k in kinds) + " answered"


#: Headers a vendor writes that carry no verdict: its ARC seal and signature (read by the
#: authentication pane) and Google's internal X-Received hop.
_NOT_VERDICTS = frozenset({"arc-seal", "arc-message-signature", "x-received"})


def verdicts(analyses: Analyses, live: Lives) -> Outcome:
    """Vendor verdict or quarantine headers are present (evidence: their names)."""
    names = key_first(
        [v.name for a in analyses for v in a.verdicts if v.name.lower() not in _NOT_VERDICTS]
    )
    if not names:
        return False, ("no verdict headers in the samples" if analyses else None)
    shown = names[:3]
    more = f" +{len(names) - 3} more" if len(names) > 3 else ""
    return True, printable(", ".join(shown) + more, _MAX)


def recipient_mx(analyses: Analyses, live: Lives, status: str = "running") -> Outcome:
    """The recipient domain's MX answered (evidence: the MX host, else why not yet)."""
    for r in live:
        if r.spec.kind == "mx" and r.status == "found" and r.records:
            host = r.records[0].split()[-1].rstrip(".")
            more = f" +{len(r.records) - 1}" if len(r.records) > 1 else ""
            return True, printable(f"{r.spec.domain} MX {host}{more}", _MAX)
    for a in analyses:
        gw = find_gateway(a.hops)
        if gw is not None:
            why = "not checked " + ("yet" if status == "running" else f"({unanswered(status)})")
            return False, printable(f"received by {gw[1]}; MX {why}", _MAX)
    return False, None


def layer(analyses: Analyses, live: Lives) -> Outcome:
    """A sample's findings name its most likely layer (evidence: layer and top finding)."""
    parts = []
    for i, a in enumerate(analyses):
        best = a.layer
        top = next((f for f in a.findings if f.layer == best), None)
        if best and top:
            parts.append(_label(i, len(analyses)) + f"{best}: {top.title}")
    return bool(parts), (_join(parts) if parts else None)


def bounce(analyses: Analyses, live: Lives) -> Outcome:
    """A sample is a bounce or NDR (evidence: the deciding recipient's code and category)."""
    for i, a in enumerate(analyses):
        b = a.bounce
        if b is not None and b.recipients:
            r = b.deciding or b.recipients[0]
            code = r.code
            return True, _join([_label(i, len(analyses)) + f"{code} {r.category}".strip()])
    return False, None


def downstream(analyses: Analyses, live: Lives) -> Outcome:
    """A sample shows where Microsoft 365 placed it (evidence: the placement)."""
    for i, a in enumerate(analyses):
        boxed = a.sample.all("x-microsoft-antispam-mailbox-delivery")
        placed = microsoft_placement(a.verdicts) if boxed else None
        if placed:
            text = placed.removeprefix("Microsoft 365: ")
            return True, _join([_label(i, len(analyses)) + text])
    return False, None


LiveRule: TypeAlias = Callable[[Analyses, Lives, str], Outcome]
LIVE_RULES: dict[str, LiveRule] = {"live_dns": live_dns, "recipient_mx": recipient_mx}
"""Rules the live answers tick: they are also told the live checks' status."""

RULES: dict[str, Rule] = {
    "layer": layer,
    "bounce": bounce,
    "downstream": downstream,
    "message_ids": message_ids,
    "basics": basics,
    "full_headers": full_headers,
    "compared": compared,
    "auth_read": auth_read,
    "live_dns": live_dns,
    "verdicts": verdicts,
    "recipient_mx": recipient_mx,
}
