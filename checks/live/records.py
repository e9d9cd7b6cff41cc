"""Live SPF-record and MX checks (a plain fetch; full SPF evaluation lives elsewhere).

The SPF record is read by :func:`mailtriage.checks.auth.spf.record.parse_record`, the
parser the SPF evaluation uses: its ``all`` and its syntax errors, not the last word.
"""

from __future__ import annotations

from mailtriage.checks.auth.spf.macro import SpfSyntaxError
from mailtriage.checks.auth.spf.record import is_spf_record, parse_record
from mailtriage.checks.dns.model import is_null_mx, parse_mx
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.live.model import LiveResult, LiveSpec, lookup_failed


async def run_spf(spec: LiveSpec, resolver: Resolver) -> LiveResult:
    """Fetch the SPF record of ``spec.domain``.

    Args:
        spec: A ``kind="spf"`` spec.
        resolver: The resolver to use.

    Returns:
        found (with a permerror warning when several records exist), missing, or error.
    """
    answer = await resolver.query(spec.domain, "TXT")
    answers = (answer,)
    if not answer.ok:
        return lookup_failed(spec, "SPF", answers)
    if answer.rcode == "NXDOMAIN":
        summary = f"{spec.domain} does not exist (NXDOMAIN), so it has no SPF record"
        return LiveResult(spec, "missing", (), summary, (), answers)
    records = tuple(r for r in answer.records if is_spf_record(r))
    if not records:
        summary = f"no SPF record at {spec.domain}: receivers get SPF result none"
        return LiveResult(spec, "missing", (), summary, (), answers)
    warnings: list[str] = []
    if len(records) > 1:
        warnings.append("more than one SPF record: permerror")
        summary = f"{len(records)} SPF records at {spec.domain}: SPF fails with permerror"
    else:
        summary = f"SPF record: {records[0]}"
    warnings += _record_warnings(records)
    return LiveResult(spec, "found", records, summary[:300], tuple(warnings), answers)


def _record_warnings(records: tuple[str, ...]) -> list[str]:
    """What the SPF parser says is wrong with the records: a syntax error, a ``+all``."""
    warnings: list[str] = []
    plus_all = False
    for text in records:
        try:
            record = parse_record(text)
        except SpfSyntaxError as exc:
            warnings.append(f"the record does not parse ({exc}): SPF fails with permerror"[:300])
            continue
        plus_all = plus_all or (record.catch_all is not None and record.catch_all.qualifier == "+")
    if plus_all:
        warnings.append("the record ends in +all: any host on the internet passes SPF")
    return warnings


async def run_mx(spec: LiveSpec, resolver: Resolver) -> LiveResult:
    """Fetch the MX hosts of ``spec.domain``, sorted by preference.

    Args:
        spec: A ``kind="mx"`` spec.
        resolver: The resolver to use.

    Returns:
        found (records as ``"10 mx.example.com."``, lowest preference first),
        missing (no MX or no such domain), or error.
    """
    answer = await resolver.query(spec.domain, "MX")
    answers = (answer,)
    if not answer.ok:
        return lookup_failed(spec, "MX", answers)
    if answer.rcode == "NXDOMAIN":
        summary = f"no MX: mail falls back to the A record, but {spec.domain} does not exist"
        return LiveResult(spec, "missing", (), summary, (), answers)
    if not answer.records:
        summary = f"no MX: mail falls back to the A record of {spec.domain}"
        return LiveResult(spec, "missing", (), summary, (), answers)
    read = {r: parse_mx(r) for r in answer.records}
    ranked = sorted(answer.records, key=lambda r: (read[r].preference, read[r].host))
    if is_null_mx(tuple(read.values())):
        summary = f"null MX: {spec.domain} says it accepts no mail at all"
        warning = "null MX (RFC 7505): every message to this domain is rejected"
        return LiveResult(spec, "found", tuple(ranked), summary, (warning,), answers)
    hosts = ", ".join(f"{read[r].host} ({read[r].preference})" for r in ranked)
    noun = "host" if len(ranked) == 1 else "hosts"
    summary = f"{len(ranked)} MX {noun}, tried in this order: {hosts}"
    return LiveResult(spec, "found", tuple(ranked), summary[:300], (), answers)
