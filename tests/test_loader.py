"""Sample loading: text helpers, .eml / pasted headers / mbox parsing, hostile input."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mailtriage.checks.message.loader import SampleError, load_bytes, load_path
from mailtriage.checks.text import decode_bytes, decode_words, printable

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = Path(__file__).resolve().parent / "samples"
CORPORA = ROOT.parent / "shared" / "corpora"

MINIMAL = (
    b"Received: from a.example (a.example [192.0.2.1]) by mx.example with ESMTP id 1;"
    b" Mon, 1 Jan 2024 10:00:00 +0000\n"
    b"From: Ann <ann@example.com>\n"
    b"To: bob@example.org\n"
    b"Subject: hello\n"
    b"Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
    b"Message-ID: <m1@example.com>\n"
    b"\n"
    b"body text\n"
)


def messages(sample):
    return [p.message for p in sample.problems]


# --- mailtriage.checks.text -----------------------------------------------------------------


def test_printable_escapes_controls_and_bidi():
    s = "a\x1b[31mred\x00\x07\x7f\x85\u202eevil\u2066x\u2069\ud800\tz"
    out = printable(s)
    assert out == "a\\x1b[31mred\\x00\\x07\\x7f\\x85\\u202eevil\\u2066x\\u2069\\ud800 z"
    assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) <= 0x9F for c in out)


def test_printable_keeps_markup_and_unicode():
    assert printable("[bold red]x[/] héllo 😵") == "[bold red]x[/] héllo 😵"
    assert printable("line1\nline2\r") == "line1\\x0aline2\\x0d"


def test_printable_limit():
    assert printable("abcdef", 4) == "abc…"
    assert printable("abc", 3) == "abc"
    assert printable("\x1b" * 50, 6) == "\\x1b\\…"
    assert printable("abc", 0) == ""
    assert len(printable("x" * 10_000_000, 80)) == 80


def test_decode_bytes_fallbacks():
    assert decode_bytes("café".encode()) == "café"
    mixed = "Subject: café\n".encode() + b"From: J\xf6rg \x80\n" + b"X: \x81\xff\n"
    text = decode_bytes(mixed)
    assert text.splitlines() == ["Subject: café", "From: Jörg €", "X: \x81ÿ"]
    assert decode_bytes(os.urandom(4096)) is not None
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in decode_bytes(bytes(range(256)) * 4))


@pytest.mark.parametrize(
    ("raw", "decoded", "problem_count"),
    [
        ("plain text", "plain text", 0),
        ("=?utf-8?B?SW52b2ljZSDigJMgTWFyY2g=?= 2024", "Invoice – March 2024", 0),
        ("=?iso-8859-1?q?J=F6rg?= =?utf-8?q?_M=C3=BCller?=", "Jörg Müller", 0),
        ("a =?utf-8?q?x?= b", "a x b", 0),
        ("=?utf-8*de?q?Gr=C3=BC=C3=9Fe?=", "Grüße", 0),
        ("=?x-nonsense?q?abc?=", "abc", 1),
        ("=?utf-8?b?!!!?=", "", 1),
        ("=?utf-8?b?w6k?=", "é", 0),
        ("Re: =?utf-8?q?caf=C3=A9", "Re: café", 1),
        ("=?utf-8?q?=FF=FE?=", "\ufffd\ufffd", 1),
    ],
)
def test_decode_words(raw, decoded, problem_count):
    text, problems = decode_words(raw)
    assert text == decoded
    assert len(problems) == problem_count


# --- well-formed input -------------------------------------------------------------


def test_minimal_message_fields():
    s = load_bytes(MINIMAL, "t")
    assert s.source == "t"
    assert [h.name for h in s.headers] == [
        "Received", "From", "To", "Subject", "Date", "Message-ID",
    ]  # fmt: skip
    assert [h.index for h in s.headers] == list(range(6))
    assert s.from_[0].display == "Ann" and s.from_domain == "example.com"
    assert s.to[0].addr == "bob@example.org"
    assert s.subject == "hello"
    assert s.date == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert s.date_raw == "Mon, 1 Jan 2024 10:00:00 +0000"
    assert s.message_id == "m1@example.com"
    assert s.has_body and s.size == len(MINIMAL)
    assert len(s.parts) == 1 and s.parts[0].content_type == "text/plain"
    assert s.parts[0].sha256 == hashlib.sha256(b"body text\n").hexdigest()
    assert s.problems == ()


def test_crlf_lf_and_mixed_line_endings_agree():
    lf = load_bytes(MINIMAL, "lf")
    crlf = load_bytes(MINIMAL.replace(b"\n", b"\r\n"), "crlf")
    lines = MINIMAL.split(b"\n")
    mixed = b"".join(line + (b"\r\n" if i % 2 else b"\n") for i, line in enumerate(lines[:-1]))
    mixed_s = load_bytes(mixed, "mixed")
    cr_only = load_bytes(MINIMAL.replace(b"\n", b"\r"), "cr")
    for other in (crlf, mixed_s, cr_only):
        assert [(h.name, h.value) for h in other.headers] == [(h.name, h.value) for h in lf.headers]
        assert other.subject == lf.subject and other.has_body


def test_folded_header_raw_and_value():
    data = b"From: a@example.com\nSubject: one\n  two\n\tthree\n\n"
    s = load_bytes(data, "t")
    subj = s.all("subject")[0]
    assert subj.raw == "one\n  two\n\tthree"
    assert subj.value == "one two three"
    assert s.subject == "one  two\tthree"
    assert not s.has_body and s.parts == ()


def test_o365_fixture():
    s = load_path(SAMPLES / "o365_delivered.eml")
    assert s.from_[0].display == "Vendor Billing, EU"
    assert s.from_[0].addr == "billing@vendor.example"
    assert [a.addr for a in s.to] == ["ops@customer.example", "helpdesk@customer.example"]
    assert s.cc == ()
    assert s.subject == "Invoice – March 2024"
    assert s.date is not None and s.date.utcoffset() is not None
    assert s.return_path == "bounces+123@mail.vendor.example"
    assert s.envelope_from == "bounces+123@mail.vendor.example"
    assert [(p.content_type, p.filename, p.disposition) for p in s.parts] == [
        ("text/plain", None, None),
        ("text/html", None, None),
        ("application/pdf", "Rechnung März.pdf", "attachment"),
    ]
    pdf = (
        b"%PDF-1.4\n%\xc7\xec\x8f\xa2\n1 0 obj\n<</Type/Catalog>>\nendobj\n"
        b"trailer\n<</Root 1 0 R>>\n%%EOF\n"
    )
    assert s.parts[2].size == len(pdf)
    assert s.parts[2].sha256 == hashlib.sha256(pdf).hexdigest()
    text = "Your invoice is attached. Café.".encode()
    assert s.parts[0].sha256 == hashlib.sha256(text).hexdigest()
    assert s.problems == ()


def test_pasted_outlook_headers():
    s = load_path(SAMPLES / "pasted_outlook.txt")
    assert [h.name for h in s.headers][:2] == ["Received", "Received"]
    assert s.all("received")[0].value == (
        "from mx.partner.example (203.0.113.40) by EXCH01.corp.example (10.1.2.3) with "
        "Microsoft SMTP Server id 15.1.2507.35; Wed, 6 Mar 2024 09:15:00 +0100"
    )
    assert s.subject == "Weekly report"
    assert s.from_domain == "partner.example"
    assert not s.has_body and s.parts == ()
    assert s.envelope_from == "partner.example"  # smtp.mailfrom of the topmost A-R
    lost = [m for m in messages(s) if "folding lost" in m]
    assert len(lost) == 3


def test_outlook_preamble_line_is_skipped():
    data = b"Microsoft Mail Internet Headers Version 2.0\r\n" + MINIMAL.split(b"\n\n")[0]
    s = load_bytes(data, "t")
    assert s.headers[0].name == "Received"
    assert any("skipped 1 line" in m for m in messages(s))


def test_leading_blank_lines_and_first_line_indent():
    s = load_bytes(b"\n\r\n  \n   " + MINIMAL, "t")
    assert s.headers[0].name == "Received" and s.subject == "hello"


def test_lost_folding_is_joined_with_problem():
    data = (
        b"Received: from a (a [192.0.2.1]) by b\n"
        b"with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000\n"
        b"From: a@example.com\n"
    )
    s = load_bytes(data, "t")
    assert [h.name for h in s.headers] == ["Received", "From"]
    assert s.headers[0].value.endswith("+0000")
    assert any("line 2 is not a header field; joined to Received" in m for m in messages(s))


def test_mbox_first_message_only():
    s = load_path(SAMPLES / "two_messages.mbox")
    assert s.subject == "first"
    assert s.envelope_to == ("it@corp.example",)
    assert s.parts[0].sha256 == hashlib.sha256(b"first body\n").hexdigest()
    assert any("mbox" in m for m in messages(s))


def test_boms():
    s = load_bytes(b"\xef\xbb\xbf" + MINIMAL, "t")
    assert s.headers[0].name == "Received"
    utf16 = ("\ufeff" + MINIMAL.decode()).encode("utf-16-le")
    assert load_bytes(utf16, "t").subject == "hello"


# --- interpreted fields ------------------------------------------------------------


def test_date_naive_unparseable_and_missing():
    naive = load_bytes(b"From: a@b.example\nDate: Mon, 1 Jan 2024 10:00:00 -0000\n", "t")
    assert naive.date == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert any("UTC assumed" in m for m in messages(naive))
    bad = load_bytes(b"From: a@b.example\nDate: yesterday-ish\n", "t")
    assert bad.date is None and bad.date_raw == "yesterday-ish"
    assert any("could not be parsed" in m for m in messages(bad))
    none = load_bytes(b"From: a@b.example\nSubject: x\n", "t")
    assert none.date is None and none.date_raw is None
    assert any(p.where == "Date" for p in none.problems)


def test_missing_and_multiple_from():
    missing = load_bytes(b"Subject: x\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n", "t")
    assert missing.from_ == () and missing.from_domain is None
    assert "no From header field" in messages(missing)
    two = load_bytes(b"From: a@one.example\nFrom: b@two.example\nSubject: x\n", "t")
    assert [a.domain for a in two.from_] == ["one.example", "two.example"]
    assert "2 From header fields" in messages(two)
    multi = load_bytes(b"From: a@one.example, b@two.example\n", "t")
    assert "From holds 2 mailboxes" in messages(multi)


def test_message_id_and_return_path():
    s = load_bytes(b"From: a@b.example\nReturn-Path: <>\nMessage-ID:   <x@y>  \n", "t")
    assert s.return_path == "" and s.envelope_from == ""
    assert s.message_id == "x@y"
    s2 = load_bytes(b"From: a@b.example\n", "t")
    assert s2.message_id is None and "no Message-ID" in messages(s2)


def test_envelope_from_fallbacks():
    spf = load_bytes(
        b"Received-SPF: Pass (mx.example: ok) client-ip=192.0.2.1"
        b" envelope-from=<b@bounce.example>\n"
        b"Authentication-Results: mx.example; spf=pass smtp.mailfrom=other@x.example\n"
        b"From: a@b.example\n",
        "t",
    )
    assert spf.envelope_from == "b@bounce.example"
    ar = load_bytes(
        b"Authentication-Results: mx.example; spf=pass smtp.mailfrom=top@x.example\n"
        b"Authentication-Results: mx.example; spf=pass smtp.mailfrom=lower@x.example\n"
        b"From: a@b.example\n",
        "t",
    )
    assert ar.envelope_from == "top@x.example"


def test_envelope_to_hints():
    data = (
        b"Delivered-To: Ops@Corp.example\n"
        b"X-Original-To: ops@corp.example\n"
        b"Envelope-To: <alias@corp.example>\n"
        b"Received: from a by b with ESMTP id 1 for <rcpt@corp.example>; "
        b"Mon, 1 Jan 2024 10:00:00 +0000\n"
        b"Received: from c by d with ESMTP for other@corp.example; Mon, 1 Jan 2024 09:00:00 +0000\n"
        b"From: a@b.example\n"
    )
    s = load_bytes(data, "t")
    assert s.envelope_to == (
        "Ops@Corp.example", "alias@corp.example", "rcpt@corp.example", "other@corp.example",
    )  # fmt: skip


# --- hostile input -----------------------------------------------------------------


def test_markup_subject_kept_verbatim():
    s = load_bytes(b"From: a@b.example\nSubject: [bold red]x[/]\n", "t")
    assert s.subject == "[bold red]x[/]"
    assert printable(s.subject) == "[bold red]x[/]"


def test_escape_sequences_and_nuls_kept_but_neutralised():
    s = load_bytes(b"From: a@b.example\nSubject: \x1b[2J\x1b]0;pwn\x07 hi\x00there\n", "t")
    assert s.subject == "\x1b[2J\x1b]0;pwn\x07 hi\x00there"
    shown = printable(s.subject)
    assert "\x1b" not in shown and "\x00" not in shown and "\x07" not in shown
    assert shown == "\\x1b[2J\\x1b]0;pwn\\x07 hi\\x00there"
    encoded = load_bytes(b"From: a@b.example\nSubject: =?utf-8?q?a=1B[31mb?=\n", "t")
    assert encoded.subject == "a\x1b[31mb"


def test_non_utf8_header_bytes():
    data = b"From: J\xf6rg <j@b.example>\nSubject: Gr\xfc\xdfe \x81\nTo: \xff\xfe@x.example\n"
    s = load_bytes(data, "t")
    assert s.from_[0].display == "Jörg"
    assert s.subject is not None and s.subject.startswith("Grüße")


def test_truncated_mid_header_and_mid_part():
    cut = b"From: a@b.example\nSubject: cut\nDKIM-Signature: v=1; a=rsa-sha256; d=ex"
    head = load_bytes(cut, "t")
    assert head.all("dkim-signature")[0].value == "v=1; a=rsa-sha256; d=ex"
    data = (
        b"From: a@b.example\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\n"
        b"Content-Type: text/plain\n\nhello\n--XX\nContent-Type: application/pdf; name=a.pdf\n"
        b"Content-Transfer-Encoding: base64\n\nJVBERi0xLj"
    )
    s = load_bytes(data, "t")
    assert [p.filename for p in s.parts] == [None, "a.pdf"]
    assert any("closing boundary" in m for m in messages(s))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\r\n\t\n",
        bytes(range(256)) * 40,
        b"\x00" * 4096,
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        b"just some text\nwith no header fields\n",
        b"name: x\nversion: 1\n",
    ],
)
def test_not_an_email(data):
    with pytest.raises(SampleError, match=r"^\S+: not an email message: ") as info:
        load_bytes(data, "t")
    assert "\n" not in str(info.value)


def test_random_junk_never_crashes():
    rng = __import__("random").Random(1234)
    for _ in range(200):
        size = rng.randint(0, 3000)
        blob = bytes(rng.choice(b'From:abc \t\r\n=?;<>@\x00\x1b\xff[]()"') for _ in range(size))
        try:
            load_bytes(b"From: a@b.example\n" + blob, "fuzz")
            load_bytes(blob, "fuzz")
        except SampleError:
            pass


def test_part_and_depth_caps():
    many = b"".join(b"--B\nContent-Type: text/plain\n\nx\n" for _ in range(700))
    data = b"From: a@b.example\nContent-Type: multipart/mixed; boundary=B\n\n" + many + b"--B--\n"
    s = load_bytes(data, "t")
    assert len(s.parts) == 500
    assert any("more than 500 parts" in m for m in messages(s))
    nested = b"From: a@b.example\nContent-Type: multipart/mixed; boundary=b0\n\n"
    for i in range(1, 40):
        nested += b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (i - 1, i)
    s2 = load_bytes(nested, "t")
    assert any("nested deeper" in m or "closing boundary" in m for m in messages(s2))


def test_declared_size_over_cap_is_reported():
    s = load_bytes(MINIMAL, "t", size=100 * 1024 * 1024)
    assert s.size == 100 * 1024 * 1024
    assert any("larger than 64 MB" in m for m in messages(s))


def test_huge_message_with_attachment(tmp_path):
    payload = os.urandom(21 * 1024 * 1024)
    b64 = base64.encodebytes(payload).replace(b"\n", b"\r\n")
    data = (
        b"From: a@example.com\r\nTo: b@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="=_b"\r\n\r\npreamble\r\n--=_b\r\n'
        b"Content-Type: text/plain\r\n\r\nsee attached\r\n--=_b\r\n"
        b'Content-Type: application/zip; name="big.zip"\r\n'
        b'Content-Disposition: attachment; filename="big.zip"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + b64 + b"--=_b--\r\n"
    )
    path = tmp_path / "big.eml"
    path.write_bytes(data)
    assert path.stat().st_size > 28 * 1024 * 1024
    started = time.perf_counter()
    s = load_path(path)
    assert time.perf_counter() - started < 20
    assert s.size == len(data)
    big = s.parts[1]
    assert (big.filename, big.content_type) == ("big.zip", "application/zip")
    assert big.disposition == "attachment"
    assert big.size == len(payload)
    assert big.sha256 == hashlib.sha256(payload).hexdigest()
    assert not any(p.where == "MIME" for p in s.problems)


# --- files and stdin ---------------------------------------------------------------


def test_load_path_errors_are_one_line(tmp_path):
    with pytest.raises(SampleError, match=r"^cannot read .*nope\.eml: No such file"):
        load_path(tmp_path / "nope.eml")
    with pytest.raises(SampleError, match=r"^cannot read .*: .*directory"):
        load_path(tmp_path)
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    with pytest.raises(SampleError, match=r": not an email message"):
        load_path(empty)


def test_load_path_never_writes(tmp_path):
    path = tmp_path / "m.eml"
    path.write_bytes(MINIMAL)
    os.utime(path, (1_000_000_000, 1_000_000_000))
    before = path.stat()
    load_path(path)
    load_path(str(path))
    after = path.stat()
    assert after.st_mtime_ns == before.st_mtime_ns and after.st_size == before.st_size
    assert path.read_bytes() == MINIMAL


def test_load_stdin_subprocess():
    code = (
        "from mailtriage.checks.message.loader import load_stdin\n"
        "s = load_stdin()\n"
        "print(s.source, s.subject, s.from_domain)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=MINIMAL, capture_output=True, cwd=ROOT, check=True
    )
    assert out.stdout.decode().split() == ["-", "hello", "example.com"]


def test_parse_speed_typical_message():
    data = (SAMPLES / "o365_delivered.eml").read_bytes()
    filler = b"".join(b"X-Filler-%d: %s\n" % (i, b"v" * 300) for i in range(80))
    data = filler + data  # ~27 KB of headers
    load_bytes(data, "warm")
    runs = 50
    started = time.perf_counter()
    for _ in range(runs):
        load_bytes(data, "t")
    per_message = (time.perf_counter() - started) / runs
    assert per_message < 0.025, f"{per_message * 1000:.1f} ms per message"


# --- public corpora ----------------------------------------------------------------


def corpus_files(*names: str) -> list[Path]:
    found: list[Path] = []
    for name in names:
        folder = CORPORA / name
        if folder.is_dir():
            found += sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix == ".eml")
    return found


def test_corpora_load_without_exception():
    files = corpus_files("sisimai-dev", "headers-mailauth")
    if not files:
        pytest.skip(f"corpora not found under {CORPORA}")
    for path in files:
        s = load_path(path)
        assert s.headers, path.name
        assert s.size == path.stat().st_size


def test_corpus_specific_values():
    path = CORPORA / "headers-mailauth" / "zbimi.eml"
    if not path.exists():
        pytest.skip(f"corpus file absent: {path}")
    s = load_path(path)
    assert s.from_domain == "zone.ee"
    assert s.subject is not None and s.subject.startswith("Hallo hallo, helgi sallo")
    assert s.envelope_from == "andris@zone.ee"


def test_header_count_cap_and_long_values_stay_fast():
    many = b"From: a@b.example\n" + b"X-Junk: y\n" * 6000
    s = load_bytes(many, "t")
    assert len(s.headers) == 5000
    assert any("more than 5000 header fields" in m for m in messages(s))
    started = time.perf_counter()
    for name in (b"From", b"To", b"Subject", b"Content-Type"):
        load_bytes(b"From: a@b.example\n" + name + b": " + b"; <>@,=?" * 50_000 + b"\n\nx", "t")
    assert time.perf_counter() - started < 10


def test_indented_paste_stops_at_indented_blank_line():
    data = b"    From: a@b.example\n    Subject: hi\n      folded\n    \n    Hello body\n    more\n"
    s = load_bytes(data, "t")
    assert [(h.name, h.value) for h in s.headers] == [
        ("From", "a@b.example"),
        ("Subject", "hi folded"),
    ]
    assert not any("folding lost" in m for m in messages(s))
