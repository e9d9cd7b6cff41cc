"""Bounce advice from a new user's trial: one deciding recipient, the right vendor, DNS wording.

The fixtures are written from public documents (named per fixture in
``tests/test_bounce_wording.py`` :data:`SOURCES`):

- ``gmail-three-recipients.eml``: Google Workspace Admin Help, SMTP error reference,
  https://support.google.com/a/answer/3726730 (5.7.26 unauthenticated, 4.4.1 timeout), and
  RFC 3464, https://www.rfc-editor.org/rfc/rfc3464 (the per-recipient fields).
- ``exchange-third-party-reject.eml``: Microsoft Learn, Email non-delivery reports and SMTP
  errors in Exchange Online, https://learn.microsoft.com/exchange/mail-flow-best-practices/
  non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online (5.1.10),
  and Postfix postconf(5) default_rbl_reply, https://www.postfix.org/postconf.5.html (the
  third party's "blocked using zen.spamhaus.org" refusal).
- ``postfix-dns-not-found.eml``: Postfix bounce(5), https://www.postfix.org/bounce.5.html,
  and RFC 3463 X.4.3 "Directory server failure", https://www.rfc-editor.org/rfc/rfc3463.
"""

from __future__ import annotations

from pathlib import Path

from mailtriage.checks.analysis import Analysis, analyse
from mailtriage.checks.bounce import classify as bounceclassify
from mailtriage.checks.bounce import rules as bouncerules
from mailtriage.checks.bounce.entry import parse_bounce, parse_reply
from mailtriage.checks.bounce.model import Bounce
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.suspect import suspect
from mailtriage.widgets.sample_pane import SamplePane

FIXTURES = Path(__file__).parent / "fixtures" / "bounces"
BOUNCE_ROW = "Bounce"
DELIVERED = (
    b"From: Alice <alice@example.org>\nTo: carol@example.net\nSubject: Minutes\n"
    b"Message-ID: <minutes-22@example.org>\n"
    b"Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.org\n\nhi\n"
)


def _bounce(name: str) -> Bounce:
    b = parse_bounce(load_path(FIXTURES / name))
    assert b is not None
    return b


def _pane(a: Analysis) -> SamplePane:
    pane = SamplePane()
    pane.analyses = (a, None)
    pane.labels = ("blocked", "delivered")
    pane.traces = (None, None)
    pane.build(160)
    return pane


# --- 1. one recipient decides, everywhere -------------------------------------------------


def test_the_deciding_recipient_names_the_layer_nearest_the_cause() -> None:
    b = _bounce("gmail-three-recipients.eml")
    assert [r.status for r in b.recipients] == ["5.1.1", "5.7.26", "4.4.1"]
    assert b.deciding is not None and b.deciding.recipient == "carol@example.net"


def test_a_tie_goes_to_the_first_listed_and_no_failure_decides_nothing() -> None:
    b = _bounce("exchange-two-recipients.eml")  # two mailbox-layer recipients
    assert b.deciding is b.recipients[0]
    delivered = _bounce("postfix-success.eml")
    assert delivered.deciding is None


def test_report_pane_and_diff_name_the_same_recipient() -> None:
    a = analyse(load_path(FIXTURES / "gmail-three-recipients.eml"))
    assert a.layer == "authentication"
    top = next(f for f in a.findings if f.layer == a.layer)
    assert "carol@example.net" in top.title
    pane = _pane(a)
    row = next(r for r in pane._marking if r.title == BOUNCE_ROW)
    assert "carol@example.net" in row.text[0] and "5.7.26" in row.text[0]
    comparison = suspect(a, analyse(load_bytes(DELIVERED, "delivered.eml")))
    assert comparison.outcome_a.startswith("bounced: 5.7.26")
    assert comparison.evidence[0].startswith("A (bounce): carol@example.net:")


def test_enter_on_the_bounce_row_lists_every_recipient_with_its_own_reason() -> None:
    a = analyse(load_path(FIXTURES / "gmail-three-recipients.eml"))
    row = next(r for r in _pane(a)._marking if r.title == BOUNCE_ROW)
    full = "\n".join(row.text)
    assert "every recipient" in full
    for address, status, words in (
        ("bob@example.com", "5.1.1", "User unknown"),
        ("carol@example.net", "5.7.26", "unauthenticated"),
        ("dan@example.net", "4.4.1", "timed out"),
    ):
        line = next(i for i, t in enumerate(row.text) if t.strip().startswith(address))
        assert status in row.text[line]
        assert words in row.text[line + 1]


# --- 2. the vendor is the server that refused ---------------------------------------------


def test_a_third_party_refusal_in_a_microsoft_ndr_gets_no_microsoft_advice() -> None:
    bob, carol = _bounce("exchange-third-party-reject.eml").recipients
    assert carol.remote_mta == "mx.example.net"
    assert "Microsoft" not in carol.next_step
    assert carol.next_step.startswith("Spamhaus")
    assert bob.next_step.startswith("RecipientNotFound")  # Microsoft's own server answered


def test_a_timeout_at_a_third_party_in_a_gmail_notice_gets_no_google_advice() -> None:
    dan = _bounce("gmail-three-recipients.eml").recipients[2]
    assert "Google" not in dan.next_step and "Postmaster Tools" not in dan.next_step
    assert bounceclassify.answering_host(None, dan.diagnostic) == "mx.example.net"


def test_gmail_advice_stays_when_google_answered() -> None:
    reply = (
        "host gmail-smtp-in.l.google.com[192.0.2.5] said: 550-5.7.26 This mail has been "
        "blocked because the sender is unauthenticated. Gmail requires all senders to "
        "authenticate with either SPF or DKIM. gsmtp"
    )
    b = parse_reply(reply)
    assert b is not None and "Gmail requires" in b.recipients[0].next_step
    elsewhere = reply.replace("gmail-smtp-in.l.google.com", "mx.example.net")
    b = parse_reply(elsewhere)
    assert b is not None and "Gmail requires" not in b.recipients[0].next_step


# --- 3. a temporary DNS failure of the recipient domain -----------------------------------


def test_postfix_host_or_domain_name_not_found_is_worded_as_a_dns_failure() -> None:
    (r,) = _bounce("postfix-dns-not-found.eml").recipients
    assert r.status == "4.4.3" and r.layer == "routing/connector"
    assert "MX (or A) record" in r.meaning and "temporary" in r.meaning
    assert "typo" in r.next_step and "name servers" in r.next_step
    assert "Look at the last error" not in r.next_step


def test_a_domain_that_does_not_exist_is_not_a_temporary_dns_failure() -> None:
    text = (
        "Host or domain name not found. Name service error for name=example.invalid "
        "type=A: Host not found"
    )
    assert not bouncerules.temporary_dns_failure(text, "5.4.4")
    assert bouncerules.temporary_dns_failure(text + ", try again", "4.4.3")


# --- 4. each piece of advice once --------------------------------------------------------


def test_next_steps_say_each_instruction_once() -> None:
    bob = _bounce("exchange-third-party-reject.eml").recipients[0]
    assert bob.status == "5.1.10"
    assert bob.next_step.count("Check the spelling") == 1
    assert "ask the recipient for the right address" in bob.next_step


def test_joined_notes_drop_repeated_sentences_keeping_the_longer() -> None:
    joined = bounceclassify._join_notes(
        ["Do A now. Check the spelling."], "Check the spelling and the domain. Then resend."
    )
    assert joined == "Do A now. Check the spelling and the domain. Then resend."


# --- the refused IP is a provider's shared outbound address -------------------------------
# Written from: Microsoft Learn, "Set up SPF to identify valid email sources for your
# Microsoft 365 domain" (https://learn.microsoft.com/en-us/defender-office-365/
# email-authentication-spf-configure: Exchange Online sends from the networks
# spf.protection.outlook.com publishes, 40.107.0.0/16 among them); Postfix postconf(5),
# default_rbl_reply (https://www.postfix.org/postconf.5.html: "Service unavailable; Client
# host [IP] blocked using zen.spamhaus.org"); Spamhaus, "Why is my IP listed?"
# (https://www.spamhaus.org/ip-reputation/: an address shared by a mail provider is
# delisted by that provider, not by its customers).
SHARED_REPLY = (
    "Remote Server returned '554 5.7.1 Service unavailable; Client host [40.107.22.95] "
    "blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/40.107.22.95'"
)


def test_a_listed_shared_provider_ip_routes_the_delisting_to_the_provider() -> None:
    r = parse_reply(SHARED_REPLY).recipients[0]
    assert r.category == "reputation block"
    first = r.next_step.split(". ")[0]
    assert "40.107.22.95" in first and "Microsoft" in first and "shared outbound" in first
    assert "cannot get it delisted" in first
    # Not the contradicting generic route: the sender's own admin asking for a delisting.
    assert "sender's mail admin" not in r.next_step


def test_an_own_ip_or_another_refusal_gets_no_shared_ip_advice() -> None:
    own = parse_reply(SHARED_REPLY.replace("40.107.22.95", "192.0.2.99")).recipients[0]
    assert "shared outbound" not in own.next_step
    assert "sender's mail admin" in own.next_step
    # A provider's IP refused for a bad recipient is not a listing.
    unknown = parse_reply(
        "550 5.1.1 <bob@example.net>: Recipient address rejected from [40.107.22.95]"
    ).recipients[0]
    assert "shared outbound" not in unknown.next_step
