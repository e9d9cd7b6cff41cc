"""Escalation triggers (checks.escalation), evaluated against the ticket and the evidence.

The four triggers are the "Escalate When" list of the guide "Proofpoint allowlist
fixes one recipient but not a shared mailbox workflow" (shared/seeds/000): several
users, sites or business-critical workflows; logs owned by a vendor, server,
security or policy team outside your access; a disruptive remediation; the same
symptom after a verified fix. What to send for a vendor follows "How can I contact
ProofPoint support to resolve email delivery issues?" (Suped, shared/seeds/004).
"""

from __future__ import annotations

import time
from dataclasses import FrozenInstanceError, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mailtriage.checks.analysis import analyse
from mailtriage.checks.escalation import SEND, TITLES, Trigger, triggers
from mailtriage.checks.message.loader import load_path
from mailtriage.checks.suspect import suspect
from mailtriage.checks.ticket.model import Affected, Ticket

ROOT = Path(__file__).resolve().parents[1]
BOUNCES = ROOT / "tests" / "fixtures" / "bounces"
NOW = datetime(2026, 5, 28, 10, 42, tzinfo=UTC)
BLANK = Ticket("T-1", NOW, NOW)


def _ids(found: tuple[Trigger, ...]) -> list[str]:
    return [t.id for t in found]


def test_a_blank_ticket_meets_no_trigger() -> None:
    assert triggers(BLANK) == ()
    assert triggers(None) == ()


def test_trigger_is_frozen_and_titled() -> None:
    (t,) = triggers(replace(BLANK, verified_ok=False))
    assert t.title == TITLES["returns"] and t.send == SEND["returns"]
    with pytest.raises(FrozenInstanceError):
        t.id = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "quoted"),
    [
        ({"volume": "38 messages to 4 recipient domains"}, 'volume: "38 messages to 4 recipient'),
        ({"scope": "Several users at the Leeds site"}, 'scope: "Several users at the Leeds site"'),
        ({"notes": "All users in finance see it."}, 'notes: "All users in finance see it"'),
        ({"symptom": "Payroll mail to the bank is held"}, "Payroll"),
        ({"affected": Affected(user="ann, bob and carl")}, 'affected user: "ann, bob and carl"'),
        ({"affected": Affected(site="Leeds; York")}, 'affected site: "Leeds; York"'),
    ],
)
def test_several_users_or_sites(change: dict, quoted: str) -> None:  # type: ignore[type-arg]
    (t,) = triggers(replace(BLANK, **change))
    assert t.id == "scope"
    assert any(quoted in w for w in t.why), t.why
    assert "one sample per user or site" in t.send


@pytest.mark.parametrize(
    "change",
    [
        {"volume": "1 user"},
        {"scope": "Only one mailbox; other users receive it"},
        {"affected": Affected(user="ann@corp.example", site="Leeds")},
        {"notes": "Not several users: just the CFO's assistant"},
    ],
)
def test_one_user_is_not_several(change: dict) -> None:  # type: ignore[type-arg]
    assert triggers(replace(BLANK, **change)) == ()


def test_one_user_exactly() -> None:
    assert triggers(replace(BLANK, volume="1 user", scope="only one mailbox")) == ()


def test_a_bounce_with_several_failed_recipients_counts() -> None:
    bounce = analyse(load_path(BOUNCES / "postfix-two-recipients.eml"))
    (t,) = triggers(BLANK, [bounce])
    assert t.id == "scope" and t.why[0].startswith("A: the bounce lists 2 failed recipients")


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("logs_checked", "We cannot see the gateway logs; the customer's IT owns it"),
        ("notes", "No admin access to the Mimecast console"),
        ("notes", "Proofpoint is hosted by the vendor"),
        ("notes", "Needs Microsoft-side tracing beyond 10 days"),
        ("notes", "Sender was told to write to the postmaster address"),
    ],
)
def test_logs_owned_by_the_vendor(field: str, text: str) -> None:
    (t,) = triggers(replace(BLANK, **{field: text}))
    assert t.id == "vendor-logs"
    assert t.why[0].startswith(f'{field.replace("_", " ")}: "')
    assert "exact SMTP reply" in t.send and "Message-ID" in t.send


def test_a_reputation_rejection_is_the_vendors_to_review() -> None:
    bounce = analyse(load_path(ROOT / "tests" / "samples" / "bounce-proofpoint.eml"))
    (t,) = triggers(BLANK, [bounce])
    assert t.id == "vendor-logs"
    assert "reputation" in t.why[0] and "554 5.7.0 Blocked" in t.why[0]


@pytest.mark.parametrize(
    ("field", "text", "needle"),
    [
        ("fix", "Change the MX records to point at Mimecast", "Change the MX records"),
        ("fix", "MX cutover tonight", "MX cutover"),
        ("fix", "Edit the inbound connector to accept the new IPs", "inbound connector"),
        ("fix", "Disable the anti-phishing policy for finance", "policy bypass"),
        ("fix", "Allowlist the domain", "domain allow"),
        ("notes", "Plan: set SCL to -1 for this sender", "scl bypass"),
        ("fix", "whitelist *@contoso.com", "domain allow"),
    ],
)
def test_a_disruptive_fix(field: str, text: str, needle: str) -> None:
    (t,) = triggers(replace(BLANK, **{field: text}))
    assert t.id == "disruptive-fix"
    assert any(needle in w for w in t.why), t.why
    assert "rollback" in t.send


def test_a_chosen_action_is_read_like_the_fix() -> None:
    (t,) = triggers(BLANK, action="bypass spam filtering for the vendor")
    assert t.id == "disruptive-fix" and t.why[0].startswith('chosen action: "')


@pytest.mark.parametrize(
    "fix",
    [
        "Allowed the single address a@b.example for ap@corp.example",
        "Do not change the MX; released the message",
        "Checked the connector: no change needed",
    ],
)
def test_a_narrow_fix_is_not_disruptive(fix: str) -> None:
    assert triggers(replace(BLANK, fix=fix)) == ()


def test_the_same_symptom_after_a_verified_fix() -> None:
    ticket = replace(
        BLANK,
        fix="Safe-sender entry for billing@meridian-office.example to ap@",
        verification="Retest 11:05 UTC held again by rule=finance_spam",
        verified_ok=False,
    )
    (t,) = triggers(ticket)
    assert t.id == "returns"
    assert t.why == (
        'fix: "Safe-sender entry for billing@meridian-office.example to ap@"',
        'verification: "Retest 11:05 UTC held again by rule=finance_spam"',
    )
    assert triggers(replace(ticket, verified_ok=True)) == ()
    assert triggers(replace(ticket, verified_ok=None)) == ()


def test_triggers_come_in_the_guides_order_and_quote_the_comparison() -> None:
    folder = ROOT / "tests" / "fixtures" / "pairs" / "14-google-identical-delivered"
    a, b = analyse(load_path(folder / "a.eml")), analyse(load_path(folder / "b.eml"))
    comparison = suspect(a, b)
    assert comparison.suspect_layer is None
    ticket = replace(
        BLANK,
        verified_ok=False,
        fix="Repoint the MX to the new gateway",
        logs_checked="Cannot access the hosted gateway's logs",
        scope="Three sites",
    )
    found = triggers(ticket, [a, b], comparison)
    assert _ids(found) == ["scope", "vendor-logs", "disruptive-fix", "returns"]
    assert found[1].why[-1].startswith('comparison: "')


def test_quotes_are_escaped_and_bounded() -> None:
    (t,) = triggers(replace(BLANK, notes="Several users \x1b[2J" + "x" * 500))
    assert "\x1b" not in t.why[0] and "\\x1b" in t.why[0]
    assert len(t.why[0]) < 200


def test_long_notes_are_read_in_bounded_time() -> None:
    junk = "allow change can not " * 5000
    ticket = replace(BLANK, notes=junk, fix=junk, scope=junk, logs_checked=junk)
    started = time.monotonic()
    triggers(ticket)
    assert time.monotonic() - started < 5.0
