"""Parsing of SPF records (RFC 7208 section 4.6 and 5): terms, qualifiers, CIDR lengths.

A record is parsed completely before evaluation: any syntax error anywhere in it
makes check_host() return ``permerror`` without evaluating a single term.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from mailtriage.checks.auth.spf.macro import SpfSyntaxError, check_macro_string

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
#: Terms that cost one of the 10 DNS lookups.
DNS_TERMS = ("include", "a", "mx", "ptr", "exists", "redirect")
_QUALIFIERS = "+-~?"
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*\Z")
_MECH_RE = re.compile(r"([A-Za-z0-9]+)(.*)\Z", re.DOTALL)
_CIDR4_RE = r"/(0|[1-9][0-9]?)"
_CIDR6_RE = r"/(0|[1-9][0-9]{0,2})"
_DUAL_RE = re.compile(rf"(?:{_CIDR4_RE})?(?:/{_CIDR6_RE})?\Z")
_TOPLABEL_RE = re.compile(r"(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\Z")


@dataclass(frozen=True)
class Term:
    """One parsed term of an SPF record.

    Attributes:
        text: The term as written in the record.
        name: Mechanism or modifier name, lower-case (e.g. ``"include"``, ``"redirect"``).
        qualifier: ``"+"``, ``"-"``, ``"~"`` or ``"?"`` for mechanisms, ``""`` for modifiers.
        arg: The domain-spec / address / modifier value, or ``None`` when absent.
        cidr4: IPv4 prefix length (``ip4`` and dual-cidr of ``a``/``mx``).
        cidr6: IPv6 prefix length (``ip6`` and dual-cidr of ``a``/``mx``).
    """

    text: str
    name: str
    qualifier: str
    arg: str | None
    cidr4: int = 32
    cidr6: int = 128

    @property
    def is_modifier(self) -> bool:
        """True for ``name=value`` terms."""
        return self.qualifier == ""

    @property
    def counts(self) -> bool:
        """True when evaluating this term costs one of the 10 DNS lookups."""
        return self.name in DNS_TERMS


@dataclass(frozen=True)
class Record:
    """A parsed SPF record: mechanisms in order plus the two known modifiers."""

    text: str
    terms: tuple[Term, ...]
    redirect: Term | None
    exp: Term | None

    @property
    def mechanisms(self) -> tuple[Term, ...]:
        """The mechanisms, in record order."""
        return tuple(t for t in self.terms if not t.is_modifier)

    @property
    def catch_all(self) -> Term | None:
        """The first ``all`` mechanism, or ``None``: it matches every host, so evaluation
        never goes past it (RFC 7208 section 5.1) and ``redirect=`` is then ignored (6.1)."""
        return next((t for t in self.terms if t.name == "all"), None)


def is_spf_record(text: str) -> bool:
    """True when a TXT string is an SPF version 1 record (``v=spf1`` then space or end)."""
    head = text[:7].lower()
    return head == "v=spf1" or head == "v=spf1 "


def parse_record(text: str) -> Record:
    """Parse a full ``v=spf1`` record.

    Raises:
        SpfSyntaxError: Anything that makes the record a permerror.
    """
    if not text.isascii():
        raise SpfSyntaxError("the record contains non-ASCII characters")
    if not is_spf_record(text):
        raise SpfSyntaxError("the record does not start with v=spf1")
    terms: list[Term] = []
    for word in text[6:].split(" "):
        if word:
            terms.append(parse_term(word))
    redirects = [t for t in terms if t.name == "redirect"]
    exps = [t for t in terms if t.name == "exp"]
    if len(redirects) > 1 or len(exps) > 1:
        raise SpfSyntaxError("redirect= and exp= may appear at most once each")
    return Record(text, tuple(terms), redirects[0] if redirects else None,
                  exps[0] if exps else None)  # fmt: skip


def parse_term(word: str) -> Term:
    """Parse one space-separated term.

    Raises:
        SpfSyntaxError: Unknown mechanism, bad argument, bad CIDR or bad macro.
    """
    if any(ord(c) < 33 or ord(c) > 126 for c in word):
        raise SpfSyntaxError(f"control or non-printable character in {word!r}")
    name, eq, value = word.partition("=")
    if eq and _NAME_RE.match(name):
        lname = name.lower()
        if lname in ("redirect", "exp"):
            check_domain_spec(value, word)
        else:
            check_macro_string(value)
        return Term(word, lname, "", value)
    qualifier = "+"
    body = word
    if body[0] in _QUALIFIERS:
        qualifier, body = body[0], body[1:]
    match = _MECH_RE.match(body)
    if not match or match.group(1).lower() not in MECHANISMS:
        raise SpfSyntaxError(f"unknown mechanism or bad term {word!r}")
    mech, rest = match.group(1).lower(), match.group(2)
    return _mechanism(word, qualifier, mech, rest)


def _mechanism(word: str, qualifier: str, mech: str, rest: str) -> Term:
    if mech == "all":
        if rest:
            raise SpfSyntaxError(f"'all' takes no argument: {word!r}")
        return Term(word, mech, qualifier, None)
    if mech in ("ip4", "ip6"):
        return _ip_term(word, qualifier, mech, rest)
    arg: str | None = None
    if rest.startswith(":"):
        arg, rest = _split_cidr(rest[1:]) if mech in ("a", "mx") else (rest[1:], "")
        check_domain_spec(arg, word)
    elif mech in ("include", "exists"):
        raise SpfSyntaxError(f"{mech!r} needs a domain: {word!r}")
    if mech in ("a", "mx"):
        cidr = _DUAL_RE.match(rest)
        if cidr is None or int(cidr.group(1) or 32) > 32 or int(cidr.group(2) or 128) > 128:
            raise SpfSyntaxError(f"bad CIDR length in {word!r}")
        return Term(word, mech, qualifier, arg, int(cidr.group(1) or 32), int(cidr.group(2) or 128))
    if rest:
        raise SpfSyntaxError(f"unexpected text after {mech!r}: {word!r}")
    return Term(word, mech, qualifier, arg)


def _split_cidr(text: str) -> tuple[str, str]:
    """Split ``domain/24//64`` into the domain-spec and the dual-cidr part."""
    match = re.search(r"(/[0-9]*)?(//[0-9]*)?\Z", text)
    assert match is not None
    return text[: match.start()], text[match.start() :]


def _ip_term(word: str, qualifier: str, mech: str, rest: str) -> Term:
    if not rest.startswith(":"):
        raise SpfSyntaxError(f"{mech!r} needs an address: {word!r}")
    addr, slash, length = rest[1:].partition("/")
    pattern = _CIDR4_RE if mech == "ip4" else _CIDR6_RE
    if slash and not re.fullmatch(pattern, "/" + length):
        raise SpfSyntaxError(f"bad CIDR length in {word!r}")
    limit = 32 if mech == "ip4" else 128
    prefix = int(length) if slash else limit
    try:
        ipaddress.IPv4Address(addr) if mech == "ip4" else ipaddress.IPv6Address(addr)
    except ValueError:
        raise SpfSyntaxError(f"bad address in {word!r}") from None
    if prefix > limit:
        raise SpfSyntaxError(f"CIDR length over {limit} in {word!r}")
    if mech == "ip4":
        return Term(word, mech, qualifier, addr, cidr4=prefix)
    return Term(word, mech, qualifier, addr, cidr6=prefix)


def check_domain_spec(spec: str, word: str) -> None:
    """Check ``domain-spec = macro-string domain-end`` (RFC 7208 section 7.1).

    Raises:
        SpfSyntaxError: Empty, bad macro, or no valid top label / macro at the end.
    """
    if not spec:
        raise SpfSyntaxError(f"empty domain in {word!r}")
    check_macro_string(spec)
    if re.search(r"%\{[^}]*\}\Z", spec):
        return
    labels = spec.removesuffix(".").split(".")
    if len(labels) < 2 or not _TOPLABEL_RE.match(labels[-1]):
        raise SpfSyntaxError(f"domain in {word!r} does not end in a valid top label")
