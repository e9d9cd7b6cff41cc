"""Guard rails (checks.guardrails): the narrowest exception, and warnings on broad ones.

Written from the guide "Proofpoint allowlist fixes one recipient but not a shared
mailbox workflow" (shared/seeds/000: "Avoid allowlisting a whole domain for one
false positive"; "Use narrow exceptions based on sender, recipient, and verdict
evidence"; "Broad bypasses, domain allows, and policy weakening need security
approval and a clear sample-backed reason"), and for the consoles from Microsoft
Learn "Allow or block email using the Tenant Allow/Block List"
(https://learn.microsoft.com/en-us/defender-office-365/tenant-allow-block-list-email-spoof-configure),
"Use mail flow rules to set the spam confidence level (SCL) in messages"
(https://learn.microsoft.com/en-us/exchange/security-and-compliance/mail-flow-rules/use-rules-to-set-scl)
and "Anti-spam message headers in Microsoft 365" (the SFV table,
https://learn.microsoft.com/en-us/defender-office-365/message-headers-eop-mdo).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mailtriage.checks.analysis import Analysis, analyse
from mailtriage.checks.guardrails import (
    WARNINGS,
    ExceptionProposal,
    NoException,
    broad_allow_warnings,
    narrowest_exception,
)
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.suspect import Comparison, suspect

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "fixtures" / "pairs"
HELDOUT = ROOT / "tests" / "fixtures" / "pairs-heldout"


def _pair(folder: Path) -> tuple[list[Analysis], Comparison]:
    a = analyse(load_path(folder / "a.eml"))
    b = analyse(load_path(folder / "b.eml"))
    return [a, b], suspect(a, b)


def test_proofpoint_policy_hold_gives_sender_recipient_and_rule() -> None:
    """Pair 04 (seeds/000): the shared mailbox ap@ held by the finance policy route."""
    proposal = narrowest_exception(*_pair(PAIRS / "04-proofpoint-policy-route-shared-mailbox"))
    assert isinstance(proposal, ExceptionProposal)
    assert proposal.sender == "billing@meridian-office.example"
    assert proposal.recipient == "ap@alderfinch.example"
    assert proposal.vendor == "Proofpoint"
    assert "rule=finance_spam" in proposal.verdict and "policy=finance" in proposal.verdict
    assert proposal.evidence.startswith("A: X-Proofpoint-Spam-Details: rule=finance_spam")
    assert "safe-sender entry for this one address" in proposal.rule_type
    text = proposal.text
    assert "allow billing@meridian-office.example to ap@alderfinch.example only" in text
    # Never the whole domain: no bare domain or wildcard is proposed.
    assert "*@" not in text and " meridian-office.example" not in text
    assert broad_allow_warnings(text) == ()


def test_microsoft_phish_maps_to_the_tenant_allow_block_list_and_says_confirm_first() -> None:
    proposal = narrowest_exception(*_pair(PAIRS / "07-eop-phish-verdict"))
    assert isinstance(proposal, ExceptionProposal)
    assert proposal.vendor == "Microsoft" and "Tenant Allow/Block List" in proposal.console
    assert proposal.verdict == "Microsoft phish (SFV=SPM CAT=PHSH)"
    assert proposal.evidence.startswith("A: X-Forefront-Antispam-Report:")
    assert "confirm with the sender" in proposal.caveat


def test_mimecast_impersonation_maps_to_permitted_senders() -> None:
    proposal = narrowest_exception(*_pair(HELDOUT / "03-mimecast-impersonation-hold"))
    assert isinstance(proposal, ExceptionProposal)
    assert proposal.vendor == "Mimecast" and "Permitted Senders policy" in proposal.rule_type
    assert proposal.caveat


def test_google_spam_maps_to_an_approved_senders_list() -> None:
    proposal = narrowest_exception(*_pair(HELDOUT / "09-google-reroute-x-gm-spam"))
    assert isinstance(proposal, ExceptionProposal)
    assert proposal.vendor == "Google" and "approved-senders list" in proposal.rule_type


@pytest.mark.parametrize(
    ("folder", "needle"),
    [
        (PAIRS / "01-esp-dkim-unaligned-dmarc-fail", "fix the sender's SPF, DKIM or DMARC"),
        (PAIRS / "09-direct-to-eop-bypass", "fix the connector or MX path"),
        (PAIRS / "03-spf-fail-red-herring-inbox-rule", "user's rules"),
        (PAIRS / "05-eop-transport-rule-sks", "a mail flow rule (SFV:SKS)"),
        (HELDOUT / "05-eop-antispam-policy-blocked-domain-skb", "(SFV:SKB)"),
        (PAIRS / "14-google-identical-delivered", "No verdict header"),
    ],
)
def test_no_exception_where_one_is_the_wrong_fix(folder: Path, needle: str) -> None:
    found = narrowest_exception(*_pair(folder))
    assert isinstance(found, NoException) and needle in found.reason


def test_no_exception_without_both_addresses_or_without_samples() -> None:
    raw = b"X-Proofpoint-Spam-Details: rule=spam policy=default score=90\nSubject: x\n\n"
    found = narrowest_exception([analyse(load_bytes(raw, "p"))])
    assert isinstance(found, NoException) and "sender and its recipient" in found.reason
    assert isinstance(narrowest_exception([]), NoException)


# Warnings over free text.


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("allowlist the domain", "domain-allow"),
        ("Allowlist the domain for now", "domain-allow"),
        ("whitelist *@contoso.com", "domain-allow"),
        ("add the domain to the allowed senders list", "domain-allow"),
        ("Added @contoso.com to the safe senders", "domain-allow"),
        ("Allow contoso.com in the anti-spam policy", "domain-allow"),
        ("sender domain contoso.com was allowlisted", "domain-allow"),
        ("allow all mail from SendGrid", "service-allow"),
        ("allowlisted the Amazon SES IP ranges", "service-allow"),
        ("Trust all of Google", "service-allow"),
        ("set SCL to -1", "scl-bypass"),
        ("Transport rule: SCL=-1 for this sender", "scl-bypass"),
        ("Set the spam confidence level to -1", "scl-bypass"),
        ("bypass spam filtering", "scl-bypass"),
        ("disable the anti-phishing policy", "policy-bypass"),
        ("We turned off impersonation protection", "policy-bypass"),
        ("policy bypass for the finance team", "policy-bypass"),
    ],
)
def test_broad_exceptions_warn(text: str, kind: str) -> None:
    found = broad_allow_warnings(text)
    assert [w.kind for w in found] == [kind]
    (w,) = found
    assert w.quote and w.quote.lower() in text.lower()
    assert "approval from security" in w.warning and "blocked samples" in w.warning


@pytest.mark.parametrize(
    "text",
    [
        "allow the single address a@b",
        "allow a@b.example to c@d.example",
        "blocked domain",
        "The sender's domain is blocked by the tenant",
        "released the message",
        "allowed the user's address j.doe@contoso.com",
        "Do not allow a whole domain to fix one false positive",
        "Avoid allowlisting a whole domain for one false positive.",
        "Allow time for the domain's DNS to propagate",
        "allow up to 60 minutes for the new domain",
        "",
    ],
)
def test_narrow_or_negated_text_does_not_warn(text: str) -> None:
    assert broad_allow_warnings(text) == ()


def test_one_warning_per_kind_and_the_words_are_quotable() -> None:
    text = "Allowlist the domain; set SCL to -1. Also allowlist the domain contoso.com."
    found = broad_allow_warnings(text)
    assert [w.kind for w in found] == ["scl-bypass", "domain-allow"]
    for w in WARNINGS.values():
        assert "\n" not in w and w.endswith(".") and "security" in w


def test_hostile_text_is_quoted_escaped() -> None:
    (w,) = broad_allow_warnings("allowlist the \x1b[31m domain")
    assert "\x1b" not in w.quote and "\\x1b" in w.quote


def test_long_text_is_read_in_linear_time() -> None:
    text = "allow " * 20_000 + "x"
    assert broad_allow_warnings(text) == ()
