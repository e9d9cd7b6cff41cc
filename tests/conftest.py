"""Shared fixtures: a real authoritative DNS server on 127.0.0.1 and resolvers for it.

``dns_server`` is the in-process :class:`mailtriage.checks.dns.zoneserver.ZoneServer` serving
``tests/zones``; with ``MAILTRIAGE_TEST_DNS=nsd`` it is Debian's ``nsd``
serving the same files instead (skipped when nsd is not installed). Tests that
need the hang/servfail/delay hooks or the server's query log use
``zone_server`` (always in-process) and carry the ``inprocess_dns`` marker.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.message
import dns.query
import pytest
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zonedata import read_zone
from mailtriage.checks.dns.zoneserver import ZoneServer

ZONES = Path(__file__).resolve().parent / "zones"
DNS_BACKEND = os.environ.get("MAILTRIAGE_TEST_DNS", "zoneserver").strip().lower() or "zoneserver"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "inprocess_dns: uses the in-process ZoneServer's hooks or query log"
    )


def _hang(name: str, rdtype: str) -> bool:
    return name.startswith("hang.") or ".hang." in name


def _servfail(name: str, rdtype: str) -> bool:
    return name.startswith("broken.") or ".broken." in name


@dataclass
class NsdServer:
    """A running nsd subprocess (only ``port``/``address`` matter to tests)."""

    process: subprocess.Popen[bytes]
    port: int
    host: str = "127.0.0.1"

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def _free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return int(port)
    raise RuntimeError("no free port")


def start_nsd(workdir: Path, zone_dir: Path = ZONES) -> NsdServer:
    """Start ``nsd -d`` serving every ``*.zone`` in ``zone_dir``; skip if nsd is absent."""
    binary = shutil.which("nsd") or ("/usr/sbin/nsd" if Path("/usr/sbin/nsd").exists() else None)
    if binary is None:
        pytest.skip("MAILTRIAGE_TEST_DNS=nsd but nsd is not installed (apt-get install nsd)")
    port = _free_port()
    zones = {}
    for path in sorted(zone_dir.glob("*.zone")):
        zones[read_zone(path).origin.to_text(omit_final_dot=True)] = path.resolve()
    conf = [
        "server:",
        "  ip-address: 127.0.0.1",
        f"  port: {port}",
        '  username: ""',
        '  chroot: ""',
        '  database: ""',
        f'  zonesdir: "{workdir}"',
        f'  zonelistfile: "{workdir}/zone.list"',
        f'  pidfile: "{workdir}/nsd.pid"',
        f'  xfrdfile: "{workdir}/xfrd.state"',
        f'  xfrdir: "{workdir}"',
        f'  logfile: "{workdir}/nsd.log"',
        "  server-count: 1",
        "remote-control:",
        "  control-enable: no",
    ]
    for name, path in zones.items():
        conf += ["zone:", f'  name: "{name}"', f'  zonefile: "{path}"']
    (workdir / "nsd.conf").write_text("\n".join(conf) + "\n")
    log = (workdir / "stderr.log").open("wb")
    proc = subprocess.Popen([binary, "-d", "-c", str(workdir / "nsd.conf")], stdout=log, stderr=log)
    server = NsdServer(proc, port)
    probe = dns.message.make_query(next(iter(zones)), "SOA")
    until = time.monotonic() + 15
    while time.monotonic() < until:
        if proc.poll() is not None:
            break
        try:
            dns.query.udp(probe, "127.0.0.1", port=port, timeout=0.2)
            return server
        except Exception:
            time.sleep(0.05)
    server.stop()
    text = " ".join(p.read_text(errors="replace") for p in workdir.glob("*.log") if p.exists())
    pytest.fail(f"nsd did not start answering on port {port}: {text[-600:]}")


@pytest.fixture(scope="session")
def dns_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZoneServer | NsdServer]:
    """The authoritative server for ``tests/zones`` (ZoneServer, or nsd on request)."""
    if DNS_BACKEND == "nsd":
        server = start_nsd(tmp_path_factory.mktemp("nsd"))
        try:
            yield server
        finally:
            server.stop()
    else:
        with ZoneServer(zone_dir=ZONES) as zone_server:
            yield zone_server


@pytest.fixture
def resolver(dns_server: ZoneServer | NsdServer) -> Resolver:
    """A fresh resolver (empty cache and log) pointed at ``dns_server``."""
    return Resolver(["127.0.0.1"], port=dns_server.port, timeout=1.0, deadline=5.0)


@pytest.fixture(scope="module")
def zone_server() -> Iterator[ZoneServer]:
    """Always the in-process server; names ``hang.*`` never answer, ``broken.*`` SERVFAIL."""
    with ZoneServer(zone_dir=ZONES, hang=_hang, servfail=_servfail) as server:
        yield server


@pytest.fixture
def zone_resolver(zone_server: ZoneServer) -> Resolver:
    """A fresh resolver pointed at ``zone_server``."""
    return Resolver(["127.0.0.1"], port=zone_server.port, timeout=1.0, deadline=5.0)


@pytest.fixture(autouse=True)
def _private_ticket_store(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test keeps its tickets and caches in its own directory, never the developer's."""
    root = tmp_path_factory.mktemp("tickets")
    monkeypatch.setenv("MAILTRIAGE_DATA", str(root))
    monkeypatch.setenv("MAILTRIAGE_CACHE", str(root / "cache"))
    if "MAILTRIAGE_CONFIG" not in os.environ:  # nor the developer's settings or playbooks
        monkeypatch.setenv("MAILTRIAGE_CONFIG", str(root / "config" / "config.toml"))
    return root
