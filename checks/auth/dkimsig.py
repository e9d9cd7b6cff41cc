"""DKIM-Signature header fields read once: what each signature says (RFC 6376 section 3.5).

:func:`read_signature` is the one reader of a DKIM-Signature's tags and
:func:`read_signatures` reads every one of a sample, topmost first
(:attr:`mailtriage.checks.analysis.Analysis.signatures`). The verifier
(:mod:`mailtriage.checks.auth.dkim`), the live key plan, the diff and anything else
that needs a signature's ``d=``, ``s=`` or ``h=`` take them from here, never by
splitting the tag list again.

Pure: no DNS, no crypto, no dkimpy, so the first paint may load it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailtriage.checks.model import Sample
from mailtriage.checks.taglist import parse_tags

_LABEL_RE = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\Z")


@dataclass(frozen=True)
class DkimSignature:
    """What one DKIM-Signature header field says, read leniently (no DNS, no crypto).

    Attributes:
        domain: ``d=`` (signing domain), ``""`` when missing.
        selector: ``s=``, ``""`` when missing.
        algorithm: ``a=``, e.g. ``"rsa-sha256"``.
        header_canon: Header canonicalization, ``"simple"`` or ``"relaxed"``.
        body_canon: Body canonicalization.
        identity: ``i=`` or ``None``.
        signed_headers: ``h=`` names, lower-case, in order.
        body_length: ``l=`` (only this many body bytes are signed) or ``None``.
        timestamp: ``t=`` or ``None``.
        expires: ``x=`` or ``None``.
        key_name: The DNS name of the key, or ``""`` when ``d=``/``s=`` are unusable.
    """

    domain: str
    selector: str
    algorithm: str
    header_canon: str
    body_canon: str
    identity: str | None
    signed_headers: tuple[str, ...]
    body_length: int | None
    timestamp: int | None
    expires: int | None
    key_name: str

    @property
    def covers_from(self) -> bool:
        """Whether ``h=`` includes From."""
        return "from" in self.signed_headers


def key_name(selector: str, domain: str) -> str:
    """``<selector>._domainkey.<domain>`` in lower case without the final dot."""
    return f"{selector}._domainkey.{domain}".lower().rstrip(".")


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def valid_key_name(selector: str, domain: str) -> bool:
    """Whether ``selector`` and ``domain`` make a usable DNS name."""
    labels = f"{selector}.{domain}".rstrip(".").split(".")
    return (
        bool(selector and domain)
        and len(".".join(labels)) < 240
        and all(_LABEL_RE.match(label) for label in labels)
    )


def read_signature(text: str) -> DkimSignature:
    """Read what one DKIM-Signature field value says: the one reader of its tags (no dkimpy).

    The verifier and the live key plan (:mod:`mailtriage.checks.live.plan`) both use
    it. The field is unfolded first; inside ``h=``, ``a=``, ``c=`` and the numbers,
    white space is dropped (folding may split ``h=``, RFC 6376 section 3.5). ``d=``
    and ``s=`` keep inner white space: their grammar has none, so ``s=go od`` names
    no key (``key_name`` is ``""``) rather than the key of ``s=good``.

    Args:
        text: The field value (folded or not).

    Returns:
        What the signature says; never raises.
    """
    tags = parse_tags(" ".join(text.split()))

    def tag(name: str) -> str:
        return "".join((tags.get(name) or "").split())

    domain, selector = (tags.get("d") or "").lower().rstrip("."), tags.get("s") or ""
    canon = (tag("c") or "simple/simple").lower().split("/")
    name = key_name(selector, domain) if valid_key_name(selector, domain) else ""
    return DkimSignature(
        domain=domain,
        selector=selector,
        algorithm=tag("a").lower(),
        header_canon=canon[0],
        body_canon=canon[1] if len(canon) > 1 else "simple",
        identity=tags.get("i"),
        signed_headers=tuple(h.strip().lower() for h in tag("h").split(":") if h.strip()),
        body_length=_int(tag("l")),
        timestamp=_int(tag("t")),
        expires=_int(tag("x")),
        key_name=name,
    )


def read_signatures(sample: Sample) -> tuple[DkimSignature, ...]:
    """What every DKIM-Signature field of ``sample`` says, topmost first (never raises)."""
    return tuple(read_signature(h.value) for h in sample.all("DKIM-Signature"))
