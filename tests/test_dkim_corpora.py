"""Third-party DKIM corpora run through verify_dkim, keys served by a real ZoneServer.

Mail::DKIM's corpus (dev split) predates RFC 8301 and RFC 6376. Where our verdict
differs from Mail::DKIM's on purpose, :data:`DIFFERENCES` says so and why; each
message is checked twice: with our strict RFC 8301 default, and in "legacy" mode
(512-bit keys and rsa-sha1 accepted) that should match Mail::DKIM apart from
those documented differences.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from mailtriage.checks.auth.dkim import DkimSignatureResult, verify_dkim
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer

from tests.dkim_support import CORPORA, zone_texts

MAIL_DKIM = CORPORA / "dkim-mail-dkim-dev"
DKIMPY = CORPORA / "dkim-dkimpy"
LEGACY = {"min_key_bits": 512, "allow_sha1": True}

_DRAFT = "draft-era signature without v=1 (RFC 6376 section 3.5 makes v=1 required)"
_DK = "legacy DomainKey-Signature (RFC 4870, historic): not evaluated, so no DKIM result"
#: file -> (our strict verdict, our legacy verdict, why we differ from Mail::DKIM).
DIFFERENCES = {
    **{
        f: ("invalid", "invalid", _DRAFT)
        for f in (
            "good_ietf00_2.txt", "good_ietf00_3.txt", "good_ietf01_1.txt", "mine_ietf01_1.txt",
            "mine_ietf01_2.txt", "mine_ietf01_3.txt", "multiple_1.txt", "no_body_2.txt",
        )
    },
    **{
        f: ("none", "none", _DK)
        for f in (
            "good_dk_gmail.txt", "good_dk_1.txt", "good_dk_2.txt", "good_dk_5.txt",
            "good_dk_7.txt", "bad_dk_1.txt", "bad_dk_4.txt",
        )
    },
    "badkey_9.txt": ("fail", "pass", "key g= is obsolete (RFC 6376), ignored; strict: rsa-sha1"),
}  # fmt: skip


def overall(results: tuple[DkimSignatureResult, ...]) -> str:
    """Mail::DKIM style summary: pass > fail > invalid > none."""
    got = {r.result for r in results}
    if "pass" in got:
        return "pass"
    if "fail" in got:
        return "fail"
    return "invalid" if got else "none"


def _fake_dns() -> tuple[dict[str, list[str]], set[str], set[str]]:
    records: dict[str, list[str]] = {}
    hang: set[str] = set()
    servfail: set[str] = set()
    for line in (MAIL_DKIM / "FAKE_DNS.dat").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, value = line.strip().partition(" ")
        name, value = name.lower(), value.strip()
        if value == "~~Query timed out~~":
            hang.add(name)
        elif value == "~~SERVFAIL~~":
            servfail.add(name)
        elif value != "NXDOMAIN":
            records.setdefault(name, []).append("" if value == '""' else value)
    return records, hang, servfail


def _rows() -> list[dict[str, str]]:
    if not (MAIL_DKIM / "expected.tsv").exists():
        return []
    with (MAIL_DKIM / "expected.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


ROWS = _rows()


@pytest.fixture(scope="module")
def mail_dkim_dns() -> Iterator[ZoneServer]:
    if not ROWS:
        pytest.skip("dkim-mail-dkim-dev corpus not present")
    records, hang, servfail = _fake_dns()
    server = ZoneServer(
        zones=zone_texts(records),
        hang=lambda name, rdtype: name in hang,
        servfail=lambda name, rdtype: name in servfail,
    )
    with server:
        yield server


def _expected(row: dict[str, str], legacy: bool) -> str:
    if row["file"] in DIFFERENCES:
        strict, loose, _ = DIFFERENCES[row["file"]]
        return loose if legacy else strict
    want = row["expected_mail_dkim"]
    if want == "pass" and row["rfc8301_caveat"] and not legacy:
        return "fail"  # RFC 8301: rsa-sha1 or an RSA key under 1024 bits never passes
    return want


@pytest.mark.parametrize("legacy", [False, True], ids=["strict", "legacy"])
@pytest.mark.parametrize("row", ROWS or [None], ids=[r["file"] for r in ROWS] or ["absent"])
async def test_mail_dkim_corpus(
    mail_dkim_dns: ZoneServer, row: dict[str, str], legacy: bool
) -> None:
    raw = (MAIL_DKIM / "corpus" / row["file"]).read_bytes()
    resolver = Resolver(["127.0.0.1"], port=mail_dkim_dns.port, timeout=0.5, deadline=5.0)
    results = await verify_dkim(raw, resolver, **(LEGACY if legacy else {}))
    assert overall(results) == _expected(row, legacy), [(r.reason, r.message) for r in results]
    for r in results:  # every key that was needed came through our resolver
        if r.reason not in ("malformed", "expired"):
            assert any(e.name == r.key_name for e in resolver.log)


REASONS = {
    "bad_1878954.txt": "body_hash_mismatch",
    "badkey2_ed25519.txt": "signature_mismatch",
    "badkey3_ed25519.txt": "body_hash_mismatch",
    "badkey4_ed25519.txt": "key_not_found",
    "badkey1_ed25519.txt": "key_invalid",
    "badkey_15.txt": "key_lookup_failed",
    "ignore_7.txt": "expired",
    "ignore_3.txt": "malformed",
    "goodkey_1.txt": "weak",
    "goodkey_ed25519.txt": "verified",
}


@pytest.mark.parametrize(("name", "reason"), sorted(REASONS.items()))
async def test_mail_dkim_reasons(mail_dkim_dns: ZoneServer, name: str, reason: str) -> None:
    raw = (MAIL_DKIM / "corpus" / name).read_bytes()
    resolver = Resolver(["127.0.0.1"], port=mail_dkim_dns.port, timeout=0.5, deadline=5.0)
    (result,) = await verify_dkim(raw, resolver)
    assert result.reason == reason, result.message


def test_agreement_summary() -> None:
    if not ROWS:
        pytest.skip("dkim-mail-dkim-dev corpus not present")
    legacy_same = sum(_expected(r, True) == r["expected_mail_dkim"] for r in ROWS)
    strict_same = sum(_expected(r, False) == r["expected_mail_dkim"] for r in ROWS)
    assert (len(ROWS), legacy_same, strict_same) == (32, 16, 13)


# --- dkimpy's test data --------------------------------------------------------------

_DNS_ITEM = re.compile(r'(\S+) TXT (?:"([^"]*)"|= (\S+))')


def _dkimpy_rows() -> list[tuple[str, dict[str, list[str]]]]:
    if not (DKIMPY / "EXPECTED.tsv").exists():
        return []
    out = []
    with (DKIMPY / "EXPECTED.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            records: dict[str, list[str]] = {}
            for name, quoted, path in _DNS_ITEM.findall(row["dns"]):
                value = quoted or (DKIMPY / path).read_text(encoding="utf-8").strip()
                records.setdefault(name, []).append(value)
            assert row["expected"] == "pass"
            out.append((row["message"], records))
    return out


DKIMPY_ROWS = _dkimpy_rows()


@pytest.mark.parametrize(
    ("message", "records"), DKIMPY_ROWS or [("", {})], ids=[m for m, _ in DKIMPY_ROWS] or ["absent"]
)
async def test_dkimpy_presigned(message: str, records: dict[str, list[str]]) -> None:
    if not DKIMPY_ROWS:
        pytest.skip("dkim-dkimpy corpus not present")
    with ZoneServer(zones=zone_texts(records)) as server:
        resolver = Resolver(["127.0.0.1"], port=server.port, timeout=1.0, deadline=5.0)
        results = await verify_dkim((DKIMPY / message).read_bytes(), resolver)
    assert results
    assert results[0].result == "pass", results[0].message  # the signature dkimpy checks
    assert all(r.result == "pass" for r in results), [r.message for r in results]


#: key file -> expected reason when test.message is signed with test.private.
ROUND_TRIPS = {
    "test.txt": "verified",
    "test2.txt": "verified",  # no k=: RSA is the default
    "badversion.txt": "key_invalid",
    "badk.txt": "key_invalid",
    "test_bad.txt": "key_invalid",
    "test_tlsrpt.txt": "key_invalid",
}


async def test_dkimpy_round_trips() -> None:
    if not DKIMPY_ROWS:
        pytest.skip("dkim-dkimpy corpus not present")
    import dkim

    message = (DKIMPY / "data" / "test.message").read_bytes()
    private = (DKIMPY / "data" / "test.private").read_bytes()
    records: dict[str, list[str]] = {}
    signed = message
    selectors = {}
    for n, key_file in enumerate(ROUND_TRIPS):
        selector = f"k{n}"
        selectors[selector] = key_file
        text = Path(DKIMPY / "data" / key_file).read_text(encoding="utf-8").strip()
        records[f"{selector}._domainkey.example.com"] = [text]
        signed = dkim.sign(message, selector.encode(), b"example.com", private) + signed
    with ZoneServer(zones=zone_texts(records)) as server:
        resolver = Resolver(["127.0.0.1"], port=server.port, timeout=1.0, deadline=5.0)
        results = await verify_dkim(signed, resolver)
    got = {selectors[r.selector]: r.reason for r in results}
    assert got == ROUND_TRIPS
