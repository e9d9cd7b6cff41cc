"""Address and domain helpers of the SPF check: client IPs, CIDR matching, names."""

from __future__ import annotations

import ipaddress

IP = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_ip(text: str | IP) -> IP:
    """Parse the client address; an IPv4-mapped IPv6 address becomes plain IPv4.

    Raises:
        ValueError: Not an IP address.
    """
    ip = ipaddress.ip_address(text) if isinstance(text, str) else text
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def in_network(ip: IP, address: str, cidr4: int, cidr6: int) -> bool:
    """True when ``ip`` lies in ``address/cidr`` (the length for its family)."""
    try:
        other = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(other, ipaddress.IPv6Address) and other.ipv4_mapped is not None:
        other = other.ipv4_mapped
    if other.version != ip.version:
        return False
    prefix = cidr4 if ip.version == 4 else cidr6
    return ip in ipaddress.ip_network(f"{other}/{prefix}", strict=False)


def address_type(ip: IP) -> str:
    """``"A"`` for IPv4 clients, ``"AAAA"`` for IPv6 ones."""
    return "A" if ip.version == 4 else "AAAA"


def reverse_name(ip: IP) -> str:
    """The in-addr.arpa / ip6.arpa name of ``ip`` (no final dot)."""
    return ip.reverse_pointer


def domain_problem(domain: str, *, multi_label: bool = True) -> str | None:
    """Why ``domain`` cannot be looked up, or ``None`` when it is fine.

    Checks empty labels, labels over 63 octets, names over 253 octets and,
    when ``multi_label``, single-label names.
    """
    name = domain.removesuffix(".")
    if not name:
        return "empty domain"
    if name.startswith("[") or (":" in name and name.replace(":", "").isalnum()):
        return f"{domain!r} is an address literal, not a domain"
    labels = name.split(".")
    if any(not label for label in labels):
        return f"{domain!r} has an empty label"
    if any(len(label.encode()) > 63 for label in labels):
        return f"{domain!r} has a label longer than 63 octets"
    if len(name.encode()) > 253:
        return f"{domain!r} is longer than 253 octets"
    if multi_label and len(labels) < 2:
        return f"{domain!r} is not a fully qualified domain"
    return None


def shorten(name: str) -> str:
    """Drop left-hand labels until an expanded domain fits in 253 octets (RFC 7208 7.3)."""
    name = name.removesuffix(".")
    while len(name.encode()) > 253 and "." in name:
        name = name.split(".", 1)[1]
    return name


def same_or_sub(name: str, domain: str) -> bool:
    """True when ``name`` equals ``domain`` or ends with ``"." + domain`` (case-insensitive)."""
    name, domain = name.rstrip(".").lower(), domain.rstrip(".").lower()
    return name == domain or name.endswith("." + domain)
