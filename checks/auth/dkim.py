"""DKIM signature verification (RFC 6376) with dkimpy, keys fetched through our resolver.

Every DKIM-Signature is checked on its own and gets a :class:`DkimSignatureResult`
with a result (``pass``/``fail``/``permerror``/``temperror``/``neutral``) and a
``reason`` category saying why. The raw message bytes are needed (a
:class:`mailtriage.checks.model.Sample` does not keep them): callers read the file.

Two stages: :func:`parse_signature` reads what a signature says
(:class:`DkimSignature`, no DNS; its tags are read by
:func:`mailtriage.checks.auth.dkimsig.read_signature`, which
the live key plan shares); after the keys are fetched, :func:`verify_one`
runs dkimpy and classifies the outcome (synchronous, no network: keys come
prefetched, see :mod:`mailtriage.checks.auth.keys`). A
:class:`DkimSignatureResult` is the parsed signature plus that verdict.

Weak crypto policy: we follow RFC 8301 strictly by default. A signature made with
``rsa-sha1``, or with an RSA key under 1024 bits, never passes: it gets result
``fail`` and reason ``weak`` (when the signature is otherwise broken, the
breakage is the reason and ``weak`` still says what is weak). ``min_key_bits``
and ``allow_sha1`` loosen this for comparing with pre-RFC 8301 verifiers only.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, fields
from typing import Any

import dkim
import dkim.util
from mailtriage.checks.auth.dkimsig import DkimSignature, read_signature, valid_key_name
from mailtriage.checks.auth.keys import (
    KEY_REASONS,
    KeyLookup,
    capture_logger,
    fetch_keys,
    hash_allowed,
    make_dnsfunc,
)
from mailtriage.checks.dns.pacing import when_idle
from mailtriage.checks.dns.resolver import Resolver

__all__ = [
    "REASONS",
    "DkimInputError",
    "DkimSignature",
    "DkimSignatureResult",
    "classify_error",
    "read_signature",
    "valid_key_name",
    "verify_dkim",
]

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

#: ``(reason, message, weak, dkimpy message)`` for one signature.
Outcome = tuple[str, str, str | None, str | None]

class DkimInputError(Exception):
    """The message's header block cannot be parsed at all (the message says where)."""


@dataclass(frozen=True)
class DkimSignatureResult(DkimSignature):
    """The verdict on one DKIM-Signature header field: the parsed signature plus its result.

    Attributes:
        index: Position among the DKIM-Signature fields, 0 = topmost.
        key_type: ``"rsa"``/``"ed25519"`` from the key record, or ``None``.
        key_bits: Key size, or ``None`` when unknown.
        key_testing: The key record has ``t=y``.
        result: ``"pass"``, ``"fail"``, ``"permerror"``, ``"temperror"`` or ``"neutral"``.
        reason: The category, a key of :data:`REASONS`.
        message: One line in plain words.
        weak: What RFC 8301 objects to (``rsa-sha1``, short key), else ``None``.
        dkimpy_message: dkimpy's own error text, if it gave one.

    Every attribute of :class:`DkimSignature` (``domain``, ``selector``, ``algorithm``,
    ``signed_headers``, ``covers_from``, ``key_name``...) is there too.
    """

    index: int
    key_type: str | None
    key_bits: int | None
    key_testing: bool
    result: str
    reason: str
    message: str
    weak: str | None = None
    dkimpy_message: str | None = None


@dataclass
class Prepared:
    """A message parsed once by dkimpy, and its DKIM-Signature fields (raw bytes)."""

    verifier: dkim.DKIM
    signatures: list[tuple[bytes, bytes]] = field(default_factory=list)


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
    parsed = [parse_signature(prepared, i) for i in range(len(prepared.signatures))]
    names = [s.key_name for s, problem in parsed if problem is None and s.key_name]
    keys = await fetch_keys(names, resolver)
    policy = (min_key_bits, allow_sha1)
    await when_idle()  # the answers that came with the keys first: they lead to queries
    outcomes = await asyncio.to_thread(_verify_all, prepared, parsed, keys, policy)
    out = []
    for i, ((sig, _), (reason, text, weak, raw)) in enumerate(zip(parsed, outcomes, strict=True)):
        key = keys.get(sig.key_name)
        out.append(
            DkimSignatureResult(
                **_parsed_fields(sig),
                index=i,
                key_type=key.key_type if key is not None else None,
                key_bits=key.bits if key is not None else None,
                key_testing=key.testing if key is not None else False,
                result=REASONS[reason],
                reason=reason,
                message=text,
                weak=weak,
                dkimpy_message=raw,
            )
        )
    return tuple(out)


def _parsed_fields(sig: DkimSignature) -> dict[str, Any]:
    return {f.name: getattr(sig, f.name) for f in fields(DkimSignature)}


def _verify_all(
    prepared: Prepared,
    parsed: list[tuple[DkimSignature, Outcome | None]],
    keys: dict[str, KeyLookup],
    policy: tuple[int, bool],
) -> list[Outcome]:
    return [
        problem if problem is not None else verify_one(prepared, i, sig, keys, policy)
        for i, (sig, problem) in enumerate(parsed)
    ]


def prepare_message(message: bytes) -> Prepared:
    """Parse the message with dkimpy (raises ``dkim.DKIMException`` on a broken header)."""
    logger, _ = capture_logger()
    verifier = dkim.DKIM(message, logger=logger, minkey=0)
    sigs = [(n, v) for n, v in verifier.headers if n.lower() == b"dkim-signature"]
    return Prepared(verifier, sigs)


def parse_signature(prepared: Prepared, index: int) -> tuple[DkimSignature, Outcome | None]:
    """Read signature ``index`` (:func:`read_signature`) and check its syntax (no DNS).

    Returns:
        What the signature says, and the outcome when it cannot be checked at
        all (malformed, no usable key name), else ``None``.
    """
    raw = prepared.signatures[index][1]
    sig = read_signature(raw.decode("utf-8", "replace"))
    problem: Outcome | None = None
    try:
        dkim.validate_signature_fields(dkim.util.parse_tag_value(raw))
    except dkim.util.InvalidTagValueList as exc:
        problem = ("malformed", f"the signature's tag list is broken ({exc})", None, str(exc))
    except dkim.DKIMException as exc:
        problem = classify_error(str(exc))
    if problem is None and not sig.key_name:
        d, s = sig.domain[:60], sig.selector[:60]
        problem = ("malformed", f"d={d!r} s={s!r} is no DNS name", None, None)
    return sig, problem


def classify_error(text: str) -> Outcome:
    """Map a dkimpy exception text to a reason."""
    if "body hash mismatch" in text:
        msg = "the body changed after signing (body hash mismatch)"
        return "body_hash_mismatch", msg, None, text
    if "x= value is past" in text:
        return "expired", "the signature has expired (x= is in the past)", None, text
    if "Service Type" in text:
        return "key_invalid", "the key is not for email (s= service type)", None, text
    return "malformed", f"malformed signature: {text[:200]}", None, text


def weakness(sig: DkimSignature, key: KeyLookup, policy: tuple[int, bool]) -> str | None:
    """What RFC 8301 (as loosened by ``policy``) objects to, or ``None``."""
    min_bits, allow_sha1 = policy
    if sig.algorithm == "rsa-sha1" and not allow_sha1:
        return "rsa-sha1 signature (RFC 8301: verifiers must not accept it)"
    if key.key_type == "rsa" and key.bits is not None and key.bits < min_bits:
        return f"{key.bits}-bit RSA key (RFC 8301: at least {min_bits} bits)"
    return None


def verify_one(
    prepared: Prepared, index: int, sig: DkimSignature, keys: dict[str, KeyLookup],
    policy: tuple[int, bool],
) -> Outcome:  # fmt: skip
    """Verify signature ``index`` (syntax already checked) against the prefetched keys."""
    key = keys[sig.key_name]
    if key.problem is not None:
        return key.problem[0], key.problem[1], None, None
    wants = "ed25519" if sig.algorithm.startswith("ed25519") else "rsa"
    if key.key_type != wants:
        msg = f"a={sig.algorithm} needs an {wants} key but the key is {key.key_type}"
        return "key_invalid", msg, None, None
    if not hash_allowed(key, sig.algorithm):
        return "key_invalid", f"the key's h= does not allow a={sig.algorithm}", None, None
    weak = weakness(sig, key, policy)
    verifier = prepared.verifier
    verifier.logger, capture = capture_logger()
    try:
        ok = verifier.verify(index, dnsfunc=make_dnsfunc(keys))
    except dkim.NaClNotFoundError as exc:
        return "unsupported", "ed25519 needs PyNaCl, which is not installed", None, str(exc)
    except dkim.UnknownKeyTypeError as exc:
        return "key_invalid", "dkimpy cannot use this key record", weak, str(exc)
    except dkim.DKIMException as exc:
        reason, msg, _, raw = classify_error(str(exc))
        return reason, msg, weak, raw
    if not ok:
        errors = capture.errors()
        if errors:
            return "key_invalid", f"the key cannot be used: {errors[-1][:200]}", weak, errors[-1]
        msg = "the signed header fields changed after signing (signature mismatch)"
        return "signature_mismatch", msg, weak, None
    if weak:
        return "weak", f"signature verifies, but it does not count: {weak}", weak, None
    return "verified", f"signature verifies with the key at {sig.key_name}", None, None
