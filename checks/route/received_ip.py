"""IP addresses in Received fields: normalising, public or not, and the connecting IP.

The ``from`` clause of a Received field names the client twice: the name it
claimed (HELO) and, in a comment, what the receiving MTA saw on the TCP
connection. Only the latter is evidence.
"""

from __future__ import annotations

import ipaddress
import re

from mailtriage.checks.route.received_lex import Clauses

_BRACKET_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)(?:%[^\]]*)?\]", re.I)
_BARE = re.compile(r"[0-9A-Fa-f:.]+")
_HELO = re.compile(r"\b(?:HELO|EHLO)\s+\S+|\bhelo=\S+", re.I)


def valid_ip(text: str | None) -> str | None:
    """Return ``text`` as a normalised IP address, or ``None`` when it is not one."""
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text.strip().strip("[]").removeprefix("IPv6:")))
    except ValueError:
        return None


def is_public(ip: str | None) -> bool:
    """Whether ``ip`` is a global (internet-routable) address."""
    if not ip:
        return False
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    addr = getattr(addr, "ipv4_mapped", None) or addr
    # Documentation ranges never route, but samples, tickets and vendor docs use them
    # in place of real senders; treating them as private would hide the sender.
    if any(addr in net for net in _DOCUMENTATION if net.version == addr.version):
        return True
    return bool(addr.is_global)


_DOCUMENTATION = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)


def from_ip(c: Clauses) -> tuple[str | None, str | None]:
    """Find the connecting IP and reverse-DNS name in the ``from`` clause.

    The comment (what the receiving MTA saw on the TCP connection) wins over the
    name after ``from`` (what the client claimed); HELO arguments are skipped.

    Args:
        c: The split Received value.

    Returns:
        ``(ip, rdns)``, each ``None`` when not shown.
    """
    words = c.words("from")
    comments = [_HELO.sub(" ", comment) for comment in c.comments("from")]
    for comment in comments:
        if m := _BRACKET_IP.search(comment):
            ip = valid_ip(m.group(1))
            before = comment[: m.start()].split()
            rdns = before[-1].rstrip(".") if before and "." in before[-1] else None
            if ip:
                return ip, rdns
    for comment in comments:
        for word in comment.replace(",", " ").split():
            if _BARE.fullmatch(word) and (ip := valid_ip(word)):
                return ip, None
    for word in words[:4]:  # "from [192.0.2.1]", ZoneMTA's "from foo [127.0.0.1]"
        if ip := valid_ip(word):
            return ip, None
    return None, None
