"""Turn the zonedata of the SPF conformance suite into zone text for a ZoneServer.

All names go into one root zone. As the suite's drivers do, SPF (type 99) data is
also served as TXT for names that have no TXT data of their own; ``TXT: NONE``
only switches that off. ``TIMEOUT`` names are returned separately: the server
must never answer them for the record types they hold no data of (as the suite's
own drivers do); ``hang`` holds those ``(name, type)`` pairs for ZoneServer's ``hang=``.
"""

from __future__ import annotations

from typing import Any

_PLAIN = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_*")


def owner(name: str) -> str:
    """A domain name in master-file syntax, absolute, with odd characters escaped."""
    labels = [label for label in name.strip().rstrip(".").split(".")]
    if labels == [""]:
        return "."
    escaped = ["".join(c if c in _PLAIN else f"\\{ord(c):03d}" for c in label) for label in labels]
    return ".".join(escaped) + "."


def txt_rdata(value: str | list[str]) -> str:
    """TXT rdata: each string split into chunks of at most 255 octets, all escaped."""
    strings = [value] if isinstance(value, str) else list(value)
    if not strings:
        return '""'
    chunks: list[bytes] = []
    for text in strings:
        data = text.encode("utf-8")
        chunks += [data[i : i + 255] for i in range(0, len(data), 255)] or [b""]
    return " ".join('"' + "".join(_char(b) for b in chunk) + '"' for chunk in chunks)


def _char(octet: int) -> str:
    if 32 <= octet < 127 and chr(octet) not in '"\\':
        return chr(octet)
    return f"\\{octet:03d}"


def _rdata(rdtype: str, value: Any) -> str:
    if rdtype in ("TXT", "SPF"):
        return txt_rdata(value)
    if rdtype == "MX":
        return f"{int(value[0])} {owner(str(value[1]))}"
    if rdtype in ("PTR", "CNAME"):
        return owner(str(value))
    return str(value)


_TYPES = ("A", "AAAA", "MX", "PTR", "TXT", "SPF", "CNAME")


def build_zone(zonedata: dict[str, list[Any]]) -> tuple[str, frozenset[tuple[str, str]]]:
    """Return ``(root zone text, (name, type) pairs that must time out)`` for one scenario."""
    lines = ["$TTL 300", ". 300 IN SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 300"]
    hang: set[tuple[str, str]] = set()
    for name, records in zonedata.items():
        lname = name.strip().rstrip(".").lower()
        has_txt = any(isinstance(r, dict) and "TXT" in r for r in records)
        served: set[str] = set()
        for record in records:
            if isinstance(record, str):
                if record.upper() == "TIMEOUT":
                    hang.add((lname, ""))
                continue
            for rdtype, value in record.items():
                if value == "NONE":
                    continue
                lines.append(f"{owner(name)} 300 IN {rdtype} {_rdata(rdtype, value)}")
                served.add(rdtype)
                if rdtype == "SPF" and not has_txt:
                    lines.append(f"{owner(name)} 300 IN TXT {_rdata(rdtype, value)}")
                    served.add("TXT")
        if (lname, "") in hang:
            hang.discard((lname, ""))
            hang.update((lname, t) for t in _TYPES if t not in served)
    return "\n".join(lines) + "\n", frozenset(hang)
