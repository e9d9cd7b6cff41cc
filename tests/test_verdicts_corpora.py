"""Verdict decoding over the public corpora beside the repo (skipped when absent).

* sisimai-dev/header_index.tsv: every auth/gateway verdict header found in the
  Sisimai bounce corpus (real messages), with file, line, header and value.
* headers-mailauth/*.eml: real Gmail, Mailgun and Zone.ee messages.
* mha-vectors: Microsoft's Message Header Analyzer test vectors for
  X-Forefront-Antispam-Report (fields MHA decodes, and its unparsed remainder).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from mailtriage.checks.message.loader import load_path
from mailtriage.checks.verdicts import decode, find_verdicts, quarantine_signal, unknown_headers

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
SISIMAI = CORPORA / "sisimai-dev"
MAILAUTH = CORPORA / "headers-mailauth"
MHA = CORPORA / "mha-vectors" / "mha_dev_vectors.json"

#: Header-name prefix -> vendor expected for the X- rows of the Sisimai index.
VENDOR_BY_PREFIX = {
    "x-proofpoint-": "Proofpoint",
    "x-forefront-": "Microsoft",
    "x-microsoft-": "Microsoft",
    "x-ms-": "Microsoft",
    "x-spam-": "SpamAssassin",
}
#: Fields MHA's ForefrontAntiSpamReport table knows; the rest is its "unparsed" text.
MHA_ROWS = {"ARC", "CTRY", "LANG", "SCL", "PCL", "SFV", "IPV", "H", "PTR", "CIP", "CAT", "SFTY"}
MHA_ROWS |= {"SRV", "X-CustomSpam", "SFS"}


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"corpus not found at {path}")


def _index_rows() -> list[dict[str, str]]:
    _need(SISIMAI / "header_index.tsv")
    with (SISIMAI / "header_index.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_sisimai_index_rows_decode_with_the_expected_vendor() -> None:
    rows = _index_rows()
    assert len(rows) > 80
    x_rows = 0
    for row in rows:
        low = row["header"].lower()
        got = decode(row["header"], row["value"])
        where = f"{row['file']}:{row['line']} {row['header']}"
        if low.startswith("x-"):
            x_rows += 1
            vendor = next(v for p, v in VENDOR_BY_PREFIX.items() if low.startswith(p))
            assert got is not None and got.vendor == vendor, where
            assert got.raw == row["value"] and got.meaning, where
            assert all(f.meaning for f in got.fields), where
        elif low == "arc-authentication-results":
            assert got is not None and got.vendor == "Google", where  # gmr-mx.google.com
            assert got.get("spf") == "pass", where
        else:
            assert got is None, where  # Authentication-Results / Received-SPF: not verdicts
    assert x_rows >= 35


def _simple_parts(value: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in value.split(";"):
        key, sep, val = part.strip().partition(":")
        if sep:
            out.setdefault(key.strip().upper(), val.strip())
    return out


def test_sisimai_forefront_rows_decode_cip_sfv_scl() -> None:
    rows = [r for r in _index_rows() if r["header"].lower() == "x-forefront-antispam-report"]
    assert len(rows) >= 10
    decoded_sfv = 0
    for row in rows:
        got = decode(row["header"], row["value"])
        assert got is not None
        expect = _simple_parts(row["value"])
        for key in ("CIP", "SFV", "SCL"):
            assert got.get(key) == expect.get(key), (row["file"], key)
        decoded_sfv += got.get("SFV") == "NSPM"
        if got.get("SFV") == "NSPM":
            assert got.verdict == "not spam" and "not spam" in got.meaning
    assert decoded_sfv >= 6


def test_sisimai_proofpoint_and_spamassassin_values() -> None:
    rows = {(r["file"], r["line"]): r for r in _index_rows()}
    pp = rows[("lhost-messagingserver-01.eml", "29")]
    got = decode(pp["header"], pp["value"])
    assert got is not None and got.verdict == "not spam"
    assert (got.get("rule"), got.get("policy"), got.get("suspectscore")) == (
        "notspam",
        "default",
        "3",
    )
    assert got.get("engine") == "7.0.1-1408290000" and got.get("reason") == "mlx"
    virus = rows[("lhost-messagingserver-01.eml", "26")]
    vv = decode(virus["header"], virus["value"])
    assert vv is not None and vv.get("vendor") == "fsecure"
    assert vv.get("definitions") == "2014-04-29_07:2014-04-29,2014-04-29,1970-01-01"
    sa = rows[("lhost-exim-60.eml", "62")]
    st = decode(sa["header"], sa["value"])
    assert st is not None and st.verdict == "not spam"
    assert (st.get("status"), st.get("score"), st.get("required")) == ("No", "-0.9", "10.0")
    assert st.get("tests") == "BAYES_00,FROM_EXCESS_BASE64, RCVD_IN_DNSWL_NONE,SPF_PASS"
    assert (st.get("autolearn"), st.get("version")) == ("no", "3.4.2")


def test_sisimai_messages_scan_cleanly() -> None:
    _need(SISIMAI / "emails")
    files = sorted((SISIMAI / "emails").glob("*.eml"))
    assert len(files) > 50
    seen = set()
    for f in files:
        s = load_path(f)
        for v in find_verdicts(s):
            seen.add(v.vendor)
            assert len(v.raw) <= 4000 and len(v.fields) <= 64
        quarantine_signal(find_verdicts(s))
        for name, _ in unknown_headers(s):
            assert name.lower().startswith("x-")
    assert {"Microsoft", "SpamAssassin"} <= seen


def test_mailauth_messages() -> None:
    _need(MAILAUTH)
    gmail = load_path(MAILAUTH / "arc-pass.eml")
    google = [v for v in find_verdicts(gmail) if v.vendor == "Google"]
    names = {v.name for v in google}
    assert {"X-Gm-Message-State", "X-Google-Smtp-Source", "X-Received", "ARC-Seal"} <= names
    seal = next(v for v in google if v.name == "ARC-Seal" and v.get("i") == "2")
    assert seal.get("cv") == "pass" and "i=2" in seal.meaning
    hop = next(v for v in google if v.name == "X-Received")
    assert "not a real mail hop" in hop.meaning and (hop.get("by") or "").startswith("2002:")
    zone = {v.name: v for v in find_verdicts(load_path(MAILAUTH / "arc-fail.eml"))}
    assert zone["X-Zone-Spam-Status"].vendor == "other"
    assert unknown_headers(load_path(MAILAUTH / "arc-fail.eml")) == (
        ("X-Zone-Loop", "fe066d941b265f3ca3d5f9b6f90a9d450a1b293f52e0"),
    )
    mailgun = load_path(MAILAUTH / "message2.eml")
    assert find_verdicts(mailgun) == ()
    assert [n for n, _ in unknown_headers(mailgun)] == ["X-Mailgun-Sending-Ip", "X-Mailgun-Sid"]


def _mha_vectors() -> list[dict[str, object]]:
    _need(MHA)
    vectors = json.loads(MHA.read_text(encoding="utf-8"))["forefront_antispam_report"]
    assert vectors
    return list(vectors)


@pytest.mark.parametrize("index", [0, 1])
def test_forefront_matches_message_header_analyzer(index: int) -> None:
    vectors = _mha_vectors()
    if index >= len(vectors):
        pytest.skip("no such vector")
    vec = vectors[index]
    name, _, value = str(vec["header"]).partition(":")
    got = decode(name, value.strip())
    assert got is not None and got.vendor == "Microsoft"
    expected = vec["expected_fields"]
    assert isinstance(expected, dict)
    for key, row in expected.items():
        want = row["value"]
        if want:
            assert got.get(key) == want, key
            field = next(f for f in got.fields if f.key == key)
            assert field.meaning and field.meaning != "not documented", key
        else:
            assert not got.get(key), key
    unparsed = "".join(f"{f.key}:{f.value};" for f in got.fields if f.key not in MHA_ROWS)
    assert unparsed == vec["expected_unparsed"]
