"""Proofpoint Essentials email-log statuses: recognition in pasted text and the explanations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mailtriage.checks.pelog import (
    EXPECTED_TIMING,
    INBOUND_NOT_LOGGED,
    LAYERS,
    OUTBOUND_NOT_LOGGED,
    STATUSES,
    explain_all,
    explain_lines,
    explain_status,
)

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
DELIVERY = {"delivered", "delayed", "expired", "bounced", "", "quarantined"}
FILTER = {
    "Any",
    "Cleared",
    "Cleared (but queued for delivery)",
    "Cleared (but bounced by destination)",
    "Cleared (released from quarantine)",
    "Blocked",
    "Quarantined",
    "Reported (Misclassified)",
}


def test_table_covers_both_vocabularies() -> None:
    assert {e.status for e in STATUSES if e.kind == "delivery"} == DELIVERY
    assert {e.status for e in STATUSES if e.kind == "filter"} == FILTER
    for e in STATUSES:
        assert e.layer in LAYERS
        assert e.meaning and e.next_step and e.where_now
        assert e.delivered in (True, False, None)


@pytest.mark.parametrize(
    ("text", "status", "kind"),
    [
        ("delivered", "delivered", "delivery"),
        ("DELAYED", "delayed", "delivery"),
        ("  Expired \n", "expired", "delivery"),
        ("Bounced", "bounced", "delivery"),
        ("Cleared (but bounced by destination)", "Cleared (but bounced by destination)", "filter"),
        ("cleared but bounced by destination", "Cleared (but bounced by destination)", "filter"),
        ("CLEARED (BUT QUEUED FOR DELIVERY)", "Cleared (but queued for delivery)", "filter"),
        ("Cleared released from quarantine", "Cleared (released from quarantine)", "filter"),
        ("reported misclassified", "Reported (Misclassified)", "filter"),
        ("Blocked", "Blocked", "filter"),
        ("cleared", "Cleared", "filter"),
        ("Any", "Any", "filter"),
        ("any", "Any", "filter"),
        ("Quarantined", "Quarantined", "filter"),
        ("quarantined", "quarantined", "delivery"),
        ("", "", "delivery"),
        ("<blank>", "", "delivery"),
        ("(empty)", "", "delivery"),
    ],
)
def test_bare_status_any_case(text: str, status: str, kind: str) -> None:
    found = explain_status(text)
    assert found is not None
    assert (found.status, found.kind) == (status, kind)


def test_kind_can_be_forced() -> None:
    assert explain_status("Quarantined", kind="delivery").kind == "delivery"  # type: ignore[union-attr]
    assert explain_status("quarantined", kind="filter").kind == "filter"  # type: ignore[union-attr]


def test_pasted_rows() -> None:
    tab = "09:19\tinvoices@fabrikam.example\tap@northwind.example\tParcel delivered\tbounced"
    assert explain_status(tab).status == "bounced"  # type: ignore[union-attr]
    comma = '2026-11-23,"Invoice, final",ap@northwind.example,Cleared (released from quarantine)'
    assert explain_status(comma).status == "Cleared (released from quarantine)"  # type: ignore[union-attr]
    aligned = "09:19   ap@northwind.example   Invoice INV-20944   quarantined"
    assert explain_status(aligned).kind == "delivery"  # type: ignore[union-attr]
    piped = "| 09:19 | ap@northwind.example | delayed |"
    assert explain_status(piped).status == "delayed"  # type: ignore[union-attr]
    inline = "Log says Cleared (but bounced by destination) at 09:20 for this one"
    assert explain_status(inline).status == "Cleared (but bounced by destination)"  # type: ignore[union-attr]


def test_unrecognised_text() -> None:
    assert explain_status("Date\tSender\tRecipient\tSubject\tStatus") is None
    assert explain_status("nothing to see") is None
    assert explain_status("any\tother\tfield") is None  # "Any" only as the bare choice


def test_multi_line_paste() -> None:
    paste = "Date\tStatus\n1\tdelivered\n\n2\tdelayed\nfree note\n3\tCleared\n"
    assert [e.status for e in explain_all(paste)] == ["delivered", "delayed", "Cleared"]
    lines = explain_lines(paste)
    assert [ln.line for ln in lines] == [2, 4, 6]
    assert explain_status(paste).status == "delivered"  # type: ignore[union-attr]


def test_hostile_text_is_displayed_safely_and_does_not_hang() -> None:
    lines = explain_lines("\x1b[2J\u202eevil\tdelivered\n")
    assert "\x1b" not in lines[0].display() and "\\x1b" in lines[0].display()
    assert "\x1b" in lines[0].text  # stored raw
    assert explain_status("(" * 200_000 + " delivered") is None  # past the line cap
    assert explain_status("a\t" * 50_000) is None
    assert len(explain_all("delayed\n" * 30_000)) == 20_000


def test_states_and_timing() -> None:
    by = {(e.kind, e.status): e for e in STATUSES}
    assert by["delivery", "delivered"].where_now == "left Proofpoint"
    assert by["delivery", "delivered"].delivered is True
    assert by["delivery", "delayed"].where_now == "in Proofpoint's queue"
    assert "week" in by["delivery", "delayed"].timing and "day" in by["delivery", "delayed"].timing
    assert "week" in by["delivery", "expired"].timing
    assert by["delivery", ""].delivered is None and "15" in by["delivery", ""].timing
    assert by["filter", "Quarantined"].where_now == "held in quarantine"
    assert by["filter", "Blocked"].delivered is False and by["filter", "Blocked"].layer == "policy"
    assert by["filter", "Cleared (released from quarantine)"].layer == "quarantine/release"
    assert "minute" in EXPECTED_TIMING and "15" in EXPECTED_TIMING
    checklist = " ".join(INBOUND_NOT_LOGGED).lower()
    for word in ("mx", "spell", "sent", "time"):
        assert word in checklist
    assert OUTBOUND_NOT_LOGGED


def _runs(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_product_text_is_not_copied_from_the_seed_guides() -> None:
    seeds = sorted(SEEDS.glob("00[14]_*.txt")) if SEEDS.is_dir() else []
    if not seeds:
        pytest.skip(f"seed guides not present at {SEEDS}")
    source = set().union(*(_runs(p.read_text(errors="replace")) for p in seeds))
    ours = [EXPECTED_TIMING, *INBOUND_NOT_LOGGED, *OUTBOUND_NOT_LOGGED]
    ours += [t for e in STATUSES for t in (e.meaning, e.next_step, e.timing)]
    shared = set().union(*(_runs(t) for t in ours)) & source
    assert not shared, shared
