"""The ``mailtriage report`` object with the live re-check, against a real DNS server."""

from __future__ import annotations

import json
from typing import Any

from mailtriage.checks.analysis import analyse
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer
from mailtriage.checks.message.loader import load_bytes
from mailtriage.checks.report.build import full_report, offline_report

from tests.test_liveauth import DEMO_ZONES, demo_bytes

#: Keys every report had before the live re-check: they must stay.
STABLE = {
    "source", "message_id", "subject", "from", "to", "date", "envelope_from", "connecting_ip",
    "auth", "hops", "verdicts", "quarantine", "dns_log", "findings", "likely_layer", "problems",
}  # fmt: skip


async def _report(name: str) -> dict[str, Any]:
    a = analyse(load_bytes(demo_bytes(name), f"demo/{name}.eml"))
    with ZoneServer(zone_dir=DEMO_ZONES) as srv:
        resolver = Resolver(["127.0.0.1"], port=srv.port, timeout=1.0, deadline=5.0)
        report = await full_report(a, resolver)
    json.dumps(report)  # JSON-ready
    return report


def _terms(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for child in node["children"]:
        out += _terms(child)
    return out


async def test_live_eval_of_the_delivered_demo() -> None:
    r = await _report("delivered")
    assert r.keys() >= STABLE
    assert {"recorded", "live", "agreement", "live_eval"} <= r["auth"].keys()
    ev = r["auth"]["live_eval"]
    assert ev.keys() >= {"spf", "dkim", "arc", "dmarc", "notes"}
    spf = ev["spf"]
    assert (spf["result"], spf["ip"], spf["domain"], spf["sender"]) == (
        "pass", "198.51.100.90", "fabrikam.example", "invoices@fabrikam.example",
    )  # fmt: skip
    assert spf["helo"] == "nam12-bn8-obe.outbound.protection.outlook.com"
    assert spf["lookups"] == 1 and spf["void_lookups"] == 0
    nodes = [n for root in spf["tree"] for n in _terms(root)]
    for n in nodes:
        assert n.keys() >= {"term", "result", "matched", "queries", "beyond_limit", "children"}
    include = next(n for n in nodes if n["term"] == "include:spf.protection.outlook.com")
    assert include["matched"] and include["result"] == "pass" and include["children"]
    assert include["children"][0]["queries"][0]["name"] == "spf.protection.outlook.com"
    assert [(d["d"], d["s"], d["result"], d["reason"]) for d in ev["dkim"]] == [
        ("fabrikam.example", "selector1", "pass", "verified")
    ]
    assert ev["dmarc"]["result"] == "pass" and ev["dmarc"]["policy"] == "quarantine"
    assert ev["arc"]["result"] == "none"  # the demo carries no ARC set
    assert {g["method"] for g in r["auth"]["agreement"]} == {"spf", "dkim", "dmarc"}
    assert all(g["agrees"] is True for g in r["auth"]["agreement"])


async def test_live_eval_of_the_blocked_demo() -> None:
    r = await _report("blocked")
    ev = r["auth"]["live_eval"]
    assert ev["spf"]["result"] == "pass" and ev["dkim"][0]["result"] == "pass"
    assert ev["dmarc"]["result"] == "fail" and ev["dmarc"]["aligned_by"] == []
    assert ev["dmarc"]["disposition"] == "quarantine"
    assert ev["arc"]["result"] == "none"
    dmarc = next(g for g in r["auth"]["agreement"] if g["method"] == "dmarc")
    assert dmarc["agrees"] is True and dmarc["recorded"] == "fail (p=quarantine)"
    names = {e["name"] for e in r["dns_log"]}
    assert {"billingcloud.example", "bc1._domainkey.billingcloud.example"} <= names


async def test_offline_report_has_no_live_eval() -> None:
    r = offline_report(analyse(load_bytes(demo_bytes("blocked"), "demo/blocked.eml")))
    assert r.keys() >= STABLE
    assert r["auth"]["live"] is None and "live_eval" not in r["auth"]


def test_every_json_shape_names_a_real_dataclass_and_its_attributes() -> None:
    """The key table is keyed by dotted type names (no live imports when offline): keep it true."""
    import dataclasses
    import importlib

    from mailtriage.checks.report.jsonform import SHAPES

    for dotted, shape in SHAPES.items():
        module, _, name = dotted.rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        assert dataclasses.is_dataclass(cls), dotted
        names = {f.name for f in dataclasses.fields(cls)} | set(dir(cls))
        keys = [k for k, _ in shape]
        assert len(keys) == len(set(keys)), dotted
        for _, getter in shape:
            if isinstance(getter, str):
                assert getter.split(".")[0] in names, f"{dotted}: {getter}"


def test_unlisted_dataclasses_go_out_under_their_field_names() -> None:
    import dataclasses

    from mailtriage.checks.model import Finding
    from mailtriage.checks.report.jsonform import to_json

    f = Finding("policy", "high", "t", "e", "n")
    assert to_json(f) == dataclasses.asdict(f)
