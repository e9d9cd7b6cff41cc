"""The ValiMail ARC validation suite (draft-18 era) run through verify_arc.

Each scenario's key records are served by a real ZoneServer; every validation
test is one case. An empty expected ``cv`` in the suite means "fail" (the chain
had already failed upstream), as the suite's other runners read it. The suite
expects 512-bit keys to fail, which matches our RFC 8301 default, so it runs
with the default ``min_key_bits``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from mailtriage.checks.auth.arc import verify_arc
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer

from tests.dkim_support import CORPORA, zone_texts

SUITE = CORPORA / "arc-test-suite" / "arc-draft-validation-tests.yml"


def _load() -> list[dict[str, Any]]:
    if not SUITE.exists():
        return []
    import yaml

    with SUITE.open(encoding="utf-8") as fh:
        return [doc for doc in yaml.safe_load_all(fh) if doc]


SCENARIOS = _load()
CASES = [
    pytest.param(n, name, id=f"{n}-{name}")
    for n, doc in enumerate(SCENARIOS)
    for name in doc["tests"]
]


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[int, ZoneServer]]:
    started: dict[int, ZoneServer] = {}
    yield started
    for server in started.values():
        server.stop()


def _server(servers: dict[int, ZoneServer], n: int) -> ZoneServer:
    if n not in servers:
        records = {
            name: [" ".join(str(value).split())]
            for name, value in SCENARIOS[n].get("txt-records", {}).items()
        }
        servers[n] = ZoneServer(zones=zone_texts(records)).start()
    return servers[n]


@pytest.mark.skipif(not SCENARIOS, reason="arc-test-suite corpus not present")
@pytest.mark.parametrize(("n", "name"), CASES or [pytest.param(0, "", id="absent")])
async def test_validation_case(servers: dict[int, ZoneServer], n: int, name: str) -> None:
    test = SCENARIOS[n]["tests"][name]
    expected = (test.get("cv") or "fail").strip().lower()
    server = _server(servers, n)
    resolver = Resolver(["127.0.0.1"], port=server.port, timeout=1.0, deadline=5.0)
    message = "\r\n".join(str(test["message"]).splitlines()).encode() + b"\r\n"
    got = await verify_arc(message, resolver)
    assert got.result == expected, (got.reason, got.dkimpy_message)
    if got.result == "fail":
        assert got.broken_at is not None or not got.instances
    if got.result == "pass":
        assert all(i.seal and i.seal.result == "pass" for i in got.instances)
        assert got.instances[-1].ams is not None and got.instances[-1].ams.result == "pass"
        assert all(i.aar is not None for i in got.instances)


def test_suite_size() -> None:
    if not SCENARIOS:
        pytest.skip("arc-test-suite corpus not present")
    assert len(CASES) == 171


def _case(name: str) -> tuple[int, bytes]:
    for n, doc in enumerate(SCENARIOS):
        if name in doc["tests"]:
            text = str(doc["tests"][name]["message"])
            return n, "\r\n".join(text.splitlines()).encode() + b"\r\n"
    pytest.skip("arc-test-suite corpus not present")


async def test_two_hop_chain_details(servers: dict[int, ZoneServer]) -> None:
    n, message = _case("cv_pass_i2_1_ams1_invalid")
    resolver = Resolver(["127.0.0.1"], port=_server(servers, n).port, timeout=1.0, deadline=5.0)
    got = await verify_arc(message, resolver)
    assert (got.result, got.broken_at, got.temporary) == ("pass", None, False)
    assert [(i.instance, i.cv) for i in got.instances] == [(1, "none"), (2, "pass")]
    first = got.instances[0]
    assert first.ams is not None and first.ams.result == "fail"  # an older AMS may break
    assert first.seal is not None and first.seal.key_name == "dummy._domainkey.example.org"
    assert first.aar is not None and first.aar.authserv_id == "lists.example.org"
    assert [(m.method, m.result) for m in first.aar.methods][:2] == [
        ("spf", "pass"),
        ("dkim", "pass"),
    ]
    assert {e.name for e in resolver.log} == {"dummy._domainkey.example.org"}


async def test_failed_key_lookup_marks_the_fail_temporary() -> None:
    _, message = _case("cv_pass_i1_1")
    with ZoneServer(
        zones=zone_texts({"other._domainkey.example.org": ["p="]}),
        servfail=lambda name, rdtype: name.startswith("dummy."),
    ) as server:
        resolver = Resolver(["127.0.0.1"], port=server.port, timeout=1.0, deadline=5.0)
        got = await verify_arc(message, resolver)
    assert (got.result, got.broken_at, got.temporary) == ("fail", 1, True)
    seal = got.instances[0].seal
    assert seal is not None and (seal.result, seal.reason) == ("temperror", "key_lookup_failed")


async def test_unsigned_message_is_none(servers: dict[int, ZoneServer]) -> None:
    n, message = _case("cv_base1")
    resolver = Resolver(["127.0.0.1"], port=_server(servers, n).port, timeout=1.0, deadline=5.0)
    got = await verify_arc(message, resolver)
    assert (got.result, got.instances, got.broken_at) == ("none", (), None)
    assert resolver.log == ()
