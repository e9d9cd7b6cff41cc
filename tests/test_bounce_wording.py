"""Bounce wording of each MTA and provider, from fixtures written from their documentation.

Every file in ``tests/fixtures/bounces/`` is a bounce written from the public document
named for it in :data:`SOURCES` (documentation values only: example.com/.net/.org,
192.0.2.x). :data:`EXPECTED` gives, per recipient in report order, the address, the
status code, the DSN action, the category and words from that recipient's *own*
diagnostic (never its neighbour's), and the Message-ID of the original that bounced.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mailtriage.checks.bounce.entry import parse_bounce
from mailtriage.checks.bounce.model import Bounce
from mailtriage.checks.message.loader import load_path

FIXTURES = Path(__file__).parent / "fixtures" / "bounces"

POSTFIX_BOUNCE = (
    "Postfix bounce(5) manual page (default templates), https://www.postfix.org/bounce.5.html; "
    "Postfix DSN support, https://www.postfix.org/DSN_README.html"
)
EXIM = (
    "Exim specification, chapter 'Customizing bounce and warning messages' and the retry "
    "configuration chapter, https://www.exim.org/exim-html-current/doc/html/spec_html/"
)
QSBMF = "D. J. Bernstein, qmail-send Bounce Message Format, https://cr.yp.to/proto/qsbmf.txt"
OPENSMTPD = (
    "OpenSMTPD smtpd/bounce.c notice texts (NOTICE_INTRO, notice_error), "
    "https://github.com/OpenSMTPD/OpenSMTPD/blob/master/usr.sbin/smtpd/bounce.c"
)
GMAIL_REF = (
    "Google Workspace Admin Help, SMTP error reference, https://support.google.com/a/answer/3726730"
)
MS_NDR = (
    "Microsoft Learn, Email non-delivery reports and SMTP errors in Exchange Online, "
    "https://learn.microsoft.com/exchange/mail-flow-best-practices/"
    "non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online"
)
SES = (
    "Amazon SES Developer Guide, Amazon SES notification contents (bounce types, "
    "diagnosticCode) and the account-level suppression list, "
    "https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html"
)
SENDMAIL = (
    "sendmail 8 source, sendmail/savemail.c errbody(): the returned-mail notice, its "
    "'(reason: ...)' lines and session transcript, https://ftp.sendmail.org/"
)
RFC3464 = "RFC 3464, An Extensible Message Format for DSNs, https://www.rfc-editor.org/rfc/rfc3464"
RFC3463 = "RFC 3463, Enhanced Mail System Status Codes, https://www.rfc-editor.org/rfc/rfc3463"
POSTFIX_RBL = (
    "Postfix postconf(5), default_rbl_reply ('Service unavailable; ... blocked using ...'), "
    "https://www.postfix.org/postconf.5.html#default_rbl_reply"
)
RFC5965 = "RFC 5965, An Extensible Format for Email Feedback Reports, https://www.rfc-editor.org/rfc/rfc5965"

#: fixture -> the documents it is written from
SOURCES: dict[str, tuple[str, ...]] = {
    "postfix-two-recipients.eml": (POSTFIX_BOUNCE, RFC3464, RFC3463),
    "postfix-plain-two-recipients.eml": (POSTFIX_BOUNCE, RFC3463),
    "postfix-expired-connect.eml": (POSTFIX_BOUNCE, RFC3464, RFC3463),
    "postfix-delayed.eml": (POSTFIX_BOUNCE, RFC3464),
    "postfix-success.eml": (POSTFIX_BOUNCE, RFC3464),
    "postfix-gmail-replies.eml": (POSTFIX_BOUNCE, GMAIL_REF),
    "exim-three-recipients.eml": (EXIM, RFC3463),
    "exim-retry-timeout-user-unknown.eml": (EXIM, RFC3463),
    "qmail-three-recipients.eml": (QSBMF,),
    "qmail-queue-too-long.eml": (QSBMF, RFC3463),
    "opensmtpd-two-recipients.eml": (OPENSMTPD,),
    "opensmtpd-envelope-expired.eml": (OPENSMTPD,),
    "gmail-address-not-found.eml": (GMAIL_REF, RFC3464),
    "gmail-delivery-incomplete.eml": (GMAIL_REF, RFC3464),
    "gmail-legacy-delayed.eml": (GMAIL_REF,),
    "gmail-legacy-mailbox-full.eml": (GMAIL_REF,),
    "ses-suppressed.eml": (SES, RFC3464),
    "ses-expired-dns.eml": (SES, RFC3464, RFC3463),
    "exchange-two-recipients.eml": (MS_NDR, RFC3464),
    "exchange-third-party-reject.eml": (MS_NDR, RFC3464, POSTFIX_RBL),
    "gmail-three-recipients.eml": (GMAIL_REF, RFC3464),
    "postfix-dns-not-found.eml": (POSTFIX_BOUNCE, RFC3464, RFC3463),
    "exchange-html-ndr.eml": (MS_NDR, RFC3464),
    "exchange-541-and-dmarc.eml": (MS_NDR,),
    "exchange-2010-remote-host.eml": (MS_NDR,),
    "exchange-no-admin-section.eml": (MS_NDR,),
    "arf-two-recipients.eml": (RFC5965,),
    "sendmail-two-recipients.eml": (SENDMAIL, RFC3463),
}

# (recipient, status, action, category, words of its own diagnostic)
Row = tuple[str, str | None, str | None, str, str]

#: fixture -> (kind, original Message-ID, recipients in report order)
EXPECTED: dict[str, tuple[str, str | None, tuple[Row, ...]]] = {
    "postfix-two-recipients.eml": (
        "dsn",
        "report-2025-06@example.org",
        (
            ("bob@example.com", "5.1.1", "failed", "recipient unknown", "User unknown in virtual"),
            ("carol@example.net", "5.2.2", "failed", "mailbox full", "Mailbox is full"),
        ),
    ),
    "postfix-plain-two-recipients.eml": (
        "ndr",
        None,
        (
            ("dave@example.com", "5.7.1", "failed", "relay denied", "Relay access denied"),
            ("erin@example.com", "5.1.1", "failed", "recipient unknown", "User unknown in local"),
        ),
    ),
    "postfix-expired-connect.eml": (
        "dsn",
        None,
        (("frank@example.com", "4.4.1", "failed", "expired", "Connection timed out"),),
    ),
    "postfix-delayed.eml": (
        "dsn",
        None,
        (("grace@example.com", "4.2.0", "delayed", "deferral", "Greylisted"),),
    ),
    "postfix-success.eml": (
        "dsn",
        None,
        (
            ("heidi@example.org", "2.0.0", "delivered", "delivered", "delivered to mailbox"),
            ("ivan@example.com", "2.0.0", "relayed", "delivered", "queued as 4Xyz12"),
        ),
    ),
    "postfix-gmail-replies.eml": (
        "ndr",
        None,
        (
            ("bob@example.com", "5.1.1", "failed", "recipient unknown", "does not exist"),
            ("carol@example.com", "5.7.26", "failed", "authentication failure", "unauthenticated"),
            ("dan@example.com", "5.2.2", "failed", "mailbox full", "out of storage space"),
            ("erin@example.com", "5.7.1", "failed", "spam/content rejection", "unsolicited"),
        ),
    ),
    "exim-three-recipients.eml": (
        "ndr",
        "plans-42@example.org",
        (
            ("bob@example.com", "5.1.1", "failed", "recipient unknown", "User unknown"),
            ("carol@example.net", None, "failed", "expired", "retry timeout exceeded"),
            ("dan@example.net", "5.3.4", "failed", "message too large", "fixed maximum"),
        ),
    ),
    "exim-retry-timeout-user-unknown.eml": (
        "ndr",
        "invoice-7@example.org",
        (("bob@example.com", "4.1.1", "failed", "recipient unknown", "User unknown in local"),),
    ),
    "qmail-three-recipients.eml": (
        "ndr",
        "hello-1@example.org",
        (
            ("old@example.org", None, "failed", "recipient unknown", "no longer accepts mail"),
            ("nobody@example.org", "5.1.1", "failed", "recipient unknown", "no mailbox here"),
            ("bob@example.com", "5.1.1", "failed", "recipient unknown", "User unknown"),
        ),
    ),
    "qmail-queue-too-long.eml": (
        "ndr",
        "late-2@example.org",
        (
            ("bob@example.com", "4.4.1", "failed", "expired", "in the queue too long"),
            ("carol@example.invalid", "5.1.2", "failed", "routing/DNS failure", "find any host"),
        ),
    ),
    "opensmtpd-two-recipients.eml": (
        "ndr",
        "minutes-3@example.org",
        (
            ("bob@example.com", "5.1.1", "failed", "recipient unknown", "User unknown"),
            ("carol@example.net", "5.2.2", "failed", "mailbox full", "Mailbox is full"),
        ),
    ),
    "opensmtpd-envelope-expired.eml": (
        "ndr",
        "ping-4@example.org",
        (("bob@example.com", None, "failed", "expired", "Envelope expired"),),
    ),
    "gmail-address-not-found.eml": (
        "dsn",
        "cafe-5@example.org",
        (("bob@example.com", "5.1.1", "failed", "recipient unknown", "User unknown in virtual"),),
    ),
    "gmail-delivery-incomplete.eml": (
        "dsn",
        None,
        (
            (
                "carol@example.net",
                "4.4.1",
                "delayed",
                "routing/DNS failure",
                "did not accept our requests",
            ),
        ),
    ),
    "gmail-legacy-delayed.eml": (
        "ndr",
        "legacy-orig-1@example.org",
        (("carol@example.net", None, "delayed", "routing/DNS failure", "Connection timed out"),),
    ),
    "gmail-legacy-mailbox-full.eml": (
        "ndr",
        "legacy-orig-2@example.org",
        (("dan@example.com", "5.2.2", "failed", "mailbox full", "Mailbox full"),),
    ),
    "ses-suppressed.eml": (
        "dsn",
        "0100017f-original-1@email.amazonses.com",
        (("bob@example.com", "5.1.1", "failed", "recipient unknown", "suppression list"),),
    ),
    "ses-expired-dns.eml": (
        "dsn",
        None,
        (("carol@example.net", "4.4.7", "failed", "expired", "Unable to lookup DNS"),),
    ),
    "exchange-two-recipients.eml": (
        "dsn",
        "budget-9@example.org",
        (
            ("bob@example.com", "5.1.10", "failed", "recipient unknown", "RecipientNotFound"),
            ("carol@example.com", "5.2.2", "failed", "mailbox full", "QuotaExceeded"),
        ),
    ),
    "exchange-third-party-reject.eml": (
        "dsn",
        "contract-22@example.org",
        (
            ("bob@example.com", "5.1.10", "failed", "recipient unknown", "RecipientNotFound"),
            ("carol@example.net", "5.7.1", "failed", "reputation block", "zen.spamhaus.org"),
        ),
    ),
    "gmail-three-recipients.eml": (
        "dsn",
        "minutes-21@example.org",
        (
            ("bob@example.com", "5.1.1", "failed", "recipient unknown", "User unknown"),
            ("carol@example.net", "5.7.26", "failed", "authentication failure", "unauthenticated"),
            ("dan@example.net", "4.4.1", "failed", "expired", "timed out"),
        ),
    ),
    "postfix-dns-not-found.eml": (
        "dsn",
        "invoice-23@example.org",
        (("bob@example.net", "4.4.3", "failed", "expired", "Name service error"),),
    ),
    "exchange-html-ndr.eml": (
        "dsn",
        "schedule-11@example.org",
        (("dave@example.com", "5.1.10", "failed", "recipient unknown", "RecipientNotFound"),),
    ),
    "exchange-541-and-dmarc.eml": (
        "ndr",
        "offer-12@example.org",
        (
            (
                "frank@example.com",
                "5.4.1",
                "failed",
                "recipient unknown",
                "rejected: Access denied",
            ),
            (
                "grace@example.com",
                "5.7.509",
                "failed",
                "authentication failure",
                "policy of reject",
            ),
        ),
    ),
    "exchange-2010-remote-host.eml": (
        "ndr",
        "draft-13@example.org",
        (("bob@example.com", "5.1.1", "failed", "recipient unknown", "User unknown"),),
    ),
    "sendmail-two-recipients.eml": (
        "ndr",
        "agenda-14@example.org",
        (
            ("bob@example.com", "5.1.1", "failed", "recipient unknown", "User unknown"),
            ("carol@example.net", "5.2.2", "failed", "mailbox full", "Mailbox full"),
        ),
    ),
    "exchange-no-admin-section.eml": (
        "ndr",
        "lunch-15@example.org",
        (
            ("bob@example.com", None, "failed", "recipient unknown", "couldn't be found"),
            ("carol@example.com", None, "failed", "mailbox full", "mailbox is full"),
        ),
    ),
    "arf-two-recipients.eml": (
        "feedback",
        "8787KJKJ3K4J3K4J3K4J3.mail@example.net",
        (
            ("user@example.com", None, None, "feedback report", "abuse"),
            ("user2@example.com", None, None, "feedback report", "abuse"),
        ),
    ),
}


def _bounce(name: str) -> Bounce:
    bounce = parse_bounce(load_path(FIXTURES / name))
    assert bounce is not None, name
    return bounce


def test_every_fixture_names_its_documents() -> None:
    files = {p.name for p in FIXTURES.glob("*.eml")}
    assert files == set(SOURCES) == set(EXPECTED)
    assert len(files) >= 20
    for docs in SOURCES.values():
        assert docs and all("https://" in doc for doc in docs)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_recipients_read_right(name: str) -> None:
    bounce = _bounce(name)
    kind, _, rows = EXPECTED[name]
    assert bounce.kind == kind
    got = [(r.recipient, r.status, r.action, r.category) for r in bounce.recipients]
    assert got == [row[:4] for row in rows]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_recipient_has_its_own_diagnostic(name: str) -> None:
    bounce = _bounce(name)
    rows = EXPECTED[name][2]
    for r, row in zip(bounce.recipients, rows, strict=True):
        assert row[4].lower() in r.diagnostic.lower(), (r.recipient, r.diagnostic)
        for other in rows:
            if other is not row and other[4].lower() not in row[4].lower():
                assert other[4].lower() not in r.diagnostic.lower(), (r.recipient, other[0])
        assert "<br" not in r.diagnostic.lower() and "<p" not in r.diagnostic.lower()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_original_message_id(name: str) -> None:
    assert _bounce(name).original_message_id == EXPECTED[name][1]


def test_delivered_and_relayed_are_not_failures() -> None:
    for r in _bounce("postfix-success.eml").recipients:
        assert r.permanent is None
        assert r.category == "delivered"


def test_window_stops_at_the_next_recipient() -> None:
    """A recipient's fallback diagnostic never runs into its neighbour's lines."""
    from mailtriage.checks.bounce.text import window

    notice = (
        "Delivery failed.\n\nbob@example.com\n  550 5.1.1 no such user\n"
        "carol@example.net\n  552 5.2.2 mailbox full\n"
    )
    got = window(notice, "bob@example.com", others=("bob@example.com", "carol@example.net"))
    assert "no such user" in got and "mailbox full" not in got


def test_dsn_recipients_without_a_blank_line_between() -> None:
    """RFC 3464 2.3: each recipient is its own group, even when the separator was lost."""
    from mailtriage.checks.bounce.dsn import parse

    report = parse(
        "Reporting-MTA: dns; mx.example.org\n\n"
        "Final-Recipient: rfc822; bob@example.com\nAction: failed\nStatus: 5.1.1\n"
        "Final-Recipient: rfc822; carol@example.net\nAction: failed\nStatus: 5.2.2\n"
    )
    assert [(d.recipient, d.status) for d in report.recipients] == [
        ("bob@example.com", "5.1.1"),
        ("carol@example.net", "5.2.2"),
    ]


def test_html_markup_is_stripped_from_a_diagnostic() -> None:
    """Exchange's HTML NDR text in a diagnostic: tags and entities go, ``<addr>`` stays."""
    from mailtriage.checks.bounce.classify import classify
    from mailtriage.checks.bounce.model import Draft

    r = classify(
        Draft(
            "bob@example.com",
            "<p>550 5.1.1 &lt;x&gt; <b>RESOLVER.ADR.RecipNotFound</b>; not found <bob@example.com>"
            "<br></p>",
            "5.1.1",
            "failed",
        ),
        True,
    )
    assert "<p>" not in r.diagnostic and "<b>" not in r.diagnostic and "<br>" not in r.diagnostic
    assert "<x>" in r.diagnostic and "<bob@example.com>" in r.diagnostic
    assert r.category == "recipient unknown"


@pytest.mark.parametrize(
    ("text", "status", "action", "category"),
    [
        # The remote's reply inside an expiry wrapper decides (QSBMF, Exim retry rules).
        (
            "Remote host said: 550 5.1.1 <b@example.com>... User unknown Giving up on 192.0.2.10.",
            "5.1.1",
            "failed",
            "recipient unknown",
        ),
        (
            "550 5.7.1 Message rejected as spam: retry timeout exceeded",
            "5.7.1",
            "failed",
            "spam/content rejection",
        ),
        ("Delivery time expired: 452 4.2.2 Mailbox full", "4.2.2", "failed", "mailbox full"),
        # Nothing more specific was answered: the expiry stands.
        ("retry timeout exceeded", None, "failed", "expired"),
        (
            "Delivery time expired: connect to mx.example.com[192.0.2.10]:25: Connection refused",
            "4.4.1",
            "failed",
            "expired",
        ),
        (
            "connect to mx.example.com[192.0.2.10]:25: Connection timed out",
            "5.4.7",
            "failed",
            "expired",
        ),
        # Postfix's plain notice carries no code: a timed-out connection is bounced only when
        # the queue lifetime ran out; a temporary DNS failure likewise.
        (
            "connect to mx.example.com[192.0.2.10]:25: Connection timed out",
            None,
            "failed",
            "expired",
        ),
        (
            "Host or domain name not found. Name service error for name=example.com type=MX: Host "
            "not found, try again",
            "4.4.3",
            "failed",
            "expired",
        ),
        # An expiry whose last error was a permanent routing code stays an expiry.
        ("retry timeout exceeded: 554 5.4.4 unable to route", "5.4.4", "failed", "expired"),
        # The recipient's account expired: an address that no longer works, not an expiry.
        ("550 Account expired", None, "failed", "recipient unknown"),
        # A domain that does not exist fails at once: a routing failure, not an expiry.
        (
            "DNS Error: Domain name not found: example.invalid",
            "4.0.0",
            "failed",
            "routing/DNS failure",
        ),
        # RFC 3463: X.1.1 names the mailbox; vaguer words do not overrule it.
        (
            "550 5.1.1 <b@example.com>: Recipient rejected: filtered",
            "5.1.1",
            "failed",
            "recipient unknown",
        ),
    ],
)
def test_remote_reply_decides(text: str, status: str | None, action: str, category: str) -> None:
    from mailtriage.checks.bounce.rules import classify

    assert classify(text, status, None, action) == category


#: Replies quoted in the documents of :data:`SOURCES` (reply, enhanced status, category).
DOCUMENTED_REPLIES: list[tuple[str, str, str, str]] = [
    (GMAIL_REF, "550 5.4.5 Daily sending quota exceeded.", "5.4.5", "rate limited"),
    (
        GMAIL_REF,
        "550 5.7.1 The IP you're using to send mail is not authorized to send email directly "
        "to our servers. Please use the SMTP relay at your service provider instead.",
        "5.7.1",
        "reputation block",
    ),
    (
        GMAIL_REF,
        "421 4.7.0 This message does not have authentication information or fails to pass "
        "authentication checks.",
        "4.7.0",
        "authentication failure",
    ),
    (
        GMAIL_REF,
        "450 4.2.1 The user you are trying to contact is receiving mail too quickly.",
        "4.2.1",
        "rate limited",
    ),
    (GMAIL_REF, "550 5.7.1 Invalid credentials for relay.", "5.7.1", "relay denied"),
    (
        EXIM,
        "all relevant MX records point to non-existent hosts",
        "",
        "routing/DNS failure",
    ),
    (
        EXIM,
        "retry time not reached for any host after a long failure period",
        "",
        "expired",
    ),
    (
        MS_NDR,
        "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
        "5.1.1",
        "recipient unknown",
    ),
    (
        MS_NDR,
        "550 5.4.316 Message expired, connection refused",
        "5.4.316",
        "expired",
    ),
    (
        MS_NDR,
        "550 5.7.1 RESOLVER.RST.AuthRequired; authentication required",
        "5.7.1",
        "policy block",
    ),
    (
        MS_NDR,
        "550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication required",
        "5.7.133",
        "policy block",
    ),
    (
        MS_NDR,
        "550 5.7.606 Access denied, banned sending IP [192.0.2.1]",
        "5.7.606",
        "reputation block",
    ),
    (
        MS_NDR,
        "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.",
        "5.7.708",
        "reputation block",
    ),
    (
        MS_NDR,
        "451 4.7.500 Server busy, please try again later from [192.0.2.1].",
        "4.7.500",
        "rate limited",
    ),
    (MS_NDR, "550 5.4.1 Relay Access Denied ATTR36", "5.4.1", "relay denied"),
    (
        QSBMF,
        "The users mailfolder is over the allowed quota (size). (#5.2.2)",
        "5.2.2",
        "mailbox full",
    ),
]


@pytest.mark.parametrize(("doc", "reply", "status", "category"), DOCUMENTED_REPLIES)
def test_documented_replies(doc: str, reply: str, status: str, category: str) -> None:
    from mailtriage.checks.bounce.entry import parse_reply

    assert "https://" in doc
    bounce = parse_reply(reply)
    assert bounce is not None and bounce.recipients
    r = bounce.recipients[0]
    assert (r.status or "", r.category) == (status, category)


def test_sendmail_expiry_keeps_the_last_error() -> None:
    """sendmail (savemail.c): an expired message's last error is its ``Deferred:`` line."""
    from mailtriage.checks.bounce.dialects import sendmail

    notice = (
        "   ----- The following addresses had permanent fatal errors -----\n"
        "<bob@example.com>\n    (reason: )\n\n"
        "   ----- Transcript of session follows -----\n"
        "... while talking to mx.example.com.:\n<<< 421\n"
        "<bob@example.com>... Deferred: Connection timed out with mx.example.com.\n"
        "Message could not be delivered for 5 days\n"
    )
    (draft,) = sendmail(notice)
    assert draft.recipient == "bob@example.com"
    assert "Connection timed out" in draft.diagnostic
    assert draft.remote_mta == "mx.example.com"


def test_delivery_notices_are_not_titled_bounces() -> None:
    """RFC 3464 ``delivered`` / ``relayed`` and RFC 5965 reports: info findings, no "Bounce"."""
    from mailtriage.checks.analysis import analyse

    for name in ("postfix-success.eml", "arf-two-recipients.eml"):
        a = analyse(load_path(FIXTURES / name))
        assert a.findings and all(f.severity == "info" for f in a.findings)
        assert not any(f.title.startswith("Bounce") for f in a.findings), name


@pytest.mark.parametrize(
    "subject",
    ["Delivery failed: Plans", "Message not delivered", "Unzustellbar: Plans", "Non remis : Plans"],
)
def test_bounce_subjects_without_a_daemon_sender(subject: str) -> None:
    """A notice sent from an ordinary address is still read by its subject (Exchange's
    localized "Undeliverable:" included) and its recipient found."""
    from mailtriage.checks.message.loader import load_bytes

    raw = (
        f"From: Helpdesk <helpdesk@example.org>\nTo: alice@example.org\nSubject: {subject}\n\n"
        "Your message to bob@example.com couldn't be delivered.\n"
        "bob wasn't found at example.com.\n"
    ).encode()
    bounce = parse_bounce(load_bytes(raw, "n.eml"))
    assert bounce is not None
    assert [(r.recipient, r.category) for r in bounce.recipients] == [
        ("bob@example.com", "recipient unknown")
    ]
