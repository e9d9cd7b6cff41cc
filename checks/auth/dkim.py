"""DKIM signature verification (RFC 6376) with dkimpy, keys fetched through our resolver.

Every DKIM-Signature is checked on its own and gets a :class:`DkimSignatureResult`
with a result (``pass``/``fail``/``permerror``/``temperror``/``neutral``) and a
``reason`` category saying why. The raw message bytes are needed (a
:class:`mailtriage.checks.model.Sample` does not keep them): callers read the file.

Weak crypto policy: we follow RFC 8301 strictly by default. A signature made with
``rsa-sha1``, or with an RSA key under 1024 bits, never passes: it gets result
``fail`` and reason ``weak`` (when the signature is otherwise broken, the
breakage is the reason and ``weak`` still says what is weak). ``min_key_bits``
and ``allow_sha1`` loosen this for comparing with pre-RFC 8301 verifiers only.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import dkim
from mailtriage.checks.auth.dkimverify import (
    Outcome,
    Prepared,
    SigInfo,
    parse_signature,
    prepare_message,
    verify_one,
)
from mailtriage.checks.auth.keys import KEY_REASONS, KeyLookup, fetch_keys
from mailtriage.checks.dns.resolver import Resolver

__all__ = ["REASONS", "DkimInputError", "DkimSignatureResult", "verify_dkim"]

#: Every ``reason`` category, with the result it gives.
REASONS = {
    "verified": "pass",
    "body_hash_mismatch": "fail",
    "signature_mismatch": "fail",
    "weak": "fail",
    "expired": "permerror",
    "malformed": "permerror",
    "unsupported": "neutral",
    **KEY_REASONS,
}


class DkimInputError(Exception):
    """The message's header block cannot be parsed at all (the message says where)."""


@dataclass(frozen=True)
class DkimSignatureResult:
    """The verdict on one DKIM-Signature header field.

    Attributes:
        index: Position among the DKIM-Signature fields, 0 = topmost.
        domain: ``d=`` (signing domain), ``""`` when missing.
        selector: ``s=``, ``""`` when missing.
        algorithm: ``a=``, e.g. ``"rsa-sha256"``.
        header_canon: Header canonicalization, ``"simple"`` or ``"relaxed"``.
        body_canon: Body canonicalization.
        identity: ``i=`` or ``None``.
        signed_headers: ``h=`` names, lower-case, in order.
        covers_from: Whether ``h=`` includes From.
        body_length: ``l=`` (only this many body bytes are signed) or ``None``.
        timestamp: ``t=`` or ``None``.
        expires: ``x=`` or ``None``.
        key_name: The DNS name of the key, or ``""`` when ``d=``/``s=`` are unusable.
        key_type: ``"rsa"``/``"ed25519"`` from the key record, or ``None``.
        key_bits: Key size, or ``None`` when unknown.
        key_testing: The key record has ``t=y``.
        result: ``"pass"``, ``"fail"``, ``"permerror"``, ``"temperror"`` or ``"neutral"``.
        reason: The category, a key of :data:`REASONS`.
        message: One line in plain words.
        weak: What RFC 8301 objects to (``rsa-sha1``, short key), else ``None``.
        dkimpy_message: dkimpy's own error text, if it gave one.
    """

    index: int
    domain: str
    selector: str
    algorithm: str
    header_canon: str
    body_canon: str
    identity: str | None
    signed_headers: tuple[str, ...]
    covers_from: bool
    body_length: int | None
    timestamp: int | None
    expires: int | None
    key_name: str
    key_type: str | None
    key_bits: int | None
    key_testing: bool
    result: str
    reason: str
    message: str
    weak: str | None = None
    dkimpy_message: str | None = None


async def verify_dkim(
    message: bytes,
    resolver: Resolver,
    *,
    min_key_bits: int = 1024,
    allow_sha1: bool = False,
) -> tuple[DkimSignatureResult, ...]:
    """Verify every DKIM-Signature of a message.

    Args:
        message: The raw message as read from the file (CRLF or LF line ends).
        resolver: Every key lookup goes through it (and shows in its query log).
        min_key_bits: RSA keys shorter than this fail as ``weak`` (RFC 8301: 1024).
        allow_sha1: Accept ``rsa-sha1`` signatures (RFC 8301 forbids them).

    Returns:
        One result per DKIM-Signature, topmost first; ``()`` when unsigned.

    Raises:
        DkimInputError: The header block cannot be parsed.
    """
    try:
        prepared = prepare_message(message)
    except dkim.DKIMException as exc:
        raise DkimInputError(f"cannot parse the message header: {exc}") from exc
    sigs = [parse_signature(prepared, i) for i in range(len(prepared.signatures))]
    names = [s.key_name for s in sigs if s.problem is None and s.key_name]
    keys = await fetch_keys(names, resolver)
    policy = (min_key_bits, allow_sha1)
    outcomes = await asyncio.to_thread(_verify_all, prepared, sigs, keys, policy)
    return tuple(
        DkimSignatureResult(
            index=i,
            domain=s.domain,
            selector=s.selector,
            algorithm=s.algorithm,
            header_canon=s.header_canon,
            body_canon=s.body_canon,
            identity=s.identity,
            signed_headers=s.signed_headers,
            covers_from="from" in s.signed_headers,
            body_length=s.body_length,
            timestamp=s.timestamp,
            expires=s.expires,
            key_name=s.key_name,
            key_type=keys[s.key_name].key_type if s.key_name in keys else None,
            key_bits=keys[s.key_name].bits if s.key_name in keys else None,
            key_testing=keys[s.key_name].testing if s.key_name in keys else False,
            result=REASONS[reason],
            reason=reason,
            message=text,
            weak=weak,
            dkimpy_message=raw,
        )
        for i, (s, (reason, text, weak, raw)) in enumerate(zip(sigs, outcomes, strict=True))
    )


def _verify_all(
    prepared: Prepared, sigs: list[SigInfo], keys: dict[str, KeyLookup], policy: tuple[int, bool]
) -> list[Outcome]:
    return [verify_one(prepared, i, s, keys, policy) for i, s in enumerate(sigs)]
