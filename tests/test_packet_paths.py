"""Packet, notes and escalation update: the problems a technician found on their own samples.

Fixtures and replies, each written from documentation:

* ``tests/fixtures/packet/m365-ndr-spamhaus-shared-ip.eml`` (see that folder's README):
  Microsoft Learn, Email non-delivery reports and SMTP errors in Exchange Online
  (https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online);
  Microsoft Learn, Set up SPF to identify valid email sources for your Microsoft 365 domain
  (https://learn.microsoft.com/en-us/defender-office-365/email-authentication-spf-configure);
  Spamhaus, IP and Domain Reputation Checker (https://check.spamhaus.org/).
* ``_OWN_IP_SPAMHAUS``: a Postfix rejection naming a Spamhaus listing, after Postfix,
  Postfix Configuration Parameters, reject_rbl_client / default_rbl_reply
  (https://www.postfix.org/postconf.5.html#default_rbl_reply).
* ``_BANNED``: Microsoft Learn, Fix NDR error 550 5.7.606-649 in Exchange Online
  (https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/fix-error-code-550-5-7-606-649-in-exchange-online).
* ``_GOOGLE_BARRACUDA``: the same Postfix reply format; Barracuda Central, Lookups and
  Removal Request
  (https://www.barracudacentral.org/lookups); Google Workspace Admin Help, Set up SPF
  (https://support.google.com/a/answer/10685031: Google's sending networks).
* The ticket's checklist texts are the packaged playbooks' (``checks/data``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from mailtriage.checks.analysis import analyse
from mailtriage.checks.diff import DiffRow, compared, diff_samples
from mailtriage.checks.message.loader import load_path, load_text
from mailtriage.checks.notes import build_notes, notes_markdown, notes_text
from mailtriage.checks.packet import case_facts, case_packet, escalation_update, runbook_entry
from mailtriage.checks.playbook import Item, ItemState
from mailtriage.checks.suspect import suspect
from mailtriage.checks.ticket.model import Tick, Ticket, TicketSample

HERE = Path(__file__).parent
PAIRS = HERE / "fixtures" / "pairs"
SHARED = HERE / "fixtures" / "packet" / "m365-ndr-spamhaus-shared-ip.eml"
NOW = datetime(2025, 10, 14, 12, 0, tzinfo=UTC)
DELIST_PORTAL = "https://sender.office.com"

_OWN_IP_SPAMHAUS = (
    "554 5.7.1 Service unavailable; Client host [203.0.113.77] blocked using "
    "zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.77 "
    "(in reply to RCPT TO:<orders@fabrikam.example>)"
)
_BANNED = (
    "550 5.7.606 Access denied, banned sending IP [198.51.100.40]. To request removal from "
    "this list please visit https://sender.office.com/ and follow the directions. "
    "(AS16012607) [DM6NAM11FT021.eop-nam11.prod.protection.outlook.com]"
)
_GOOGLE_BARRACUDA = (
    "554 5.7.1 Service unavailable; Client host [209.85.220.41] blocked using "
    "b.barracudacentral.org; https://www.barracudacentral.org/lookups "
    "(in reply to RCPT TO:<ap@fabrikam.example>)"
)
_BROAD_FIX = "allowlist the whole vendor domain"


def _pair(name: str):  # type: ignore[no-untyped-def]
    folder = next(PAIRS.glob(f"{name}-*"))
    return analyse(load_path(str(folder / "a.eml"))), analyse(load_path(str(folder / "b.eml")))


def _ticket(**kw: object) -> Ticket:
    return Ticket("T-10", NOW - timedelta(days=1), NOW, **kw)  # type: ignore[arg-type]


# --- 1. the path follows who refused and why ------------------------------------------


def test_a_spamhaus_listing_of_microsofts_shared_ip_is_the_customers_microsoft_case() -> None:
    a = analyse(load_path(str(SHARED)))
    p = case_packet([a, None], None, now=NOW)
    assert p.path.startswith("Customer's own Microsoft 365 case: a Microsoft 365 service request")
    assert "40.107.94.61" in p.path and "shared outbound" in p.path
    assert "cannot delist" in p.path
    assert "Spamhaus" in p.path and "https://check.spamhaus.org/" in p.path
    # Not Microsoft's own block list: its delist portal is not the route.
    assert DELIST_PORTAL not in p.path
    # The server that refused is the recipient's, not the Microsoft host the sender's own
    # server stamped on the reply.
    assert "rejected by lakeside-retail.example" in p.subject
    assert "listed on Spamhaus" in p.subject
    assert p.body.startswith("Hello Microsoft 365 support,")


def test_the_packet_agrees_with_the_sample_pane_on_the_same_bounce() -> None:
    a = analyse(load_path(str(SHARED)))
    rcpt = a.bounce.deciding if a.bounce is not None else None
    assert rcpt is not None
    # The sample pane names Spamhaus as the list and a reputation block at the
    # recipient's server; the packet names the same list, category and server.
    assert "Spamhaus" in rcpt.next_step and rcpt.category == "reputation block"
    facts = case_facts([a, None], None)
    assert facts.blocklist == "spamhaus" and facts.ip_owner == "microsoft-eop"
    assert "reputation block" in facts.failure_mode
    assert "lakeside-retail.example" in facts.failure_mode


def test_a_spamhaus_listing_of_the_customers_own_ip_goes_to_spamhaus() -> None:
    p = case_packet([None, None], None, reply=_OWN_IP_SPAMHAUS, now=NOW)
    assert p.path.startswith("Spamhaus lookup and removal: https://check.spamhaus.org/")
    assert "postmaster@fabrikam.example" in p.path  # next, if still refused after delisting
    assert DELIST_PORTAL not in p.path and "Microsoft" not in p.path
    assert "listed on Spamhaus" in p.subject


def test_microsofts_own_block_list_code_goes_to_the_delist_portal() -> None:
    p = case_packet([None, None], None, reply=_BANNED, now=NOW)
    assert DELIST_PORTAL in p.path
    assert "Spamhaus" not in p.path


def test_a_listing_of_googles_shared_ip_is_the_customers_google_case() -> None:
    p = case_packet([None, None], None, reply=_GOOGLE_BARRACUDA, now=NOW)
    assert p.path.startswith("Customer's own Google case: a Google Workspace support case")
    assert "Barracuda Reputation Block List" in p.path
    # The list's name in the reply does not make a Barracuda gateway the refuser.
    assert "rejected by fabrikam.example" in p.subject


# --- 2. the escalation update: words, not ids; a verified fix closes the case ---------


def test_escalation_update_names_checked_items_by_their_text_never_their_id() -> None:
    a, b = _pair("08")
    ticks = (
        Tick("t-search", NOW - timedelta(hours=2)),
        Tick("t-status", NOW - timedelta(hours=1)),
    )
    ticket = _ticket(kind="gateway-trace", ticks=ticks)
    text = escalation_update(case_facts([a, b], suspect(a, b), ticket), ticket, NOW)
    assert "t-search" not in text and "t-status" not in text
    assert "Search the log by recipient, sender and subject" in text
    assert "Read the log status" in text
    # The evaluated checklist's texts win (an MSP's own playbook).
    mine = (ItemState(Item("t-search", "Searched Proofpoint's smart search"), False, None),)
    text = escalation_update(case_facts([a, b], None, ticket), ticket, NOW, mine)
    assert "Searched Proofpoint's smart search" in text and "t-search" not in text
    assert "t-status" not in text  # not in that checklist: counted, not named by id


def test_a_verified_fix_closes_the_case_and_asks_nothing() -> None:
    a, b = _pair("08")
    ticket = _ticket(
        fix="Reported the false positive; Proofpoint corrected the classifier",
        verification="A new tender from the same sender was delivered to the inbox",
        verified_ok=True,
    )
    text = case_packet([a, b], suspect(a, b), ticket, now=NOW).escalation
    assert text.splitlines()[0].startswith("Case closing update")
    assert "Fixed by: Reported the false positive" in text
    assert "Verified: A new tender from the same sender was delivered" in text
    assert "escalate" not in text.lower() and "Asked of the vendor" not in text
    assert "Nothing more is asked" in text


# --- 3. a broad fix carries the guard rail's warning everywhere it is recorded --------


def test_a_broad_fix_carries_the_guard_rail_warning_in_notes_runbook_and_update() -> None:
    a, b = _pair("08")
    comparison = suspect(a, b)
    ticket = _ticket(fix=_BROAD_FIX, verified_ok=True, verification="next invoice arrived")
    notes = build_notes([a, b], comparison, (), (), ticket, now=NOW)
    for text in (notes_text(notes), notes_markdown(notes)):
        assert "Guard rail" in text and "Allowing a whole domain" in text
    txt = notes_text(notes)
    assert txt.index("Guard rail") > txt.index(f"Fix applied: {_BROAD_FIX}")
    entry = runbook_entry([a, b], comparison, ticket)
    assert any("Allowing a whole domain" in w for w in entry.warnings)
    packet = case_packet([a, b], comparison, ticket, now=NOW)
    assert "Guard rail (about the fix):" in packet.runbook
    assert "Allowing a whole domain" in packet.escalation
    narrow = _ticket(fix="Reported the false positive to the vendor")
    assert "Guard rail" not in case_packet([a, b], comparison, narrow, now=NOW).escalation


# --- 4. evidence named for the vendor --------------------------------------------------


def test_evidence_names_a_paste_by_what_it_is_and_a_file_by_its_base_name() -> None:
    _, b = _pair("08")
    text = (next(PAIRS.glob("08-*")) / "a.eml").read_text(encoding="utf-8")
    pasted = analyse(load_text(text, "pasted into A at 00:21 UTC"))
    ticket = _ticket(samples=(TicketSample("A", pasted=text),))
    p = case_packet([pasted, b], suspect(pasted, b), ticket, now=NOW)
    line = next(x for x in p.body.splitlines() if x.startswith("Evidence attached: "))
    assert "pasted into" not in line and "00:21" not in line
    assert "headers of the blocked message (pasted; attach as a .txt)" in line
    assert "b.eml (a delivered copy)" in line
    assert "/" not in line  # no local folders
    p = case_packet([analyse(load_path(str(SHARED))), None], None, now=NOW)
    assert "Evidence attached: m365-ndr-spamhaus-shared-ip.eml (the bounce)" in p.body


# --- 5. notes never cut a diff value ----------------------------------------------------


def test_diff_values_are_whole_and_the_notes_keep_them_whole() -> None:
    header = "X-Filter-Verdict-" + "x" * 150
    raw = (
        f"From: a@sender.example\nTo: b@customer.example\nSubject: s\n"
        f"Message-ID: <1@sender.example>\n{header}: spam\n\nbody\n"
    )
    a = analyse(load_text(raw, "a.eml"))
    b = analyse(load_text(raw.replace(header, "X-Other"), "b.eml"))
    (sa, sb), _ = compared(a, b)
    rows: list[DiffRow] = diff_samples(sa, sb)
    longest = max((r for r in rows if r.differs), key=lambda r: len(r.a) + len(r.b))
    value = longest.a if len(longest.a) > len(longest.b) else longest.b
    assert len(value) > 120 and not value.endswith("…")
    notes = notes_text(build_notes([a, b], suspect(a, b), (), (), None, diff=rows, now=NOW))
    assert value in notes
