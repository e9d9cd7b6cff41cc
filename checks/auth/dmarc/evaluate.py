"""DMARC evaluation from plain SPF/DKIM results (RFC 7489 sections 3.1 and 6.6).

Nothing here computes SPF or DKIM: callers pass the outcomes (from
Authentication-Results headers or from a live check), so this module stays
independent of how they were obtained. Policy selection and the plain-language
wording live here too; identifier alignment is
:func:`mailtriage.checks.auth.dmarc.align.aligned`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mailtriage.checks.auth.dmarc.align import aligned, norm
from mailtriage.checks.auth.dmarc.record import DmarcRecord, DmarcRecordResult

Result = Literal["pass", "fail", "none", "temperror"]

_SOFTER = {"reject": "quarantine", "quarantine": "none", "none": "none"}


@dataclass(frozen=True)
class IdentityCheck:
    """One authenticated identity compared with the From domain.

    Attributes:
        kind: ``"spf"`` or ``"dkim"``.
        domain: The SPF MAIL FROM domain or the DKIM ``d=`` domain.
        result: Its SPF or DKIM result as given (lower-case).
        aligned: True when the domain aligns with the From domain in the record's mode.
        passes_dmarc: True when the result is ``pass`` and the domain aligns.
        note: Why it does or does not count, in plain words.
    """

    kind: str
    domain: str
    result: str
    aligned: bool
    passes_dmarc: bool
    note: str


@dataclass(frozen=True)
class DmarcVerdict:
    """The DMARC outcome for one message.

    Attributes:
        result: ``"pass"`` (an aligned SPF or DKIM pass), ``"fail"``, ``"none"``
            (no usable policy, or no single From domain), ``"temperror"`` (DNS
            failure while looking for the record).
        from_domain: The From domain evaluated, or ``None``.
        checks: Every SPF/DKIM identity and how it compared.
        aligned_by: The identities that made DMARC pass, e.g. ``("dkim:example.com",)``.
        policy: The policy the domain asks for (``none``/``quarantine``/``reject``), if any.
        policy_tag: Which tag supplied it: ``"p"``, ``"sp"`` or ``"np"``.
        policy_domain: The domain whose record was used.
        disposition: What a receiver following the policy does with this message:
            ``"none"`` on pass; on fail the policy (one step softer with ``t=y``).
        sampling: A note on ``pct=`` below 100, else ``None``.
        explanation: Plain-language lines for the technician.
        warnings: Record and discovery warnings plus evaluation caveats.
    """

    result: Result
    from_domain: str | None
    checks: tuple[IdentityCheck, ...] = ()
    aligned_by: tuple[str, ...] = ()
    policy: str | None = None
    policy_tag: str | None = None
    policy_domain: str | None = None
    disposition: str = "none"
    sampling: str | None = None
    explanation: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def evaluate(
    from_header_domains: Sequence[str],
    spf_result: str | None,
    spf_domain: str | None,
    dkim_results: Sequence[tuple[str, str]],
    record: DmarcRecordResult | None,
) -> DmarcVerdict:
    """Evaluate DMARC for a message.

    Args:
        from_header_domains: The domain of every address in the From header(s).
        spf_result: SPF result (``pass``, ``fail``, ``softfail``...) or ``None`` if unknown.
        spf_domain: The domain SPF checked (MAIL FROM, or HELO for bounces).
        dkim_results: ``(d= domain, result)`` for every DKIM signature.
        record: Discovery result for the From domain (``None`` = not looked up).

    Returns:
        The verdict; never raises.
    """
    domains = list(dict.fromkeys(norm(d) for d in from_header_domains if norm(d)))
    if not domains:
        return DmarcVerdict("none", None, explanation=(
            "The message has no From address with a domain, so DMARC has nothing to check.",
            "RFC 5322 requires a From header; many receivers reject such mail outright.",
        ))  # fmt: skip
    if len(domains) > 1:
        return DmarcVerdict("none", None, explanation=(
            f"The From header names several domains ({', '.join(domains)}).",
            "DMARC cannot be evaluated cleanly: receivers differ (some reject the "
            "message, some check every domain and apply the strictest policy, some skip DMARC).",
        ))  # fmt: skip
    from_domain = domains[0]
    extra = ("The From header repeats one domain; it is evaluated once.",) * (
        len([d for d in from_header_domains if norm(d)]) > 1
    )
    if record is None or record.status != "found" or record.record is None:
        return _no_policy(from_domain, record, extra)
    rec = record.record
    checks = [_check("spf", spf_domain, spf_result, from_domain, rec.aspf)]
    checks += [_check("dkim", d, r, from_domain, rec.adkim) for d, r in dkim_results]
    if not dkim_results:
        checks.append(IdentityCheck("dkim", "", "none", False, False, "no DKIM signature"))
    passing = tuple(f"{c.kind}:{c.domain}" for c in checks if c.passes_dmarc)
    policy, tag = policy_for(record)
    result: Result = "pass" if passing else "fail"
    lines = list(extra)
    warnings = record.warnings
    if norm(record.from_domain) != from_domain:
        warnings += (f"the DMARC record was looked up for {record.from_domain}, not {from_domain}",)
    if tag == "np":
        lines.append(f"{from_domain} has no A, AAAA or MX record: DMARCbis np= applies.")
    sampling = None
    if passing:
        lines.append(f"DMARC passes: aligned {' and '.join(passing)}.")
        disposition = "none"
    else:
        lines += explain_fail(checks, from_domain, rec)
        disposition = softened(policy) if rec.testing else policy
        if rec.testing:
            lines.append(f"t=y (testing): receivers apply {disposition} instead of {policy}.")
        if rec.pct < 100 and policy != "none":
            sampling = (
                f"pct={rec.pct}: {policy} applies to {rec.pct}% of failing mail; the rest "
                f"gets {softened(policy)} (RFC 7489; DMARCbis drops pct)."
            )
            lines.append(sampling)
        lines.append(f"Policy {tag}={policy} from {record.policy_domain}: receiver action "
                     f"{disposition}.")  # fmt: skip
    return DmarcVerdict(
        result, from_domain, tuple(checks), passing, policy, tag, record.policy_domain,
        disposition, sampling, tuple(lines), warnings,
    )  # fmt: skip


def _no_policy(
    from_domain: str, record: DmarcRecordResult | None, extra: tuple[str, ...]
) -> DmarcVerdict:
    if record is None:
        return DmarcVerdict(
            "none", from_domain, explanation=(*extra, "The DMARC record was not looked up.")
        )
    if record.status == "temperror":
        line = "The DMARC record could not be fetched (DNS failure); receivers may defer the mail."
        return DmarcVerdict(
            "temperror", from_domain, warnings=record.warnings, explanation=(*extra, line)
        )
    where = [record.policy_domain or from_domain]
    if record.org_domain and record.org_domain not in where:
        where.append(record.org_domain)
    line = (
        f"No usable DMARC policy for {from_domain} (looked at _dmarc."
        f"{' and _dmarc.'.join(where)}): receivers apply no DMARC policy."
    )
    return DmarcVerdict(
        "none", from_domain, policy_domain=record.policy_domain, warnings=record.warnings,
        explanation=(*extra, line),
    )  # fmt: skip


def _check(kind: str, domain: str | None, result: str | None, from_domain: str, mode: str
           ) -> IdentityCheck:  # fmt: skip
    res, dom = (result or "none").lower(), norm(domain or "")
    name = "SPF" if kind == "spf" else "DKIM"
    label = dom if kind == "spf" else f"d={dom}"
    if not dom:
        return IdentityCheck(kind, "", res, False, False, f"no {name} domain known")
    ok = aligned(dom, from_domain, mode)
    how = "strict" if mode == "s" else "relaxed"
    if res != "pass":
        note = f"{name} {res} for {label}: only a {name} pass counts"
    elif ok:
        note = f"{name} pass for {label}, aligned with {from_domain} ({how})"
    else:
        note = f"{name} pass for {label}, but it does not align with {from_domain} ({how})"
    return IdentityCheck(kind, dom, res, ok, ok and res == "pass", note)


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
