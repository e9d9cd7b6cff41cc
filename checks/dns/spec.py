"""The resolver address a user gives (``--resolver``, the config file) and the fatal DNS error.

Kept apart from the DNS results (:mod:`mailtriage.checks.dns.model`): the command line
checks a resolver address before anything else runs, and needs none of the result
types for it.
"""

from __future__ import annotations

import ipaddress


class DnsError(Exception):
    """Fatal DNS configuration error (bad --resolver, no system resolvers, bad limits)."""


def parse_spec(spec: str) -> tuple[str, int]:
    """Split ``"HOST[:PORT]"`` (IPv6 as ``"[::1]:5353"`` or bare ``"::1"``).

    Args:
        spec: The resolver address as given on the command line.

    Returns:
        ``(host, port)``; the port defaults to 53.

    Raises:
        DnsError: The host is not an IP address or the port is not 1-65535.
    """
    text = spec.strip()
    port_text: str | None = None
    if text.startswith("["):
        host, closed, rest = text[1:].partition("]")
        if not closed or (rest and not rest.startswith(":")):
            raise DnsError(f"bad resolver {spec!r}: expected [IPv6]:PORT")
        port_text = rest[1:] if rest else None
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host = text
    check_address(host)
    if port_text is None:
        return host, 53
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise DnsError(f"bad resolver {spec!r}: port must be a number from 1 to 65535")
    return host, int(port_text)


def check_address(host: str) -> str:
    """Return ``host`` if it is an IPv4/IPv6 address, else raise :class:`DnsError`."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise DnsError(f"resolver must be an IP address, not {host!r}") from None
    return host
