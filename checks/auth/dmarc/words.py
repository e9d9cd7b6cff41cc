"""Identifier alignment, policy selection and plain-language wording for DMARC."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mailtriage.checks.auth.dmarc.record import DmarcRecord, DmarcRecordResult
from mailtriage.checks.psl import org_domain

if TYPE_CHECKING:
    from mailtriage.checks.auth.dmarc.evaluate import IdentityCheck

_SOFTER = {"reject": "quarantine", "quarantine": "none", "none": "none"}


def aligned(domain: str, from_domain: str, mode: str) -> bool:
    """True when ``domain`` aligns with ``from_domain``: equal (``"s"``) or same org domain."""
    a, b = _ascii(norm(domain)), _ascii(norm(from_domain))
    if not a or not b:
        return False
    if a == b:
        return True
    if mode == "s":
        return False
    org = org_domain(a)
    return org is not None and org == org_domain(b)


def softened(policy: str) -> str:
    """The next less strict policy (what ``pct`` sampling and ``t=y`` fall back to)."""
    return _SOFTER.get(policy, "none")


def policy_for(found: DmarcRecordResult) -> tuple[str, str]:
    """Return ``(policy, tag)`` that applies to the From domain of ``found``.

    The From domain's own record gives ``p``. A record inherited from the
    organizational domain gives ``sp`` (else ``p``); DMARCbis adds ``np`` for a
    From domain that does not exist (no A, AAAA or MX), falling back to ``sp``/``p``.

    Args:
        found: A discovery result with ``status == "found"``.
    """
    rec = found.record
    if rec is None:
        return "none", "p"
    if found.inherited:
        if found.from_exists is False and rec.np is not None:
            return rec.np, "np"
        if rec.sp is not None:
            return rec.sp, "sp"
    return rec.p or "none", "p"


def explain_fail(checks: Sequence[IdentityCheck], from_domain: str, rec: DmarcRecord) -> list[str]:
    """Plain-language lines on why no identity made DMARC pass."""
    lines = [f"DMARC fails for {from_domain}: neither SPF nor DKIM passed with an aligned domain."]
    lines += [f"- {c.note}." for c in checks]
    near = [c for c in checks if c.result == "pass" and not c.aligned and c.domain]
    if near:
        modes = {"spf": rec.aspf, "dkim": rec.adkim}
        strict = [c for c in near if modes[c.kind] == "s"]
        if strict:
            lines.append(
                "Strict alignment is set (adkim/aspf=s): a subdomain of the From domain "
                "is not enough, the domains must match exactly."
            )
        else:
            lines.append(
                "A passing identity belongs to another organization (typical of a bulk "
                "sender or a forwarder): sign with d=" + from_domain + " or use a return "
                "path under it."
            )
    return lines


def norm(domain: str) -> str:
    """Lower-case, without surrounding spaces or a final dot."""
    return domain.strip().rstrip(".").lower()


def _ascii(domain: str) -> str:
    """The A-label (punycode) form, so a Unicode From aligns with an ``xn--`` d=."""
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain
