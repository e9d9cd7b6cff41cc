"""Parsing one DMARC policy record (RFC 7489 section 6.3; DMARCbis = RFC 9989).

Parsing never raises: every problem becomes a warning, and the record carries
the values a receiver would act on (defaults filled in, invalid values ignored).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mailtriage.checks.taglist import parse_tags

if TYPE_CHECKING:  # the DNS result types are not needed to read a recorded policy
    from mailtriage.checks.dns.model import DnsAnswer

POLICIES = ("none", "quarantine", "reject")
_ALIGN = ("r", "s")
_RFC7489 = {"v", "p", "sp", "pct", "rua", "ruf", "adkim", "aspf", "fo", "rf", "ri"}
_DMARCBIS = {"np", "psd", "t"}  # new in RFC 9989
_REMOVED_IN_BIS = {"pct", "rf", "ri"}


@dataclass(frozen=True)
class DmarcRecord:
    """The values of one ``v=DMARC1`` record, as a receiver would use them.

    Attributes:
        raw: The TXT string as published.
        p: Policy for the domain itself; ``None`` when no valid ``p=`` (see ``valid``).
        sp: Subdomain policy, ``None`` when absent (then ``p`` applies to subdomains).
        np: DMARCbis policy for non-existent subdomains, ``None`` when absent.
        pct: Percentage of failing mail the policy applies to (RFC 7489; 100 by default).
        testing: DMARCbis ``t=y``: the owner is testing (policy one step softer).
        adkim: DKIM alignment mode, ``"r"`` (relaxed) or ``"s"`` (strict).
        aspf: SPF alignment mode, ``"r"`` or ``"s"``.
        rua: Aggregate report URIs.
        ruf: Failure report URIs.
        fo: Failure reporting options (default ``"0"``).
        psd: DMARCbis ``psd=`` value (``"y"``, ``"n"``, ``"u"``) or ``None``.
        valid: False when RFC 7489 says to apply no DMARC at all (no valid ``p=``
            and no usable ``rua=``).
        warnings: Problems found, one line each.
    """

    raw: str
    p: str | None
    sp: str | None = None
    np: str | None = None
    pct: int = 100
    testing: bool = False
    adkim: str = "r"
    aspf: str = "r"
    rua: tuple[str, ...] = ()
    ruf: tuple[str, ...] = ()
    fo: str = "0"
    psd: str | None = None
    valid: bool = True
    warnings: tuple[str, ...] = ()


Status = Literal["found", "none", "temperror"]


@dataclass(frozen=True)
class DmarcRecordResult:
    """Outcome of policy discovery for one From domain.

    Attributes:
        from_domain: The From domain asked about (lower-case, no final dot).
        status: ``"found"``; ``"none"`` (no record, several records, or an
            unusable one: no DMARC applies); ``"temperror"`` (DNS failure).
        record: The parsed record when found.
        policy_domain: Where the record was found (the From domain or its
            organizational domain), else ``None``.
        org_domain: The organizational domain of ``from_domain`` (PSL), if any.
        from_exists: Whether the From domain has an A, AAAA or MX record;
            ``None`` when not looked up (only looked up for inherited policies).
        warnings: Problems found, one line each (record warnings included).
        answers: Every DNS answer used, in order.
    """

    from_domain: str
    status: Status
    record: DmarcRecord | None = None
    policy_domain: str | None = None
    org_domain: str | None = None
    from_exists: bool | None = None
    warnings: tuple[str, ...] = ()
    answers: tuple[DnsAnswer, ...] = ()

    @property
    def inherited(self) -> bool:
        """True when the record came from the organizational domain, not the From domain."""
        return self.policy_domain is not None and self.policy_domain != self.from_domain


def is_dmarc_record(text: str) -> bool:
    """True if a TXT string starts with the version tag ``v=DMARC1``."""
    head = text.split(";", 1)[0].replace(" ", "").replace("\t", "")
    return head.lower() == "v=dmarc1"


def parse_record(text: str) -> DmarcRecord:
    """Parse a DMARC TXT string (which should start with ``v=DMARC1``).

    Args:
        text: The record.

    Returns:
        The record's effective values and warnings; never raises.
    """
    tags = parse_tags(text, lower_names=True)
    warn = [f"syntax: {p}" for p in tags.problems]
    if tags.names[:1] != ("v",) or (tags.get("v") or "").upper() != "DMARC1":
        warn.append("the record must start with v=DMARC1")
    for name in tags.names:
        if name not in _RFC7489 | _DMARCBIS:
            warn.append(f"unknown tag {name}= (receivers ignore it)")
        elif name in _REMOVED_IN_BIS:
            warn.append(f"{name}= is removed in DMARCbis (RFC 9989); older receivers still use it")
    p = _choice(tags.get("p"), "p", POLICIES, warn)
    if tags.get("p") is not None and tags.names[1:2] != ("p",):
        warn.append("RFC 7489 wants p= right after v= (DMARCbis no longer requires it)")
    sp = _choice(tags.get("sp"), "sp", POLICIES, warn)
    np = _choice(tags.get("np"), "np", POLICIES, warn)
    rua, ruf = _uris(tags.get("rua"), "rua", warn), _uris(tags.get("ruf"), "ruf", warn)
    valid = True
    if p is None:
        if rua:
            warn.append("no valid p=: with rua= present receivers act as if p=none")
            p = "none"
        else:
            warn.append(
                "no valid p= and no rua=: RFC 7489 receivers apply no DMARC "
                "(DMARCbis receivers treat it as p=none)"
            )
            valid = False
    pct_text = tags.get("pct")
    pct = 100
    if pct_text is not None:
        if pct_text.isdigit() and int(pct_text) <= 100:
            pct = int(pct_text)
        else:
            warn.append(f"pct={pct_text[:20]} is not a whole number from 0 to 100 (100 used)")
    t_text = (tags.get("t") or "n").lower()
    if t_text not in ("y", "n"):
        warn.append(f"t={t_text[:20]} is not y or n (n used)")
    psd = (tags.get("psd") or "").lower() or None
    if psd is not None and psd not in ("y", "n", "u"):
        warn.append(f"psd={psd[:20]} is not y, n or u (ignored)")
        psd = None
    return DmarcRecord(
        raw=text, p=p, sp=sp, np=np, pct=pct, testing=t_text == "y",
        adkim=_choice(tags.get("adkim"), "adkim", _ALIGN, warn) or "r",
        aspf=_choice(tags.get("aspf"), "aspf", _ALIGN, warn) or "r",
        rua=rua, ruf=ruf, fo=tags.get("fo") or "0", psd=psd, valid=valid, warnings=tuple(warn),
    )  # fmt: skip


def _choice(value: str | None, name: str, allowed: tuple[str, ...], warn: list[str]) -> str | None:
    if value is None:
        return None
    if value.lower() in allowed:
        return value.lower()
    warn.append(f"{name}={value[:40]} is not one of {'/'.join(allowed)} (ignored)")
    return None


def _uris(value: str | None, name: str, warn: list[str]) -> tuple[str, ...]:
    """Split a report URI list; keep the ones that look like ``scheme:...``."""
    if not value:
        return ()
    good = []
    for uri in (u.strip() for u in value.split(",")):
        scheme, colon, rest = uri.partition(":")
        if colon and rest and scheme.isalpha():
            good.append(uri)
        else:
            warn.append(f"{name}: {uri[:60]!r} is not a URI such as mailto:reports@example.com")
    return tuple(good)
