"""Around the message, live: reverse DNS, recipient MX vs gateway, DNSBL (real server)."""

from __future__ import annotations

from mailtriage.checks.analysis import analyse
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer
from mailtriage.checks.live.around import live_around, recipient_domain
from mailtriage.checks.live.model import LiveResult
from mailtriage.checks.live.plan import plan
from mailtriage.checks.live.session import run_sample
from mailtriage.checks.report.build import full_report
from mailtriage.tui.demo.runtime import demo_samples

from tests.tui_support import DEMO_ZONES

DNSBL = """$ORIGIN dnsbl.example.
$TTL 60
@ IN SOA ns.dnsbl.example. h.dnsbl.example. 1 60 60 60 60
  IN NS ns.dnsbl.example.
45.113.0.203 IN A 127.0.0.2
45.113.0.203 IN TXT "listed for testing"
"""


def _zones() -> dict[str, str]:
    zones = {p.stem: p.read_text() for p in DEMO_ZONES.glob("*.zone")}
    zones["dnsbl.example"] = DNSBL
    return zones


async def test_demo_samples_around() -> None:
    blocked, delivered = (analyse(s) for s in demo_samples())
    assert recipient_domain(blocked) == "northwind.example"
    with ZoneServer(zones=_zones()) as srv:
        r = Resolver(["127.0.0.1"], port=srv.port, timeout=1.0, deadline=5.0)
        a = await live_around(blocked, r, ["dnsbl.example"])
        b = await live_around(delivered, r)
    assert a.reverse is not None and a.reverse.fcrdns
    assert a.reverse.ptr_names == ("smtp-out3.billingcloud.example",)
    assert a.mx is not None and a.mx.matched
    assert [d.status for d in a.dnsbl] == ["listed"] and a.dnsbl[0].reason == "listed for testing"
    assert b.reverse is not None and b.reverse.fcrdns and b.dnsbl == ()
    assert any("No DNSBL zones configured" in n for n in b.notes)


async def test_report_carries_around() -> None:
    with ZoneServer(zones=_zones()) as srv:
        r = Resolver(["127.0.0.1"], port=srv.port, timeout=1.0, deadline=5.0)
        rep = await full_report(analyse(demo_samples()[0]), r, ["dnsbl.example"])
    around = rep["around"]
    assert around["reverse"]["forward_confirmed"] is True
    assert around["mx"]["gateway_matches"] is True
    assert around["dnsbl"][0]["status"] == "listed"


async def test_run_sample_hands_on_every_row_without_waiting() -> None:
    # The blocked sample's SPF record hangs: every other row is final before it.
    blocked, _ = (analyse(s) for s in demo_samples())

    def hang(name: str, rdtype: str) -> bool:
        return (name, rdtype) == ("billingcloud.example", "TXT")

    with ZoneServer(zones=_zones(), hang=hang) as srv:
        r = Resolver(["127.0.0.1"], port=srv.port, timeout=0.5, deadline=5.0)
        events = [e async for e in run_sample(blocked, r, dnsbl_zones=["dnsbl.example"])]
    kinds = [type(e).__name__ for e in events]
    assert sorted(kinds) == ["Around", "LiveAuth", *["LiveResult"] * len(plan(blocked.sample))]
    assert kinds.index("Around") < kinds.index("LiveAuth")
    late = [e for e in events if isinstance(e, LiveResult) and e.status == "error"]
    assert [e.spec.domain for e in late] == ["billingcloud.example"]


async def test_run_sample_closed_early_cancels_the_rest() -> None:
    blocked, _ = (analyse(s) for s in demo_samples())
    with ZoneServer(zones=_zones(), hang=lambda name, rdtype: name != "northwind.example") as srv:
        r = Resolver(["127.0.0.1"], port=srv.port, timeout=5.0, deadline=10.0)
        stream = run_sample(blocked, r)
        first = await anext(stream)
        await stream.aclose()  # type: ignore[attr-defined]
    assert isinstance(first, LiveResult) and first.spec.kind == "mx"


class _Asking(Resolver):
    """A resolver that notes every name it was asked, at the moment it is asked."""

    asked: list[tuple[str, str]]

    async def query(self, name: str, rdtype: str):  # type: ignore[no-untyped-def]
        self.asked.append((name, rdtype))
        return await super().query(name, rdtype)


async def test_run_sample_parses_the_message_after_the_other_rows_first_queries(
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    # Issue 11: the DKIM and ARC re-checks start by parsing the message (CPU). Reverse DNS
    # and the DNSBL are chains of two lookups; their first query must not wait for it.
    import mailtriage.checks.live.auth as live_auth_module

    blocked, _ = (analyse(s) for s in demo_samples())
    seen: dict[str, list[tuple[str, str]]] = {}

    def noting(name, verify):  # type: ignore[no-untyped-def]
        async def wrapped(raw, resolver):  # type: ignore[no-untyped-def]
            seen[name] = list(resolver.asked)
            return await verify(raw, resolver)

        return wrapped

    for name in ("dkim", "arc"):
        verify = getattr(live_auth_module, f"verify_{name}")
        monkeypatch.setattr(live_auth_module, f"verify_{name}", noting(name, verify))
    with ZoneServer(zones=_zones()) as srv:
        r = _Asking(["127.0.0.1"], port=srv.port, timeout=1.0, deadline=5.0)
        r.asked = []
        events = [e async for e in run_sample(blocked, r, dnsbl_zones=["dnsbl.example"])]
    assert len(events) == len(plan(blocked.sample)) + 2
    first = {
        ("45.113.0.203.in-addr.arpa", "PTR"),
        ("45.113.0.203.dnsbl.example", "A"),
        ("northwind.example", "MX"),
    }
    for name in ("dkim", "arc"):
        assert first <= set(seen[name]), (name, seen[name])
