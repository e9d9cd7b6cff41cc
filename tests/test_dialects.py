"""The dialect table (checks.bounce.dialects): every row is reachable, every reader is tried.

Each row of :data:`DIALECTS` has a minimal bounce below, written from the public
reference it names (the MTA's or vendor's documentation, its source code where the
notice text is defined there, or, for the few products whose notices are not
documented, the public Sisimai sample of that product in ``../shared/corpora``). A
row without a bounce here fails :func:`test_every_row_has_a_fixture`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mailtriage.checks.bounce import dialects
from mailtriage.checks.bounce.dialects import DIALECTS, READ_ORDER, dialect, read
from mailtriage.checks.bounce.entry import parse_bounce
from mailtriage.checks.bounce.model import Bounce
from mailtriage.checks.message.loader import load_bytes
from mailtriage.checks.route.hops import parse_received
from mailtriage.checks.route.systems import hop_system
from mailtriage.checks.vendors import with_role

ROOT = Path(__file__).resolve().parents[1]


def _dsn(head: str, notice: str, reporting: str, diagnostic: str) -> str:
    """An RFC 3464 report (RFC 3464 sections 2.2 and 2.3): ``head``, a notice, one recipient."""
    return (
        f"{head}To: alice@example.org\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        f"--b\nContent-Type: text/plain\n\n{notice}\n\n"
        f"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; {reporting}\n\n"
        "Final-Recipient: rfc822; bob@example.com\nAction: failed\nStatus: 5.1.1\n"
        f"Diagnostic-Code: smtp; {diagnostic}\n\n--b--\n"
    )


# name -> (the public reference the bounce is written from, the bounce)
FIXTURES: dict[str, tuple[str, str]] = {
    "Proofpoint": (
        "Proofpoint on Demand: inbound MX hosts mx0a/mx0b-<id>.pphosted.com; RFC 3464",
        _dsn(
            "From: MAILER-DAEMON@mx0a-00123401.pphosted.com\nSubject: Undelivered Mail\n",
            "Your message could not be delivered to one or more recipients.",
            "mx0a-00123401.pphosted.com",
            "550 5.1.1 User unknown",
        ),
    ),
    "Mimecast": (
        "Mimecast: Inbound MX records by region (us-smtp-inbound-1.mimecast.com); Mimecast "
        "SMTP error codes ('550 Administrative prohibition - envelope blocked'); RFC 3464",
        _dsn(
            "From: Postmaster <postmaster@us-smtp-inbound-1.mimecast.com>\n"
            "Subject: Undeliverable Mail\n",
            "Your message could not be delivered.",
            "us-smtp-inbound-1.mimecast.com",
            "550 Administrative prohibition - envelope blocked",
        ),
    ),
    "Amazon SES": (
        "Amazon SES Developer Guide: notification examples (reporting MTA "
        "a8-70.smtp-out.amazonses.com); RFC 3464",
        _dsn(
            "From: MAILER-DAEMON@amazonses.com\nSubject: Delivery Status Notification (Failure)\n",
            "An error occurred while trying to deliver the mail to the following recipients:\n"
            "bob@example.com",
            "a8-70.smtp-out.amazonses.com",
            "550 5.1.1 user unknown",
        ),
    ),
    "Gmail": (
        "Google Workspace Admin Help: SMTP error reference (550-5.1.1 'The email account that "
        "you tried to reach does not exist'), in Gmail's older plain-text notice",
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: alice@example.org\n"
        "Subject: Delivery Status Notification (Failure)\nContent-Type: text/plain\n\n"
        "Delivery to the following recipient failed permanently:\n\n     bob@example.com\n\n"
        "Technical details of permanent failure:\nGoogle tried to deliver your message, but it "
        "was rejected by the server for the recipient domain example.com by mx.example.com. "
        "[192.0.2.10].\n\nThe error that the other server returned was:\n550-5.1.1 The email "
        "account that you tried to reach does not exist. a1si123 - gsmtp\n\n",
    ),
    "Zoho": (
        "Sisimai's public Zoho Mail sample (lhost-zoho-01.eml): sender "
        "mailer-daemon@mail.zoho.com, X-ZohoMail header",
        "From: mailer-daemon@mail.zoho.com\nTo: alice@example.org\n"
        "Subject: Undelivered Mail Returned to Sender\nX-ZohoMail: Si\n"
        "Content-Type: text/plain\n\n"
        "This message was created automatically by mail delivery software.\n"
        "A message that you sent could not be delivered to one or more of its recipients. "
        "This is a permanent error.\n\nbob@example.com Invalid Address, ERROR_CODE :550, "
        "ERROR_CODE :5.1.1 <bob@example.com>... User Unknown\n",
    ),
    "DragonFly Mail Agent": (
        "DragonFly Mail Agent (dma) source, mail.c bounce(): the notice text",
        "From: MAILER-DAEMON@mx.example.org\nTo: alice@example.org\n"
        "Subject: Mail delivery failed\nContent-Type: text/plain\n\n"
        "This is the DragonFly Mail Agent v0.11 at mx.example.org.\n\n"
        "There was an error delivering your mail to <bob@example.com>.\n\n"
        "mx.example.com [192.0.2.10] did not like our RCPT TO:\n"
        "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown\n\n"
        "Message headers follow.\n",
    ),
    "OpenSMTPD": (
        "OpenSMTPD source, usr.sbin/smtpd/bounce.c: NOTICE_INTRO and notice_error, one "
        "'address: reason' line per recipient",
        "From: Mailer Daemon <MAILER-DAEMON@mx.example.org>\nTo: alice@example.org\n"
        "Subject: Delivery status notification: error\nContent-Type: text/plain\n\n"
        "    Hi!\n\n    This is the MAILER-DAEMON, please DO NOT REPLY to this email.\n\n"
        "    An error has occurred while attempting to deliver a message for\n"
        "    the following list of recipients:\n\n"
        "bob@example.com: 550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown\n"
        "\n    Below is a copy of the original message:\n",
    ),
    "qmail": (
        "D. J. Bernstein, qmail-send Bounce Message Format (QSBMF), cr.yp.to/proto/qsbmf.txt",
        "From: MAILER-DAEMON@mx.example.org\nTo: alice@example.org\nSubject: failure notice\n"
        "Content-Type: text/plain\n\n"
        "Hi. This is the qmail-send program at mx.example.org.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        "<bob@example.com>:\nThis address no longer accepts mail.\n\n"
        "--- Below this line is a copy of the message.\n",
    ),
    "IMail": (
        "Sisimai's public Ipswitch IMail Server sample (lhost-imailserver-03.eml): "
        "X-Mailer <SMTP32 v8.12>",
        "From: Postmaster <postmaster@mx.example.org>\nTo: alice@example.org\n"
        "Subject: Undeliverable Mail\nX-Mailer: <SMTP32 v8.12>\nContent-Type: text/plain\n\n"
        "Invalid final delivery userid: bob@example.com\n\n\nOriginal message follows.\n",
    ),
    "m-FILTER": (
        "Sisimai's public Digital Arts m-FILTER sample (lhost-mfilter-04.eml): X-Mailer "
        "m-FILTER, '-------server message' block",
        "From: Mailer Daemon <MAILER-DAEMON@mx.example.org>\nTo: alice@example.org\n"
        "Subject: failure notice\nX-Mailer: m-FILTER\nContent-Type: text/plain\n\n"
        "bob@example.com\n\n-------server message\n550 5.1.1 User unknown\n\n"
        "-------SMTP command\nRCPT TO\n",
    ),
    "Oracle Messaging Server": (
        "Sisimai's public Oracle Communications Messaging Server sample "
        "(lhost-messagingserver-01.eml): its Received software name and report text",
        _dsn(
            "Received: from mx.example.org (Oracle Communications Messaging Server 7.0.5.33.0 "
            "64bit) id <1@mx.example.org>; Thu, 29 Apr 2014 23:34:45 +0000\n"
            "From: postmaster@example.org\nSubject: Delivery Notification: Delivery has failed\n",
            "This report relates to a message you sent with the following header fields:\n\n"
            "Your message cannot be delivered to the following recipients:\n\n"
            "  Recipient address: bob@example.com\n  Reason: Remote SMTP server has rejected "
            "address",
            "mx.example.org",
            "550 5.1.1 <bob@example.com>... User Unknown",
        ),
    ),
    "Postfix": (
        "Postfix bounce(5): the default failure template ('This is the mail system at host')",
        "From: MAILER-DAEMON@mail.example.org (Mail Delivery System)\nTo: alice@example.org\n"
        "Subject: Undelivered Mail Returned to Sender\nContent-Type: text/plain\n\n"
        "This is the mail system at host mail.example.org.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n\n"
        "<bob@example.com>: host mx.example.com[192.0.2.10] said: 550 5.1.1 User\n"
        "    unknown (in reply to RCPT TO command)\n",
    ),
    "Exim": (
        "Exim specification, 'Customizing bounce and warning messages': the default bounce text",
        "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\nTo: alice@example.org\n"
        "Subject: Mail delivery failed: returning message to sender\n"
        "Content-Type: text/plain\n\n"
        "This message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n"
        "  bob@example.com\n    host mx.example.com [192.0.2.10]\n"
        "    SMTP error from remote mail server after RCPT TO:<bob@example.com>:\n"
        "    550 5.1.1 User unknown\n",
    ),
    "Exchange/Office 365 NDR": (
        "Microsoft Learn: Email non-delivery reports and SMTP errors in Exchange Online "
        "(the NDR's 'Diagnostic information for administrators' section, 5.1.10)",
        "From: Microsoft Outlook <postmaster@contoso.onmicrosoft.com>\nTo: alice@example.org\n"
        "Subject: Undeliverable: hello\nContent-Type: text/plain\n\n"
        "Delivery has failed to these recipients or groups:\n\nbob@example.com\n\n"
        "Diagnostic information for administrators:\n\n"
        "Generating server: AM0PR02MB1234.eurprd02.prod.example.net\n\nbob@example.com\n"
        "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not "
        "found by SMTP address lookup'\n",
    ),
    "Sendmail": (
        "sendmail 8 source, savemail.c: the returned-mail notice and its session transcript, "
        "in the '550 <addr>... reason' form of sendmail without enhanced status codes",
        "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\nTo: alice@example.org\n"
        "Subject: Returned mail: see transcript for details\nContent-Type: text/plain\n\n"
        "The original message was received at Mon, 2 Jun 2025 10:00:00 GMT\n"
        "from host.example.org [192.0.2.1]\n\n"
        "   ----- The following addresses had permanent fatal errors -----\n<bob@example.com>\n"
        "    (reason: 550 <bob@example.com>... User unknown)\n\n"
        "   ----- Transcript of session follows -----\n"
        "... while talking to mx.example.com.:\n>>> RCPT To:<bob@example.com>\n"
        "<<< 550 <bob@example.com>... User unknown\n"
        "550 <bob@example.com>... User unknown\n",
    ),
}


def _parse(name: str) -> Bounce:
    bounce = parse_bounce(load_bytes(FIXTURES[name][1].replace("\n", "\r\n").encode(), name))
    assert bounce is not None, name
    return bounce


def test_every_row_has_a_fixture() -> None:
    names = [row.name for row in DIALECTS]
    assert len(set(names)) == len(names)
    assert set(FIXTURES) == set(names)
    assert all(source for source, _ in FIXTURES.values())


@pytest.mark.parametrize("row", DIALECTS, ids=lambda row: row.name)
def test_every_row_is_reachable(row: dialects.Dialect, monkeypatch: pytest.MonkeyPatch) -> None:
    """The row's bounce is named after it, with its recipient, and by the fingerprint alone."""
    bounce = _parse(row.name)
    assert bounce.format == row.name
    assert [r.recipient for r in bounce.recipients] == ["bob@example.com"]
    monkeypatch.setattr(dialects, "read", lambda text: (None, []))  # no reader may name it
    assert _parse(row.name).format == row.name


@pytest.mark.parametrize("row", [r for r in DIALECTS if r.readers], ids=lambda row: row.name)
def test_every_reader_is_reached_in_read_order(row: dialects.Dialect) -> None:
    """No reader earlier in READ_ORDER takes the row's own notice."""
    notice = FIXTURES[row.name][1].partition("\n\n")[2]
    name, drafts = read(notice)
    assert (name, [d.recipient for d in drafts]) == (row.name, ["bob@example.com"])


def test_read_order_holds_every_row_with_readers_once() -> None:
    placed = [row for row in READ_ORDER if row is not None]
    assert len(placed) == len(set(placed))
    assert set(placed) == {row for row in DIALECTS if row.readers}
    assert READ_ORDER.count(None) == 1  # the generic <addr>: reader


def test_no_mark_is_shadowed_by_an_earlier_row() -> None:
    """Each mark alone names its own row: a row placed too late would lose some of its marks."""
    for row in DIALECTS:
        for mark in row.marks:
            assert mark == mark.lower() and mark, (row.name, mark)
            assert dialect(mark) == row.name, (row.name, mark)


def test_ordinary_mail_never_loads_the_dialect_table() -> None:
    """entry.py stays the cheap front door: the table and its readers load with the first bounce."""
    code = (
        "import sys\n"
        "from mailtriage.checks.bounce.entry import parse_bounce\n"
        "from mailtriage.checks.message.loader import load_bytes\n"
        "mail = b'From: a@example.org\\r\\nSubject: hi\\r\\n\\r\\nhi\\r\\n'\n"
        "assert parse_bounce(load_bytes(mail, 'm')) is None\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith(\n"
        "    ('mailtriage.checks.bounce.dialects', 'mailtriage.checks.bounce.microsoft',\n"
        "     'mailtriage.checks.bounce.parse', 'mailtriage.checks.bounce.words')))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == ""


def test_software_is_named_once_for_bounces_and_hops() -> None:
    """One table of software names (checks/vendors.py): a dialect and a hop system agree.

    Before, the bounce dialect said ``"DragonFly"`` while the hop systems said
    ``"DragonFly Mail Agent"`` for the same software. The notice is the DragonFly Mail
    Agent fixture above (dma source, mail.c bounce()); the Received line has the form
    dma writes for local submission (DragonFly Mail Agent (dma) source, mail.c:
    ``from <user> (uid N) (envelope-from <addr>) id <id> by <host> (<version>); <date>``).
    """
    hop = parse_received(
        "from alice (uid 1000) (envelope-from alice@mx.example.org) id 1a2b3c "
        "by mx.example.org (DragonFly Mail Agent v0.11); Mon, 1 Jan 2024 10:00:00 +0000"
    )
    assert _parse("DragonFly Mail Agent").format == "DragonFly Mail Agent"  # before: "DragonFly"
    assert hop_system(hop) == "DragonFly Mail Agent"
    software = {v.name for v in with_role("mta")}
    shared = {"Postfix", "Exim", "qmail", "Sendmail", "IMail", "Oracle Messaging Server"}
    assert shared | {"DragonFly Mail Agent"} <= software
    assert shared | {"DragonFly Mail Agent"} <= {row.name for row in DIALECTS}
