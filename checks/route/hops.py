"""Received hops: who handed the message to whom, when, and over TLS or not.

Received fields come in many dialects (Postfix, Exim, Exchange/Office 365,
Gmail, Proofpoint, qmail); parsing is lenient and per-hop oddities become
``Problem`` entries on the hop. Hops are returned oldest first. Dates, IPs and
TLS facts are read by ``receiveddate``, ``receivedip`` and ``receivedtls``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from mailtriage.checks.model import AuthResults, Problem, Sample
from mailtriage.checks.route.received_date import parse_received_date
from mailtriage.checks.route.received_ip import from_ip, is_public, valid_ip
from mailtriage.checks.route.received_lex import split_clauses
from mailtriage.checks.route.received_tls import tls_facts

_AUTH_PROTOS = frozenset({"ESMTPA", "ESMTPSA", "UTF8SMTPA", "UTF8SMTPSA", "LMTPA", "LMTPSA"})
_ONE_WORD_PROTO = re.compile(r"(?:UTF8)?(?:E?SMTP|LMTP)S?A?|HTTPS?|local|IMAP|POP3?|MAPI", re.I)
MAX_VALUE = 8 * 1024
MAX_NOTES = 12
#: Received fields parsed per message (oldest first) and their total text budget.
MAX_HOPS = 300
MAX_RECEIVED_TEXT = 512 * 1024
__all__ = [
    "MAX_VALUE",
    "Hop",
    "connecting_ip",
    "is_public",
    "parse_hops",
    "parse_received",
    "valid_ip",
]


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
        tls_version: TLS version when written, normalised (``"TLSv1.2"``), or ``None``.
        tls_cipher: Cipher suite when written, or ``None``.
        notes: Comments outside the ``from`` clause (software names such as
            ``"Postfix"``, ``"PPS"``, ``"Exim 4.96"``, qmail notes), capped.
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
    tls_version: str | None = None
    tls_cipher: str | None = None
    notes: tuple[str, ...] = ()


def _first(words: list[str]) -> str | None:
    return words[0] if words else None


def _by_host(words: list[str]) -> str | None:
    if len(words) > 1 and words[0].lower() == "host":  # indimail: "by host mail.example"
        return words[1]
    return _first(words)


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
        date, issues = parse_received_date(c.date_text)
        problems.extend(Problem(where, f"Received {i}") for i in issues)
    else:
        problems.append(Problem(where, "no date"))
    if not c.words("from") and not c.words("by"):
        problems.append(Problem(where, "no 'from' or 'by' clause"))
    ip, rdns = from_ip(c)
    with_words = c.words("with")
    if len(with_words) > 1 and _ONE_WORD_PROTO.fullmatch(with_words[0]):
        with_words = with_words[:1]
    with_proto = " ".join(with_words) or None
    for_words = c.words("for")
    for_addr = for_words[0].strip("<>,;") if for_words else None
    tls = tls_facts(with_proto, value)
    return Hop(
        index=index,
        from_host=_first(c.words("from")),
        from_ip=ip,
        by_host=_by_host(c.words("by")),
        with_proto=with_proto,
        id=_first(c.words("id")),
        for_addr=for_addr or None,
        date=date,
        date_raw=c.date_raw,
        tls=tls.tls,
        raw=raw,
        problems=tuple(problems),
        from_rdns=rdns,
        via=" ".join(c.words("via")) or None,
        tls_version=tls.version,
        tls_cipher=tls.cipher,
        notes=tuple(n[:200] for n in c.notes()[:MAX_NOTES]),
    )


def _safe_parse(value: str, index: int) -> Hop:
    try:
        return parse_received(value, index)
    except Exception as exc:  # last-resort guard: hostile input never raises
        problem = Problem(f"Received hop {index + 1}", f"not parsed ({type(exc).__name__})")
        return Hop(index, None, None, None, None, None, None, None, None, None, value, (problem,))


def parse_hops(sample: Sample) -> tuple[Hop, ...]:
    """Parse the Received fields of ``sample``, oldest (bottom-most) first.

    Past :data:`MAX_HOPS` fields or :data:`MAX_RECEIVED_TEXT`, the oldest fields are
    skipped: the newest ones were written by the receiving side, whose hops (the
    gateway, the tenant) are the ones a sender cannot forge or pad away. A problem
    on the first parsed hop says how many were skipped.
    """
    newest_first = sample.all("received")
    kept: list[str] = []
    used = 0
    for h in newest_first[:MAX_HOPS]:
        if used >= MAX_RECEIVED_TEXT:
            break
        used += min(len(h.value), MAX_VALUE)
        kept.append(h.value)
    kept.reverse()
    hops = [_safe_parse(value, i) for i, value in enumerate(kept)]
    if skipped := len(newest_first) - len(hops):  # the newest field is always parsed
        why = f"{skipped} older Received fields not parsed (limit {MAX_HOPS} fields, "
        why += f"{MAX_RECEIVED_TEXT >> 10} KB); the route shows the newest {len(hops)}"
        hops[0] = replace(hops[0], problems=(*hops[0].problems, Problem("Received", why)))
    return tuple(hops)


def connecting_ip(
    recorded: Sequence[AuthResults], hops: Sequence[Hop], microsoft_cip: Sequence[str] = ()
) -> str | None:
    """Tell the IP address the receiving gateway saw.

    Prefers, in order: Received-SPF ``client-ip``, X-Forefront-Antispam-Report
    ``CIP:`` (passed in from the decoded verdicts), Authentication-Results
    ``smtp.remote-ip`` / ``policy.iprev``, then the oldest hop with a public
    ``from_ip`` (hops from authenticated submission are used only when nothing
    else is public).

    Args:
        recorded: The parsed authentication headers, topmost first.
        hops: The parsed Received hops, oldest first.
        microsoft_cip: ``CIP`` values of Microsoft's verdict headers, topmost first.

    Returns:
        The address, or ``None`` when no source names one.
    """
    for r in recorded:
        spf = r.method("spf") if r.header == "Received-SPF" else None
        if spf and (ip := valid_ip(spf.prop("client-ip"))):
            return ip
    for cip in microsoft_cip:
        if ip := valid_ip(cip):
            return ip
    for r in recorded:
        if r.header != "Authentication-Results":
            continue
        for method in r.methods:
            for key in ("smtp.remote-ip", "policy.iprev"):
                if ip := valid_ip(method.prop(key)):
                    return ip
    public = [h for h in hops if is_public(h.from_ip)]
    plain = [h for h in public if (h.with_proto or "").upper() not in _AUTH_PROTOS]
    chosen = (plain or public)[:1]
    return chosen[0].from_ip if chosen else None
