"""Redacted copies (checks/redact.py, ``mailtriage redact``).

The analysis of a redacted copy must name the same layer as the original's, and
no address, host or IP of the original may survive in it, except what the module
keeps on purpose (vendor hosts, loopback, system mailboxes).
"""

from __future__ import annotations

import base64
import contextlib
import email
import io
import ipaddress
import json
import re
import sys
from pathlib import Path

import pytest
from mailtriage.checks.analysis import Analysis, analyse
from mailtriage.checks.message.loader import MAX_READ, SampleError, load_bytes
from mailtriage.checks.redact import (
    MAX_STANDINS,
    NOT_VERIFIABLE,
    SYSTEM_LOCALS,
    RedactError,
    Redactor,
    check_redactable,
    is_kept_host,
    is_kept_ip,
)
from mailtriage.checks.suspect import suspect
from mailtriage.tui.cli import main
from mailtriage.tui.redact_cmd import second_name

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(
    p for p in (ROOT / "tests" / "samples").iterdir() if p.suffix in (".eml", ".txt", ".mbox")
)
DEMO = sorted((ROOT / "tui" / "demo").glob("*.eml"))
PAIR_DIRS = sorted(
    d
    for base in ("pairs", "pairs-heldout")
    for d in (ROOT / "tests" / "fixtures" / base).iterdir()
    if (d / "a.eml").exists() and (d / "b.eml").exists()
)
PAIR_FILES = [d / n for d in PAIR_DIRS for n in ("a.eml", "b.eml")]
#: Rewritten from a technician's trial samples (see tests/fixtures/redact/README.md).
REDACT = ROOT / "tests" / "fixtures" / "redact"
TRIAL = sorted(p for p in REDACT.iterdir() if p.suffix in (".eml", ".txt"))
ALL = SAMPLES + DEMO + PAIR_FILES + TRIAL


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in paths]


def _analyse(data: bytes, source: str = "x.eml") -> Analysis:
    return analyse(load_bytes(data, source))


def _redacted(*data: bytes) -> tuple[Redactor, list[bytes]]:
    r = Redactor()
    r.prepare(*data)
    return r, [r.redact_bytes(d) for d in data]


def _contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` stands in ``haystack`` as a whole token (not inside a longer one)."""
    pattern = rf"(?<![A-Za-z0-9._-]){re.escape(needle)}(?![A-Za-z0-9_-]|\.[A-Za-z0-9])"
    return re.search(pattern, haystack, re.I) is not None


# -- the analysis of the copy names the same layer ------------------------------------------


def test_the_sets_are_there() -> None:
    assert len(SAMPLES) >= 4 and len(DEMO) >= 2 and len(PAIR_DIRS) >= 20


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_redacted_copy_names_the_same_layer(path: Path) -> None:
    data = path.read_bytes()
    _, (copy,) = _redacted(data)
    assert copy != data
    before, after = _analyse(data, path.name), _analyse(copy, path.name)
    assert after.layer == before.layer
    assert [f.layer for f in after.findings] == [f.layer for f in before.findings]
    assert (after.bounce is None) == (before.bounce is None)


@pytest.mark.parametrize("pair", PAIR_DIRS, ids=_ids(PAIR_DIRS))
def test_both_copies_of_a_pair_redacted_with_one_mapping_keep_the_suspect(pair: Path) -> None:
    a, b = (pair / "a.eml").read_bytes(), (pair / "b.eml").read_bytes()
    _, (ra, rb) = _redacted(a, b)
    before = suspect(_analyse(a, "a.eml"), _analyse(b, "b.eml"))
    after = suspect(_analyse(ra, "a.eml"), _analyse(rb, "b.eml"))
    assert after.suspect_layer == before.suspect_layer


# -- nothing of the original survives -------------------------------------------------------


def _originals(a: Analysis) -> set[str]:
    """Addresses, hosts and IPs the parsed original holds (kept ones left out)."""
    s = a.sample
    found: set[str] = set()
    addrs = [x.addr for x in (*s.from_, *s.to, *s.cc)]
    addrs += [x for x in (s.return_path, s.envelope_from, *s.envelope_to) if x]
    for addr in addrs:
        local, _, domain = addr.rpartition("@")
        if local and local.lower() not in SYSTEM_LOCALS and not local.upper().startswith("SRS"):
            found.add(addr)
        if domain and not is_kept_host(domain):
            found.add(domain)
    for hop in a.hops:
        for host in (hop.from_host, hop.by_host, hop.from_rdns):
            if host and "." in host and not is_kept_host(host) and "[" not in host:
                found.add(host.rstrip("."))
        if hop.from_ip and not is_kept_ip(hop.from_ip):
            found.add(hop.from_ip)
    if a.connecting_ip and not is_kept_ip(a.connecting_ip):
        found.add(a.connecting_ip)
    if s.from_domain and not is_kept_host(s.from_domain):
        found.add(s.from_domain)
    return found


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_no_original_address_host_or_ip_survives(path: Path) -> None:
    data = path.read_bytes()
    original = _analyse(data, path.name)
    values = _originals(original)
    _, (copy,) = _redacted(data)
    text = copy.decode("latin-1")
    survivors = sorted(v for v in values if _contains(text, v))
    assert survivors == []
    # IPv6 addresses are also found written differently (compressed, upper case)
    for v in values:
        if ":" in v:
            for m in re.finditer(r"[0-9A-Fa-f:]{3,}", text):
                with contextlib.suppress(ValueError):
                    assert ipaddress.ip_address(m.group()) != ipaddress.ip_address(v)


def test_the_survivor_check_would_see_a_survivor() -> None:
    data = (ROOT / "tui" / "demo" / "blocked.eml").read_bytes()
    values = _originals(_analyse(data))
    assert {"ap@northwind.example", "203.0.113.45", "smtp-out3.billingcloud.example"} <= values
    assert _contains(data.decode("latin-1"), "203.0.113.45")


# -- what the stand-ins look like -------------------------------------------------------------

HEADERS = b"""\
Received: from mail.fabrikam.com (mail.fabrikam.com [93.184.216.34])
\tby mx1.contoso.com with ESMTPS id abc; Mon, 2 Dec 2024 10:00:00 +0000
Received: from EXCH01 ([10.1.2.3]) by mx1.contoso.com with SMTP;
\tMon, 2 Dec 2024 09:59:59 +0000
Received: from relay.fabrikam.com ([IPv6:2a01:111:f400::12]) by mx1.contoso.com;
\tMon, 2 Dec 2024 09:59:58 +0000
Authentication-Results: mx1.contoso.com; spf=pass smtp.mailfrom=news@fabrikam.com
\t(client-ip=93.184.216.34); dkim=pass header.d=fabrikam.com header.b=QUJDREVG;
\tdmarc=pass header.from=fabrikam.com
X-Originating-IP: [172.16.9.8]
X-Forefront-Antispam-Report: CIP:93.184.216.34;CTRY:US;SFV:NSPM;SCL:1
DKIM-Signature: v=1; a=rsa-sha256; d=fabrikam.com; s=s1; bh=Ym9keWhhc2g=;
\tb=QUJDREVGR0hJSktMTU5PUA==
From: =?utf-8?B?SsO2cmcgTcO8bGxlcg==?= <joerg@fabrikam.com>
To: "Ann, Accounts" <ann@contoso.com>, bob@contoso.com
Subject: =?utf-8?B?UmU6IFF1YXJ0YWxzYmVyaWNodCDDvGJlcmbDpGxsaWc=?=
Message-ID: <abc123.456@mail.fabrikam.com>
Date: Mon, 2 Dec 2024 09:59:57 +0000
Content-Type: text/plain; charset=utf-8

Hi Ann, see https://portal.fabrikam.com/q?id=7 or call the desk at exch01.corp.contoso.local.
"""


def _one(data: bytes = HEADERS) -> tuple[Redactor, str]:
    r, (copy,) = _redacted(data)
    return r, copy.decode("latin-1")


def test_addresses_become_users_at_domain_stand_ins_with_structure_kept() -> None:
    r, text = _one()
    table = {(k, o): v for k, o, v in r.mapping()}
    fab = table[("domain", "fabrikam.com")]
    assert re.fullmatch(r"domain\d+\.example", fab)
    assert re.fullmatch(rf"host\d+\.{re.escape(fab)}", table[("host", "mail.fabrikam.com")])
    assert f"smtp.mailfrom={table[('address', 'news@fabrikam.com')]}" in text
    assert table[("address", "news@fabrikam.com")].endswith(f"@{fab}")
    assert f"header.d={fab}" in text and f"header.from={fab}" in text
    for original in ("fabrikam", "contoso", "joerg", "news@", "ann@", "bob@", "EXCH01"):
        assert original.lower() not in text.lower()


def test_ips_become_documentation_or_private_stand_ins_everywhere() -> None:
    r, text = _one()
    ips = {o: v for k, o, v in r.mapping() if k == "ip"}
    assert ipaddress.ip_address(ips["93.184.216.34"]) in ipaddress.ip_network("192.0.2.0/24")
    assert ipaddress.ip_address(ips["10.1.2.3"]).is_private
    assert ipaddress.ip_address(ips["172.16.9.8"]).is_private
    assert ips["2a01:111:f400::12"].startswith("2001:db8::")
    assert f"[IPv6:{ips['2a01:111:f400::12']}]" in text  # inside a Received bracket
    assert f"client-ip={ips['93.184.216.34']}" in text  # Authentication-Results
    assert f"CIP:{ips['93.184.216.34']};" in text  # an X- header
    assert f"X-Originating-IP: [{ips['172.16.9.8']}]" in text
    assert text.count(ips["93.184.216.34"]) == 3  # the same value, the same stand-in


def test_public_sender_infrastructure_is_redacted_but_loopback_and_versions_are_kept() -> None:
    data = (
        b"Received: from pps.filterd (m0123401.ppops.net [127.0.0.1])\n"
        b"\tby mx0b-00123401.pphosted.com (8.18.1.2/8.18.1.2) with ESMTP id 1;\n"
        b"\tMon, 2 Dec 2024 10:00:00 +0000\n"
        b"Received: from o1.ptr.sendgrid.net (o1.ptr.sendgrid.net [149.72.1.2])\n"
        b"\tby mx0b-00123401.pphosted.com; Mon, 2 Dec 2024 09:59:00 +0000\n"
        b"Received: from smtp.acme-billing.com (smtp.acme-billing.com [93.184.216.35])\n"
        b"\tby o1.ptr.sendgrid.net; Mon, 2 Dec 2024 09:58:00 +0000\n"
        b"From: a@acme-billing.com\nSubject: s\n\nbody\n"
    )
    _, text = _one(data)
    assert "[127.0.0.1]" in text and "(8.18.1.2/8.18.1.2)" in text
    # the vendor stays, its customer's account number does not (one account, one stand-in)
    assert "mx0b-host1.pphosted.com" in text and "(host1.ppops.net [127.0.0.1])" in text
    assert "123401" not in text and "o1.ptr.sendgrid.net" in text
    assert "149.72.1.2" not in text  # even a vendor's public IP names the sending stream
    assert "93.184.216.35" not in text and "acme-billing" not in text


@pytest.mark.parametrize(
    "host",
    [
        "mx0a-00123401.pphosted.com",
        "eu-smtp-inbound-1.mimecast.com",
        "contoso-com.mail.protection.outlook.com",
        "BL1PR11MB5525.namprd11.prod.outlook.com",
        "mx.google.com",
        "ipcheck.proofpoint.com",
        "pps.reinject",
    ],
)
def test_vendor_hosts_are_kept(host: str) -> None:
    assert is_kept_host(host)


@pytest.mark.parametrize(
    "host", ["mail.fabrikam.com", "exch01.corp.contoso.local", "smtp.sender.co.uk"]
)
def test_customer_and_sender_hosts_are_not_kept(host: str) -> None:
    assert not is_kept_host(host)


def test_a_tenants_name_in_a_vendor_host_is_replaced() -> None:
    data = (
        b"Received: from mail.contoso.com (mail.contoso.com [40.107.0.5]) by\n"
        b" contoso-com.mail.protection.outlook.com (10.1.1.1) with SMTP;\n"
        b" Mon, 2 Dec 2024 10:00:00 +0000\nFrom: x@contoso.com\nSubject: s\n\n"
    )
    r, text = _one(data)
    assert "contoso" not in text.lower()
    # the tenant label is the domain's stand-in written the same way
    domain = dict(((k, o), v) for k, o, v in r.mapping())[("domain", "contoso.com")]
    assert f" {domain.replace('.', '-')}.mail.protection.outlook.com " in text


def test_encoded_subject_is_decoded_replaced_whole_and_the_prefix_kept() -> None:
    r, text = _one()
    assert "Subject: Re: subject-1\n" in text
    assert ("subject", "Quartalsbericht überfällig", "subject-1") in r.mapping()


def test_encoded_display_name_is_replaced_and_quoted_names_with_commas() -> None:
    _, text = _one()
    assert re.search(r"From: name-1 <user\d+@domain\d+\.example>", text)
    assert re.search(r"To: name-2 <user\d+@domain\d+\.example>, user\d+@domain\d+\.example", text)
    assert "=?utf-8?B?SsO2" not in text


@pytest.mark.parametrize(
    ("subject", "kept"),
    [
        (b"Undeliverable: Invoice 42", "Undeliverable: subject-1"),
        (b"Automatic reply: Invoice 42", "Automatic reply: subject-1"),
        (b"RE: FW: Invoice 42", "RE: FW: subject-1"),
        (b"Delivery Status Notification (Failure)", "Delivery Status Notification (Failure)"),
    ],
)
def test_subject_prefixes_the_analysis_reads_are_kept(subject: bytes, kept: str) -> None:
    _, text = _one(b"From: a@b.example\nSubject: " + subject + b"\n\n")
    assert f"Subject: {kept}\n" in text


def test_the_subject_gets_one_stand_in_in_the_bounce_the_original_and_the_body() -> None:
    bounce = (
        b"From: MAILER-DAEMON@mx.fabrikam.com\nSubject: Undeliverable: Invoice INV-55012\n"
        b"Content-Type: text/plain\n\nYour message 'Invoice INV-55012' to ann@contoso.com "
        b"could not be delivered.\n"
    )
    original = b"From: bob@fabrikam.com\nTo: ann@contoso.com\nSubject: Invoice INV-55012\n\nhi\n"
    _, (rb, ro) = _redacted(original, bounce)
    assert b"Subject: Undeliverable: subject-1\n" in ro and b"Subject: subject-1\n" in rb
    assert b"Your message 'subject-1'" in ro and b"INV-55012" not in ro
    assert b"From: MAILER-DAEMON@" in ro  # a bounce is still a bounce


def test_message_id_left_side_becomes_an_id_and_signatures_are_replaced() -> None:
    _, text = _one()
    assert re.search(r"Message-ID: <id1@host\d+\.domain\d+\.example>", text)
    assert "QUJDREVGR0hJSktMTU5PUA==" not in text and "Ym9keWhhc2g=" not in text
    b_value = re.search(r"\bb=([A-Za-z0-9+/=]+)", text.split("DKIM-Signature:")[1])
    assert b_value is not None
    # header.b= still abbreviates the signature it names
    header_b = re.search(r"header\.b=([A-Za-z0-9+/=]+)", text)
    assert header_b is not None and b_value.group(1).startswith(header_b.group(1))


def test_single_label_received_hosts_and_internal_names_are_replaced() -> None:
    _, text = _one()
    assert "from host-1 (" in text
    assert "corp.contoso.local" not in text and "portal.fabrikam.com" not in text


def test_srs_envelope_keeps_its_form() -> None:
    data = (
        b"Return-Path: <SRS0=AbCd=TT=fabrikam.com=bob@forwarder.example>\n"
        b"From: bob@fabrikam.com\nSubject: s\n\n"
    )
    r, text = _one(data)
    fab = dict(((k, o), v) for k, o, v in r.mapping())[("domain", "fabrikam.com")]
    assert re.search(rf"<SRS0=xxxx=TT={re.escape(fab)}=user\d+@domain\d+\.example>", text)
    assert "AbCd" not in text


def test_attachment_file_names_and_property_names_are_kept() -> None:
    data = (
        b"From: a@fabrikam.com\nSubject: s\nContent-Type: multipart/mixed; boundary=x\n\n--x\n"
        b'Content-Type: application/zip; name="invoice.zip"\n'
        b'Content-Disposition: attachment; filename="invoice.zip"\n\nUEsDBA==\n--x--\n'
    )
    _, text = _one(data)
    assert text.count('"invoice.zip"') == 2
    _, text = _one(HEADERS)
    assert "smtp.mailfrom=" in text and "header.d=" in text and "header.from=" in text


def test_stand_ins_never_equal_an_original_of_the_inputs() -> None:
    # Fixtures use the documentation ranges themselves: 192.0.2.1 is an original here.
    a = b"Received: from x.fabrikam.com ([203.0.113.9]) by y; Mon, 2 Dec 2024 10:00:00 +0000\n"
    b = b"Received: from z.fabrikam.com ([192.0.2.1]) by y; Mon, 2 Dec 2024 10:00:00 +0000\n"
    a += b"From: user1@domain1.example\nSubject: s\n\n"
    b += b"From: x@fabrikam.com\nSubject: s\n\n"
    r, (ra, rb) = _redacted(a, b)
    stand_ins = {v for _, _, v in r.mapping()}
    assert "192.0.2.1" not in stand_ins and not any(v.startswith("user1@") for v in stand_ins)
    assert "domain1.example" not in stand_ins
    assert b"192.0.2.1" not in ra + rb


def test_same_value_same_stand_in_across_samples_and_the_packet_text() -> None:
    a = b"From: ann@contoso.com\nReceived: from m.contoso.com ([40.107.22.33]) by z.example;\n"
    a += b" Mon, 2 Dec 2024 10:00:00 +0000\nSubject: Payroll run\n\n"
    b = b"From: ann@contoso.com\nSubject: Payroll run\n\n"
    r, (ra, rb) = _redacted(a, b)
    packet = r.redact_text(
        "Subject: Delivery blocked for ann@contoso.com\nSending IP: 40.107.22.33\n"
        "Recipient domain: contoso.com\nMessage subject: Payroll run\n"
    )
    user = re.search(rb"From: (\S+)", ra).group(1).decode()  # type: ignore[union-attr]
    assert rb.startswith(f"From: {user}".encode())
    assert f"for {user}" in packet
    ip = {o: v for k, o, v in r.mapping() if k == "ip"}["40.107.22.33"]
    assert f"Sending IP: {ip}" in packet and ip.encode() in ra
    assert "contoso" not in packet and "Payroll" not in packet


def test_redact_text_handles_unicode() -> None:
    r = Redactor()
    out = r.redact_text("Kontakt: jörg@fabrikam.com über 2001:db8:1::5 – fertig ✓")
    assert "fabrikam" not in out and "✓" in out and "über" in out


# -- hostile input -------------------------------------------------------------------------


def test_mis_encoded_bytes_outside_replaced_values_survive_byte_for_byte() -> None:
    data = b"From: a@fabrikam.com\nSubject: s\nX-Note: caf\xe9 \xff\xfe\n\nbody \x80\x81 end\n"
    _, (copy,) = _redacted(data)
    assert b"X-Note: caf\xe9 \xff\xfe\n" in copy and b"body \x80\x81 end" in copy


def test_a_large_sample_redacts_in_one_pass() -> None:
    # about 5 MB of base64 and text lines (no timing assertion: it must just finish)
    line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n"
    prose = b"mail from ann@contoso.com via 40.107.3.4 and relay.contoso.com at 10:00:01\n"
    data = b"From: a@contoso.com\nSubject: big\n\n" + (line * 30 + prose) * 2100
    assert len(data) > 5_000_000
    _, (copy,) = _redacted(data)
    assert b"contoso" not in copy and len(copy) > 4_900_000


def test_a_long_line_without_breaks_is_bounded() -> None:
    data = b"From: a@contoso.com\nSubject: s\n\n" + b"a.b-c.d:e:f@" * 400_000
    _, (copy,) = _redacted(data)
    assert len(copy) >= 4_000_000


def test_too_many_public_ipv4_addresses_is_one_error() -> None:
    ips = "\n".join(f"seen 44.{i // 250}.{i % 250}.1" for i in range(800))
    with pytest.raises(RedactError, match="public IPv4"):
        Redactor().redact_text(ips)
    assert MAX_STANDINS >= 10_000


# -- the command -----------------------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["redact", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_two_copies_with_one_mapping_and_the_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = DEMO[0], DEMO[1]
    out = tmp_path / "copy.eml"
    mapping = tmp_path / "map.json"
    code, stdout, err = _cli(capsys, str(a), str(b), "-o", str(out), "--map", str(mapping))
    assert code == 0, err
    second = tmp_path / "copy-b.eml"
    assert out.exists() and second.exists()
    assert NOT_VERIFIABLE in stdout and "customer data" in stdout
    doc = json.loads(mapping.read_text(encoding="utf-8"))
    assert "customer's data" in doc["note"] and len(doc["inputs"]) == 2
    assert {"kind", "original", "stand_in"} <= set(doc["mapping"][0])
    ra, rb = _analyse(out.read_bytes()), _analyse(second.read_bytes())
    before = suspect(_analyse(a.read_bytes()), _analyse(b.read_bytes()))
    assert suspect(ra, rb).suspect_layer == before.suspect_layer
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, nothing left over


def test_second_name() -> None:
    assert second_name("out.eml") == "out-b.eml"
    assert second_name("dir/out") == "dir/out-b"
    assert second_name(".hidden") == ".hidden-b"


def test_cli_refuses_to_overwrite_an_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = tmp_path / "s.eml"
    sample.write_bytes(DEMO[0].read_bytes())
    before = sample.read_bytes()
    for out in (str(sample), str(tmp_path / "." / "s.eml")):
        code, _, err = _cli(capsys, str(sample), "-o", out)
        assert code == 2 and err.count("\n") == 1 and "input sample" in err
    (tmp_path / "link.eml").symlink_to(sample)
    code, _, err = _cli(capsys, str(sample), "-o", str(tmp_path / "link.eml"))
    assert code == 2
    # the second copy's name must not hit an input either
    other = tmp_path / "o-b.eml"
    other.write_bytes(before)
    code, _, err = _cli(capsys, str(sample), str(other), "-o", str(tmp_path / "o.eml"))
    assert code == 2 and "input sample" in err
    code, _, err = _cli(capsys, str(sample), "-o", str(tmp_path / "x.eml"), "--map", str(sample))
    assert code == 2
    assert sample.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (bytes(range(256)) * 40, "binary"),
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "msg"),
    ],
)
def test_cli_hostile_input_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, why: str
) -> None:
    sample = tmp_path / f"{why}.eml"
    sample.write_bytes(content)
    code, stdout, err = _cli(capsys, str(sample), "-o", str(tmp_path / "out.eml"))
    assert code == 2 and stdout == "" and err.count("\n") == 1
    assert not (tmp_path / "out.eml").exists()


def test_cli_missing_file_and_directory_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in (tmp_path / "nope.eml", tmp_path):
        code, _, err = _cli(capsys, str(path), "-o", str(tmp_path / "out.eml"))
        assert code == 2 and err.count("\n") == 1


def test_cli_reports_a_sample_error_class() -> None:
    assert issubclass(SampleError, Exception)


# -- encoded parts, organization names, more hostile subjects --------------------------------


def _mime_bounce() -> bytes:
    text = "Your message to ann@contoso.com from 93.184.216.34 was rejected by mx.contoso.com.\n"
    return (
        b"From: MAILER-DAEMON@mx.fabrikam.com\r\nSubject: Undeliverable: Payroll run\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\npreamble\r\n--b1\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(text.encode()).replace(b"\n", b"\r\n")
        + b"--b1\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        b'\r\n<a href=3D"https://portal.cont=\r\noso.com">x</a> ann@cont=\r\noso.com\r\n'
        b"--b1\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"JVBERi0xLjQK\r\n--b1--\r\n"
    )


def test_base64_and_quoted_printable_text_parts_are_redacted_inside() -> None:
    r, (copy,) = _redacted(_mime_bounce())
    parts = [
        p.get_payload(decode=True)
        for p in email.message_from_bytes(copy).walk()
        if not p.is_multipart()
    ]
    assert len(parts) == 3
    plain, html, pdf = parts
    table = {(k, o): v for k, o, v in r.mapping()}
    user = table[("address", "ann@contoso.com")]
    assert user.encode() in plain and user.encode() in html
    assert b"contoso" not in plain + html and b"93.184.216.34" not in plain
    assert table[("host", "portal.contoso.com")].encode() in html  # split by a soft break
    assert pdf == b"%PDF-1.4\n"  # an attachment's bytes are left alone
    assert b"\r\n" in copy and b"JVBERi0xLjQK\r\n" in copy


def test_organization_names_are_replaced_as_words() -> None:
    r = Redactor()
    out = r.redact_text(
        "Hello Fabrikam team: ann@fabrikam.com, account fabrikam-00417, "
        "MX fabrikam-com.mail.protection.outlook.com; Fabrikamville stays"
    )
    stand = dict(((k, o), v) for k, o, v in r.mapping())[("domain", "fabrikam.com")]
    label = stand.split(".")[0]
    assert f"Hello {label} team" in out and f"account {label}-00417" in out
    assert f"{label}-example.mail.protection.outlook.com" in out
    assert "Fabrikamville stays" in out  # not a word of its own


def test_short_organization_names_are_not_replaced_in_prose() -> None:
    r = Redactor()
    out = r.redact_text("Write to bob@mail.com about the mail flow")
    assert "about the mail flow" in out


@pytest.mark.parametrize(
    "subject",
    [
        b"=?utf-8?B?broken",  # an encoded word with no end
        b"=?x-unknown?Q?abc?=",  # an unknown charset
        b"Gr\xfc\xdfe aus K\xf6ln",  # raw Latin-1 bytes
        b"Gr\xc3\xbc\xc3\x9fe",  # raw UTF-8 bytes
        b"=?utf-8?Q?Undeliverable:_Rechnung?=",
    ],
)
def test_odd_subjects_become_ascii_stand_ins(subject: bytes) -> None:
    data = b"From: a@fabrikam.com\nSubject: " + subject + b"\nX-Other: 1\n\nbody\n"
    _, (copy,) = _redacted(data)
    line = copy.split(b"\n")[1]
    assert line.startswith(b"Subject: ") and line.isascii()
    assert re.fullmatch(rb"Subject: (?:Undeliverable: )?subject-1", line)
    assert copy.endswith(b"\nX-Other: 1\n\nbody\n")


def test_many_subjects_stay_bounded() -> None:
    data = (
        b"".join(b"Subject: topic number %d here\n" % i for i in range(3000))
        + b"\n"
        + (b"topic number 7 here\n" * 1000)
    )
    _, (copy,) = _redacted(b"From: a@b.example\n" + data)
    assert b"topic number" not in copy


def test_check_redactable_refuses_too_large_before_parsing() -> None:
    with pytest.raises(SampleError, match="larger than"):
        check_redactable(b"From: a@b.example\n\n", "big.eml", size=MAX_READ + 1)


def test_cli_reads_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = DEMO[0].read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, stdout, _ = _cli(capsys, "-", "-o", str(tmp_path / "out.eml"))
    assert code == 0 and "redacted copy of -" in stdout
    assert _analyse((tmp_path / "out.eml").read_bytes()).layer == _analyse(data).layer
    code, _, err = _cli(capsys, "-", "-", "-o", str(tmp_path / "o.eml"))
    assert code == 2 and "only once" in err


def test_mapping_rows_give_whole_stand_in_addresses() -> None:
    r, _ = _one()
    rows = {(k, o): v for k, o, v in r.mapping()}
    assert re.fullmatch(r"user\d+@domain\d+\.example", rows[("address", "ann@contoso.com")])


# -- the packet text, redacted with the samples' mapping ----------------------------------------


@pytest.mark.parametrize("pair", PAIR_DIRS, ids=_ids(PAIR_DIRS))
def test_the_packet_text_is_redacted_with_the_samples_mapping(pair: Path) -> None:
    from mailtriage.checks.packet import case_packet, packet_text

    a, b = (pair / "a.eml").read_bytes(), (pair / "b.eml").read_bytes()
    aa, ab = _analyse(a, "a.eml"), _analyse(b, "b.eml")
    text = packet_text(case_packet([aa, ab], suspect(aa, ab), now=None))
    r, (ra, _) = _redacted(a, b)
    redacted = r.redact_text(text)
    survivors = sorted(v for v in _originals(aa) | _originals(ab) if _contains(redacted, v))
    assert survivors == []
    # the IP the packet names is the same stand-in the redacted sample holds
    ip = aa.connecting_ip
    if ip and not is_kept_ip(ip) and _contains(text, ip):
        stand = {o: v for k, o, v in r.mapping() if k == "ip"}[ip]
        assert _contains(redacted, stand) and _contains(ra.decode("latin-1"), stand)


# -- a technician's trial (tests/fixtures/redact) --------------------------------------------


def _trial(name: str) -> tuple[Redactor, str, bytes]:
    data = (REDACT / name).read_bytes()
    r, (copy,) = _redacted(data)
    return r, copy.decode("latin-1"), data


def _signature_values(text: str) -> dict[str, str]:
    """DKIM ``b=``/``bh=`` and ``header.b=`` values in a header block, whatever its folding."""
    found = {
        m.group(1): m.group(2) for m in re.finditer(r"(?<![\w.])(bh|b)=([A-Za-z0-9+/=]+)", text)
    }
    header_b = re.search(r"header\.b=([A-Za-z0-9+/=]+)", text)
    assert header_b is not None
    return {**found, "header.b": header_b.group(1)}


def test_pasted_headers_get_the_same_signature_stand_ins_as_the_eml() -> None:
    _, pasted, original = _trial("pp-quarantined-paste.txt")
    _, eml, _ = _trial("pp-quarantined.eml")
    before = _signature_values(original.decode())
    after = _signature_values(pasted)
    for key, value in before.items():
        assert value not in pasted, key  # b=, bh= and header.b= all replaced
    assert after == _signature_values(eml)  # the same stand-ins as the .eml's
    assert after["b"].startswith(after["header.b"])  # header.b= still abbreviates b=
    assert "\r\n" in pasted and "\n" not in pasted.replace("\r\n", "")  # CRLF kept


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_paste_with_folding_lost_is_redacted_like_the_message(newline: str) -> None:
    eml = (REDACT / "pp-quarantined.eml").read_text()
    head = eml.split("\n\n", 1)[0]
    lost = newline.join(line.lstrip(" \t") for line in head.split("\n")) + newline
    folded = newline.join(head.split("\n")) + newline
    _, (a, b) = _redacted(lost.encode(), folded.encode())
    unfold = re.compile(rb"(?:\r\n|\n|\r)[ \t]*")
    assert unfold.sub(b" ", a) == unfold.sub(b" ", b)
    for original in (b"Statement", b"Qm9vR2xv", b"Tm90QVJl", b"45512", b"wingtip"):
        assert original not in a + b, original


def test_version_numbers_after_a_product_name_are_not_addresses() -> None:
    _, pasted, _ = _trial("pp-quarantined-paste.txt")
    _, eml, _ = _trial("pp-quarantined.eml")
    assert "FMLib:17.12.62.30" in pasted and "FMLib:17.12.62.30" in eml
    r = Redactor()
    out = r.redact_text(
        "engine=FMLib:17.12.62.30 Postfix/3.7.2.1 CIP:93.184.216.34; client-ip:93.184.216.35 "
        "addr:93.184.216.36"
    )
    assert "FMLib:17.12.62.30" in out and "Postfix/3.7.2.1" in out
    assert "93.184.216" not in out  # upper-case CIP and address words still name an IP


def test_a_bounce_body_quoting_a_local_part_alone_is_redacted() -> None:
    r, text, _ = _trial("m365-ndr-spamhaus.eml")
    table = dict(((k, o), v) for k, o, v in r.mapping())
    user = table[("address", "m.okafor@tailspintoys.com")].partition("@")[0]
    assert f"\n{user}     Office 365" in text
    assert "okafor" not in text.lower() and "receiving" not in text.lower()
    # short local parts and system mailboxes are not hunted as words
    out = Redactor().redact_text(
        "Mail it@contoso.com and postmaster@contoso.com: it is the postmaster"
    )
    assert "Mail user1@" in out and "it is the postmaster" in out


@pytest.mark.parametrize(
    ("host", "kept"),
    [
        ("mx0a-00045512.pphosted.com", "mx0a-host1.pphosted.com"),
        ("m0045512.ppops.net", "host1.ppops.net"),
        ("mx1.hc3962-86.iphmx.com", "mx1.host1.iphmx.com"),
        ("d307511a.ess.barracudanetworks.com", "host1.ess.barracudanetworks.com"),
        (
            "wingtip-co-uk.mail.protection.outlook.com",
            "domain1-example.mail.protection.outlook.com",
        ),
        # regional or shared hosts name no customer
        ("us-smtp-inbound-1.mimecast.com", "us-smtp-inbound-1.mimecast.com"),
        ("mx1-us1.ppe-hosted.com", "mx1-us1.ppe-hosted.com"),
        ("CO1NAM11FT052.mail.protection.outlook.com", "CO1NAM11FT052.mail.protection.outlook.com"),
    ],
)
def test_per_customer_vendor_hosts_keep_the_vendor_but_not_the_customer(
    host: str, kept: str
) -> None:
    assert Redactor().redact_text(f"via {host} today") == f"via {kept} today"


def test_per_customer_hosts_redacted_the_analysis_still_names_proofpoint() -> None:
    data = (REDACT / "pp-quarantined.eml").read_bytes()
    _, (copy,) = _redacted(data)
    text = copy.decode()
    assert "45512" not in text and "mx0a-host1.pphosted.com" in text
    before, after = _analyse(data), _analyse(copy)
    assert after.timeline.gateway == before.timeline.gateway == "Proofpoint"
    assert after.layer == before.layer


def test_the_subjects_numbers_are_replaced_in_the_body_and_attachment_names() -> None:
    r, text, _ = _trial("pp-quarantined.eml")
    tokens = {o: v for k, o, v in r.mapping() if k == "token"}
    assert set(tokens) == {"wts-48213", "48213"}
    ref, number = tokens["wts-48213"], tokens["48213"]
    assert "48213" not in text
    assert f"Your statement {ref} is attached (order {number})." in text
    assert f'filename="{ref}.pdf"' in text and f'name="{ref}.pdf"' in text  # extension kept
    # years and short numbers stay (dates stay readable)
    out = Redactor()
    out.redact_bytes(b"From: a@contoso.com\nSubject: Budget 2026 Q4 v12\n\nBudget 2026, v12\n")
    assert out.redact_text("due 2026 in v12") == "due 2026 in v12"


def test_public_blocklists_and_their_links_are_kept() -> None:
    _, text, _ = _trial("m365-ndr-spamhaus.eml")
    assert "blocked using Spamhaus." in text
    assert re.search(r"https://www\.spamhaus\.org/query/ip/192\.0\.2\.\d+ ", text)
    assert "40.107.221.17" not in text  # the customer's IP inside the link is replaced
    for host in (
        "zen.spamhaus.org",
        "check.spamhaus.org",
        "b.barracudacentral.org",
        "www.barracudacentral.org",
        "bl.spamcop.net",
        "talosintelligence.com",
        "learn.microsoft.com",
        "community.mimecast.com",
        "ipcheck.proofpoint.com",
        "sender.office.com",
    ):
        assert is_kept_host(host), host


def test_cli_redacts_the_pasted_headers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "copy.txt"
    code, _, _ = _cli(capsys, str(REDACT / "pp-quarantined-paste.txt"), "-o", str(out))
    text = out.read_bytes().decode()
    assert code == 0
    for original in ("Qm9vR2xv", "Tm90QVJl", "wingtip", "tailspin", "45512", "WTS-48213"):
        assert original.lower() not in text.lower(), original
