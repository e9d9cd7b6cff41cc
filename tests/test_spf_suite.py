"""The public SPF conformance suite (pyspf's copy), served by a real ZoneServer.

One pytest case per suite test, id ``scenario/test``. Both files run whole: where
RFC 7208 changed an answer, rfc4408-tests.yml lists both results as acceptable.
An expected explanation is compared for ``fail`` results; the suite's "DEFAULT"
stands for "no exp= explanation" (``None``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from mailtriage.checks.auth.spf.check import check_host, identity
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer

from tests.spf_zones import build_zone

pytestmark = pytest.mark.inprocess_dns

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "spf-pyspf"


def _scenarios(filename: str) -> list[dict[str, Any]]:
    path = CORPUS / filename
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def _params(filename: str) -> list[Any]:
    scenarios = _scenarios(filename)
    if not scenarios:
        return [pytest.param(None, None, None, id="corpus-missing")]
    params = []
    for index, scenario in enumerate(scenarios):
        slug = "-".join(str(scenario.get("description", index)).lower().split())
        for name, test in scenario["tests"].items():
            params.append(pytest.param(filename, index, test, id=f"{slug}/{name}"))
    return params


class _Servers:
    """One ZoneServer per scenario, started on first use."""

    def __init__(self) -> None:
        self.running: dict[tuple[str, int], ZoneServer] = {}

    def get(self, filename: str, index: int) -> ZoneServer:
        key = (filename, index)
        if key not in self.running:
            text, hang = build_zone(_scenarios(filename)[index]["zonedata"])
            server = ZoneServer({".": text}, hang=lambda name, rdtype: (name, rdtype) in hang)
            self.running[key] = server.start()
        return self.running[key]


@pytest.fixture(scope="module")
def servers() -> Iterator[_Servers]:
    pool = _Servers()
    yield pool
    for server in pool.running.values():
        server.stop()


async def _run(servers: _Servers, filename: str | None, index: int | None, test: Any) -> None:
    if filename is None or index is None:
        pytest.skip(f"SPF suite not found under {CORPUS}")
    server = servers.get(filename, index)
    # 1 s per query: long enough for a loaded CI machine (0.3 s once turned an answer into
    # temperror), short enough for the suite's TIMEOUT cases.
    resolver = Resolver(["127.0.0.1"], port=server.port, timeout=1.0, deadline=5.0)
    domain, sender = identity(str(test.get("mailfrom") or ""), str(test["helo"]))
    got = await check_host(
        str(test["host"]), domain, sender, helo=str(test["helo"]), resolver=resolver
    )
    expected = test["result"] if isinstance(test["result"], list) else [test["result"]]
    assert got.result in expected, got.tree
    if "explanation" in test and got.result == "fail":
        assert (got.explanation or "DEFAULT") == test["explanation"]


@pytest.mark.parametrize(("filename", "index", "test"), _params("rfc7208-tests.yml"))
async def test_rfc7208(
    servers: _Servers, filename: str | None, index: int | None, test: Any
) -> None:
    await _run(servers, filename, index, test)


@pytest.mark.parametrize(("filename", "index", "test"), _params("rfc4408-tests.yml"))
async def test_rfc4408(
    servers: _Servers, filename: str | None, index: int | None, test: Any
) -> None:
    await _run(servers, filename, index, test)
