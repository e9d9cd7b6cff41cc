"""Zone loading and authoritative answers for the embedded DNS server.

:class:`ZoneSet` holds parsed zones and turns one query message into one
authoritative response (AA flag, NXDOMAIN versus NODATA with the SOA in the
authority section, CNAME chasing across the served zones, wildcards, empty
non-terminals, REFUSED outside the served zones). It does no networking; see
:mod:`mailtriage.checks.dns.zoneserver` for that.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.node
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone

_MAX_CHAIN = 8
_ORIGIN_RE = re.compile(r"^\$ORIGIN\s+(\S+)", re.IGNORECASE)


class ZoneLoadError(Exception):
    """A zone file could not be read or parsed (the message names the file)."""


def read_zone(source: str | os.PathLike[str], origin: str | None = None) -> dns.zone.Zone:
    """Parse one zone in master-file format.

    Args:
        source: A path to a zone file, or zone text (a ``str`` holding a newline).
        origin: The zone's origin. When ``None``: a ``$ORIGIN`` directive that comes
            before the first record, else the file name without ``.zone``.

    Returns:
        The parsed zone, with absolute owner names.

    Raises:
        ZoneLoadError: The file is unreadable, has no usable origin, or does not parse.
    """
    is_text = isinstance(source, str) and "\n" in source
    label = "<zone text>" if is_text else str(source)
    try:
        text = str(source) if is_text else Path(source).read_text(encoding="utf-8")
        if origin is None:
            origin = _leading_origin(text)
        if origin is None and not is_text:
            origin = Path(source).name.removesuffix(".zone")
        if not origin:
            raise ZoneLoadError(f"{label}: no origin (give one, or add $ORIGIN)")
        if not origin.endswith("."):
            origin += "."
        return dns.zone.from_text(
            text, origin=origin, relativize=False, check_origin=False, filename=label
        )
    except ZoneLoadError:
        raise
    except (OSError, UnicodeDecodeError, dns.exception.DNSException) as exc:
        raise ZoneLoadError(f"{label}: {exc}") from exc


def _leading_origin(text: str) -> str | None:
    """Return the ``$ORIGIN`` given before any record, if there is one."""
    for line in text.splitlines():
        stripped = line.split(";", 1)[0].strip()
        if not stripped:
            continue
        match = _ORIGIN_RE.match(stripped)
        if match:
            return match.group(1)
        if not stripped.startswith("$"):
            return None
    return None


class ZoneSet:
    """A set of zones answering queries authoritatively.

    Args:
        zones: The parsed zones; a later zone with the same origin replaces an earlier one.
    """

    def __init__(self, zones: Iterable[dns.zone.Zone]) -> None:
        self._zones: dict[dns.name.Name, dns.zone.Zone] = {}
        self._names: dict[dns.name.Name, set[dns.name.Name]] = {}
        for zone in zones:
            assert zone.origin is not None
            names: set[dns.name.Name] = set()
            for owner in zone.nodes:
                name = owner if isinstance(owner, dns.name.Name) else dns.name.from_text(owner)
                while name.is_subdomain(zone.origin) and name not in names:
                    names.add(name)
                    if name == zone.origin:
                        break
                    name = name.parent()
            self._zones[zone.origin] = zone
            self._names[zone.origin] = names

    @property
    def origins(self) -> tuple[str, ...]:
        """The served zone origins as text, e.g. ``("example.com.",)``."""
        return tuple(sorted(o.to_text() for o in self._zones))

    def find_zone(self, name: dns.name.Name) -> dns.zone.Zone | None:
        """Return the served zone closest to ``name``, or ``None`` when outside all."""
        best: tuple[dns.name.Name, dns.zone.Zone] | None = None
        for origin, zone in self._zones.items():
            if name.is_subdomain(origin) and (best is None or origin.is_subdomain(best[0])):
                best = (origin, zone)
        return best[1] if best else None

    def respond(self, query: dns.message.Message, *, servfail: bool = False) -> dns.message.Message:
        """Build the authoritative response to ``query``.

        Args:
            query: A parsed query message.
            servfail: Answer SERVFAIL instead of looking the name up.

        Returns:
            The response message (not yet size-limited).
        """
        resp = dns.message.make_response(query)
        if query.opcode() != dns.opcode.QUERY:
            resp.set_rcode(dns.rcode.NOTIMP)
            return resp
        if len(query.question) != 1:
            resp.set_rcode(dns.rcode.FORMERR)
            return resp
        question = query.question[0]
        zone = self.find_zone(question.name)
        if zone is None or question.rdclass != dns.rdataclass.IN:
            resp.set_rcode(dns.rcode.REFUSED)
            return resp
        if servfail:
            resp.set_rcode(dns.rcode.SERVFAIL)
            return resp
        resp.flags |= dns.flags.AA
        self._resolve(resp, question.name, question.rdtype)
        return resp

    def _resolve(
        self, resp: dns.message.Message, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType
    ) -> None:
        name = qname
        seen: set[dns.name.Name] = set()
        for _ in range(_MAX_CHAIN + 1):
            zone = self.find_zone(name)
            if zone is None or name in seen:
                return  # CNAME leads outside the served zones, or loops
            seen.add(name)
            kind, node = self._lookup(zone, name)
            if kind == "nx":
                resp.set_rcode(dns.rcode.NXDOMAIN)
            if node is None:
                self._add_soa(resp, zone)
                return
            if rdtype == dns.rdatatype.ANY:
                for rds in node.rdatasets:
                    resp.answer.append(_rrset(name, rds))
                return
            found = node.get_rdataset(dns.rdataclass.IN, rdtype)
            if found:
                resp.answer.append(_rrset(name, found))
                return
            cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
            if not cname or rdtype == dns.rdatatype.CNAME:
                self._add_soa(resp, zone)
                return
            resp.answer.append(_rrset(name, cname))
            name = cname[0].target

    def _lookup(self, zone: dns.zone.Zone, name: dns.name.Name) -> tuple[str, dns.node.Node | None]:
        """Return ``("node", node)``, ``("empty", None)`` (NODATA) or ``("nx", None)``."""
        origin = _origin(zone)
        node = zone.get_node(name)
        if node is not None and len(node) > 0:
            return "node", node
        names = self._names[origin]
        if name in names:
            return "empty", None
        encloser = name.parent()
        while encloser not in names and encloser != origin:
            encloser = encloser.parent()
        wild = zone.get_node(dns.name.Name((b"*", *encloser.labels)))
        if wild is not None and len(wild) > 0:
            return "node", wild
        return "nx", None

    @staticmethod
    def _add_soa(resp: dns.message.Message, zone: dns.zone.Zone) -> None:
        origin = _origin(zone)
        soa = zone.get_rdataset(origin, dns.rdatatype.SOA)
        if soa:
            rrset = _rrset(origin, soa)
            rrset.ttl = min(soa.ttl, soa[0].minimum)
            resp.authority.append(rrset)


def _origin(zone: dns.zone.Zone) -> dns.name.Name:
    assert zone.origin is not None  # read_zone always sets one
    return zone.origin


def _rrset(owner: dns.name.Name, rds: dns.rdataset.Rdataset) -> dns.rrset.RRset:
    rrset = dns.rrset.RRset(owner, rds.rdclass, rds.rdtype)
    rrset.update(rds)
    return rrset
