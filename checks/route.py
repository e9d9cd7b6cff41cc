"""Received hops (basic): who handed the message to whom, when, and over TLS or not.

Received fields come in many dialects (Postfix, Exim, Exchange/Office 365,
Gmail, Proofpoint, qmail); parsing is lenient and per-hop oddities become
``Problem`` entries on the hop. Hops are returned oldest first.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime

from checks.authres import parse_header
from checks.fields import parse_date
from checks.memo import per_sample
from checks.model import Problem, Sample
from checks.receivedlex import Clauses, split_clauses

_BRACKET_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)(?:%[^\]]*)?\]", re.I)
_BARE = re.compile(r"[0-9A-Fa-f:.]+")
_TLS = re.compile(r"\bTLS|version=|cipher=|\bSSLv|Transport Security", re.I)
_TLS_PROTOS = frozenset(
    {"SMTPS", "ESMTPS", "ESMTPSA", "UTF8SMTPS", "UTF8SMTPSA", "LMTPS", "LMTPSA", "HTTPS"}
)
_AUTH_PROTOS = frozenset({"ESMTPA", "ESMTPSA", "UTF8SMTPA", "UTF8SMTPSA", "LMTPA", "LMTPSA"})
_ONE_WORD_PROTO = re.compile(r"(?:UTF8)?(?:E?SMTP|LMTP)S?A?|HTTPS?|local|IMAP|POP3?|MAPI", re.I)
MAX_VALUE = 8 * 1024
_CIP = re.compile(r"(?:^|;)\s*CIP:\s*([0-9A-Fa-f:.]+)", re.I)


@dataclass(frozen=True)
class Hop:
    """One Received field, interpreted.

    Attributes:
        index: Position in the route, 0 = oldest (bottom-most Received).
        from_host: Name given after ``from`` (usually the HELO name), or ``None``.
        from_ip: Connecting IP seen by ``by_host``, or ``None``.
        by_host: The receiving host after ``by``, or ``None``.
        with_proto: Protocol after ``with`` (comments dropped), e.g. ``"ESMTPS"``.
        id: Queue or message id after ``id``.
        for_addr: Recipient after ``for``, without angle brackets.
        date: Timestamp after the last ``;`` (timezone-aware), or ``None``.
        date_raw: The timestamp as written, or ``None``.
        tls: ``True`` when TLS is shown, ``False`` when a protocol without TLS is
            named, ``None`` when it cannot be told.
        raw: The unfolded Received value.
        problems: What could not be parsed in this field.
        from_rdns: Reverse-DNS name shown in the ``from`` comment, if any.
        via: Text after ``via`` (Exchange), or ``None``.
    """

    index: int
    from_host: str | None
    from_ip: str | None
    by_host: str | None
    with_proto: str | None
    id: str | None
    for_addr: str | None
    date: datetime | None
    date_raw: str | None
    tls: bool | None
    raw: str
    problems: tuple[Problem, ...] = ()
    from_rdns: str | None = None
    via: str | None = None


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


def _from_ip(c: Clauses) -> tuple[str | None, str | None]:
    """Find the connecting IP and reverse-DNS name in the ``from`` clause."""
    host = c.words("from")[0] if c.words("from") else None
    if ip := valid_ip(host):
        return ip, None
    for comment in c.comments("from"):
        if m := _BRACKET_IP.search(comment):
            ip = valid_ip(m.group(1))
            before = comment[: m.start()].split()
            rdns = before[-1].rstrip(".") if before and "." in before[-1] else None
            if ip:
                return ip, rdns
    for comment in c.comments("from"):
        for word in comment.replace(",", " ").split():
            if _BARE.fullmatch(word) and (ip := valid_ip(word)):
                return ip, None
    return None, None


def _first(words: list[str]) -> str | None:
    return words[0] if words else None


def _tls(with_proto: str | None, raw_comments: str) -> bool | None:
    if with_proto and with_proto.upper() in _TLS_PROTOS:
        return True
    if _TLS.search(raw_comments):
        return True
    return False if with_proto else None


def parse_received(value: str, index: int = 0) -> Hop:
    """Parse one unfolded Received value into a ``Hop`` (never raises)."""
    where = f"Received hop {index + 1}"
    problems: list[Problem] = []
    raw = value
    if len(value) > MAX_VALUE:
        problems.append(Problem(where, f"longer than {MAX_VALUE >> 10} KB; only the start parsed"))
        value = value[:MAX_VALUE]
    c = split_clauses(value)
    date = None
    if c.date_raw:
        date, issues = parse_date(c.date_text)
        problems.extend(Problem(where, f"Received {i.message}") for i in issues)
    else:
        problems.append(Problem(where, "no date"))
    if not c.words("from") and not c.words("by"):
        problems.append(Problem(where, "no 'from' or 'by' clause"))
    from_ip, rdns = _from_ip(c)
    with_words = c.words("with")
    if len(with_words) > 1 and _ONE_WORD_PROTO.fullmatch(with_words[0]):
        with_words = with_words[:1]
    with_proto = " ".join(with_words) or None
    for_words = c.words("for")
    for_addr = for_words[0].strip("<>,;") if for_words else None
    return Hop(
        index=index,
        from_host=_first(c.words("from")),
        from_ip=from_ip,
        by_host=_first(c.words("by")),
        with_proto=with_proto,
        id=_first(c.words("id")),
        for_addr=for_addr or None,
        date=date,
        date_raw=c.date_raw,
        tls=_tls(with_proto, " ".join(c.all_comments)),
        raw=raw,
        problems=tuple(problems),
        from_rdns=rdns,
        via=" ".join(c.words("via")) or None,
    )


def _safe_parse(value: str, index: int) -> Hop:
    try:
        return parse_received(value, index)
    except Exception as exc:  # last-resort guard: hostile input never raises
        problem = Problem(f"Received hop {index + 1}", f"not parsed ({type(exc).__name__})")
        return Hop(index, None, None, None, None, None, None, None, None, None, value, (problem,))


@per_sample
def parse_hops(sample: Sample) -> tuple[Hop, ...]:
    """Parse every Received field of ``sample``, oldest (bottom-most) first."""
    received = list(reversed(sample.all("received")))
    return tuple(_safe_parse(h.value, i) for i, h in enumerate(received))


def connecting_ip(sample: Sample, hops: tuple[Hop, ...]) -> str | None:
    """Tell the IP address the receiving gateway saw.

    Prefers, in order: Received-SPF ``client-ip``, X-Forefront-Antispam-Report
    ``CIP:``, Authentication-Results ``smtp.remote-ip`` / ``policy.iprev``, then
    the oldest hop with a public ``from_ip`` (hops from authenticated submission
    are used only when nothing else is public).

    Returns:
        The address, or ``None`` when no source names one.
    """
    for h in sample.all("received-spf"):
        spf = parse_header(h).method("spf")
        if spf and (ip := valid_ip(spf.prop("client-ip"))):
            return ip
    for h in sample.all("x-forefront-antispam-report"):
        if (m := _CIP.search(h.value)) and (ip := valid_ip(m.group(1))):
            return ip
    for h in sample.all("authentication-results"):
        for method in parse_header(h).methods:
            for key in ("smtp.remote-ip", "policy.iprev"):
                if ip := valid_ip(method.prop(key)):
                    return ip
    public = [h for h in hops if is_public(h.from_ip)]
    plain = [h for h in public if (h.with_proto or "").upper() not in _AUTH_PROTOS]
    chosen = (plain or public)[:1]
    return chosen[0].from_ip if chosen else None
