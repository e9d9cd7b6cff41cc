"""Hostile and broken samples through ``load_path``, ``analyse``, the offline report and the CLI.

Every input ends in one of two ways: a clear one-line error (exit 2 from the CLI),
or a partial analysis with the oddities listed in ``problems``. Never a traceback,
never a hang. The inputs are generated in a temporary directory.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import pickle
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.loader import SampleError, load_bytes, load_path
from mailtriage.checks.model import Sample
from mailtriage.checks.report.build import offline_report

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 20.0  # seconds: generous for a loaded machine; a hang or a quadratic blow-up is far past it

HEAD = (
    b"Received: from a.example (a.example [192.0.2.1]) by mx.example with ESMTP id 1;"
    b" Mon, 1 Jan 2024 10:00:00 +0000\n"
    b"Authentication-Results: mx.example; spf=pass smtp.mailfrom=a.example;"
    b" dmarc=fail header.from=b.example\n"
    b"From: Ann <ann@b.example>\n"
    b"To: bob@c.example\n"
    b"Subject: hello\n"
    b"Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
    b"Message-ID: <m1@b.example>\n"
)


def message(**swap: bytes) -> bytes:
    """HEAD with fields swapped (``Subject=b"..."`` replaces that field's value)."""
    out = HEAD
    for name, value in swap.items():
        field = name.replace("_", "-").encode()
        start = out.index(field + b": ") + len(field) + 2
        out = out[:start] + value + out[out.index(b"\n", start) :]
    return out


def nested(depth: int) -> bytes:
    out = HEAD + b'Content-Type: multipart/mixed; boundary="b0"\n\n'
    for i in range(depth):
        out += b'--b%d\nContent-Type: multipart/mixed; boundary="b%d"\n\n' % (i, i + 1)
    out += b"--b%d\nContent-Type: text/plain\n\nhi\n" % depth
    return out + b"".join(b"--b%d--\n" % i for i in range(depth, -1, -1))


def mbox(count: int) -> bytes:
    one = HEAD + b"\nbody\n>From the quoted line\n"
    return b"".join(
        b"From ann@b.example Mon Jan  1 10:00:00 2024\n" + one + b"\n" for _ in range(count)
    )


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, MAILTRIAGE_CONFIG=str(ROOT / "tests" / "no-such-config.toml"))
    return subprocess.run(
        [sys.executable, "-m", "mailtriage.tui.cli", "report", *args],
        capture_output=True,
        cwd=ROOT,
        timeout=timeout,
        env=env,
    )


def analysed(path: Path) -> tuple[Sample, dict]:
    """Load, analyse and report one file in this process, within the time limit."""
    started = time.monotonic()
    sample = load_path(path)
    report = offline_report(analyse(sample))
    json.dumps(report)
    assert time.monotonic() - started < LIMIT, f"{path.name} took too long"
    return sample, report


def messages(sample: Sample) -> str:
    return "\n".join(f"{p.where}: {p.message}" for p in sample.problems)


# (name, bytes, check on the loaded sample and its report): a partial analysis.
Check = Callable[[Sample, dict], bool]
PARTIAL: list[tuple[str, bytes, Check]] = [
    ("cut mid-field", HEAD[: HEAD.index(b"dmarc=fail") + 4],
     lambda s, r: s.from_ == () and r["auth"]["recorded"] and "From" in messages(s)),
    ("cut mid-fold", b"Received: from a.example (a.example [192.0.2.1])\n\tby mx.example with"
     b" ESMTP id 1;\n\tMon, 1 Ja", lambda s, r: len(r["hops"]) == 1 and s.date is None),
    ("iso date", message(Date=b"2024-01-01T10:00:00Z"),
     lambda s, r: r["date"] is None and "Date: date could not be parsed" in messages(s)),
    ("words for a date", message(Date=b"yesterday, around noon"),
     lambda s, r: s.date is None and s.date_raw == "yesterday, around noon"),
    ("impossible date", message(Date=b"Mon, 32 Foo 2024 99:99:99 +9999"),
     lambda s, r: s.date is None and "Date" in messages(s)),
    ("date without zone", message(Date=b"1 Jan 2024 10:00:00"),
     lambda s, r: s.date is not None and "no time zone" in messages(s)),
    ("broken encoded-words", message(Subject=b"=?utf-8?b?!!!?= =?bogus?q?caf=E9?= =?utf-8?q?open"),
     lambda s, r: "caf" in (s.subject or "") and messages(s).count("Subject:") >= 3),
    ("encoded-word in From", message(From=b"=?utf-8?b?QW5u <ann@b.example>"),
     lambda s, r: s.from_domain == "b.example"),
    ("latin-1 headers", message(Subject="Grüße, café".encode("latin-1")),
     lambda s, r: s.subject == "Grüße, café" and "not UTF-8" in messages(s)),
    ("shift_jis headers", message(Subject="日本語の件名".encode("shift_jis")),
     lambda s, r: s.subject is not None and "not UTF-8" in messages(s)),
    ("random high bytes", message(Subject=bytes(b | 0x80 for b in random.Random(7).randbytes(300))),
     lambda s, r: s.from_domain == "b.example" and "not UTF-8" in messages(s)),
    ("NUL bytes in values", message(Subject=b"he\x00llo") + b"X-N\x00ul: a\n\nbo\x00dy\n",
     lambda s, r: s.subject == "he\x00llo" and "not a header field" in messages(s)),
    ("100,000 X- fields", HEAD + b"".join(b"X-F%d: v\n" % i for i in range(100_000)),
     lambda s, r: len(s.headers) == 5000 and "more than 5000 header fields" in messages(s)),
    ("100,000 Received", b"".join(
        b"Received: from h%d.example ([192.0.2.%d]) by mx%d.example with ESMTP id %d;"
        b" Mon, 1 Jan 2024 10:00:00 +0000\n" % (i, i % 250, i, i) for i in range(100_000)),
     lambda s, r: len(s.headers) == 5000 and r["hops"]),
    ("100,000 Authentication-Results", b"".join(
        b"Authentication-Results: mx%d.example; spf=pass smtp.mailfrom=a.example\n" % i
        for i in range(100_000)) + HEAD, lambda s, r: len(r["auth"]["recorded"]) == 5000),
    ("1 MB Subject", message(Subject=b"a" * 1_000_000),
     lambda s, r: len(s.subject or "") == 1_000_000),
    ("1 MB Received", b"Received: from " + b"x(" * 500_000 + b"\n" + HEAD,
     lambda s, r: len(s.headers) == 8),
    ("1 MB Authentication-Results",
     message(Authentication_Results=b"mx; " + b"spf=pass " * 110_000),
     lambda s, r: "longer than 16 KB" in json.dumps(r["auth"]["recorded"])),
    ("1 MB From", message(From=b"a@b, " * 200_000), lambda s, r: "From" in messages(s)),
    ("1 MB folded field", HEAD + b"X-Folded: a\n" + b" b\n" * 300_000,
     lambda s, r: bool(s.from_)),
    ("1,000 nested multiparts", nested(1000),
     lambda s, r: "nested deeper than 16" in messages(s) and not s.parts),
    ("mbox of three", mbox(3),
     lambda s, r: "mbox with several messages" in messages(s) and s.subject == "hello"),
]  # fmt: skip

ERRORS: list[tuple[str, bytes, str]] = [
    ("binary junk", random.Random(1).randbytes(5000), "binary data"),
    ("NUL bytes only", b"\x00" * 5000, "binary data"),
    ("empty", b"", "empty"),
    ("text, not mail", b"just some words\nand more words\n", "no header fields"),
    ("unfamiliar fields only", b"Foo: bar\nBaz: qux\n", "no familiar header fields"),
]


@pytest.mark.parametrize(("name", "data", "check"), PARTIAL, ids=[c[0] for c in PARTIAL])
def test_partial_analysis(tmp_path: Path, name: str, data: bytes, check: Check) -> None:
    path = tmp_path / "sample.eml"
    path.write_bytes(data)
    sample, report = analysed(path)
    assert check(sample, report), messages(sample)
    assert report["problems"] == [{"where": p.where, "message": p.message} for p in sample.problems]


@pytest.mark.parametrize(("name", "data", "why"), ERRORS, ids=[c[0] for c in ERRORS])
def test_one_line_error(tmp_path: Path, name: str, data: bytes, why: str) -> None:
    path = tmp_path / "sample.eml"
    path.write_bytes(data)
    with pytest.raises(SampleError) as err:
        load_path(path)
    assert why in str(err.value) and "\n" not in str(err.value)
    out = cli("--json", "--offline", str(path))
    assert out.returncode == 2
    assert out.stderr.decode().count("\n") == 1 and why.encode() in out.stderr
    # stdout keeps the input's place with an error record saying the same
    record = json.loads(out.stdout)
    assert record == {"source": str(path), "error": str(err.value)}


def test_cli_batch_of_every_bad_input(tmp_path: Path) -> None:
    """All of them in one run: one JSON line per usable sample, one error line per other."""
    paths = []
    for i, (_, data, _) in enumerate(PARTIAL + ERRORS):  # type: ignore[operator]
        paths.append(tmp_path / f"{i:02}.eml")
        paths[-1].write_bytes(data)
    for jobs in ("1", "2"):
        out = cli("--json", "--offline", "--jobs", jobs, *map(str, paths))
        assert out.returncode == 2 and b"Traceback" not in out.stderr
        records = [json.loads(line) for line in out.stdout.decode().splitlines()]
        # one record per input, in its place; the report reads every message of an mbox
        box = str(paths[[c[0] for c in PARTIAL].index("mbox of three")])
        labels = [str(p) for p in paths]
        at = labels.index(box)
        labels[at : at + 1] = [f"{box}#{n}" for n in (1, 2, 3)]
        assert [r["source"] for r in records] == labels
        reported = [r["source"] for r in records if "error" not in r]
        assert reported == labels[: len(PARTIAL) + 2]
        assert out.stderr.decode().count("\nmailtriage: error: ") == len(ERRORS) - 1
    text = cli("--offline", str(paths[[c[0] for c in PARTIAL].index("NUL bytes in values")]))
    assert text.returncode == 0 and b"\x00" not in text.stdout and b"\\x00" in text.stdout


def _big_message(path: Path) -> list[bytes]:
    """About 30 MB: a text part and two base64 attachments of random bytes."""
    rnd = random.Random(30)
    blobs = [rnd.randbytes(12_000_000), rnd.randbytes(10_000_000)]
    with path.open("wb") as f:
        f.write(HEAD.replace(b"\n", b"\r\n") + b"MIME-Version: 1.0\r\n")
        f.write(b'Content-Type: multipart/mixed; boundary="BOUND"\r\n\r\n')
        f.write(b"--BOUND\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n")
        for i, blob in enumerate(blobs):
            f.write(b"--BOUND\r\nContent-Type: application/octet-stream\r\n")
            f.write(b'Content-Disposition: attachment; filename="a%d.bin"\r\n' % i)
            f.write(b"Content-Transfer-Encoding: base64\r\n\r\n")
            f.write(base64.encodebytes(blob).replace(b"\n", b"\r\n"))
        f.write(b"--BOUND--\r\n")
    return blobs


_PEAK = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _peak_rss_kb(path: Path) -> int:
    """Peak RSS of ``mailtriage report --json --offline PATH`` (a fresh parent measures it)."""
    argv = [sys.executable, "-m", "mailtriage.tui.cli", "report", "--json", "--offline", str(path)]
    out = subprocess.run(
        [sys.executable, "-c", _PEAK, *argv], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    rc, peak = out.stdout.split()
    assert rc == "0", out.stderr
    return int(peak)


def test_30_mb_message_headers_analysed_bodies_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "big.eml"
    blobs = _big_message(path)
    size = path.stat().st_size
    assert size > 29_000_000
    sample, report = analysed(path)
    assert sample.subject == "hello" and report["auth"]["recorded"] and sample.size == size
    assert [(p.content_type, p.size, p.sha256) for p in sample.parts[1:]] == [
        ("application/octet-stream", len(b), hashlib.sha256(b).hexdigest()) for b in blobs
    ]
    # Only the raw bytes are kept (for DKIM body hashes): nothing decoded rides along.
    assert len(sample.raw) == size
    assert len(pickle.dumps(replace(sample, raw=b""))) < 50_000
    data = path.read_bytes()
    assert load_bytes(data, "big").raw is data  # one copy: the bytes as read, not a slice of them

    small = tmp_path / "small.eml"
    small.write_bytes(HEAD)
    base, peak = _peak_rss_kb(small), _peak_rss_kb(path)
    print(
        f"peak RSS: {base / 1024:.0f} MB for a small file, {peak / 1024:.0f} MB for {size >> 20} MB"
    )
    # Roughly the file plus a constant; decoding each attachment whole would add ~2 copies.
    assert (peak - base) * 1024 < 1.5 * size, (base, peak)
