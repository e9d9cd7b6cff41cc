"""JSON from the result dataclasses: one walker and one table of documented key names.

The ``mailtriage report`` keys are a scripting interface (see the README). Most
result dataclasses already use those names and go out as they are, field by field,
the way :func:`dataclasses.asdict` would write them. :data:`SHAPES` lists only the
types whose documented keys differ from their attribute names, leave fields out
or add a computed value; each entry is the type's whole key list, in order.

The table is keyed by the type's dotted name rather than the type itself so that
building an offline report never imports the live modules (they load dnspython
and dkimpy). ``tests/test_report.py`` checks that every entry names a real
dataclass and real attributes.

Why not :func:`dataclasses.asdict` alone: it would emit internal fields (raw
header text, DNS answers, dkimpy messages), keep tuples of pairs as lists and
datetimes as objects, and it deep-copies every value on the way, which costs more
than the walk itself on a large batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from operator import attrgetter
from typing import Any

Getter = str | Callable[[Any], Any]
Shape = tuple[tuple[str, Getter], ...]


def _same(*names: str) -> Shape:
    return tuple((n, n) for n in names)


def _one_based(index: int | None) -> int | None:
    return None if index is None else index + 1


def _spf_input(i: int) -> Callable[[Any], str]:
    return lambda x: x.inputs[i] if x.inputs else ""


def _hops_on_route(a: Any) -> list[HopOnRoute]:
    tl = a.timeline
    rows = zip(a.hops, tl.delays, tl.systems, tl.skew, strict=True)
    return [HopOnRoute(h, delay, system, skew) for h, delay, system, skew in rows]


def _spf_tree(x: Any) -> list[dict[str, Any]]:
    from mailtriage.checks.auth.spf.text import node_json  # the SPF command's JSON, one writer

    return [node_json(x.result.tree)]


SHAPES: Mapping[str, Shape] = {
    # --- offline: the sample and its analysis -------------------------------------
    "mailtriage.checks.analysis.Analysis": (
        ("source", "sample.source"),
        ("message_id", "sample.message_id"),
        ("subject", "sample.subject"),
        ("from", "sample.from_"),
        ("to", "sample.to"),
        ("date", "sample.date"),
        ("envelope_from", "sample.envelope_from"),
        ("connecting_ip", "connecting_ip"),
        ("auth", lambda a: {"recorded": a.recorded, "live": None}),
        ("hops", lambda a: _hops_on_route(a)),
        ("timeline", "timeline"),
        ("verdicts", "verdicts"),
        ("quarantine", "quarantine"),
        ("bounce", "bounce"),
        ("dns_log", lambda a: ()),
        ("findings", "findings"),
        ("likely_layer", "layer"),
        ("problems", "sample.problems"),
    ),
    "mailtriage.checks.report.jsonform.ForwardedIn": (
        ("source", "outer.source"),
        ("subject", "outer.subject"),
        ("from", "outer.from_"),
        ("date", "outer.date"),
        ("message_id", "outer.message_id"),
        ("summary", "summary"),
    ),
    "mailtriage.checks.model.Address": (("name", "display"), ("address", "addr")),
    "mailtriage.checks.model.AuthResults": (
        *_same("header", "authserv_id", "instance", "methods"),
        ("problems", lambda r: [p.message for p in r.problems]),
    ),
    "mailtriage.checks.model.AuthMethod": (
        *_same("method", "result", "reason"),
        ("properties", lambda m: dict(m.props)),
    ),
    "mailtriage.checks.report.jsonform.HopOnRoute": (
        ("from", "hop.from_host"),
        ("by", "hop.by_host"),
        ("with", "hop.with_proto"),
        ("id", "hop.id"),
        ("for", "hop.for_addr"),
        ("ip", "hop.from_ip"),
        ("date", "hop.date"),
        ("delay_seconds", "delay"),
        ("system", "system"),
        ("tls", "hop.tls"),
        ("tls_version", "hop.tls_version"),
        ("tls_cipher", "hop.tls_cipher"),
        ("via", "hop.via"),
        ("skew", "skew"),
    ),
    "mailtriage.checks.route.timeline.Timeline": (
        *_same("total_seconds", "gateway"),
        ("gateway_hop", lambda t: _one_based(t.gateway_index)),
        ("handoff_hop", lambda t: _one_based(t.handoff_index)),
        ("before_gateway_seconds", "before_seconds"),
        ("inside_gateway_seconds", "inside_seconds"),
        ("after_handoff_seconds", "after_seconds"),
        *_same("has_attachments", "stage"),
        ("sandbox_hold", "sandbox"),
        ("skewed_hops", lambda t: [i + 1 for i, s in enumerate(t.skew) if s]),
        ("verdict", "verdict"),
    ),
    "mailtriage.checks.verdicts.model.VerdictHeader": (
        ("vendor", "vendor"),
        ("header", "name"),
        *_same("raw", "verdict", "meaning", "fields"),
    ),
    "mailtriage.checks.bounce.model.Bounce": _same(
        "kind", "format", "reporting_mta", "original_message_id", "recipients", "problems"
    ),
    # --- live: DNS now -------------------------------------------------------------
    "mailtriage.checks.live.model.LiveResult": (
        ("domain", "spec.domain"),
        ("selector", "spec.selector"),
        ("why", "spec.why"),
        *_same("status", "summary", "records", "warnings"),
    ),
    "mailtriage.checks.dns.model.QueryLogEntry": (
        ("name", "name"),
        ("type", "rdtype"),
        *_same("rcode", "answers"),
        ("rtt_ms", lambda e: round(e.rtt_ms, 1)),
        *_same("error", "cached"),
    ),
    "mailtriage.checks.live.around.Around": _same("reverse", "mx", "dnsbl", "notes"),
    "mailtriage.checks.live.reverse.ReverseResult": (
        *_same("ip", "status"),
        ("ptr", "ptr_names"),
        ("forward_confirmed", "fcrdns"),
        ("summary", "summary"),
    ),
    "mailtriage.checks.live.mx.MxCheck": (
        *_same("domain", "status"),
        ("hosts", lambda m: [{"preference": p, "host": h} for p, h in m.mx_hosts]),
        ("gateway_matches", "matched"),
        ("summary", "summary"),
    ),
    "mailtriage.checks.live.dnsbl.DnsblResult": _same(
        "zone", "status", "codes", "meanings", "reason"
    ),
    "mailtriage.checks.live.auth.LiveAuth": (
        ("spf", lambda a: None if a.spf is None else SpfNow(a.spf, a.spf_inputs)),
        ("dkim", "dkim"),
        ("arc", "arc"),
        ("dmarc", lambda a: None if a.dmarc is None else DmarcNow(a.dmarc, a.dmarc_record)),
        *_same("notes", "checked_at"),
    ),
    "mailtriage.checks.report.jsonform.SpfNow": (
        ("result", "result.result"),
        ("explanation", "result.explanation"),
        ("lookups", "result.lookups"),
        ("void_lookups", "result.void_lookups"),
        ("ip", _spf_input(0)),
        ("domain", _spf_input(1)),
        ("sender", _spf_input(2)),
        ("helo", _spf_input(3)),
        ("tree", _spf_tree),
    ),
    "mailtriage.checks.auth.dkim.DkimSignatureResult": (
        ("d", "domain"),
        ("s", "selector"),
        *_same("result", "reason", "message", "algorithm", "key_name", "key_type", "key_bits"),
        *_same("key_testing", "covers_from", "identity", "timestamp", "expires", "weak"),
    ),
    "mailtriage.checks.auth.arc.ArcResult": _same(
        "result", "reason", "broken_at", "temporary", "instances"
    ),
    "mailtriage.checks.auth.arc.ArcInstance": (
        ("i", "instance"),
        *_same("cv", "seal", "ams"),
        ("aar_authserv_id", lambda x: x.aar.authserv_id if x.aar else None),
    ),
    "mailtriage.checks.auth.arc.ArcSignatureCheck": (
        ("d", "domain"),
        ("s", "selector"),
        *_same("result", "reason", "message"),
    ),
    "mailtriage.checks.report.jsonform.DmarcNow": (
        ("result", "verdict.result"),
        ("from_domain", "verdict.from_domain"),
        ("policy", "verdict.policy"),
        ("policy_tag", "verdict.policy_tag"),
        ("policy_domain", "verdict.policy_domain"),
        ("disposition", "verdict.disposition"),
        ("aligned_by", "verdict.aligned_by"),
        ("record", lambda x: x.record.record.raw if x.record and x.record.record else None),
        ("record_status", lambda x: x.record.status if x.record else None),
        ("checks", "verdict.checks"),
        ("explanation", "verdict.explanation"),
        ("warnings", "verdict.warnings"),
    ),
}


@dataclass(frozen=True, slots=True)
class ForwardedIn:
    """The customer's forward an analysed message arrived attached to (``forwarded_in``)."""

    outer: Any
    summary: str


@dataclass(frozen=True, slots=True)
class HopOnRoute:
    """One hop with what the timeline worked out for it (a ``hops`` row)."""

    hop: Any
    delay: int | None
    system: str
    skew: bool


@dataclass(frozen=True, slots=True)
class SpfNow:
    """The live SPF result with the inputs it was evaluated for (``auth.live_eval.spf``)."""

    result: Any
    inputs: tuple[str, str, str, str] | None


@dataclass(frozen=True, slots=True)
class DmarcNow:
    """The live DMARC verdict with the record it used (``auth.live_eval.dmarc``)."""

    verdict: Any
    record: Any


_Compiled = tuple[tuple[str, Callable[[Any], Any]], ...]
_COMPILED: dict[type, _Compiled] = {}
_SCALARS = (str, int, float, bool, type(None))


def _compiled(cls: type) -> _Compiled:
    # One attrgetter per key, made once per type: the walk runs for every field of
    # every result of every sample in a batch.
    found = _COMPILED.get(cls)
    if found is None:
        shape = SHAPES.get(f"{cls.__module__}.{cls.__qualname__}")
        if shape is None:
            if not is_dataclass(cls):
                raise TypeError(f"no JSON form for {cls.__qualname__}")
            shape = _same(*(f.name for f in fields(cls)))
        found = _COMPILED[cls] = tuple(
            (key, getter if callable(getter) else attrgetter(getter)) for key, getter in shape
        )
    return found


def to_json(obj: Any) -> Any:
    """Turn a result (dataclass, sequence, mapping or scalar) into JSON-ready values.

    Dataclasses become dicts with the keys :data:`SHAPES` documents for their type,
    or their own field names when the type is not listed; tuples and lists become
    lists; datetimes become ISO 8601 strings.

    Args:
        obj: Any engine result.

    Returns:
        Plain dicts, lists, strings, numbers, booleans and ``None``.

    Raises:
        TypeError: For a value that has no JSON form (a programming error).
    """
    cls = type(obj)
    if cls in _SCALARS:
        return obj
    if cls is tuple or cls is list:
        return [to_json(x) for x in obj]
    known = _COMPILED.get(cls)
    if known is not None:
        return {key: to_json(get(obj)) for key, get in known}
    if cls is dict:
        return {k: to_json(v) for k, v in obj.items()}
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, Mapping):
        return {k: to_json(v) for k, v in obj.items()}
    if isinstance(obj, str | int | float):  # subclasses of the scalars
        return obj
    if isinstance(obj, list | tuple):
        return [to_json(x) for x in obj]
    return {key: to_json(get(obj)) for key, get in _compiled(cls)}
