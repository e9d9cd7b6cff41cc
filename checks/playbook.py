"""The troubleshooting checklists: one TOML playbook per ticket type, ticked by the evidence.

A playbook lists what a technician should do on one type of email-security
ticket (general, a trace through the gateway's logs, an allowlist's recipient
scope, a login challenge loop, a reputation block, onboarding, a delay), section
by section. The packaged ones are in ``checks/data``; an MSP adds or replaces
types with TOML files in its configuration directory (:func:`load_playbooks`),
and a file that cannot be used is reported with its line. :func:`suggest` names
the type the evidence points at. Items that name an ``auto`` rule are ticked by themselves
when the loaded samples or the live DNS results show the step is done; the rules
are at the end of this module: each takes the analysed samples (slot order: A, B...)
and the finished live DNS results and returns ``(done, evidence)``, whether the step
is shown to be done and a short plain-text reason (also when it is not done, if useful).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from mailtriage.checks.analysis import BOUNCE_ID_LABEL, ORIGINAL_ID_LABEL, Analysis
from mailtriage.checks.diff import diff_samples
from mailtriage.checks.findings import SLOW_SECONDS
from mailtriage.checks.live.run import unanswered
from mailtriage.checks.message.authres import summary
from mailtriage.checks.route.gateways import find_gateway
from mailtriage.checks.suspect import Comparison
from mailtriage.checks.text import duration, plural, printable
from mailtriage.checks.verdicts import key_first, microsoft_placement

if TYPE_CHECKING:
    from mailtriage.checks.live.plan import LiveResult


class PlaybookError(Exception):
    """The playbook file is unreadable or malformed (one-line message).

    Attributes:
        message: What is wrong, one line.
        at: Where in the file's data (keys and list indexes), for finding its line.
        problem: The file, line and message, once the file is known.
    """

    def __init__(
        self,
        message: str,
        at: tuple[str | int, ...] = (),
        problem: PlaybookProblem | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.at = at
        self.problem = problem


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
    """One checklist, sections in order, for one ticket type.

    Attributes:
        sections: The sections in order.
        id: The ticket type it serves, e.g. ``"delay"`` (``"general"`` by default).
        title: Its name in a picker, e.g. ``"Delay"``.
        description: One line saying when to pick it.
        source: Where it came from: ``"packaged"`` or the override file's path.
    """

    sections: tuple[Section, ...]
    id: str = "general"
    title: str = ""
    description: str = ""
    source: str = ""


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


Path_ = tuple[str | int, ...]


def _text(
    table: dict[str, Any], key: str, where: str, at: Path_, required: bool = True
) -> str | None:
    value = table.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise PlaybookError(f"{where}: '{key}' must be a non-empty string", (*at, key))
    return value.strip()


#: Top-level keys of a playbook file (besides ``[[sections]]``).
_HEAD = ("id", "title", "description")
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def _parse(data: dict[str, Any], head: bool = False) -> Playbook:
    """Build a playbook from parsed TOML; ``head`` requires id, title and description."""
    meta = {k: _text(data, k, "playbook", (), required=head) for k in _HEAD}
    kind = meta["id"] or "general"
    if not _ID.fullmatch(kind):
        raise PlaybookError(
            f"playbook: 'id' {kind!r} must be lower-case letters, digits and '-'", ("id",)
        )
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        raise PlaybookError("no [[sections]] found", ("sections",))
    seen: set[str] = set()
    out = []
    for n, sec in enumerate(sections, 1):
        at: Path_ = ("sections", n - 1)
        if not isinstance(sec, dict) or not isinstance(sec.get("items", []), list):
            raise PlaybookError(f"section {n}: not a table with an items list", (*at, "items"))
        sid = _text(sec, "id", f"section {n}", at) or ""
        items = []
        for m, it in enumerate(sec.get("items", []), 1):
            where, iat = f"section {sid!r} item {m}", (*at, "items", m - 1)
            if not isinstance(it, dict):
                raise PlaybookError(f"{where}: not a table", iat)
            iid = _text(it, "id", where, iat) or ""
            auto = _text(it, "auto", where, iat, required=False)
            if iid in seen:
                raise PlaybookError(f"{where}: duplicate item id {iid!r}", (*iat, "id"))
            if auto is not None and auto not in RULES:
                raise PlaybookError(f"{where}: unknown auto rule {auto!r}", (*iat, "auto"))
            seen.add(iid)
            items.append(
                Item(
                    iid,
                    _text(it, "text", where, iat) or "",
                    auto,
                    _text(it, "hint", where, iat, required=False),
                )
            )
        title = _text(sec, "title", f"section {sid!r}", at) or ""
        out.append(Section(sid, title, tuple(items)))
    return Playbook(tuple(out), kind, meta["title"] or "", meta["description"] or "")


_MAX_FILE = 1_000_000  # bytes: a playbook is a few kilobytes
_AT_LINE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_AT_END = re.compile(r"\s*\(at end of document\)$")


def _decode_error(text: str, err: tomllib.TOMLDecodeError) -> tuple[str, int | None, int | None]:
    """The error's message without its position, and its line and column (1-based)."""
    msg = " ".join(str(err).split())
    found = _AT_LINE.search(msg)
    if found:
        return msg[: found.start()], int(found.group(1)), int(found.group(2))
    msg = _AT_END.sub("", msg)
    # No position: the error is at the end of the text (a string never closed, a value
    # defined twice on the last line). The shortest prefix of whole lines that fails the
    # same way ends on the offending line; a binary search finds it in a few parses.
    lines = text.splitlines(keepends=True)

    def fails(n: int) -> bool:
        try:
            tomllib.loads("".join(lines[:n]))
        except tomllib.TOMLDecodeError as e:
            return _AT_END.sub("", " ".join(str(e).split())) == msg
        return False

    lo, hi = 1, len(lines)
    if lines and fails(hi):
        while lo < hi:
            mid = (lo + hi) // 2
            if fails(mid):
                hi = mid
            else:
                lo = mid + 1
        return msg, hi, None
    return msg, None, None


_TABLE = re.compile(r"\s*\[\[\s*([A-Za-z0-9_.\s-]+?)\s*\]\]")
_KEY = re.compile(r"""\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*=""")


def locate(text: str, at: Sequence[str | int]) -> int:
    """The line (1-based) of a key or table of a playbook file, for a schema error.

    Args:
        text: The file's text.
        at: Where the error is: ``("sections", 2, "items", 0, "auto")`` is the ``auto``
            key of the first ``[[sections.items]]`` of the third ``[[sections]]``.

    Returns:
        The line of the deepest part of ``at`` the text shows (the key, else its
        table; 1 for a top-level key that is missing, as the document begins there).
    """
    where: dict[tuple[str | int, ...], int] = {}
    table: tuple[str | int, ...] = ()
    sections = items = -1
    quote: str | None = None
    for n, line in enumerate(text.splitlines(), 1):
        if quote is not None:  # inside a multi-line string
            if line.count(quote) % 2:
                quote = None
            continue
        head = _TABLE.match(line)
        if head:
            name = "".join(head.group(1).split())
            if name == "sections":
                sections, items = sections + 1, -1
                table = ("sections", sections)
            elif name == "sections.items" and sections >= 0:
                items += 1
                table = ("sections", sections, "items", items)
            else:
                table = ("?", name)
            where.setdefault(table, n)
            continue
        if line.lstrip().startswith("["):
            table = ("?", line.strip())
            continue
        key = _KEY.match(line)
        if key:
            where.setdefault((*table, key.group(1).strip("\"'")), n)
            rest = line[key.end() :]
            for q in ('"""', "'''"):
                if rest.count(q) % 2:
                    quote = q
    path = tuple(at)
    while path:
        if path in where:
            return where[path]
        path = path[:-1]
    return 1


@dataclass(frozen=True)
class PlaybookProblem:
    """A playbook file that could not be used, and where.

    Attributes:
        file: The file's path.
        line: The offending line (1-based), or ``None`` when it cannot be told.
        column: The column (1-based) for a TOML syntax error, else ``None``.
        message: What is wrong, one line.
    """

    file: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        return f"{place}: {self.message}"


def _read(raw: bytes, label: str, head: bool) -> Playbook:
    """Parse one playbook file's bytes; errors are :class:`PlaybookError` with a ``problem``."""
    try:
        if len(raw) > _MAX_FILE:
            raise PlaybookError(f"larger than {_MAX_FILE} bytes")
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise PlaybookError(f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg, line, col = _decode_error(text, e)
        raise PlaybookError(msg, problem=PlaybookProblem(label, line, col, msg)) from None
    try:
        return _parse(data, head)
    except PlaybookError as e:
        line = locate(text, e.at)
        raise PlaybookError(
            e.message, problem=PlaybookProblem(label, line, None, e.message)
        ) from None


def load_playbook(path: str | os.PathLike[str] | None = None) -> Playbook:
    """Load a playbook.

    Args:
        path: A TOML file; ``None`` loads the packaged ``checks/data/playbook.toml``
            (the ``general`` ticket type).

    Returns:
        The parsed playbook.

    Raises:
        PlaybookError: The file cannot be read, is not valid TOML, or lacks a
            required field; the message is one line and names the line when it can.
    """
    if path is None:
        return _packaged(GENERAL)
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        msg = " ".join(str(e).split())
        raise PlaybookError(f"{path}: {msg}") from None
    try:
        return replace(_read(raw, str(path), head=False), source=str(path))
    except PlaybookError as e:
        raise PlaybookError(str(e.problem or f"{path}: {e.message}")) from None


GENERAL = "general"
"""The ticket type every ticket starts with, and the one used when a type is unknown."""
#: The packaged ticket types, in the order a picker lists them.
PACKAGED = (
    GENERAL,
    "gateway-trace",
    "allowlist-scope",
    "login-loop",
    "reputation",
    "onboarding",
    "delay",
)
#: Where MSP playbooks live, under the configuration directory.
OVERRIDE_DIR = "playbooks"


def _packaged(kind: str) -> Playbook:
    """A packaged playbook (``general`` is ``data/playbook.toml``; others ``data/playbooks/``)."""
    name = "data/playbook.toml" if kind == GENERAL else f"data/playbooks/{kind}.toml"
    raw = resources.files("mailtriage.checks").joinpath(name).read_bytes()
    try:
        pb = _read(raw, f"packaged {name}", head=True)
    except PlaybookError as e:
        raise PlaybookError(str(e.problem or e.message)) from None
    if pb.id != kind:
        raise PlaybookError(f"packaged {name}: id {pb.id!r} is not {kind!r}")
    return replace(pb, source="packaged")


@dataclass(frozen=True)
class Playbooks(Mapping[str, Playbook]):
    """Every ticket type's playbook: a read-only mapping of id to :class:`Playbook`.

    Iterates in picker order: the packaged types (an MSP file may replace one in
    place), then the types the MSP's files add, in file-name order.

    Attributes:
        playbooks: The playbooks, in picker order.
        problems: The override files that could not be used, each with its line.
    """

    playbooks: tuple[Playbook, ...]
    problems: tuple[PlaybookProblem, ...] = ()

    def __getitem__(self, kind: str) -> Playbook:
        for pb in self.playbooks:
            if pb.id == kind:
                return pb
        raise KeyError(kind)

    def __iter__(self) -> Iterator[str]:
        return (pb.id for pb in self.playbooks)

    def __len__(self) -> int:
        return len(self.playbooks)

    def for_kind(self, kind: str) -> Playbook:
        """The playbook of ``kind``, or the general one when no type has that id.

        A ticket keeps its type's id; a type an MSP removed since falls back to
        the general playbook rather than failing.
        """
        return self.get(kind) or self[GENERAL]


def load_playbooks(config_dir: str | os.PathLike[str] | None = None) -> Playbooks:
    """Load the packaged playbooks and the MSP's overrides.

    Every ``*.toml`` in ``<config_dir>/playbooks/`` is one playbook with top-level
    ``id``, ``title`` and ``description`` and the same ``[[sections]]`` as the
    packaged ones. An id that a packaged type has replaces it; a new id adds a
    type. A file that cannot be used is reported in :attr:`Playbooks.problems`
    with its line, and the others still load (a bad file never takes the
    packaged playbooks with it); when two files give the same id, the second is
    reported.

    Args:
        config_dir: The configuration directory (the folder of the config file);
            ``None`` loads the packaged playbooks only. No environment lookup is
            made here: the caller passes it.

    Returns:
        The playbooks and the problems found.

    Raises:
        PlaybookError: A packaged playbook is broken (a bug, not a user error).
    """
    found = {kind: _packaged(kind) for kind in PACKAGED}
    problems: list[PlaybookProblem] = []
    origin: dict[str, str] = {}
    folder = Path(config_dir) / OVERRIDE_DIR if config_dir is not None else None
    files: list[Path] = []
    if folder is not None and (folder.exists() or folder.is_symlink()):
        try:
            files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".toml")
        except OSError as e:
            problems.append(PlaybookProblem(str(folder), None, None, _oserror(e)))
    for path in files:
        try:
            raw = path.read_bytes()
        except OSError as e:
            problems.append(PlaybookProblem(str(path), None, None, _oserror(e)))
            continue
        try:
            pb = _read(raw, str(path), head=True)
        except PlaybookError as e:
            problems.append(e.problem or PlaybookProblem(str(path), None, None, e.message))
            continue
        if pb.id in origin:
            line = locate(raw.decode("utf-8"), ("id",))
            msg = f"id {pb.id!r} is already defined by {origin[pb.id]}; this file is not used"
            problems.append(PlaybookProblem(str(path), line, None, msg))
            continue
        origin[pb.id] = str(path)
        found[pb.id] = replace(pb, source=str(path))
    return Playbooks(tuple(found.values()), tuple(problems))


def _oserror(e: OSError) -> str:
    return e.strerror or " ".join(str(e).split())


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


def gateway_hop(analyses: Analyses, live: Lives) -> Outcome:
    """A known filtering gateway received a sample (evidence: which, its host, the time)."""
    parts = []
    for i, a in enumerate(analyses):
        found = find_gateway(a.hops)
        if found is None:
            continue
        product, host = found
        at = a.timeline.gateway_index
        when = a.hops[at].date if at is not None and at < len(a.hops) else None
        said = f"{product} ({host})" if host else product
        if when is not None:
            said += " at " + when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        parts.append(_label(i, len(analyses)) + said)
    if not parts:
        return False, ("no known gateway in the Received chain" if analyses else None)
    return True, _join(parts)


def delay_split(analyses: Analyses, live: Lives) -> Outcome:
    """The route's times say where the time went (evidence: the timeline's verdict)."""
    parts, measured = [], False
    for i, a in enumerate(analyses):
        tl = a.timeline
        measured = measured or (tl.total_seconds is not None and tl.total_seconds >= 0)
        parts.append(_label(i, len(analyses)) + tl.verdict)
    return measured, (_join(parts) if parts else None)


def recipient_scope(analyses: Analyses, live: Lives) -> Outcome:
    """Envelope and header recipients are both known (evidence: both, and whether they differ).

    Mail to an alias, a group or a shared mailbox reaches the gateway under an
    envelope recipient the To/Cc header does not show; an allow entry or a policy
    may match one and not the other.
    """
    n, parts, known = len(analyses), [], bool(analyses)
    for i, a in enumerate(analyses):
        s = a.sample
        header = [x.addr.lower() for x in (*s.to, *s.cc) if x.addr]
        envelope = [e.lower() for e in s.envelope_to]
        if not envelope or not header:
            known = False
            missing = "envelope recipient" if not envelope else "To/Cc address"
            parts.append(_label(i, n) + f"no {missing} recorded")
            continue
        extra = [e for e in envelope if e not in header]
        shown = ", ".join(envelope[:3]) + (f" +{len(envelope) - 3}" if len(envelope) > 3 else "")
        if extra:
            parts.append(_label(i, n) + f"envelope {shown} is not in To/Cc ({header[0]})")
        else:
            parts.append(_label(i, n) + f"envelope {shown} matches To/Cc")
    return known, (_join(parts) if parts else None)


_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


def _quoted_ip(a: Analysis) -> str | None:
    """The IPv4 address a bounce's deciding recipient's reply quotes, if any."""
    b = a.bounce
    r = (b.deciding or (b.recipients[0] if b.recipients else None)) if b else None
    if r is None:
        return None
    # "host mx.example[192.0.2.10] said: ...": the address before "said:" is the
    # receiving server's; the sender's IP, when quoted, is in the reply itself.
    reply = r.diagnostic.rsplit("said:", 1)[-1]
    found = _IPV4.search(reply)
    return found.group(0) if found else None


def sending_ip(analyses: Analyses, live: Lives) -> Outcome:
    """The sending IP is known: quoted in a rejection, else the IP the gateway saw."""
    parts = []
    for i, a in enumerate(analyses):
        quoted = _quoted_ip(a)
        if quoted:
            parts.append(_label(i, len(analyses)) + f"{quoted} (quoted in the rejection)")
        elif a.connecting_ip:
            parts.append(_label(i, len(analyses)) + f"{a.connecting_ip} (seen by the boundary)")
    if not parts:
        return False, ("no sending IP in the samples" if analyses else None)
    return True, _join(parts)


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
    "gateway_hop": gateway_hop,
    "delay_split": delay_split,
    "recipient_scope": recipient_scope,
    "sending_ip": sending_ip,
}


# Which ticket type the evidence suggests.


@dataclass(frozen=True)
class Suggestion:
    """A ticket type the evidence points at, and why.

    Attributes:
        kind: A packaged ticket type's id (``"general"`` when unsure).
        reason: One plain line naming the evidence ("" for ``general``).
    """

    kind: str
    reason: str = ""


def _deciding_category(a: Analysis) -> tuple[str, str] | None:
    b = a.bounce
    r = (b.deciding or (b.recipients[0] if b.recipients else None)) if b else None
    return (r.category, r.code) if r is not None else None


def _recipients(a: Analysis) -> frozenset[str]:
    """The sample's recipients: envelope recipients, else its To/Cc addresses (lower case)."""
    s = a.sample
    found = s.envelope_to or tuple(x.addr for x in (*s.to, *s.cc) if x.addr)
    return frozenset(r.lower() for r in found)


def _sender(a: Analysis) -> str | None:
    s = a.sample
    addr = next((x.addr for x in s.from_ if x.addr), None) or s.envelope_from
    return addr.lower() if addr else None


#: Layers that, with the same sender reaching one recipient and not another, point at
#: an allow entry or policy whose recipient scope is too narrow.
_SCOPE_LAYERS = frozenset({"policy", "verdict"})


def suggest(analyses: Sequence[Analysis], comparison: Comparison | None = None) -> Suggestion:
    """Suggest a ticket type from the evidence; the technician may pick another.

    In order: a rejection that names the sender's reputation (``reputation``); a
    relay refused, as a gateway not yet set up for the domain answers (``onboarding``);
    a delivered message whose route took long (``delay``); the same sender reaching
    one recipient and not another, with a policy or verdict difference to blame
    (``allowlist-scope``); a copy held at or stopped by the
    gateway, or a release the comparison blames (``gateway-trace``). A login loop
    leaves no trace in a message, so it is never suggested.

    Args:
        analyses: The samples in slot order (A = blocked, B = delivered).
        comparison: The two-copy decision (:func:`mailtriage.checks.suspect.suspect`),
            when two samples are loaded.

    Returns:
        The suggestion; ``general`` when nothing points at a type.
    """
    for a in analyses:
        found = _deciding_category(a)
        code = f" ({found[1]})" if found and found[1] else ""
        if found and found[0] == "reputation block":
            return Suggestion("reputation", f"the rejection{code} names a reputation block")
        if found and found[0] in _ONBOARDING_CATEGORIES:
            return Suggestion("onboarding", f"the rejection{code} says relaying was refused")
    for a in analyses:
        tl = a.timeline
        if (
            tl.total_seconds is not None
            and tl.total_seconds >= SLOW_SECONDS
            and a.fate.delivered is not False
            and not a.fate.released
        ):
            return Suggestion("delay", f"delivery took {duration(tl.total_seconds)}")
    if len(analyses) >= 2 and comparison is not None:
        a, b = analyses[0], analyses[1]
        ra, rb = _recipients(a), _recipients(b)
        same_sender = _sender(a) is not None and _sender(a) == _sender(b)
        if same_sender and ra and rb and ra != rb and comparison.suspect_layer in _SCOPE_LAYERS:
            return Suggestion(
                "allowlist-scope",
                f"the same sender reached {printable(sorted(rb)[0], 200)} but not "
                f"{printable(sorted(ra)[0], 200)}, and the {comparison.suspect_layer} differs",
            )
    if comparison is not None and comparison.suspect_layer == "quarantine/release":
        return Suggestion("gateway-trace", "the comparison blames a hold or its release")
    if analyses and analyses[0].fate.at_gateway:
        gw = analyses[0].timeline.gateway or "the gateway"
        return Suggestion("gateway-trace", f"the route of A ends at {gw}")
    return Suggestion(GENERAL)


def suggest_kind(analyses: Sequence[Analysis], comparison: Comparison | None = None) -> str:
    """The id of the ticket type the evidence suggests (see :func:`suggest`)."""
    return suggest(analyses, comparison).kind


#: Bounce categories a domain not yet (or wrongly) set up at its new gateway produces.
_ONBOARDING_CATEGORIES = frozenset({"relay denied"})
