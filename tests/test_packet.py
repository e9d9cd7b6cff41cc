"""The vendor support case packet, its readiness rule, the escalation update and the runbook.

Fixtures: tests/fixtures/packet (see its README for the documents each was written from:
RFC 3464; Outlook.com Postmaster, Troubleshooting,
https://sendersupport.olc.protection.outlook.com/pm/troubleshooting.aspx; Microsoft Learn,
Fix email delivery issues for error code 451 4.7.500-699 (ASxxx) in Exchange Online,
https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/fix-error-code-451-4-7-500-699-asxxx-in-exchange-online),
and the blocked/delivered pairs in tests/fixtures/pairs (each case.toml names its source).
The routes are those of the seed "How can I contact ProofPoint support to resolve email
delivery issues?" (Suped, 2025): a PCSC case for a customer, postmaster@proofpoint.com for
an outside sender.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from mailtriage.checks.analysis import Analysis, analyse
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.packet import (
    AUTH,
    FIRST,
    GATEWAY_LINE,
    LATEST,
    MORE_SAMPLES,
    RESPONSE,
    VOLUME,
    CaseFacts,
    case_facts,
    case_packet,
    escalation_update,
    rate,
    runbook_entry,
)
from mailtriage.checks.suspect import suspect
from mailtriage.checks.ticket.model import Affected, KeptExplain, Tick, Ticket
from mailtriage.tui.cli import main

HERE = Path(__file__).parent
PAIRS = HERE / "fixtures" / "pairs"
PACKET = HERE / "fixtures" / "packet"
NOW = datetime(2025, 10, 14, 12, 0, tzinfo=UTC)
S3150 = PACKET / "outlook-s3150.eml"
DEFERRAL = (PACKET / "eop-deferral.txt").read_text(encoding="utf-8").strip()


def _pair(name: str) -> tuple[Analysis, Analysis]:
    folder = next(PAIRS.glob(f"{name}-*"))
    return analyse(load_path(str(folder / "a.eml"))), analyse(load_path(str(folder / "b.eml")))


def _ticket(**kw: object) -> Ticket:
    return Ticket("T-7", NOW - timedelta(days=1), NOW, **kw)  # type: ignore[arg-type]


# --- the two paths -------------------------------------------------------------------


def test_outside_sender_rejected_by_microsoft_goes_to_the_sender_route() -> None:
    a = analyse(load_path(str(S3150)))
    p = case_packet([a, None], None, now=NOW)
    assert p.path.startswith("Microsoft 365 sender support:")
    assert "https://sender.office.com" in p.path and "Outlook.com Postmaster" in p.path
    assert "customer portal" in p.path  # says why it is not the customer's own case
    assert "550 5.7.1" in p.subject and "203.0.113.58" in p.subject
    body = p.body.splitlines()
    assert "Sending IP: 203.0.113.58" in body
    assert "Envelope sender: reception@contoso-dental.example" in body
    assert "Recipient domain: hotmail.com" in body
    assert "Message-ID: appt-88213.1760429558@contoso-dental.example" in body
    assert "First failure (UTC): 2025-10-14 08:12 UTC" in body
    # The SMTP response is whole: its tail (the server and the time stamp) is still there.
    response = next(x for x in body if x.startswith("SMTP response: "))
    assert response.endswith("2025-10-14T08:12:40.913Z 08DE0A1B2C3D4E5F]")
    assert "(S3150)" in response
    assert p.readiness == "partial"
    assert p.missing == (VOLUME, AUTH)


def test_the_proofpoint_bounce_names_postmaster_and_the_ip_lookup() -> None:
    a = analyse(load_path(str(HERE / "samples" / "bounce-proofpoint.eml")))
    p = case_packet([a, None], None, now=NOW)
    assert p.path.startswith("Proofpoint sender support: postmaster@proofpoint.com")
    assert "ipcheck.proofpoint.com" in p.path
    assert "Sending IP: 203.0.113.45" in p.body.splitlines()


def test_proofpoint_hold_of_inbound_mail_is_the_customers_own_case() -> None:
    a, b = _pair("08")
    p = case_packet([a, b], suspect(a, b), now=NOW)
    assert p.path.startswith("Customer's own Proofpoint case:")
    assert "Proofpoint Customer Success Center (PCSC)" in p.path
    assert "postmaster@" not in p.path
    assert p.subject.startswith("Delivery case: inbound message from halvorsen-eng.example held")
    assert "Gateway decision: X-Proofpoint-Spam-Details: rule=spam" in p.body
    assert "SPF: pass (recorded by" in p.body and "DMARC: pass, policy none" in p.body
    assert p.readiness == "partial" and p.missing == (VOLUME,)
    ready = case_packet([a, b], suspect(a, b), _ticket(volume="12 tenders since Monday"))
    assert ready.readiness == "ready" and ready.missing == ()
    assert "Volume affected: 12 tenders since Monday" in ready.body.splitlines()


def test_inbound_authentication_failure_goes_to_the_sender_not_the_gateway_vendor() -> None:
    """An unaligned DKIM signature from an ESP (pair 01): only the sender can fix it.

    Written from RFC 7489 section 3.1 (identifier alignment) and the seed guides' advice
    to check the sending domain's records before opening a gateway case.
    """
    a, b = _pair("01")
    p = case_packet([a, b], suspect(a, b), now=NOW)
    assert p.path.startswith("The sender's mail administrators (brightline-payroll.example")
    assert "Customer's own" not in p.path
    assert p.body.startswith("Hello brightline-payroll.example mail administrators,")
    assert "DKIM signing domain (d=)" in p.body


def test_mimecast_hold_is_partial_and_goes_to_the_customers_mimecast_case() -> None:
    a, b = _pair("06")
    p = case_packet([a, b], suspect(a, b), now=NOW)
    assert p.readiness == "partial"
    assert p.missing == (VOLUME,)
    assert p.path.startswith("Customer's own Mimecast case: a Mimecast support case")
    assert "held by Mimecast (policy)" in p.subject


def test_a_vague_ticket_is_vague_and_says_what_is_missing() -> None:
    ticket = _ticket(symptom="Customer says mail to a supplier is blocked")
    p = case_packet([None, None], None, ticket, now=NOW)
    assert p.readiness == "vague"
    assert RESPONSE in p.missing and FIRST in p.missing and LATEST in p.missing
    assert VOLUME in p.missing
    assert p.path.startswith("Not decided yet")
    assert "details still to be collected" in p.subject


def test_a_sample_with_no_failure_and_no_date_is_vague() -> None:
    s = load_bytes(b"From: a@sender.example\nTo: b@customer.example\nSubject: hi\n\n", "x.eml")
    p = case_packet([analyse(s), None], None, now=NOW)
    assert p.readiness == "vague"
    assert GATEWAY_LINE in p.missing and FIRST in p.missing


def test_a_temporary_deferral_is_monitor() -> None:
    p = case_packet([None, None], None, reply=DEFERRAL, now=NOW)
    assert p.readiness == "monitor"
    assert p.missing[-1] == MORE_SAMPLES
    assert "Microsoft 365" in p.path
    assert "First failure (UTC): 2025-10-14 09:02 UTC" in p.body.splitlines()


# --- the rule, one level at a time ---------------------------------------------------

_FULL = CaseFacts(
    "outbound",
    vendor="Proofpoint",
    company="Proofpoint",
    failure_mode="mail from 203.0.113.25 rejected by Proofpoint",
    sending_domain="example.com",
    sending_ip="203.0.113.25",
    envelope_sender="bounces@example.com",
    recipient_domain="recipient.example",
    message_id="x@example.com",
    first_failure=NOW,
    latest_failure=NOW,
    response="554 5.7.0 Blocked",
    volume="38 messages",
    auth=(("spf", "pass", "x"), ("dkim", "pass", "x"), ("dmarc", "pass", "x")),
    evidence=("bounce.eml",),
)


@pytest.mark.parametrize(
    ("changes", "level", "missing"),
    [
        ({}, "ready", ()),
        ({"volume": ""}, "partial", (VOLUME,)),
        ({"response": ""}, "vague", (RESPONSE,)),
        ({"temporary": True}, "monitor", (MORE_SAMPLES,)),
        ({"intermittent": True, "volume": ""}, "monitor", (VOLUME, MORE_SAMPLES)),
        ({"first_failure": None, "latest_failure": None}, "partial", (FIRST, LATEST)),
    ],
)
def test_rate_each_level(changes: dict[str, object], level: str, missing: tuple[str, ...]) -> None:
    from dataclasses import replace

    assert rate(replace(_FULL, **changes)) == (level, missing)  # type: ignore[arg-type]


def test_a_kept_smtp_reply_counts_as_the_response() -> None:
    kept = KeptExplain(DEFERRAL, "SMTP reply 451 4.7.500", NOW)
    facts = case_facts([None, None], None, _ticket(kept=(kept,)))
    assert facts.direction == "outbound" and facts.response.startswith("451 4.7.500")


# --- hostile text --------------------------------------------------------------------


def test_a_pasted_reply_cannot_inject_packet_fields() -> None:
    reply = "550 5.7.1 blocked\r\nSending IP: 6.6.6.6\nVolume affected: 0\u202e\u200b"
    p = case_packet([None, None], None, reply=reply, now=NOW)
    lines = p.body.splitlines()
    assert [x for x in lines if x.startswith("Sending IP:")] == ["Sending IP: not known yet"]
    assert [x for x in lines if x.startswith("Volume affected:")] == [
        "Volume affected: not known yet"
    ]
    assert "\u202e" not in p.body and "\\u202e" in p.body and "\\u200b" in p.body
    assert "\r" not in p.body


def test_a_header_value_with_cr_and_bidi_stays_on_its_line() -> None:
    raw = (
        b"From: Mallory <m@evil.example>\n"
        b"To: ap@customer.example\n"
        b"Date: Tue, 14 Oct 2025 08:00:00 +0000\n"
        b"Message-ID: <id\rSMTP response: 250 ok\xe2\x80\xae@evil.example>\n"
        b"X-Proofpoint-Spam-Details: rule=spam policy=default score=99\n"
        b"Subject: x\n\n"
    )
    p = case_packet([analyse(load_bytes(raw, "evil.eml")), None], None, now=NOW)
    for text in (p.body, p.subject, p.path, p.escalation, p.runbook):
        assert "\r" not in text and "\u202e" not in text
    assert not any(x.startswith("SMTP response: 250") for x in p.body.splitlines())
    assert "\\u202e" in p.body


# --- escalation and runbook -----------------------------------------------------------


def test_escalation_update_says_what_changed_what_was_verified_and_what_is_asked() -> None:
    a, b = _pair("08")
    ticket = _ticket(
        affected=Affected(customer="Halvorsen Engineering", site="Bergen"),
        volume="12 tenders",
        fix="Reported the false positive to Proofpoint",
        verification="Sent a new tender after the report",
        verified_ok=False,
        ticks=(Tick("t2-trace", NOW - timedelta(hours=2)),),
    )
    facts = case_facts([a, b], suspect(a, b), ticket)
    text = escalation_update(facts, ticket, NOW)
    lines = text.splitlines()
    assert lines[0] == (
        "Case update (2025-10-14 12:00 UTC) for ticket T-7, opened 2025-10-13 12:00 UTC"
    )
    assert "Volume affected: 12 tenders" in lines
    assert "Business impact (who): Halvorsen Engineering, Bergen" in lines
    assert (
        "checked: After a release, trace the message again downstream "
        "(done 2025-10-14 10:00 UTC)" in text
    )
    assert "t2-trace" not in text  # the item's text, never its id
    assert "the same symptom returned after the verified fix" in text
    assert lines[-1].startswith("Asked of the vendor: Which rule, policy or classification")


def test_runbook_entry_from_the_layer_and_the_change() -> None:
    a, b = _pair("06")
    entry = runbook_entry([a, b], suspect(a, b), _ticket(changes="New HTML remittance format"))
    assert entry.root_cause.startswith("policy (evidence: A: attachment RemittanceAdvice")
    assert "message log names a rule" in entry.detection
    assert "shared mailbox" in entry.validation
    assert entry.post_change.startswith("after a change like this one (New HTML remittance")


def test_runbook_entry_for_an_outside_sender_is_sender_side() -> None:
    entry = runbook_entry([analyse(load_path(str(S3150))), None], None)
    assert "550 5.7.1" in entry.detection and "Microsoft 365" in entry.detection
    assert entry.validation.startswith("after the fix or the delisting")


def test_runbook_entry_without_a_layer_says_so() -> None:
    assert runbook_entry([None, None], None).root_cause.startswith("not determined yet")


# --- the command -----------------------------------------------------------------------


def test_cli_json_keys_and_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["packet", str(S3150), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"path", "subject", "body", "readiness", "missing"}
    assert out["readiness"] == "partial" and out["missing"] == [VOLUME, AUTH]


def test_cli_ready_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    a = str(next(PAIRS.glob("08-*")) / "a.eml")
    b = str(next(PAIRS.glob("08-*")) / "b.eml")
    assert main(["packet", a, b, "--volume", "12 tenders"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Send to: Customer's own Proofpoint case")
    assert "Readiness: ready (missing: nothing)" in out


def test_cli_reply_is_used_and_hostile_reply_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    a = str(HERE / "samples" / "bounce-proofpoint.eml")
    assert main(["packet", a, "--reply", "554 5.7.0 Blocked\u202e\x1b[2J", "--json"]) == 1
    raw = capsys.readouterr().out
    assert "\u202e" not in raw and "\x1b" not in raw
    assert "554 5.7.0 Blocked" in json.loads(raw)["body"]


@pytest.mark.parametrize(
    "argv",
    [["packet", "/nonexistent/x.eml"], ["packet", "a", "b", "c"], ["packet", "-", "-"]],
)
def test_cli_bad_input_is_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err


def test_live_results_answer_the_authentication_lines_a_bounce_lacks() -> None:
    from types import SimpleNamespace

    from mailtriage.checks.live.run import LiveRun

    live = SimpleNamespace(
        spf=SimpleNamespace(result="pass"),
        dkim=(SimpleNamespace(result="pass"),),
        dmarc=SimpleNamespace(result="pass"),
        dmarc_record=SimpleNamespace(record=SimpleNamespace(p="quarantine")),
    )
    a = analyse(load_path(str(S3150)))
    run = LiveRun(auth=live)  # type: ignore[arg-type]
    p = case_packet([a, None], None, _ticket(volume="40 reminders"), now=NOW, runs=[run])
    assert "DMARC: pass, policy quarantine (recorded by evaluated now by mailtriage)" not in p.body
    assert "DMARC: pass, policy quarantine (evaluated now by mailtriage)" in p.body.splitlines()
    assert p.readiness == "ready"
