"""The in-process authoritative server, queried over real UDP/TCP sockets."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from mailtriage.checks.dns.zonedata import ZoneLoadError, read_zone
from mailtriage.checks.dns.zoneserver import ZoneServer

pytestmark = pytest.mark.inprocess_dns

ZONES = Path(__file__).resolve().parent / "zones"


def ask(server: ZoneServer, name: str, rdtype: str, *, tcp: bool = False, **kw: object):
    query = dns.message.make_query(name, rdtype, **kw)  # type: ignore[arg-type]
    send = dns.query.tcp if tcp else dns.query.udp
    return send(query, "127.0.0.1", port=server.port, timeout=2)


def texts(section: list) -> list[str]:
    return [line for rrset in section for line in rrset.to_text().splitlines()]


def test_answers_authoritatively(zone_server: ZoneServer) -> None:
    resp = ask(zone_server, "example.com", "A")
    assert resp.rcode() == dns.rcode.NOERROR
    assert resp.flags & dns.flags.AA
    assert texts(resp.answer) == ["example.com. 300 IN A 192.0.2.10"]


def test_nxdomain_and_nodata_carry_soa(zone_server: ZoneServer) -> None:
    nx = ask(zone_server, "nothing.example.com", "A")
    assert nx.rcode() == dns.rcode.NXDOMAIN and nx.flags & dns.flags.AA
    assert nx.authority[0].rdtype == dns.rdatatype.SOA
    assert nx.authority[0].ttl == 120  # min(SOA TTL, SOA minimum)
    nodata = ask(zone_server, "example.com", "AAAA")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    assert nodata.authority[0].rdtype == dns.rdatatype.SOA


def test_empty_non_terminal_is_nodata(zone_server: ZoneServer) -> None:
    resp = ask(zone_server, "_domainkey.example.com", "TXT")
    assert resp.rcode() == dns.rcode.NOERROR and not resp.answer


def test_cname_chain_is_followed(zone_server: ZoneServer) -> None:
    resp = ask(zone_server, "alias.example.com", "A")
    assert [r.rdtype for r in resp.answer] == [dns.rdatatype.CNAME] * 2 + [dns.rdatatype.A]
    cross = ask(zone_server, "offsite.example.com", "A")
    assert texts(cross.answer)[-1] == "host.example.net. 300 IN A 198.51.100.7"
    dangling = ask(zone_server, "dangling.example.com", "A")
    assert dangling.rcode() == dns.rcode.NXDOMAIN and len(dangling.answer) == 1
    direct = ask(zone_server, "www.example.com", "CNAME")
    assert texts(direct.answer) == ["www.example.com. 300 IN CNAME example.com."]


def test_wildcard_and_case_insensitivity(zone_server: ZoneServer) -> None:
    resp = ask(zone_server, "Anything.WILD.example.com", "TXT")
    assert resp.answer[0].name.to_text().lower() == "anything.wild.example.com."
    assert resp.answer[0][0].strings == (b"wildcard text",)
    assert ask(zone_server, "wild.example.com", "TXT").rcode() == dns.rcode.NOERROR


def test_refused_outside_served_zones(zone_server: ZoneServer) -> None:
    resp = ask(zone_server, "example.invalid", "A")
    assert resp.rcode() == dns.rcode.REFUSED and not resp.flags & dns.flags.AA


def test_large_udp_answer_is_truncated_and_tcp_has_it(zone_server: ZoneServer) -> None:
    udp = ask(zone_server, "big.example.com", "TXT")
    assert udp.flags & dns.flags.TC and not udp.answer
    edns = ask(zone_server, "big.example.com", "TXT", use_edns=0, payload=4096)
    assert not edns.flags & dns.flags.TC
    tcp = ask(zone_server, "big.example.com", "TXT", tcp=True)
    assert not tcp.flags & dns.flags.TC
    assert len(b"".join(tcp.answer[0][0].strings)) == 1440


def test_multiple_txt_strings_are_kept(zone_server: ZoneServer) -> None:
    resp = ask(zone_server, "multi.example.com", "TXT")
    assert resp.answer[0][0].strings == (b"first part, ", b"second part")


def test_servfail_and_other_opcodes(zone_server: ZoneServer) -> None:
    assert ask(zone_server, "broken.example.com", "A").rcode() == dns.rcode.SERVFAIL
    notify = dns.message.make_query("example.com", "SOA")
    notify.set_opcode(dns.opcode.NOTIFY)
    resp = dns.query.udp(notify, "127.0.0.1", port=zone_server.port, timeout=2)
    assert resp.rcode() == dns.rcode.NOTIMP


def test_malformed_queries_do_not_kill_it(zone_server: ZoneServer) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        sock.sendto(b"\x12\x34" + b"\x01\x00" + b"\x00\x05" + b"\xff" * 20, zone_server.address)
        reply = sock.recv(512)
        assert reply[:2] == b"\x12\x34" and reply[3] & 0x0F == dns.rcode.FORMERR
        sock.sendto(b"\x01", zone_server.address)  # too short for a reply
    with socket.create_connection(zone_server.address, timeout=2) as conn:
        conn.sendall(b"\x00\x40junk")  # promises 64 bytes, sends 4, hangs up
    assert ask(zone_server, "example.com", "A").rcode() == dns.rcode.NOERROR


def test_counts_and_logs_queries(zone_server: ZoneServer) -> None:
    before = zone_server.queries
    ask(zone_server, "Count.Example.com", "MX")
    ask(zone_server, "count.example.com", "MX", tcp=True)
    assert zone_server.queries == before + 2
    log = zone_server.query_log[-2:]
    assert [(q.name, q.rdtype, q.transport) for q in log] == [
        ("count.example.com", "MX", "udp"),
        ("count.example.com", "MX", "tcp"),
    ]


def test_hang_never_answers(zone_server: ZoneServer) -> None:
    with pytest.raises(dns.exception.Timeout):
        ask_fast = dns.message.make_query("hang.example.com", "A")
        dns.query.udp(ask_fast, "127.0.0.1", port=zone_server.port, timeout=0.3)


def test_delay_and_zone_mapping() -> None:
    text = "$TTL 60\n@ IN SOA ns hm 1 2 3 4 5\n@ IN NS ns\nns IN A 10.0.0.1\n"
    with ZoneServer({"mapped.test": text}, delay=0.2) as server:
        start = time.monotonic()
        resp = ask(server, "ns.mapped.test", "A")
        assert time.monotonic() - start >= 0.19
        assert texts(resp.answer) == ["ns.mapped.test. 60 IN A 10.0.0.1"]
        assert server.zones.origins == ("mapped.test.",)


def test_stop_releases_the_port() -> None:
    server = ZoneServer({"example.net": ZONES / "example.net.zone"}).start()
    port = server.port
    server.stop()
    server.stop()
    with ZoneServer({"example.net": ZONES / "example.net.zone"}, port=port) as again:
        assert again.port == port
        assert ask(again, "host.example.net", "A").rcode() == dns.rcode.NOERROR


def test_zone_origin_from_file_name_or_dollar_origin() -> None:
    assert read_zone(ZONES / "example.net.zone").origin.to_text() == "example.net."
    assert read_zone(ZONES / "org-test.zone").origin.to_text() == "example.org."


def test_bad_zone_files_raise(tmp_path: Path) -> None:
    bad = tmp_path / "bad.example.zone"
    bad.write_text("@ IN SOA oops\n")
    with pytest.raises(ZoneLoadError, match=r"bad\.example\.zone"):
        ZoneServer(zone_dir=tmp_path)
    with pytest.raises(ZoneLoadError):
        ZoneServer({"x.test": tmp_path / "missing.zone"})


def test_context_manager_accepts_a_started_server() -> None:
    server = ZoneServer({"example.net": ZONES / "example.net.zone"}).start()
    with server as same:
        assert same is server
        assert ask(server, "example.net", "SOA").rcode() == dns.rcode.NOERROR
    with pytest.raises(OSError):
        ask_timeout = dns.message.make_query("example.net", "SOA")
        dns.query.tcp(ask_timeout, "127.0.0.1", port=server.port, timeout=0.5)
