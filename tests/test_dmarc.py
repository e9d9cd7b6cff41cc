"""DMARC discovery against a real ZoneServer, record parsing, and evaluation."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from mailtriage.checks.auth.dmarc.align import aligned
from mailtriage.checks.auth.dmarc.discover import DmarcRecordResult, discover, evaluate
from mailtriage.checks.auth.dmarc.record import parse_record
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "dmarc-parsedmarc-dev"
SOA = "@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n@ IN NS ns1\nns1 IN A 192.0.2.53\n"
ZONES = {
    "fabrikam.example": SOA
    + (
        '_dmarc IN TXT "v=DMARC1; p=reject; sp=quarantine; np=reject; '
        'rua=mailto:agg@fabrikam.example"\n'
        "mail IN A 192.0.2.10\n"
        'own IN TXT "hello"\n'
        '_dmarc.own IN TXT "v=DMARC1; p=none"\n'
        'deep.a IN TXT "x"\n'
    ),
    "contoso.example": SOA
    + (
        '_dmarc IN TXT "v=DMARC1; p=none"\n_dmarc IN TXT "v=DMARC1; p=reject"\n'
        '_dmarc IN TXT "not dmarc"\n'
    ),
    "northwind.example": SOA
    + ('_dmarc IN TXT "v=DMARC1; p=quarantine; pct=25; adkim=s; aspf=s; t=y; color=blue"\n'),
    "nopolicy.example": SOA + "www IN A 192.0.2.20\n",
    "bad.example": SOA + '_dmarc IN TXT "v=DMARC1; p=bogus"\n',
    "broken.example": SOA + '_dmarc IN TXT "v=DMARC1; p=reject"\n',
}


@pytest.fixture(scope="module")
def server() -> Iterator[ZoneServer]:
    fail = lambda name, rdtype: name.endswith("broken.example")  # noqa: E731
    with ZoneServer(zones=ZONES, servfail=fail) as srv:
        yield srv


@pytest.fixture
def res(server: ZoneServer) -> Resolver:
    return Resolver(["127.0.0.1"], port=server.port, timeout=1.0, deadline=5.0)


async def test_own_record(res: Resolver) -> None:
    got = await discover("Fabrikam.Example.", res)
    assert (got.status, got.policy_domain, got.inherited) == ("found", "fabrikam.example", False)
    assert got.record is not None and got.record.p == "reject" and got.record.sp == "quarantine"
    assert got.record.rua == ("mailto:agg@fabrikam.example",)
    assert got.from_exists is None and len(got.answers) == 1


async def test_subdomain_inherits_sp(res: Resolver) -> None:
    got = await discover("mail.fabrikam.example", res)
    assert (got.status, got.policy_domain, got.inherited) == ("found", "fabrikam.example", True)
    assert got.from_exists is True
    verdict = evaluate(["mail.fabrikam.example"], "fail", "mail.fabrikam.example", [], got)
    assert (verdict.result, verdict.policy, verdict.policy_tag) == ("fail", "quarantine", "sp")
    assert verdict.disposition == "quarantine"


async def test_nonexistent_subdomain_gets_np(res: Resolver) -> None:
    got = await discover("ghost.fabrikam.example", res)
    assert got.from_exists is False
    verdict = evaluate(["ghost.fabrikam.example"], None, None, [], got)
    assert (verdict.policy, verdict.policy_tag) == ("reject", "np")
    assert any("np= applies" in line for line in verdict.explanation)
    other = evaluate(["fabrikam.example"], None, None, [], got)
    assert any("not fabrikam.example" in w for w in other.warnings)


async def test_empty_non_terminal_counts_as_nonexistent(res: Resolver) -> None:
    got = await discover("a.fabrikam.example", res)  # only deep.a has records
    assert got.from_exists is False


async def test_subdomain_with_its_own_record(res: Resolver) -> None:
    got = await discover("own.fabrikam.example", res)
    assert (got.policy_domain, got.inherited) == ("own.fabrikam.example", False)
    assert got.record is not None and got.record.p == "none"


async def test_multiple_records_mean_none(res: Resolver) -> None:
    got = await discover("contoso.example", res)
    assert got.status == "none" and got.record is None
    assert any("2 DMARC records" in w for w in got.warnings)
    verdict = evaluate(["contoso.example"], "pass", "contoso.example", [], got)
    assert verdict.result == "none"


async def test_no_record_anywhere(res: Resolver) -> None:
    got = await discover("www.nopolicy.example", res)
    assert got.status == "none" and got.policy_domain is None
    names = [a.name for a in got.answers]
    assert names == ["_dmarc.www.nopolicy.example", "_dmarc.nopolicy.example"]
    verdict = evaluate(["www.nopolicy.example"], "pass", "www.nopolicy.example", [], got)
    assert verdict.result == "none" and "_dmarc.nopolicy.example" in verdict.explanation[-1]


async def test_invalid_policy_without_rua_is_no_dmarc(res: Resolver) -> None:
    got = await discover("bad.example", res)
    assert got.status == "none" and got.record is not None and not got.record.valid
    assert any("p=bogus" in w for w in got.warnings)


async def test_servfail_is_temperror(res: Resolver) -> None:
    got = await discover("broken.example", res)
    assert got.status == "temperror"
    assert evaluate(["broken.example"], "pass", "broken.example", [], got).result == "temperror"


async def test_strict_alignment_testing_and_pct(res: Resolver) -> None:
    got = await discover("news.northwind.example", res)
    assert got.record is not None
    warnings = " | ".join(got.warnings)
    assert "unknown tag color=" in warnings and "pct= is removed in DMARCbis" in warnings
    verdict = evaluate(
        ["news.northwind.example"], "pass", "northwind.example",
        [("northwind.example", "pass"), ("esp.example", "pass")], got,
    )  # fmt: skip
    assert verdict.result == "fail"
    assert [c.aligned for c in verdict.checks] == [False, False, False]
    assert verdict.policy == "quarantine" and verdict.disposition == "none"  # t=y softens
    assert verdict.sampling is not None and "pct=25" in verdict.sampling
    assert any("Strict alignment" in line for line in verdict.explanation)


async def test_relaxed_dkim_alignment_passes(res: Resolver) -> None:
    got = await discover("fabrikam.example", res)
    verdict = evaluate(
        ["fabrikam.example"], "pass", "bounces.esp.example",
        [("esp.example", "pass"), ("Mail.Fabrikam.Example", "pass")], got,
    )  # fmt: skip
    assert verdict.result == "pass" and verdict.aligned_by == ("dkim:mail.fabrikam.example",)
    assert verdict.disposition == "none"
    spf = verdict.checks[0]
    assert spf.kind == "spf" and spf.result == "pass" and not spf.aligned


async def test_failed_dkim_does_not_count(res: Resolver) -> None:
    got = await discover("fabrikam.example", res)
    verdict = evaluate(["fabrikam.example"], "softfail", "fabrikam.example",
                       [("fabrikam.example", "fail")], got)  # fmt: skip
    assert verdict.result == "fail" and verdict.disposition == "reject"
    assert verdict.checks[0].aligned and not verdict.checks[0].passes_dmarc


def test_idn_domains_align_in_either_form() -> None:
    assert aligned("mail.xn--bcher-kva.example", "BÜCHER.example", "r")
    assert aligned("bücher.example", "xn--bcher-kva.example", "s")
    assert not aligned("mail.bücher.example", "bücher.example", "s")
    assert not aligned("", "example.com", "r")


def test_several_from_domains_cannot_be_evaluated() -> None:
    verdict = evaluate(["a.example", "b.example"], "pass", "a.example", [], None)
    assert verdict.result == "none" and verdict.from_domain is None
    assert "receivers differ" in " ".join(verdict.explanation)


def test_repeated_from_domain_is_one() -> None:
    verdict = evaluate(["a.example", "A.example."], "pass", "a.example", [], None)
    assert verdict.from_domain == "a.example"
    assert "repeats one domain" in verdict.explanation[0]


def test_missing_from() -> None:
    verdict = evaluate([], "pass", "a.example", [], None)
    assert verdict.result == "none" and "no From address" in verdict.explanation[0]


def test_parse_record_details() -> None:
    rec = parse_record("v=DMARC1; rua=mailto:a@x.example, bogus; fo=1; adkim=x")
    assert rec.p == "none" and rec.valid  # no p= but a usable rua=
    assert rec.rua == ("mailto:a@x.example",) and rec.fo == "1" and rec.adkim == "r"
    assert any("bogus" in w for w in rec.warnings)
    assert any("adkim=x" in w for w in rec.warnings)
    assert not parse_record("v=DMARC1").valid
    assert any("must start" in w for w in parse_record("p=none; v=DMARC1").warnings)


def _corpus_rows() -> list[dict[str, str]]:
    path = CORPUS / "aggregate_records.tsv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.mark.parametrize("row", _corpus_rows(), ids=lambda r: r["file"][:40])
def test_parsedmarc_receivers_agree(row: dict[str, str]) -> None:
    """Receivers' aligned results (policy_evaluated) match our per-identity alignment."""
    text = f"v=DMARC1; p={row['p']}; adkim={row['adkim'] or 'r'}; aspf={row['aspf'] or 'r'}"
    found = DmarcRecordResult(row["header_from"], "found", parse_record(text),
                              row["policy_domain"], row["policy_domain"])  # fmt: skip
    dkim = [tuple(p.split(":")[0::2]) for p in row["auth_dkim"].split(";") if p]
    spf = [p.split(":") for p in row["auth_spf"].split(";") if p]
    verdict = evaluate(
        [row["header_from"]], spf[0][2] if spf else None, spf[0][0] if spf else None,
        [(d, r) for d, r in dkim], found,
    )  # fmt: skip
    dkim_ok = any(c.passes_dmarc for c in verdict.checks if c.kind == "dkim")
    spf_ok = any(c.passes_dmarc for c in verdict.checks if c.kind == "spf")
    assert ("pass" if dkim_ok else "fail") == row["evaluated_dkim"]
    assert ("pass" if spf_ok else "fail") == row["evaluated_spf"]


def test_parsedmarc_corpus_present() -> None:
    if not _corpus_rows():
        pytest.skip(f"parsedmarc corpus not found at {CORPUS}")
    assert len(_corpus_rows()) == 3
