"""Findings from one sample and the most likely layer."""

from __future__ import annotations

from pathlib import Path

import pytest
from mailtriage.checks.analysis import analyse
from mailtriage.checks.auth.dmarc.align import aligned
from mailtriage.checks.findings import Finding, likely_layer, org_domain
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.model import Sample

DEMO = Path(__file__).resolve().parents[1] / "tui" / "demo"
HEAD = (
    "From: Ann <ann@fabrikam.example>\nTo: bob@northwind.example\nSubject: hello\n"
    "Date: Mon, 23 Nov 2026 09:00:00 +0000\n"
)


def _sample(extra: str, message_id: bool = True) -> Sample:
    mid = "Message-ID: <1@fabrikam.example>\n" if message_id else ""
    return load_bytes((HEAD + mid + extra.rstrip("\n") + "\n\nbody\n").encode(), "test")


def _titles(found: tuple[Finding, ...]) -> list[str]:
    return [f.title for f in found]


def test_blocked_demo_findings() -> None:
    found = analyse(load_path(DEMO / "blocked.eml")).findings
    by_title = {f.title: f for f in found}
    dmarc = next(f for t, f in by_title.items() if t.startswith("DMARC failed for fabrikam."))
    # Which identities passed and that none aligns even in relaxed mode (a third party's d=).
    assert "only another domain passed" in dmarc.title and "relaxed" in dmarc.title
    assert dmarc.severity == "high" and dmarc.layer == "authentication"
    assert "dmarc=fail (p=quarantine dis=quarantine)" in dmarc.evidence
    assert dmarc.next_step
    assert "SPF passed for bounce@billingcloud.example, not fabrikam.example" in by_title
    assert "DKIM passed for d=billingcloud.example, not fabrikam.example" in by_title
    assert any(f.layer == "quarantine/release" and "quarantine_dmarc" in f.evidence for f in found)
    assert [f.severity for f in found] == sorted(
        (f.severity for f in found), key=["high", "medium", "low", "info"].index
    )
    assert likely_layer(found) == "authentication"


def test_delivered_demo_has_only_the_gateway_note() -> None:
    found = analyse(load_path(DEMO / "delivered.eml")).findings
    assert [(f.layer, f.severity) for f in found] == [("routing/connector", "info")]
    assert "Proofpoint" in found[0].title
    assert "192.0.2.18" in found[0].evidence
    assert likely_layer(found) is None


def test_missing_message_id_and_no_auth_results() -> None:
    found = analyse(_sample("X-Mailer: x", message_id=False)).findings
    titles = _titles(found)
    assert "No Message-ID" in titles
    assert "Authentication not recorded" in titles
    assert likely_layer(found) == "authentication"


def test_a_missing_message_id_alone_names_no_layer() -> None:
    """RFC 5322 §3.6.4 only recommends Message-ID: its absence makes tracing harder but is
    not a filter's verdict, so a delivered copy without one is not pointed at a layer."""
    ar = (
        "Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=fabrikam.example;"
        " dmarc=pass header.from=fabrikam.example"
    )
    found = analyse(_sample(ar, message_id=False)).findings
    assert "No Message-ID" in _titles(found)
    assert likely_layer(found) is None


def test_aligned_results_give_no_alignment_findings() -> None:
    ar = (
        "Authentication-Results: mx.northwind.example; spf=pass "
        "smtp.mailfrom=bounce@mail.fabrikam.example; dkim=pass header.d=fabrikam.example; "
        "dmarc=pass header.from=fabrikam.example"
    )
    assert analyse(_sample(ar)).findings == ()


def test_one_aligned_dkim_signature_is_enough() -> None:
    ar = (
        "Authentication-Results: mx.northwind.example; dkim=pass header.d=esp.example; "
        "dkim=pass header.i=@fabrikam.example; dmarc=pass header.from=fabrikam.example"
    )
    assert not any("DKIM passed" in t for t in _titles(analyse(_sample(ar)).findings))


def test_compauth_fail_is_reported() -> None:
    ar = (
        "Authentication-Results: spf=none (sender IP is 198.51.100.7) "
        "smtp.mailfrom=fabrikam.example; dkim=none (message not signed) header.d=none;"
        "dmarc=none action=none header.from=fabrikam.example;compauth=fail reason=001"
    )
    found = analyse(_sample(ar)).findings
    assert _titles(found) == ["Microsoft composite authentication failed"]


def test_hostile_sample_does_not_crash() -> None:
    junk = "Authentication-Results: \x1b[2J; dmarc=fail\x00 header.from=\u202eevil\n"
    found = analyse(load_bytes((junk * 50 + "\n\n").encode(), "junk")).findings
    assert found
    for f in found:
        assert "\x1b" not in f.evidence and "\u202e" not in f.evidence
        assert len(f.evidence) <= 240


@pytest.mark.parametrize(
    ("domain", "frm", "ok"),
    [
        ("bounce.fabrikam.example", "fabrikam.example", True),
        ("fabrikam.example", "mail.fabrikam.example", True),
        ("billingcloud.example", "fabrikam.example", False),
        ("a.co.uk", "b.co.uk", False),
        (None, "fabrikam.example", False),
        ("fabrikam.example", None, False),
    ],
)
def test_alignment(domain: str | None, frm: str | None, ok: bool) -> None:
    """findings uses the DMARC evaluation's aligned(), relaxed when no record is known."""
    assert aligned(domain, frm) is ok


def test_unicode_from_aligns_with_punycode_dkim_domain() -> None:
    """RFC 7489 section 3.1 compares domains; IDNs in U-label and A-label form are one domain.

    findings had its own alignment test without IDN handling and reported this
    signature as not aligned, while the DMARC evaluation called it aligned.
    """
    ar = (
        "Authentication-Results: mx.northwind.example; dkim=pass header.d=xn--bcher-kva.example; "
        "dmarc=pass header.from=xn--bcher-kva.example"
    )
    head = HEAD.replace("ann@fabrikam.example", "ann@bücher.example")
    raw = head + "Message-ID: <1@fabrikam.example>\n" + ar + "\n\nbody\n"
    sample = load_bytes(raw.encode(), "test")
    assert sample.from_domain == "bücher.example"
    assert not any("DKIM passed" in t for t in _titles(analyse(sample).findings))


def test_org_domain() -> None:
    assert org_domain("Mail.Fabrikam.Example.") == "fabrikam.example"
    assert org_domain("") == ""


def test_likely_layer_weights_and_ties() -> None:
    def f(layer: str, sev: str) -> Finding:
        return Finding(layer, sev, "t", "e", "n")

    assert likely_layer(()) is None
    assert likely_layer((f("verdict", "info"),)) is None
    assert likely_layer((f("quarantine/release", "high"), f("authentication", "high"))) == (
        "authentication"
    )
    assert likely_layer((f("identity", "low"), f("identity", "low"), f("policy", "low"))) == (
        "identity"
    )


def test_every_report_that_is_no_failure_has_a_title() -> None:
    """One set of categories that tell of no failure (bounce.model), titled by the findings."""
    from mailtriage.checks.bounce.categories import NOT_FAILURES
    from mailtriage.checks.findings import NOT_FAILURE_TITLES

    assert set(NOT_FAILURE_TITLES) == NOT_FAILURES
