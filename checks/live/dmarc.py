"""Live DMARC policy check, with the organizational-domain fallback of RFC 7489.

The record is found by :func:`mailtriage.checks.auth.dmarc.discover.locate` and
read by :func:`mailtriage.checks.auth.dmarc.record.parse_record`, the same code
the DMARC evaluation uses; this module only words the outcome as a live row.
"""

from __future__ import annotations

from mailtriage.checks.auth.dmarc.discover import locate
from mailtriage.checks.auth.dmarc.record import DmarcRecord, DmarcRecordResult, is_dmarc_record
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.live.model import LiveResult, LiveSpec, lookup_failed

_ALIGN = {"r": "relaxed", "s": "strict"}


async def run_dmarc(spec: LiveSpec, resolver: Resolver) -> LiveResult:
    """Fetch and explain the DMARC policy that applies to ``spec.domain``.

    Args:
        spec: A ``kind="dmarc"`` spec.
        resolver: The resolver to use.

    Returns:
        found (summary with policy, pct, alignment, reports); missing (no record,
        several records or an unusable one: no DMARC policy applies); or error.
    """
    found = await locate(spec.domain, resolver)
    answers = found.answers
    if found.status == "temperror":
        return lookup_failed(spec, "DMARC", answers)
    warnings = found.warnings
    if found.status == "found" and found.record is not None:
        summary = _explain(found.record, inherited=found.policy_domain if found.inherited else None)
        return LiveResult(spec, "found", (found.record.raw,), summary[:300], warnings, answers)
    return LiveResult(spec, "missing", (), _why_none(found)[:300], warnings, answers)


def _why_none(found: DmarcRecordResult) -> str:
    """The summary when no policy applies (RFC 7489 section 6.6.3)."""
    where = found.policy_domain
    if where is None:
        asked = f"_dmarc.{found.from_domain}"
        if found.org_domain and found.org_domain != found.from_domain:
            asked += f" or _dmarc.{found.org_domain}"
        return f"no DMARC record at {asked}: no DMARC policy applies"
    if found.record is not None:
        return (
            f"the DMARC record at _dmarc.{where} has no valid p= and no rua=: "
            "no DMARC policy applies"
        )
    count = sum(is_dmarc_record(r) for r in found.answers[-1].records)
    return (
        f"{count} DMARC records at _dmarc.{where}: receivers use none, so no DMARC policy applies"
    )


def _explain(record: DmarcRecord, *, inherited: str | None) -> str:
    """The one-line summary of a record that applies."""
    p = record.p or "none"
    if inherited is None:
        parts = [f"policy {p}"]
    elif record.sp is not None:
        parts = [f"inherited from {inherited}: subdomain policy sp={record.sp}"]
    else:
        parts = [f"inherited from {inherited}: policy {p} (no sp=)"]
    if record.pct != 100:
        parts.append(f"applied to {record.pct}% of failing mail")
    parts.append(f"DKIM alignment {_ALIGN[record.adkim]}, SPF alignment {_ALIGN[record.aspf]}")
    rua = ",".join(record.rua)
    parts.append(f"reports to {rua}" if rua else "no aggregate reports (no rua=)")
    return "DMARC " + "; ".join(parts)
