"""The ``auth.live_eval`` part of the ``mailtriage report`` object (see :mod:`checks.report.build`).

Turns a :class:`mailtriage.checks.live.auth.LiveAuth` into JSON-ready dicts. Keys are part of
the documented scripting interface: later work adds keys, never renames them.
"""

from __future__ import annotations

from typing import Any

from mailtriage.checks.auth.arc import ArcResult, ArcSignatureCheck
from mailtriage.checks.auth.dkim import DkimSignatureResult
from mailtriage.checks.auth.dmarc.discover import DmarcRecordResult, DmarcVerdict
from mailtriage.checks.auth.spf.text import node_json
from mailtriage.checks.live.auth import LiveAuth


def _spf(auth: LiveAuth) -> dict[str, Any] | None:
    if auth.spf is None:
        return None
    ip, domain, sender, helo = auth.spf_inputs or ("", "", "", "")
    s = auth.spf
    return {
        "result": s.result,
        "explanation": s.explanation,
        "lookups": s.lookups,
        "void_lookups": s.void_lookups,
        "ip": ip,
        "domain": domain,
        "sender": sender,
        "helo": helo,
        "tree": [node_json(s.tree)],
    }


def _dkim(s: DkimSignatureResult) -> dict[str, Any]:
    return {
        "d": s.domain,
        "s": s.selector,
        "result": s.result,
        "reason": s.reason,
        "message": s.message,
        "algorithm": s.algorithm,
        "key_name": s.key_name,
        "key_type": s.key_type,
        "key_bits": s.key_bits,
        "key_testing": s.key_testing,
        "covers_from": s.covers_from,
        "identity": s.identity,
        "timestamp": s.timestamp,
        "expires": s.expires,
        "weak": s.weak,
    }


def _sig(c: ArcSignatureCheck | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"d": c.domain, "s": c.selector, "result": c.result, "reason": c.reason,
            "message": c.message}  # fmt: skip


def _arc(r: ArcResult | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "result": r.result,
        "reason": r.reason,
        "broken_at": r.broken_at,
        "temporary": r.temporary,
        "instances": [
            {
                "i": x.instance,
                "cv": x.cv,
                "seal": _sig(x.seal),
                "ams": _sig(x.ams),
                "aar_authserv_id": x.aar.authserv_id if x.aar else None,
            }
            for x in r.instances
        ],
    }


def _dmarc(v: DmarcVerdict | None, rec: DmarcRecordResult | None) -> dict[str, Any] | None:
    if v is None:
        return None
    return {
        "result": v.result,
        "from_domain": v.from_domain,
        "policy": v.policy,
        "policy_tag": v.policy_tag,
        "policy_domain": v.policy_domain,
        "disposition": v.disposition,
        "aligned_by": list(v.aligned_by),
        "record": rec.record.raw if rec and rec.record else None,
        "record_status": rec.status if rec else None,
        "checks": [
            {
                "kind": c.kind,
                "domain": c.domain,
                "result": c.result,
                "aligned": c.aligned,
                "passes_dmarc": c.passes_dmarc,
                "note": c.note,
            }
            for c in v.checks
        ],
        "explanation": list(v.explanation),
        "warnings": list(v.warnings),
    }


def live_eval(auth: LiveAuth) -> dict[str, Any]:
    """The JSON-ready ``auth.live_eval`` object of one live re-check.

    Args:
        auth: The result of :func:`mailtriage.checks.live.auth.live_auth`.

    Returns:
        ``{"spf", "dkim", "arc", "dmarc", "notes", "checked_at"}``; ``spf``, ``arc``
        and ``dmarc`` are ``None`` when not evaluated. ``spf.tree`` is a list holding
        the root record node; every node has ``term``, ``result``, ``matched``,
        ``queries``, ``beyond_limit`` and ``children``.
    """
    return {
        "spf": _spf(auth),
        "dkim": [_dkim(s) for s in auth.dkim],
        "arc": _arc(auth.arc),
        "dmarc": _dmarc(auth.dmarc, auth.dmarc_record),
        "notes": list(auth.notes),
        "checked_at": auth.checked_at.isoformat() if auth.checked_at else None,
    }
