"""A problem message forwarded as an attachment is analysed as the attached message.

Fixtures are written from these documents:

- RFC 2046, "Multipurpose Internet Mail Extensions (MIME) Part Two: Media Types",
  §5.2.1 "RFC822 Subtype" (https://www.rfc-editor.org/rfc/rfc2046#section-5.2.1): a
  ``message/rfc822`` body part is a whole message, and only 7bit, 8bit or binary may
  encode it.
- Gmail Help, "Forward emails as attachments"
  (https://support.google.com/mail/answer/9261412): Gmail attaches each forwarded
  message as an ``.eml`` file (``message/rfc822`` with a ``name``/``filename``).
- "[MS-OXCMAIL]: Internet Message Format to MAPI conversion", embedded message
  attachments
  (https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxcmail/):
  Outlook's "Forward as attachment" goes out as ``message/rfc822`` named after the
  subject; a ``.msg`` file attached from disk goes out as a base64 file part.
- RFC 3464, "An Extensible Message Format for Delivery Status Notifications"
  (https://www.rfc-editor.org/rfc/rfc3464): a bounce returns the original as
  ``message/rfc822`` and must stay a bounce.
"""

from __future__ import annotations

import base64
import json

from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.forwarded import open_forward
from mailtriage.checks.message.loader import load_bytes
from mailtriage.checks.report.build import offline_report
from mailtriage.widgets.sample_pane import SamplePane

from tests.msg_support import build_msg

INNER = (
    b"Received: from mail.fabrikam.example (mail.fabrikam.example [203.0.113.45])\r\n"
    b"\tby mx.contoso.example with ESMTPS id 4AbC; Mon, 2 Dec 2024 09:00:05 +0000\r\n"
    b"Authentication-Results: mx.contoso.example; spf=fail smtp.mailfrom=fabrikam.example;\r\n"
    b" dkim=none; dmarc=fail header.from=fabrikam.example\r\n"
    b"From: Invoices <invoices@fabrikam.example>\r\n"
    b"To: ap@contoso.example\r\n"
    b"Subject: Invoice 1234\r\n"
    b"Date: Mon, 2 Dec 2024 09:00:00 +0000\r\n"
    b"Message-ID: <inv-1234@fabrikam.example>\r\n"
    b"\r\n"
    b"Please find the invoice.\r\n"
)

OUTER_HEAD = (
    b"Received: from laptop.contoso.example by mx.contoso.example;\r\n"
    b" Tue, 3 Dec 2024 08:00:00 +0000\r\n"
    b"From: Dana Customer <dana@contoso.example>\r\n"
    b"To: support@helpdesk.example\r\n"
    b"Subject: Fw: this invoice went to junk\r\n"
    b"Date: Tue, 3 Dec 2024 08:00:00 +0000\r\n"
    b"Message-ID: <fw-1@contoso.example>\r\n"
    b"MIME-Version: 1.0\r\n"
)


def forward(
    part_head: bytes, part_body: bytes, *, head: bytes = OUTER_HEAD, boundary: bytes = b"b1"
) -> bytes:
    """A multipart/mixed forward: the customer's note, then the attached part."""
    b = boundary
    return (
        head + b'Content-Type: multipart/mixed; boundary="' + b + b'"\r\n\r\n'
        b"--" + b + b"\r\nContent-Type: text/plain\r\n\r\nSee the attached message.\r\n"
        b"--" + b + b"\r\n" + part_head + b"\r\n" + part_body + b"\r\n--" + b + b"--\r\n"
    )


RFC2046 = forward(b"Content-Type: message/rfc822\r\n", INNER)
GMAIL = forward(
    b'Content-Type: message/rfc822; name="Invoice 1234.eml"\r\n'
    b'Content-Disposition: attachment; filename="Invoice 1234.eml"\r\n',
    INNER,
)
OUTLOOK_BASE64 = forward(
    b'Content-Type: message/rfc822; name="Invoice 1234"\r\n'
    b"Content-Transfer-Encoding: base64\r\n"
    b'Content-Disposition: attachment; filename="Invoice 1234.eml"\r\n',
    base64.encodebytes(INNER).replace(b"\n", b"\r\n"),
)


def _analyse(raw: bytes, source: str = "fw.eml"):  # type: ignore[no-untyped-def]
    return analyse(load_bytes(raw, source))


def _pane(raw: bytes) -> str:
    pane = SamplePane()
    pane.analyses = (_analyse(raw), None)
    pane.labels = ("blocked", "delivered")
    pane.traces = (None, None)
    return pane.build(160).plain


def test_rfc2046_forward_is_analysed_as_the_attached_message() -> None:
    a = _analyse(RFC2046)
    assert a.sample.subject == "Invoice 1234"
    assert a.sample.message_id == "inv-1234@fabrikam.example"
    assert a.sample.forwarded_in == "fw.eml"
    assert a.sample.outer is not None and a.sample.outer.subject == "Fw: this invoice went to junk"
    assert a.connecting_ip == "203.0.113.45"
    assert a.sample.problems[0].message == (
        "analysed the message forwarded inside fw.eml (the outer message is the customer's forward)"
    )


def test_gmail_eml_attachment_and_outlook_base64_are_opened() -> None:
    for raw in (GMAIL, OUTLOOK_BASE64):
        a = _analyse(raw)
        assert a.sample.subject == "Invoice 1234"
        assert a.sample.outer is not None


def test_attached_outlook_msg_file_is_opened() -> None:
    """A .msg saved from Outlook and attached to a forward: read by the .msg reader."""
    headers = INNER.split(b"\r\n\r\n", 1)[0].decode() + "\r\n\r\n"
    msg = build_msg(headers=headers, subject="Invoice 1234")
    raw = forward(
        b'Content-Type: application/vnd.ms-outlook; name="Invoice 1234.msg"\r\n'
        b"Content-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="Invoice 1234.msg"\r\n',
        base64.encodebytes(msg).replace(b"\n", b"\r\n"),
    )
    a = _analyse(raw)
    assert a.sample.message_id == "inv-1234@fabrikam.example"
    assert a.sample.forwarded_in == "fw.eml"


def test_nested_forward_opens_only_the_outermost_and_says_so() -> None:
    middle_head = (
        b"From: Ann <ann@contoso.example>\r\nTo: dana@contoso.example\r\n"
        b"Subject: Fw: Invoice 1234\r\nMIME-Version: 1.0\r\n"
    )
    middle = forward(b"Content-Type: message/rfc822\r\n", INNER, head=middle_head, boundary=b"b2")
    a = _analyse(forward(b"Content-Type: message/rfc822\r\n", middle))
    assert a.sample.subject == "Fw: Invoice 1234"
    messages = [p.message for p in a.sample.problems]
    assert any("only the outermost one was opened" in m for m in messages)
    assert not any("more attached" in m for m in messages)


def test_garbage_inner_part_keeps_the_outer_with_one_problem() -> None:
    raw = forward(b"Content-Type: message/rfc822\r\n", b"\x00\x01\x02" * 200)
    a = _analyse(raw)
    assert a.sample.subject == "Fw: this invoice went to junk"
    assert a.sample.outer is None
    lines = [p for p in a.sample.problems if p.where == "Forward"]
    assert len(lines) == 1
    assert "only the customer's forward was analysed" in lines[0].message
    assert "\n" not in lines[0].message


def test_truncated_inner_part_is_analysed_partially() -> None:
    raw = forward(b"Content-Type: message/rfc822\r\n", INNER[:200])
    a = _analyse(raw)
    assert a.sample.outer is not None
    assert a.connecting_ip == "203.0.113.45"


def test_bounce_with_returned_message_stays_a_bounce() -> None:
    raw = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.fabrikam.example>\r\n"
        b"To: invoices@fabrikam.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        b"Date: Mon, 2 Dec 2024 09:01:00 +0000\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r1"\r\n\r\n'
        b"--r1\r\nContent-Type: text/plain\r\n\r\nThe message could not be delivered.\r\n"
        b"--r1\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.fabrikam.example\r\n\r\n"
        b"Final-Recipient: rfc822; ap@contoso.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n"
        b"--r1\r\nContent-Type: message/rfc822\r\n\r\n" + INNER + b"\r\n--r1--\r\n"
    )
    a = _analyse(raw, "bounce.eml")
    assert a.bounce is not None
    assert a.sample.outer is None and a.sample.forwarded_in is None
    assert a.sample.subject == "Undelivered Mail Returned to Sender"
    assert "forwarded_in" not in offline_report(a)


def test_plain_message_has_no_forward() -> None:
    assert open_forward(load_bytes(INNER, "x.eml")) is None
    assert "forwarded_in" not in offline_report(_analyse(INNER))


def test_report_gains_forwarded_in() -> None:
    out = json.loads(json.dumps(offline_report(_analyse(GMAIL))))
    assert out["subject"] == "Invoice 1234"
    fw = out["forwarded_in"]
    assert fw["source"] == "fw.eml"
    assert fw["subject"] == "Fw: this invoice went to junk"
    assert fw["from"] == [{"name": "Dana Customer", "address": "dana@contoso.example"}]
    assert fw["message_id"] == "fw-1@contoso.example"
    assert fw["summary"] == "Fw: this invoice went to junk (from dana@contoso.example)"


def test_sample_pane_shows_forwarded_in_row() -> None:
    text = _pane(GMAIL)
    assert "Forwarded in" in text
    assert "Fw: this invoice went to junk (from dana@contoso.example)" in text


def test_hostile_inner_and_outer_headers_are_escaped() -> None:
    hostile_inner = INNER.replace(
        b"Subject: Invoice 1234", b"Subject: [bold red]pay[/] \xe2\x80\xae now\x1b[31m"
    )
    head = OUTER_HEAD.replace(
        b"Subject: Fw: this invoice went to junk", b"Subject: Fw: [link=x]y[/link] \xe2\x80\x8bz"
    )
    text = _pane(forward(b"Content-Type: message/rfc822\r\n", hostile_inner, head=head))
    assert "[bold red]pay[/]" in text
    assert "\u202e" not in text and "\x1b" not in text and "\u200b" not in text
    assert "[link=x]y[/link]" in text


def test_text_report_names_the_forward_at_the_top() -> None:
    from mailtriage.tui.report_jobs import text

    out = text(offline_report(_analyse(GMAIL)))
    lines = out.splitlines()
    assert lines[1] == "  forwarded in: Fw: this invoice went to junk (from dana@contoso.example)"
    assert "could not parse Forward: analysed the message forwarded inside fw.eml" in out


def test_report_and_digest_containers_are_not_forwards() -> None:
    """RFC 3464 and RFC 2046 §5.1.5: a report's returned original and a digest's posts."""
    for container in (b"multipart/report; report-type=delivery-status", b"multipart/digest"):
        raw = (
            b"From: lists@example.org\r\nTo: ap@contoso.example\r\nSubject: digest\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: " + container + b'; boundary="d1"\r\n\r\n'
            b"--d1\r\nContent-Type: message/rfc822\r\n\r\n" + INNER + b"\r\n--d1--\r\n"
        )
        sample = load_bytes(raw, "d.eml")
        assert open_forward(sample) is None
