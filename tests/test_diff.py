"""Blocked vs delivered comparison and the one-sample hints."""

from __future__ import annotations

from pathlib import Path

import pytest
from mailtriage.checks.analysis import analyse
from mailtriage.checks.diff import ABSENT, DiffRow, diff_samples, single_sample_hint
from mailtriage.checks.message.authres import parse_auth_results
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.route.gateways import find_gateway, sending_ip
from mailtriage.checks.route.hops import parse_hops
from mailtriage.checks.verdicts import find_verdicts, microsoft_cip

DEMO = Path(__file__).resolve().parents[1] / "tui" / "demo"
LAYERS = {
    "policy",
    "quarantine/release",
    "authentication",
    "verdict",
    "routing/connector",
    "downstream/mailbox",
    "identity",
    "message",
}


@pytest.fixture(scope="module")
def demo_rows() -> dict[str, DiffRow]:
    rows = diff_samples(
        analyse(load_path(DEMO / "blocked.eml")), analyse(load_path(DEMO / "delivered.eml"))
    )
    return {r.field: r for r in rows}


def test_demo_diff_tells_the_story(demo_rows: dict[str, DiffRow]) -> None:
    r = demo_rows
    assert (r["Sending IP"].a, r["Sending IP"].b) == ("203.0.113.45", "198.51.100.90")
    assert (r["Envelope From"].a, r["Envelope From"].b) == (
        "billingcloud.example",
        "fabrikam.example",
    )
    assert not r["Header From"].differs
    assert r["Header From"].a == "invoices@fabrikam.example"
    assert r["DKIM d="].a == "billingcloud.example (s=bc1)"
    assert r["DKIM d="].b == "fabrikam.example (s=selector1)"
    assert (r["Auth dmarc"].a, r["Auth dmarc"].b) == ("fail", "pass")
    # Boundary against boundary: only DMARC differs at the gateway; the tenant's own
    # checks (behind the gateway) exist only for the delivered copy.
    assert not r["Auth spf"].differs and not r["Auth dkim"].differs
    # Only B reached the tenant: its checks there fold into one downstream row.
    tenant = r["Tenant checks"]
    assert tenant.a.startswith(ABSENT) and "compauth=pass" in tenant.b
    assert "spf=fail" in tenant.b and tenant.layer == "downstream/mailbox"
    assert (r["Hop count"].a, r["Hop count"].b) == ("3", "7")
    assert not r["Gateway"].differs and r["Gateway"].a == "Proofpoint"
    assert "quarantine_dmarc" in r["Gateway rule"].a and "notspam" in r["Gateway rule"].b
    assert r["Verdict headers"].a.startswith("X-Proofpoint-Spam-Details")
    assert "quarantine_dmarc" in r["Quarantine"].a and r["Quarantine"].b == ABSENT
    assert (r["Mailbox folder"].a, r["Mailbox folder"].b) == (ABSENT, "Inbox")
    assert not r["Attachments"].differs and r["Attachments"].a == "1"


def test_rows_are_well_formed(demo_rows: dict[str, DiffRow]) -> None:
    fields = list(demo_rows)
    assert fields[:5] == ["Sending IP", "Envelope From", "Header From", "Return-Path", "DKIM d="]
    auth = [f for f in fields if f.startswith("Auth ")]
    assert auth[:3] == ["Auth spf", "Auth dkim", "Auth dmarc"]
    for row in demo_rows.values():
        assert row.layer in LAYERS
        assert row.differs == (row.a.split(" (")[0] != row.b.split(" (")[0])
        assert row.a and row.b


def test_same_sample_differs_nowhere() -> None:
    s = load_path(DEMO / "delivered.eml")
    assert not any(r.differs for r in diff_samples(analyse(s), analyse(s)))


def test_headers_only_samples() -> None:
    a = load_bytes(b"From: a@x.example\nSubject: s\n", "a")
    b = load_bytes(
        b"Received: from h (h [198.51.100.1]) by mx.y.example; "
        b"Mon, 23 Nov 2026 09:00:00 +0000\nFrom: a@x.example\n",
        "b",
    )
    rows = {r.field: r for r in diff_samples(analyse(a), analyse(b))}
    assert rows["Attachments"].a == ABSENT
    assert rows["Hop count"].a == "0" and rows["Hop count"].b == "1"
    assert rows["Gateway"].a == ABSENT


def test_hostile_values_are_display_safe() -> None:
    a = load_bytes(
        b"From: \x1b]0;x\x07evil <e@x.example>\nReturn-Path: <\x1b[2J@x.example>\n"
        b"DKIM-Signature: d=\xff\xfe; s=\x00\n\n",
        "a",
    )
    for row in diff_samples(analyse(a), analyse(a)):
        assert "\x1b" not in row.a and "\x00" not in row.a
        assert len(row.a) <= 130


def test_single_sample_hint_mentions_what_to_compare() -> None:
    hints = single_sample_hint(analyse(load_path(DEMO / "blocked.eml")))
    text = " ".join(hints)
    assert hints[0].startswith("Load")
    assert "203.0.113.45" in text and "billingcloud.example" in text
    assert "dmarc=fail" in text
    assert "Proofpoint" in text
    bare = single_sample_hint(analyse(load_bytes(b"Subject: only\n", "x")))
    assert bare and bare[0].startswith("Load")


def test_gateways() -> None:
    s = load_path(DEMO / "delivered.eml")
    hops = parse_hops(s)
    assert find_gateway(hops) == ("Proofpoint", "mx0a-00123401.pphosted.com")
    assert (
        sending_ip(parse_auth_results(s), hops, microsoft_cip(find_verdicts(s))) == "198.51.100.90"
    )
    assert find_gateway(()) is None


def test_attachments_are_counted_by_one_rule() -> None:
    """Attachment facts come from one function (checks/message/mime.py).

    Before, the diff counted every part with a file name or an attachment disposition
    (3 here), the two-copy decision listed every named part (the inline logo too, an
    .svg it called a risky attachment) and the timeline said "has attachments" by a
    third rule (named inline parts left out). Now all three use the one rule:
    ``Content-Disposition: attachment``, or a file name without ``inline`` (RFC 2183,
    "The Content-Disposition Header Field", sections 2.1 and 2.2:
    https://www.rfc-editor.org/rfc/rfc2183).
    """
    from mailtriage.checks.message.mime import attachment_count, attachments
    from mailtriage.checks.suspect import suspect

    def copy(parts: str, mid: str) -> bytes:
        return (
            "From: a@fabrikam.example\r\nTo: b@northwind.example\r\nSubject: s\r\n"
            f"Message-ID: <{mid}@fabrikam.example>\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
            "--b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n" + parts + "--b--\r\n"
        ).encode()

    logo = (
        "--b\r\nContent-Type: image/svg+xml\r\n"
        'Content-Disposition: inline; filename="logo.svg"\r\n\r\nAAAA\r\n'
    )
    named = '--b\r\nContent-Type: application/pdf; name="invoice.pdf"\r\n\r\nAAAA\r\n'
    attached = (
        "--b\r\nContent-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment\r\n\r\nAAAA\r\n"
    )
    a = analyse(load_bytes(copy(logo + named + attached, "a"), "a.eml"))
    b = analyse(load_bytes(copy("", "b"), "b.eml"))
    assert [p.filename for p in attachments(a.sample.parts)] == ["invoice.pdf", None]
    assert (attachment_count(a.sample), attachment_count(b.sample)) == (2, 0)
    rows = {r.field: r for r in diff_samples(a, b)}
    assert (rows["Attachments"].a, rows["Attachments"].b) == ("2", "0")  # before: ("3", "0")
    assert a.timeline.has_attachments and not b.timeline.has_attachments
    policy = next(x for x in suspect(a, b).layers if x.layer == "policy")
    # before: "Risky attachment types" logo.svg (an inline part, not an attachment)
    assert [d.field for d in policy.differences if "attachment" in d.field.lower()] == []


def test_dkim_signatures_are_read_once_on_the_analysis() -> None:
    """The diff's DKIM row reads ``Analysis.signatures`` (checks/auth/dkimsig.py), the
    verifier's own reader, instead of splitting the tag list again.

    Before, the diff kept ``d=`` as written, so two copies signed by the same domain
    in different case ("RFC 6376 section 3.5": ``d=`` is a domain name, and DNS names
    compare case-insensitively, RFC 4343 https://www.rfc-editor.org/rfc/rfc4343) showed
    as a difference; the verifier and the live key plan already read it in lower case.
    """
    from mailtriage.checks.auth.dkimsig import read_signature

    def copy(d: str, mid: str) -> bytes:
        return (
            f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={d};\r\n"
            " s=sel1; h=from:to:subject; bh=AAAA; b=BBBB\r\n"
            f"From: a@fabrikam.example\r\nTo: b@northwind.example\r\nSubject: s\r\n"
            f"Message-ID: <{mid}@fabrikam.example>\r\n\r\nhi\r\n"
        ).encode()

    a = analyse(load_bytes(copy("Fabrikam.EXAMPLE", "a"), "a.eml"))
    b = analyse(load_bytes(copy("fabrikam.example", "b"), "b.eml"))
    assert a.signatures == (read_signature(a.sample.all("DKIM-Signature")[0].value),)
    assert a.signatures[0].domain == "fabrikam.example"
    assert a.signatures[0].signed_headers == ("from", "to", "subject")
    row = next(r for r in diff_samples(a, b) if r.field == "DKIM d=")
    assert row.a == "fabrikam.example (s=sel1)" and not row.differs  # before: differed
