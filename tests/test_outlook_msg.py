"""Outlook .msg samples: the real files of Apache POI's HSMF tests, and .msg files built here.

The files built here follow "[MS-OXMSG]: Outlook Item (.msg) File Format"
(https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxmsg/) and
"[MS-CFB]: Compound File Binary File Format"
(https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-cfb/); see
``tests/msg_support.py``.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mailtriage.checks.message.loader import SampleError, is_msg, load_bytes, load_path
from mailtriage.checks.message.mime import attachment_count, attachments
from mailtriage.checks.message.outlook_msg import EXCHANGE_INTERNAL, read_message
from mailtriage.checks.text import printable

from tests.msg_support import build_cfb, build_msg

ROOT = Path(__file__).resolve().parents[1]
POI = ROOT.parent / "shared" / "corpora" / "msg-apache-poi"
EXPECTED = POI / "expected.tsv"

RECEIVED_HEADERS = (
    "Received: from mx.example.net (mx.example.net [192.0.2.10]) by mail.example.org "
    "with ESMTPS id abc; Mon, 1 Jan 2024 10:00:05 +0000\r\n"
    "Received: from out.example.com (out.example.com [198.51.100.7]) by mx.example.net "
    "with ESMTP id def; Mon, 1 Jan 2024 10:00:02 +0000\r\n"
    "Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.com\r\n"
    "From: Ann Example <ann@example.com>\r\n"
    "To: bob@example.org\r\n"
    "Subject: Invoice 42\r\n"
    "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
    "Message-ID: <m1@example.com>\r\n"
    "\r\n"
)


def _rows() -> list[dict[str, str]]:
    if not EXPECTED.is_file():
        return []
    with EXPECTED.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _problems(sample) -> str:
    return "\n".join(p.message for p in sample.problems)


# --- conformance: the real files ------------------------------------------------------------


@pytest.mark.parametrize("row", _rows() or [None], ids=lambda r: r["file"] if r else "absent")
def test_poi_files_read_as_expected(row: dict[str, str] | None) -> None:
    if row is None:
        pytest.skip(f"corpus absent: {EXPECTED}")
    path = POI / "msg" / row["file"]
    if row["ole"] == "unreadable":
        with pytest.raises(SampleError) as err:
            load_path(path)
        assert "\n" not in str(err.value)
        return
    data = path.read_bytes()
    assert is_msg(data)
    msg = read_message(data)
    sample = load_path(path)
    assert msg.message_class == row["message_class"]
    assert (msg.header_block is not None) == (row["transport_headers"] == "yes")
    assert bool(sample.headers) == (row["transport_headers"] == "yes")
    assert (sample.first("message-id") or "") == row["message_id"]
    assert len(sample.all("received")) == int(row["received"])
    assert len(msg.attachments) == int(row["attachments"])
    assert msg.has_embedded_message == (row["embedded_message"] == "yes")
    assert len(sample.parts) == int(row["attachments"])
    if row["transport_headers"] == "no":
        assert "received copy" in _problems(sample)


def test_poi_exchange_internal_headers_are_not_transport_headers() -> None:
    path = POI / "msg" / "outlook_30_msg.msg"
    if not path.is_file():
        pytest.skip(f"corpus file absent: {path}")
    msg = read_message(path.read_bytes())
    assert msg.transport_headers is not None
    assert msg.transport_headers.startswith(EXCHANGE_INTERNAL)
    sample = load_path(path)
    assert sample.headers == ()
    assert "never crossed SMTP" in _problems(sample)
    assert sample.subject == "IN-SPIRE servers going down for a bit, back up around 8am"


def test_poi_received_message_reads_like_its_header_block() -> None:
    path = POI / "msg" / "simple_test_msg.msg"
    if not path.is_file():
        pytest.skip(f"corpus file absent: {path}")
    msg = read_message(path.read_bytes())
    sample = load_path(path)
    eml = load_bytes((msg.header_block or "").encode("utf-8"), "headers.txt")
    assert sample.headers == eml.headers
    assert (sample.from_, sample.to, sample.subject, sample.date, sample.message_id) == (
        eml.from_,
        eml.to,
        eml.subject,
        eml.date,
        eml.message_id,
    )


def test_poi_report_json_offline_works_unchanged() -> None:
    path = POI / "msg" / "58214_with_attachment.msg"
    if not path.is_file():
        pytest.skip(f"corpus file absent: {path}")
    out = subprocess.run(
        [sys.executable, "-m", "mailtriage.tui.cli", "report", "--json", "--offline", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["message_id"] == "003c01d0cf76$96c2be20$c4483a60$@c6.eu"
    assert len(report["hops"]) == 4


# --- built files ----------------------------------------------------------------------------


def test_received_message_uses_the_shared_header_parser() -> None:
    data = build_msg(headers=RECEIVED_HEADERS, subject="MAPI subject is not used")
    sample = load_bytes(data, "ticket.msg")
    eml = load_bytes(RECEIVED_HEADERS.encode(), "ticket.eml")
    assert sample.headers == eml.headers
    assert sample.subject == "Invoice 42"
    assert sample.message_id == "m1@example.com"
    assert len(sample.all("received")) == 2
    assert sample.envelope_from == eml.envelope_from
    assert sample.raw == b""  # the bytes as sent are not in a .msg
    assert "DKIM and ARC" in _problems(sample)
    assert "received copy" not in _problems(sample)


def test_recognised_by_magic_bytes_not_by_name(tmp_path: Path) -> None:
    path = tmp_path / "pasted.txt"
    path.write_bytes(build_msg(headers=RECEIVED_HEADERS))
    sample = load_path(path)
    assert sample.message_id == "m1@example.com"
    assert sample.size == path.stat().st_size


def test_sent_item_says_the_received_copy_is_needed() -> None:
    sample = load_bytes(
        build_msg(
            recipients=(
                ("Bob", "bob@example.org", 1),
                ("Cy", "cy@example.org", 2),
                ("D", "d@x.org", 3),
            )
        ),
        "sent.msg",
    )
    assert sample.headers == ()
    assert [a.addr for a in sample.from_] == ["ann@example.com"]
    assert [a.addr for a in sample.to] == ["bob@example.org"]
    assert [a.addr for a in sample.cc] == ["cy@example.org"]
    assert sample.subject == "Invoice 42"
    assert sample.date == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert sample.message_id == "m1@example.com"
    text = _problems(sample)
    assert "no transport headers" in text
    assert "Sent Items" in text
    assert "Received" in text and "Authentication-Results" in text
    assert "received copy" in text


def test_draft_is_named_a_draft() -> None:
    sample = load_bytes(build_msg(unsent=True, submitted=None, message_id=None), "draft.msg")
    text = _problems(sample)
    assert "a draft (never sent)" in text
    assert "received copy" in text
    assert "no submit or delivery time" in text
    assert sample.date is None


@pytest.mark.parametrize(
    ("message_class", "kind"),
    [
        ("IPM.Appointment", "calendar item"),
        ("IPM.Contact", "contact"),
        ("IPM.Task", "task"),
        ("IPM.StickyNote", "note"),
        ("IPM.Activity", "journal entry"),
        ("IPM.Something.Else", "not a message"),
    ],
)
def test_non_message_class_is_a_one_line_error(message_class: str, kind: str) -> None:
    with pytest.raises(SampleError) as err:
        load_bytes(build_msg(message_class=message_class), "item.msg")
    line = str(err.value)
    assert "\n" not in line
    assert line.startswith("item.msg: not an email message:")
    assert message_class in line and kind in line


@pytest.mark.parametrize(
    "message_class",
    ["IPM.Note", "IPM.Note.SMIME", "IPM.Schedule.Meeting.Request", "REPORT.IPM.Note.NDR"],
)
def test_message_classes_load(message_class: str) -> None:
    assert load_bytes(build_msg(message_class=message_class), "m.msg").subject == "Invoice 42"


def test_attachment_table_and_embedded_message() -> None:
    data = build_msg(attachments=(("invoice.pdf", b"%PDF-1.4 test"), ("big.bin", b"x" * 10_000)))
    sample = load_bytes(data, "a.msg")
    assert [(p.filename, p.size) for p in sample.parts] == [
        ("invoice.pdf", 13),
        ("big.bin", 10_000),
    ]
    assert sample.parts[1].sha256 == __import__("hashlib").sha256(b"x" * 10_000).hexdigest()
    assert attachment_count(sample) == 2
    inner = {
        "__substg1.0_001A001F": "IPM.Note".encode("utf-16-le"),
        "__attach_version1.0_#00000000/__substg1.0_3001001F": "Fwd".encode("utf-16-le"),
        "__attach_version1.0_#00000000/__substg1.0_3701000D/__substg1.0_001A001F": (
            "IPM.Note".encode("utf-16-le")
        ),
        "__attach_version1.0_#00000000/__substg1.0_3701000D/__properties_version1.0": b"\0" * 24,
        "__properties_version1.0": b"\0" * 32,
    }
    msg = read_message(build_cfb(inner))
    assert msg.has_embedded_message
    assert msg.attachments[0].content_type == "message/rfc822"
    assert attachments(load_bytes(build_cfb(inner), "f.msg").parts)[0].filename == "Fwd"


def test_office_document_is_not_a_message() -> None:
    with pytest.raises(SampleError, match="without Outlook message properties"):
        load_bytes(build_cfb({"WordDocument": b"\0" * 100}), "doc.msg")


def _garbage_cases() -> list[tuple[str, bytes]]:
    good = build_msg(headers=RECEIVED_HEADERS, attachments=(("big.bin", b"y" * 9000),))
    cases = [
        (f"cut at {n}", good[:n]) for n in (8, 200, 512, 1024, len(good) // 2, len(good) - 600)
    ]
    cases.append(("magic then zeros", good[:8] + b"\0" * 4000))
    cases.append(("magic then junk", good[:8] + bytes(range(256)) * 20))
    broken = bytearray(good)
    broken[0x30:0x34] = b"\xff\xff\xff\x7f"  # first directory sector far past the end
    cases.append(("directory past the end", bytes(broken)))
    return cases


@pytest.mark.parametrize(
    ("why", "data"), _garbage_cases(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_damaged_ole_is_one_line(why: str, data: bytes) -> None:
    start = time.perf_counter()
    with pytest.raises(SampleError) as err:
        load_bytes(data, "bad.msg")
    assert time.perf_counter() - start < 5
    line = str(err.value)
    assert "\n" not in line and line.startswith("bad.msg: not an email message:")
    assert "Outlook" in line or "OLE2" in line


def test_damaged_ole_from_the_command_line_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.msg"
    path.write_bytes(build_msg(headers=RECEIVED_HEADERS)[:1024])
    out = subprocess.run(
        [sys.executable, "-m", "mailtriage.tui.cli", "report", "--json", "--offline", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


HOSTILE_SUBJECT = "Invoice \u202egpj.exe \x1b[31mred\x1b[0m [bold]x[/bold]\x07"
HOSTILE_NAME = "invoice\u202efdp.exe\u200b\r\n.txt"


def test_hostile_strings_are_kept_as_data_and_escaped_when_printed(tmp_path: Path) -> None:
    data = build_msg(
        subject=HOSTILE_SUBJECT,
        sender=("\u202eAnn\x1b]0;x\x07", "ann@example.com"),
        attachments=((HOSTILE_NAME, b"MZ"),),
    )
    sample = load_bytes(data, "hostile.msg")
    assert sample.subject == HOSTILE_SUBJECT
    assert sample.parts[0].filename == HOSTILE_NAME
    shown = printable(sample.subject or "")
    assert "\u202e" not in shown and "\x1b" not in shown and "\\u202e" in shown and "\\x1b" in shown
    assert "[bold]" in shown  # markup is text, not interpreted
    name = printable(sample.parts[0].filename or "")
    assert "\u202e" not in name and "\u200b" not in name and "\r" not in name
    path = tmp_path / "hostile.msg"
    path.write_bytes(data)
    out = subprocess.run(
        [sys.executable, "-m", "mailtriage.tui.cli", "report", "--json", "--offline", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and "\u202e" not in out.stdout
    assert json.loads(out.stdout)["subject"] == HOSTILE_SUBJECT


def test_hostile_message_class_is_escaped_in_the_error() -> None:
    with pytest.raises(SampleError) as err:
        load_bytes(build_msg(message_class="IPM.Task\x1b[2J\u202e"), "x.msg")
    assert "\x1b" not in str(err.value) and "\u202e" not in str(err.value)
    assert "\\x1b" in str(err.value)


def test_reading_eml_samples_never_imports_olefile() -> None:
    code = (
        "import sys, pkgutil, importlib, mailtriage.checks as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'mailtriage.checks.'):\n"
        "    importlib.import_module(m.name)\n"
        "from mailtriage.checks.message.loader import load_bytes\n"
        "load_bytes(b'From: a@example.com\\nSubject: x\\n\\nbody\\n', 'a.eml')\n"
        "print('olefile' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env=os.environ,
    )
    assert out.stdout.strip() == "False"


def test_streams_past_the_read_budget_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many entries pointing at the same sectors cannot make the reader loop for long."""
    import mailtriage.checks.message.outlook_msg as outlook_msg

    monkeypatch.setattr(outlook_msg, "READ_BUDGET", 8000)
    with pytest.raises(SampleError, match="add up to more than") as err:
        load_bytes(build_msg(attachments=(("big.bin", b"z" * 9000),)), "loop.msg")
    assert "\n" not in str(err.value)
