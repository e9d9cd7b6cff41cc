"""Two sessions saving one ticket: the field-wise merge and its refusals (engine, no Textual)."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mailtriage.checks.ticket.merge import Refused, merge, merge_sets
from mailtriage.checks.ticket.model import Affected, KeptExplain, Tick, Ticket, TicketSample
from mailtriage.checks.ticket.store import TicketStore

NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)


def _base() -> Ticket:
    return Ticket(
        "T-1",
        created=NOW,
        changed=NOW,
        symptom="550 5.7.1",
        fix="",
        affected=Affected("Contoso"),
        ticks=(Tick("headers", NOW),),
    )


def test_different_fields_both_kept() -> None:
    base = _base()
    mine = replace(base, fix="safe entry for this sender", changed=LATER)
    theirs = replace(base, notes="called the user", state="escalated")
    out = merge(base, mine, theirs)
    assert out.refused == ()
    assert out.ticket.fix == "safe entry for this sender"
    assert out.ticket.notes == "called the user"
    assert out.ticket.state == "escalated"
    assert out.ticket.changed == LATER


def test_same_field_changed_on_both_sides_is_refused_and_theirs_stays() -> None:
    base = _base()
    mine = replace(base, fix="allow the whole domain")
    theirs = replace(base, fix="allow this sender only")
    out = merge(base, mine, theirs)
    assert out.ticket.fix == "allow this sender only"
    assert out.refused == (Refused("fix", "allow the whole domain", "allow this sender only"),)


def test_same_change_on_both_sides_is_no_conflict() -> None:
    base = _base()
    both = replace(base, symptom="550 5.7.606")
    assert merge(base, both, both).refused == ()
    assert merge(base, both, both).ticket.symptom == "550 5.7.606"


def test_affected_merged_field_by_field() -> None:
    base = _base()
    mine = replace(base, affected=Affected("Contoso", user="ann"))
    theirs = replace(base, affected=Affected("Contoso", site="Leeds"))
    out = merge(base, mine, theirs)
    assert out.ticket.affected == Affected("Contoso", user="ann", site="Leeds")
    clash = merge(base, replace(base, affected=Affected("Fabrikam")),
                  replace(base, affected=Affected("Northwind")))  # fmt: skip
    assert [r.field for r in clash.refused] == ["affected.customer"]
    assert clash.ticket.affected.customer == "Northwind"


def test_ticks_union_of_additions_and_removal_kept() -> None:
    base = _base()
    mine = replace(base, ticks=(*base.ticks, Tick("live-dns", LATER)))
    theirs = replace(base, ticks=(*base.ticks, Tick("trace", LATER)))
    out = merge(base, mine, theirs)
    assert {t.item for t in out.ticket.ticks} == {"headers", "live-dns", "trace"}
    assert out.refused == ()
    # one side unticked "headers", the other left it: it stays unticked
    untick = replace(base, ticks=())
    assert {t.item for t in merge(base, untick, theirs).ticket.ticks} == {"trace"}
    assert {t.item for t in merge(base, theirs, untick).ticket.ticks} == {"trace"}


def test_merge_sets_keeps_first_seen_value() -> None:
    assert merge_sets([1], [1, 2], [1, 3], key=lambda x: x) == (1, 3, 2)


def test_kept_explanations_union() -> None:
    base = _base()
    a = KeptExplain("550 5.7.1", "rejected by policy", NOW)
    b = KeptExplain("421 4.7.0", "try again later", LATER)
    out = merge(base, replace(base, kept=(a,)), replace(base, kept=(b,)))
    assert set(out.ticket.kept) == {a, b}


def test_sample_slot_conflict_refused() -> None:
    base = _base()
    mine = replace(base, samples=(TicketSample("A", path="/x/mine.eml"),))
    theirs = replace(base, samples=(TicketSample("A", path="/x/theirs.eml"),))
    out = merge(base, mine, theirs)
    assert out.ticket.samples == theirs.samples
    assert out.refused == (Refused("sample A", "/x/mine.eml", "/x/theirs.eml"),)
    # B added on one side only: kept beside their A
    mine_b = replace(base, samples=(TicketSample("B", path="/x/b.eml"),))
    assert [s.slot for s in merge(base, mine_b, theirs).ticket.samples] == ["A", "B"]


def test_store_save_merged_without_meanwhile_writes_mine(tmp_path: Path) -> None:
    store = TicketStore(tmp_path, clock=lambda: NOW)
    store.open("T-1")
    base = store.read("T-1")
    saved, merged = store.save_merged(base, replace(base.ticket, fix="x"))
    assert merged.refused == ()
    assert store.read("T-1") == saved
    assert saved.ticket.fix == "x"


def test_store_two_sessions_never_lose_a_change(tmp_path: Path) -> None:
    store = TicketStore(tmp_path, clock=lambda: NOW)
    store.save(_base(), touch=False)
    one = store.read("T-1")
    two = store.read("T-1")
    store.save_merged(one, replace(one.ticket, notes="from one",
                                   ticks=(*one.ticket.ticks, Tick("a", LATER))))  # fmt: skip
    ticks = (*two.ticket.ticks, Tick("b", LATER))
    saved, merged = store.save_merged(
        two, replace(two.ticket, fix="from two", notes="clash", ticks=ticks)
    )
    on_disk = store.load("T-1")
    assert on_disk == saved.ticket
    assert on_disk.fix == "from two"
    assert on_disk.notes == "from one"  # saved first: the second session's notes refused
    assert merged.refused == (Refused("notes", "clash", "from one"),)
    assert {t.item for t in on_disk.ticks} == {"headers", "a", "b"}


def _tick_many(root: str, name: str, n: int) -> None:
    store = TicketStore(root)
    base = store.read("T-1")
    for i in range(n):
        mine = replace(base.ticket, ticks=(*base.ticket.ticks, Tick(f"{name}{i}", NOW)))
        base, _ = store.save_merged(base, mine)


def test_store_concurrent_processes_keep_every_tick(tmp_path: Path) -> None:
    """Two processes saving at once (the lock serialises compare-and-write)."""
    TicketStore(tmp_path).save(_base(), touch=False)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_tick_many, args=(str(tmp_path), n, 25)) for n in "xy"]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    items = {t.item for t in TicketStore(tmp_path).load("T-1").ticks}
    assert items == {"headers"} | {f"{n}{i}" for n in "xy" for i in range(25)}


def test_a_held_field_is_never_saved_over_theirs_until_kept(tmp_path: Path) -> None:
    """Issue 12: two sessions typing in one field. The session whose save was refused
    keeps its text locally (held); what it sends meanwhile carries the saved value, so
    its later keystrokes are not written over the other session's text without asking;
    the explicit "keep mine" then saves it."""
    from mailtriage.checks.ticket.merge import field_value, keep_fields

    store = TicketStore(tmp_path, clock=lambda: LATER)
    store.save(_base())
    one, two = store.read("T-1"), store.read("T-1")
    first, _ = store.save_merged(one, replace(one.ticket, fix="allow this sender only"))
    saved, merged = store.save_merged(two, replace(two.ticket, fix="allow the whole"))
    assert [r.field for r in merged.refused] == ["fix"] and saved.ticket.fix == first.ticket.fix
    # two types on; its saves carry theirs for the held field, everything else goes through
    local = replace(saved.ticket, fix="allow the whole domain", volume="3 users")
    held = {"fix"}
    again, merged = store.save_merged(saved, keep_fields(local, saved.ticket, held))
    assert merged.refused == ()
    assert again.ticket.fix == "allow this sender only" and again.ticket.volume == "3 users"
    shown = keep_fields(again.ticket, local, held)  # what session two shows: its own text
    assert shown.fix == "allow the whole domain" and shown.volume == "3 users"
    # "keep mine", explicitly: now it is saved
    kept, merged = store.save_merged(again, shown)
    assert merged.refused == () and store.load("T-1").fix == "allow the whole domain"
    assert field_value(kept.ticket, "fix") == "allow the whole domain"


def test_keep_fields_names_affected_and_sample_slots() -> None:
    from mailtriage.checks.ticket.merge import field_value, keep_fields

    base = _base()
    other = replace(
        base,
        affected=Affected("Fabrikam", user="ann"),
        samples=(TicketSample("B", path="/t/b.eml"),),
        verified_ok=True,
    )
    out = keep_fields(base, other, ["affected.customer", "sample B", "verified_ok"])
    assert out.affected == Affected("Fabrikam") and out.verified_ok is True
    assert out.sample("B") == other.sample("B") and out.sample("A") is None
    assert keep_fields(base, other, []) is base
    assert field_value(other, "affected.user") == "ann"
    try:
        field_value(base, "created")
    except KeyError:
        pass
    else:
        raise AssertionError("created is not a merged field")
