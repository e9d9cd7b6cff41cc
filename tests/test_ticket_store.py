"""The ticket store: TOML round trip, refusals, listing, and kill -9 in the middle of saves."""

from __future__ import annotations

import os
import random
import signal
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from mailtriage.checks.ticket.model import (
    SCHEMA_VERSION,
    Affected,
    KeptExplain,
    Snapshot,
    Tick,
    Ticket,
    TicketSample,
)
from mailtriage.checks.ticket.store import (
    TicketError,
    TicketNotFound,
    TicketStore,
    from_toml,
    sample_changed,
    text_digest,
    to_toml,
)

NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


def _store(tmp_path: Path) -> TicketStore:
    return TicketStore(tmp_path, clock=lambda: NOW)


def _full(ticket_id: str = "T-1") -> Ticket:
    pasted = "Received: from a\r\n\tby b; Thu, 3 Dec 2026 10:00:00 +0000\nSubject: x\r\n"
    return Ticket(
        ticket_id,
        created=NOW,
        changed=NOW,
        kind="allowlist-scope",
        state="escalated",
        affected=Affected("Contoso", "ann@contoso.example", "LAPTOP-7", "Leeds"),
        symptom="550 5.7.1 at 09:14 UTC",
        scope="two users, one site",
        logs_checked="Proofpoint smart search",
        changes="new connector on Monday",
        volume="about 40 messages",
        notes="first line\nsecond \x00 \u202e line\r\n",
        fix="sender+recipient safe entry",
        verification="resent at 10:02, delivered",
        verified_ok=True,
        samples=(
            TicketSample("A", pasted=pasted, sha256=text_digest(pasted), added=NOW),
            TicketSample("B", path="/tmp/b.eml", sha256="00" * 32, added=NOW),
        ),
        ticks=(Tick("triage-ids", NOW), Tick("t1-compare", NOW + timedelta(minutes=3))),
        kept=(KeptExplain("550 5.7.1", "policy block", NOW),),
        snapshot=Snapshot("policy", "A was held", "release", ("A: x",), ("Verdict: a | b",), NOW),
    )


def test_round_trip_keeps_every_field_exactly(tmp_path: Path) -> None:
    store = _store(tmp_path)
    saved = store.save(_full())
    assert store.load("T-1") == saved == replace(_full(), changed=NOW)
    # CRLF inside pasted text survives (a multi-line TOML string would turn it into LF).
    assert "\r\n" in store.load("T-1").samples[0].pasted


def test_open_creates_then_resumes(tmp_path: Path) -> None:
    store = _store(tmp_path)
    t, created = store.open("INC0012345")
    assert created and t.state == "open" and store.path("INC0012345").exists()
    again, created = store.open("INC0012345")
    assert not created and again == t


@pytest.mark.parametrize("bad", ["", "../x", "a/b", ".hidden", "x" * 65, "T 1", "tést"])
def test_bad_ids_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(TicketError, match="bad ticket id"):
        _store(tmp_path).open(bad)


def test_missing_ticket(tmp_path: Path) -> None:
    with pytest.raises(TicketNotFound):
        _store(tmp_path).load("T-9")


def test_newer_format_is_reported_and_never_overwritten(tmp_path: Path) -> None:
    store = _store(tmp_path)
    text = to_toml(_full()).replace(f"format = {SCHEMA_VERSION}", f"format = {SCHEMA_VERSION + 1}")
    store.path("T-1").parent.mkdir(parents=True)
    store.path("T-1").write_text(text)
    with pytest.raises(TicketError, match="newer mailtriage"):
        store.open("T-1")
    with pytest.raises(TicketError, match="not overwritten"):
        store.save(_full())
    assert store.path("T-1").read_text() == text


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"format = 1\nid = \n", "not valid TOML"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b'format = 1\nid = "T-1"\ncreated = 3\n', "created should be a date-time"),
        (b"title = 'someone else\\'s file'\n", "not valid TOML"),
        (b"x = 1\n", "not a mailtriage ticket"),
    ],
)
def test_unreadable_file_is_reported_and_kept(tmp_path: Path, content: bytes, why: str) -> None:
    store = _store(tmp_path)
    store.path("T-1").parent.mkdir(parents=True)
    store.path("T-1").write_bytes(content)
    with pytest.raises(TicketError, match=why):
        store.load("T-1")
    with pytest.raises(TicketError, match="not overwritten"):
        store.save(_full())
    assert store.path("T-1").read_bytes() == content
    (listed,) = store.list()
    assert listed.id == "T-1" and why in listed.error


def test_file_with_another_tickets_id_is_refused(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.path("T-2").parent.mkdir(parents=True)
    store.path("T-2").write_text(to_toml(_full("T-1")))
    with pytest.raises(TicketError, match="its id is 'T-1'"):
        store.load("T-2")


def test_list_newest_first_and_skips_temporary_files(tmp_path: Path) -> None:
    times = iter([NOW, NOW + timedelta(hours=1)])
    store = TicketStore(tmp_path, clock=lambda: next(times))
    store.save(replace(_full("T-1"), state="open"))
    store.save(replace(_full("T-2"), state="resolved"))
    (store.dir / ".T-1.toml.abc.tmp").write_text("half")
    listed = store.list()
    assert [s.id for s in listed] == ["T-2", "T-1"]
    assert listed[0].state == "resolved" and listed[0].layer == "policy"
    assert listed[0].customer == "Contoso"


def test_stale_temporary_files_are_swept_on_open(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.save(_full())
    old = store.dir / ".T-1.toml.old.tmp"
    fresh = store.dir / ".T-1.toml.new.tmp"
    old.write_text("x")
    fresh.write_text("x")
    os.utime(old, (NOW.timestamp() - 3600,) * 2)
    os.utime(fresh, (NOW.timestamp(),) * 2)
    store.open("T-1")
    assert not old.exists() and fresh.exists()


def test_changed_sample_file_is_flagged(tmp_path: Path) -> None:
    f = tmp_path / "b.eml"
    f.write_bytes(b"Subject: one\n\nbody\n")
    import hashlib

    s = TicketSample("B", path=str(f), sha256=hashlib.sha256(f.read_bytes()).hexdigest())
    assert sample_changed(s) == ""
    f.write_bytes(b"Subject: two\n\nbody\n")
    assert sample_changed(s) == "changed"
    f.unlink()
    assert sample_changed(s) == "missing"
    assert sample_changed(TicketSample("A", pasted="x")) == ""


def test_wrong_types_name_the_key() -> None:
    text = to_toml(_full()).replace('state = "escalated"', "state = 3")
    with pytest.raises(TicketError, match="state should be str"):
        from_toml(text)
    text = to_toml(_full()).replace('slot = "A"', 'slot = "C"')
    with pytest.raises(TicketError, match="slot should be one of"):
        from_toml(text)


def _saver(root: Path) -> None:  # pragma: no cover - runs in the forked child
    store = TicketStore(root)
    ticket = store.load("T-1")
    n = 0
    while True:
        n += 1
        ticket = store.save(
            replace(
                ticket,
                notes=f"save {n}\n" + "x" * (n * 7919 % 300_000),
                ticks=(*ticket.ticks[-50:], Tick(f"item-{n}", NOW)),
            )
        )


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_kill_9_in_the_middle_of_saves_always_leaves_a_readable_ticket(tmp_path: Path) -> None:
    """Kill a process that saves in a loop, 200 times, at random moments."""
    store = TicketStore(tmp_path)
    store.save(_full())
    rng = random.Random(20261205)
    previous = store.load("T-1")
    progressed = 0
    for _ in range(200):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                _saver(tmp_path)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        ticket = store.load("T-1")  # never raises: the old ticket or the new one
        progressed += ticket != previous  # this child saved at least once before it died
        previous = ticket
    assert progressed > 100, "the children hardly ever saved: the test tested nothing"
    assert store.open("T-1")[0] == previous
