"""Live DMARC policy check, with the organizational-domain fallback of RFC 7489."""

from __future__ import annotations

from mailtriage.checks.auth.dmarc.record import is_dmarc_record
from mailtriage.checks.dns.resolver import DnsAnswer, Resolver
from mailtriage.checks.live.model import LiveResult, LiveSpec, lookup_failed
from mailtriage.checks.psl import org_domain
from mailtriage.checks.taglist import TagList, parse_tags

_KNOWN = {"v", "p", "sp", "pct", "rua", "ruf", "adkim", "aspf", "fo", "rf", "ri", "np", "psd", "t"}
_POLICIES = ("none", "quarantine", "reject")
_ALIGN = {"r": "relaxed", "s": "strict"}


async def run_dmarc(spec: LiveSpec, resolver: Resolver) -> LiveResult:
    """Fetch and explain the DMARC policy that applies to ``spec.domain``.

    Args:
        spec: A ``kind="dmarc"`` spec.
        resolver: The resolver to use.

    Returns:
        found (summary with policy, pct, alignment, reports), missing, or error.
    """
    answer = await resolver.query(f"_dmarc.{spec.domain}", "TXT")
    answers: tuple[DnsAnswer, ...] = (answer,)
    if not answer.ok:
        return lookup_failed(spec, "DMARC", answers)
    source = spec.domain
    records = tuple(r for r in answer.records if is_dmarc_record(r))
    org = org_domain(spec.domain) if not records else None  # the PSL only when needed
    if not records and org and org != spec.domain:
        answer = await resolver.query(f"_dmarc.{org}", "TXT")
        answers += (answer,)
        if not answer.ok:
            return lookup_failed(spec, "DMARC", answers)
        source = org
        records = tuple(r for r in answer.records if is_dmarc_record(r))
    if not records:
        where = f"_dmarc.{spec.domain}" + (f" or _dmarc.{org}" if source != spec.domain else "")
        summary = f"no DMARC record at {where}: no DMARC policy applies"
        return LiveResult(spec, "missing", (), summary, (), answers)
    tags = parse_tags(records[0], lower_names=True)
    warnings = [f"DMARC record: {p}" for p in tags.problems]
    if len(records) > 1:
        warnings.append(f"more than one DMARC record at _dmarc.{source}: receivers ignore them all")
    summary = _explain(tags, inherited=source if source != spec.domain else None, warn=warnings)
    return LiveResult(spec, "found", records, summary[:300], tuple(warnings), answers)


def _explain(tags: TagList, *, inherited: str | None, warn: list[str]) -> str:
    """Build the one-line summary and append tag problems to ``warn``."""
    for name in tags.names:
        if name not in _KNOWN:
            warn.append(f"unknown DMARC tag {name}= (ignored by receivers)")
    if tags.names[:1] != ("v",):
        warn.append("v=DMARC1 must be the first tag")
    p = _choice(tags, "p", _POLICIES, None, warn)
    if p is None:
        warn.append("no valid p= tag: the record is invalid (often treated as p=none)")
        p = "none"
    sp = _choice(tags, "sp", _POLICIES, None, warn)
    pct_text = tags.get("pct", "100") or ""
    pct = int(pct_text) if pct_text.isdigit() and int(pct_text) <= 100 else 100
    if pct_text != str(pct):
        warn.append(f"pct={pct_text} is not a whole number from 0 to 100 (100 used)")
    adkim = _choice(tags, "adkim", tuple(_ALIGN), "r", warn)
    aspf = _choice(tags, "aspf", tuple(_ALIGN), "r", warn)
    if inherited is None:
        parts = [f"policy {p}"]
    elif sp is not None:
        parts = [f"inherited from {inherited}: subdomain policy sp={sp}"]
    else:
        parts = [f"inherited from {inherited}: policy {p} (no sp=)"]
    if pct != 100:
        parts.append(f"applied to {pct}% of failing mail")
    parts.append(f"DKIM alignment {_ALIGN[adkim or 'r']}, SPF alignment {_ALIGN[aspf or 'r']}")
    rua = tags.get("rua")
    parts.append(f"reports to {rua}" if rua else "no aggregate reports (no rua=)")
    return "DMARC " + "; ".join(parts)


def _choice(
    tags: TagList, name: str, allowed: tuple[str, ...], default: str | None, warn: list[str]
) -> str | None:
    value = tags.get(name)
    if value is None:
        return default
    if value.lower() in allowed:
        return value.lower()
    warn.append(f"{name}={value[:40]} is not one of {'/'.join(allowed)} (ignored)")
    return default
