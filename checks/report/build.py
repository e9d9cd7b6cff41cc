"""The ``mailtriage report`` object: one JSON-ready dict per sample.

The keys are the scripting interface documented in the README. Later work adds
keys; existing keys keep their meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Any

from mailtriage.checks.analysis import Analysis
from mailtriage.checks.findings import Finding
from mailtriage.checks.model import Address, AuthResults
from mailtriage.checks.report.bounce import bounce_dict
from mailtriage.checks.report.hops import hop_dicts, timeline_dict

if TYPE_CHECKING:  # the live modules load dnspython and dkimpy: only when a lookup is due
    from mailtriage.checks.dns.resolver import QueryLogEntry, Resolver
    from mailtriage.checks.live.around import Around
    from mailtriage.checks.live.model import LiveResult, LiveSpec


def _addr(a: Address) -> dict[str, str]:
    return {"name": a.display, "address": a.addr}


def _recorded(r: AuthResults) -> dict[str, Any]:
    return {
        "header": r.header,
        "authserv_id": r.authserv_id,
        "instance": r.instance,
        "methods": [
            {
                "method": m.method,
                "result": m.result,
                "reason": m.reason,
                "properties": {k: v for k, v in m.props},
            }
            for m in r.methods
        ],
        "problems": [p.message for p in r.problems],
    }


_FINDING_KEYS = tuple(f.name for f in fields(Finding))


def _finding(f: Finding) -> dict[str, Any]:
    # What dataclasses.asdict gives for these flat records, without its deep-copying walk.
    return {k: getattr(f, k) for k in _FINDING_KEYS}


def _log(e: QueryLogEntry) -> dict[str, Any]:
    return {
        "name": e.name,
        "type": e.rdtype,
        "rcode": e.rcode,
        "answers": list(e.answers),
        "rtt_ms": round(e.rtt_ms, 1),
        "error": e.error,
        "cached": e.cached,
    }


def offline_report(a: Analysis) -> dict[str, Any]:
    """Build the report of one analysed sample without any DNS.

    Args:
        a: The sample's offline analysis.

    Returns:
        A JSON-serialisable dict (``auth.live`` is ``None`` and ``dns_log`` empty).
    """
    s = a.sample
    hops: list[dict[str, Any]] = hop_dicts(a)
    return {
        "source": s.source,
        "message_id": s.message_id,
        "subject": s.subject,
        "from": [_addr(x) for x in s.from_],
        "to": [_addr(x) for x in s.to],
        "date": s.date.isoformat() if s.date else None,
        "envelope_from": s.envelope_from,
        "connecting_ip": a.connecting_ip,
        "auth": {"recorded": [_recorded(r) for r in a.recorded], "live": None},
        "hops": hops,
        "timeline": timeline_dict(a.timeline),
        "verdicts": [
            {
                "vendor": v.vendor,
                "header": v.name,
                "raw": v.raw,
                "verdict": v.verdict,
                "meaning": v.meaning,
                "fields": [
                    {"key": f.key, "value": f.value, "meaning": f.meaning} for f in v.fields
                ],
            }
            for v in a.verdicts
        ],
        "quarantine": a.quarantine,
        "bounce": bounce_dict(a.bounce),
        "dns_log": [],
        "findings": [_finding(f) for f in a.findings],
        "likely_layer": a.layer,
        "problems": [{"where": p.where, "message": p.message} for p in s.problems],
    }


def _around(x: Around) -> dict[str, Any]:
    rev, mx = x.reverse, x.mx
    return {
        "reverse": None if rev is None else {
            "ip": rev.ip, "status": rev.status, "ptr": list(rev.ptr_names),
            "forward_confirmed": rev.fcrdns, "summary": rev.summary},
        "mx": None if mx is None else {
            "domain": mx.domain, "status": mx.status,
            "hosts": [{"preference": p, "host": h} for p, h in mx.mx_hosts],
            "gateway_matches": mx.matched, "summary": mx.summary},
        "dnsbl": [{"zone": d.zone, "status": d.status, "codes": list(d.codes),
                   "meanings": list(d.meanings), "reason": d.reason} for d in x.dnsbl],
        "notes": list(x.notes),
    }  # fmt: skip


async def full_report(
    a: Analysis, resolver: Resolver | None, dnsbl_zones: Sequence[str] = ()
) -> dict[str, Any]:
    """Build the report, adding live DNS results unless ``resolver`` is ``None``.

    ``auth.agreement`` compares the boundary gateway's recorded verdicts with the
    live re-check (``auth.live_eval``: SPF for the connecting IP, DKIM, ARC and
    DMARC evaluated now), per method. ``auth.live`` maps each check kind (``spf``,
    ``dmarc``, ``dkim``, ``mx``) to a list of results, one per domain (and
    selector) checked. ``around`` holds reverse DNS of the connecting IP, the
    recipient MX against the gateway, and DNSBL listings (configured zones only).
    """
    out = offline_report(a)
    if resolver is None:
        return out
    import asyncio

    from mailtriage.checks.live import plan as live
    from mailtriage.checks.live.agreement import compare
    from mailtriage.checks.live.around import live_around
    from mailtriage.checks.live.auth import live_auth
    from mailtriage.checks.report.auth import live_eval

    by_kind: dict[str, list[dict[str, Any]]] = {}
    specs = live.plan(a.sample)

    async def fetch() -> dict[LiveSpec, LiveResult]:
        return {r.spec: r async for r in live.run_all(specs, resolver)}

    results, auth, around = await asyncio.gather(
        fetch(), live_auth(a, resolver), live_around(a, resolver, dnsbl_zones)
    )
    for spec in specs:
        r = results.get(spec)
        by_kind.setdefault(spec.kind, []).append(
            {
                "domain": spec.domain,
                "selector": spec.selector,
                "why": spec.why,
                "status": r.status if r else "error",
                "summary": r.summary if r else "no answer before the deadline",
                "records": list(r.records) if r else [],
                "warnings": list(r.warnings) if r else [],
            }
        )
    out["auth"]["live"] = by_kind
    out["auth"]["live_eval"] = live_eval(auth)
    out["auth"]["agreement"] = [
        asdict(g) for g in compare(a.recorded, list(results.values()), auth=auth)
    ]
    out["around"] = _around(around)
    out["dns_log"] = [_log(e) for e in resolver.log]
    return out
