"""The ticket store: one TOML file per ticket, saved atomically.

Tickets live in ``<root>/tickets/<id>.toml``; the caller passes the root (the XDG
data directory, see :func:`mailtriage.tui.config.data_dir`), the engine looks up no
environment. Every save writes a temporary file, fsyncs it and renames it over the
old one (:func:`mailtriage.checks.atomic.atomic_write_text`), so a process killed at
any moment leaves either the previous ticket or the new one, both readable.

A ticket file that cannot be read, or that a newer version of mailtriage wrote
(``format`` above :data:`~.model.SCHEMA_VERSION`), is reported and never written
over: :meth:`TicketStore.save` refuses, so a downgrade cannot lose fields it does
not know.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import tomli_w
from mailtriage.checks.atomic import atomic_write_text
from mailtriage.checks.text import printable
from mailtriage.checks.ticket.merge import Merged, merge
from mailtriage.checks.ticket.model import (
    SCHEMA_VERSION,
    SLOTS,
    STATES,
    Affected,
    KeptExplain,
    Snapshot,
    Tick,
    Ticket,
    TicketSample,
)

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""A ticket id: what PSAs use (``T-1``, ``INC0012345``, ``12345.2``), safe as a file name."""

MAX_FILE_BYTES = 64_000_000
"""A ticket file larger than this is not read (pasted samples are kept inside)."""

_T = TypeVar("_T")


class TicketError(Exception):
    """A ticket cannot be opened or saved (one-line message)."""


class TicketNotFound(TicketError):
    """No ticket with that id exists yet."""


@dataclass(frozen=True)
class TicketSummary:
    """One line of ``mailtriage tickets``.

    Attributes:
        id: The ticket id.
        path: The ticket file.
        changed: Last save (UTC), or ``None`` when the file could not be read.
        state: ``open``, ``escalated``, ``resolved``; "" when unreadable.
        kind: The ticket type.
        layer: The layer the last snapshot named ("" when none).
        customer: The affected customer ("" when not recorded).
        error: Why the file could not be read ("" when it could).
    """

    id: str
    path: Path
    changed: datetime | None
    state: str
    kind: str
    layer: str
    customer: str
    error: str = ""


@dataclass(frozen=True)
class Stored:
    """A ticket as read from (or written to) its file, with the file's stamp.

    Attributes:
        ticket: The ticket.
        stamp: SHA-256 of the file's bytes: a save compares it with the file on disk
            to find whether another session saved meanwhile.
    """

    ticket: Ticket
    stamp: str


def stamp_of(raw: bytes) -> str:
    """The stamp of a ticket file's bytes (see :class:`Stored`)."""
    return hashlib.sha256(raw).hexdigest()


def check_id(ticket_id: str) -> str:
    """Return ``ticket_id`` if it is a valid ticket id.

    Raises:
        TicketError: It is empty, too long, or has characters a file name should not.
    """
    if not ID_PATTERN.fullmatch(ticket_id):
        raise TicketError(
            f"bad ticket id '{printable(ticket_id, 80)}': use up to 64 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit"
        )
    return ticket_id


def file_digest(path: str) -> str | None:
    """SHA-256 of the file behind a ticket sample's path (``FILE#N`` hashes FILE).

    Returns:
        The hex digest, or ``None`` when the file cannot be read.
    """
    name = path
    if not os.path.exists(name) and "#" in name:
        name = name.rsplit("#", 1)[0]
    digest = hashlib.sha256()
    try:
        with open(name, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def text_digest(text: str) -> str:
    """SHA-256 of pasted text (UTF-8, lone surrogates replaced)."""
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def sample_changed(sample: TicketSample) -> str:
    """Whether a file sample still has the bytes it had when it was added.

    Returns:
        "" when unchanged (or pasted), else a short reason: ``"missing"`` or ``"changed"``.
    """
    if not sample.path:
        return ""
    now = file_digest(sample.path)
    if now is None:
        return "missing"
    return "" if now == sample.sha256 else "changed"


# -- TOML form -------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text safe to encode as UTF-8 (a lone surrogate would make the save fail)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _dt(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _table(obj: object) -> dict[str, Any]:
    """A dataclass as a TOML table: ``None`` values left out, strings cleaned."""
    out: dict[str, Any] = {}
    for f in fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if value is None:
            continue
        if isinstance(value, str):
            value = _clean(value)
        elif isinstance(value, datetime):
            value = _dt(value)
        elif isinstance(value, tuple):
            value = [_clean(v) if isinstance(v, str) else v for v in value]
        out[f.name] = value
    return out


def to_toml(ticket: Ticket) -> str:
    """The ticket as TOML text (``format`` first)."""
    head: dict[str, Any] = {"format": SCHEMA_VERSION}
    for f in fields(Ticket):
        value = getattr(ticket, f.name)
        if f.name == "verified_ok":
            head["verified"] = "" if value is None else ("yes" if value else "no")
        elif isinstance(value, str):
            head[f.name] = _clean(value)
        elif isinstance(value, datetime):
            head[f.name] = _dt(value)
    doc: dict[str, Any] = dict(head)
    doc["affected"] = _table(ticket.affected)
    doc["snapshot"] = _table(ticket.snapshot)
    doc["samples"] = [_table(s) for s in ticket.samples]
    doc["ticks"] = [_table(t) for t in ticket.ticks]
    doc["kept"] = [_table(k) for k in ticket.kept]
    return tomli_w.dumps(doc)  # multi-line strings would turn CRLF into LF


class _Reader:
    """Typed access to a parsed ticket table, with one-line errors naming the key."""

    def __init__(self, data: dict[str, Any], where: str) -> None:
        self.data = data
        self.where = where

    def get(self, key: str, kind: type[_T], default: _T) -> _T:
        value = self.data.get(key, default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TicketError(f"{self.where}{key} should be {kind.__name__}")
        return value

    def text(self, key: str) -> str:
        return self.get(key, str, "")

    def when(self, key: str, required: bool = False) -> datetime | None:
        value = self.data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, datetime):
            raise TicketError(f"{self.where}{key} should be a date-time")
        return _dt(value)

    def tables(self, key: str) -> Iterator[tuple[int, _Reader]]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise TicketError(f"{self.where}{key} should be a list of tables")
        for n, item in enumerate(value, 1):
            if not isinstance(item, dict):
                raise TicketError(f"{self.where}{key} entry {n} should be a table")
            yield n, _Reader(item, f"{key} {n}: ")

    def sub(self, key: str) -> _Reader:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise TicketError(f"{self.where}{key} should be a table")
        return _Reader(value, f"{key}: ")

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, [])
        if not all(isinstance(v, str) for v in value):
            raise TicketError(f"{self.where}{key} should be a list of strings")
        return tuple(value)


def _sample(r: _Reader) -> TicketSample:
    slot = r.text("slot")
    if slot not in SLOTS:
        raise TicketError(f"{r.where}slot should be one of {', '.join(SLOTS)}")
    return TicketSample(slot, r.text("path"), r.text("sha256"), r.text("pasted"), r.when("added"))


def from_toml(text: str) -> Ticket:
    """Parse a ticket file's text.

    Raises:
        TicketError: Not TOML, written by a newer version, or a value of the wrong type.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TicketError(f"not valid TOML ({exc})") from None
    r = _Reader(data, "")
    version = r.get("format", int, 0)
    if version > SCHEMA_VERSION:
        raise TicketError(
            f"written by a newer mailtriage (format {version}; this one reads up to "
            f"{SCHEMA_VERSION}): upgrade to open it"
        )
    if version < 1:
        raise TicketError("not a mailtriage ticket (no 'format' number)")
    state = r.text("state") or "open"
    if state not in STATES:
        raise TicketError(f"state should be one of {', '.join(STATES)}")
    verified = r.text("verified")
    if verified not in ("", "yes", "no"):
        raise TicketError("verified should be 'yes', 'no' or empty")
    a = r.sub("affected")
    snap = r.sub("snapshot")
    created = r.when("created", required=True)
    changed = r.when("changed", required=True)
    assert created is not None and changed is not None
    samples = tuple(_sample(s) for _, s in r.tables("samples"))
    if len({s.slot for s in samples}) != len(samples):
        raise TicketError("two samples in one slot")
    ticks = []
    for _, t in r.tables("ticks"):
        at = t.when("at", required=True)
        assert at is not None
        ticks.append(Tick(t.text("item"), at))
    kept = []
    for _, k in r.tables("kept"):
        at = k.when("at", required=True)
        assert at is not None
        kept.append(KeptExplain(k.text("text"), k.text("result"), at))
    return Ticket(
        id=check_id(r.text("id")),
        created=created,
        changed=changed,
        kind=r.text("kind") or "general",
        state=state,
        affected=Affected(a.text("customer"), a.text("user"), a.text("device"), a.text("site")),
        symptom=r.text("symptom"),
        scope=r.text("scope"),
        logs_checked=r.text("logs_checked"),
        changes=r.text("changes"),
        volume=r.text("volume"),
        notes=r.text("notes"),
        fix=r.text("fix"),
        verification=r.text("verification"),
        verified_ok=None if not verified else verified == "yes",
        samples=samples,
        ticks=tuple(ticks),
        kept=tuple(kept),
        snapshot=Snapshot(
            snap.text("layer"),
            snap.text("decision"),
            snap.text("next_step"),
            snap.strings("findings"),
            snap.strings("diff"),
            snap.when("taken"),
        ),
    )


# -- the store --------------------------------------------------------------------


class TicketStore:
    """Tickets under one directory.

    Args:
        root: The data directory; tickets go to ``root/tickets``.
        clock: Returns the current time (UTC); tests pass a fixed one.
    """

    def __init__(self, root: str | os.PathLike[str], clock: Callable[[], datetime] | None = None):
        self.dir = Path(root) / "tickets"
        self.clock = clock or (lambda: datetime.now(UTC))

    def path(self, ticket_id: str) -> Path:
        """The file of ticket ``ticket_id``.

        Raises:
            TicketError: The id is not valid.
        """
        return self.dir / f"{check_id(ticket_id)}.toml"

    def _read(self, path: Path) -> Ticket:
        return self._read_stored(path).ticket

    def _read_stored(self, path: Path) -> Stored:
        try:
            with path.open("rb") as fh:
                raw = fh.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            raise TicketNotFound(f"no ticket {path.stem}") from None
        except OSError as exc:
            raise TicketError(f"cannot read ticket {path}: {exc.strerror}") from None
        if len(raw) > MAX_FILE_BYTES:
            raise TicketError(f"ticket {path} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise TicketError(f"ticket {path} is not UTF-8 text") from None
        try:
            ticket = from_toml(text)
        except TicketError as exc:
            raise TicketError(f"ticket {path}: {exc}") from None
        if ticket.id != path.stem:
            raise TicketError(f"ticket {path}: its id is {ticket.id!r}, not {path.stem!r}")
        return Stored(ticket, stamp_of(raw))

    def load(self, ticket_id: str) -> Ticket:
        """Read one ticket.

        Raises:
            TicketNotFound: There is no such ticket.
            TicketError: The file is unreadable, malformed or from a newer version.
        """
        return self._read(self.path(ticket_id))

    def read(self, ticket_id: str) -> Stored:
        """Read one ticket with its file's stamp (the base of a later :meth:`save_merged`).

        Raises:
            TicketNotFound: There is no such ticket.
            TicketError: The file is unreadable, malformed or from a newer version.
        """
        return self._read_stored(self.path(ticket_id))

    def folder(self, ticket_id: str) -> Path:
        """The ticket's own folder (``tickets/ID/``): the samples and exports of a served
        ticket live there, and a served session reads no file outside it.

        Raises:
            TicketError: The id is not valid.
        """
        return self.dir / check_id(ticket_id)

    @contextlib.contextmanager
    def _locked(self, ticket_id: str) -> Iterator[None]:
        """Hold the ticket's lock file (``.ID.lock``) so that one save at a time,
        across processes, compares and writes."""
        self.dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.dir / f".{check_id(ticket_id)}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def open(self, ticket_id: str) -> tuple[Ticket, bool]:
        """Resume ticket ``ticket_id``, or create and save it.

        Returns:
            The ticket and whether it was created now.

        Raises:
            TicketError: The id is invalid, or the file exists but cannot be used.
        """
        stored, created = self.open_stored(ticket_id)
        return stored.ticket, created

    def open_stored(self, ticket_id: str) -> tuple[Stored, bool]:
        """:meth:`open`, with the file's stamp (the base of a later :meth:`save_merged`).

        Raises:
            TicketError: The id is invalid, or the file exists but cannot be used.
        """
        self._sweep(ticket_id)
        try:
            return self.read(ticket_id), False
        except TicketNotFound:
            now = self.clock()
            ticket = Ticket(check_id(ticket_id), created=now, changed=now)
            with self._locked(ticket_id):
                self._current(ticket_id)
                return self._write(ticket), True

    def _sweep(self, ticket_id: str, older_than: float = 60.0) -> None:
        """Remove temporary files a killed save left behind (not a running save's)."""
        limit = self.clock().timestamp() - older_than
        for tmp in self.dir.glob(f".{check_id(ticket_id)}.toml.*.tmp"):
            try:
                if tmp.stat().st_mtime < limit:
                    tmp.unlink()
            except OSError:
                continue

    def save(self, ticket: Ticket, touch: bool = True) -> Ticket:
        """Save a ticket atomically and return it as saved.

        Args:
            ticket: The ticket to write.
            touch: Set ``changed`` to now first (the default).

        Returns:
            The ticket as written (with the new ``changed`` time).

        Raises:
            TicketError: The file on disk cannot be read or comes from a newer version
                (it is left as it is), or the write failed.
        """
        if touch:
            from dataclasses import replace

            ticket = replace(ticket, changed=self.clock())
        with self._locked(ticket.id):
            self._current(ticket.id)
            self._write(ticket)
        return ticket

    def _current(self, ticket_id: str) -> Stored | None:
        """The ticket on disk now (``None`` when there is none).

        Raises:
            TicketError: The file cannot be used; it must not be written over.
        """
        try:
            return self._read_stored(self.path(ticket_id))
        except TicketNotFound:
            return None
        except TicketError as exc:
            raise TicketError(f"{exc}; not overwritten") from None

    def _write(self, ticket: Ticket) -> Stored:
        path = self.path(ticket.id)
        text = to_toml(ticket)
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            raise TicketError(f"cannot save ticket {path}: {exc.strerror or exc}") from None
        return Stored(ticket, stamp_of(text.encode("utf-8")))

    def save_merged(self, base: Stored, mine: Ticket) -> tuple[Stored, Merged]:
        """Save this session's version of a ticket without losing another session's save.

        Under the ticket's lock, the file's stamp is compared with ``base.stamp``: when
        nobody saved since ``base`` was read, ``mine`` is written as it is; otherwise
        the two versions are merged field by field (:func:`.merge.merge`) and the
        merge is written. Fields both sides changed keep the saved value and come
        back in ``Merged.refused``.

        Args:
            base: The version this session read or last saved, with its stamp.
            mine: This session's version (derived from ``base.ticket``).

        Returns:
            The ticket as now saved, with its stamp (the base of the next save), and
            the merge (``refused`` empty when nothing was refused).

        Raises:
            TicketError: The file on disk cannot be used (left as it is) or the write failed.
        """
        with self._locked(mine.id):
            current = self._current(mine.id)
            if current is None or current.stamp == base.stamp:
                merged = Merged(mine)
            else:
                merged = merge(base.ticket, mine, current.ticket)
            return self._write(merged.ticket), merged

    def list(self) -> tuple[TicketSummary, ...]:
        """Every ticket, most recently changed first; unreadable files listed with their error."""
        out: list[TicketSummary] = []
        try:
            paths = sorted(self.dir.glob("*.toml"))
        except OSError:
            return ()
        for path in paths:
            if path.name.startswith(".") or not ID_PATTERN.fullmatch(path.stem):
                continue
            try:
                t = self._read(path)
            except TicketError as exc:
                out.append(TicketSummary(path.stem, path, None, "", "", "", "", str(exc)))
                continue
            out.append(
                TicketSummary(
                    t.id, path, t.changed, t.state, t.kind, t.snapshot.layer, t.affected.customer
                )
            )
        epoch = datetime.min.replace(tzinfo=UTC)
        out.sort(key=lambda s: (s.changed or epoch, s.id), reverse=True)
        return tuple(out)
