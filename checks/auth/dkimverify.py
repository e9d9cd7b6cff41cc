"""The synchronous half of :mod:`checks.auth.dkim`: parse signatures, run dkimpy, classify.

Nothing here touches the network: keys come prefetched (see :mod:`mailtriage.checks.auth.keys`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import dkim
import dkim.util
from mailtriage.checks.auth.keys import (
    KeyLookup,
    capture_logger,
    hash_allowed,
    key_name,
    make_dnsfunc,
)
from mailtriage.checks.taglist import parse_tags

_LABEL_RE = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\Z")

#: ``(reason, message, weak, dkimpy message)`` for one signature.
Outcome = tuple[str, str, str | None, str | None]


@dataclass
class Prepared:
    """A message parsed once by dkimpy, and its DKIM-Signature fields (raw bytes)."""

    verifier: dkim.DKIM
    signatures: list[tuple[bytes, bytes]] = field(default_factory=list)


@dataclass(frozen=True)
class SigInfo:
    """What one DKIM-Signature says, read leniently, plus why it cannot be checked."""

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
    problem: Outcome | None


def prepare_message(message: bytes) -> Prepared:
    """Parse the message with dkimpy (raises ``dkim.DKIMException`` on a broken header)."""
    logger, _ = capture_logger()
    verifier = dkim.DKIM(message, logger=logger, minkey=0)
    sigs = [(n, v) for n, v in verifier.headers if n.lower() == b"dkim-signature"]
    return Prepared(verifier, sigs)


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


def parse_signature(prepared: Prepared, index: int) -> SigInfo:
    """Read signature ``index`` and check its syntax (no DNS)."""
    raw = prepared.signatures[index][1]
    text = " ".join(raw.decode("utf-8", "replace").split())
    tags = parse_tags(text)

    def tag(name: str) -> str:
        return "".join((tags.get(name) or "").split())

    domain, selector = tag("d").lower().rstrip("."), tag("s")
    canon = (tag("c") or "simple/simple").lower().split("/")
    problem: Outcome | None = None
    try:
        dkim.validate_signature_fields(dkim.util.parse_tag_value(raw))
    except dkim.util.InvalidTagValueList as exc:
        problem = ("malformed", f"the signature's tag list is broken ({exc})", None, str(exc))
    except dkim.DKIMException as exc:
        problem = classify_error(str(exc))
    name = key_name(selector, domain) if valid_key_name(selector, domain) else ""
    if problem is None and not name:
        problem = ("malformed", f"d={domain[:60]!r} s={selector[:60]!r} is no DNS name", None, None)
    headers = tuple(h.strip().lower() for h in tag("h").split(":") if h.strip())
    return SigInfo(
        domain=domain,
        selector=selector,
        algorithm=tag("a").lower(),
        header_canon=canon[0],
        body_canon=canon[1] if len(canon) > 1 else "simple",
        identity=tags.get("i"),
        signed_headers=headers,
        body_length=_int(tag("l")),
        timestamp=_int(tag("t")),
        expires=_int(tag("x")),
        key_name=name,
        problem=problem,
    )


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


def weakness(info: SigInfo, key: KeyLookup, policy: tuple[int, bool]) -> str | None:
    """What RFC 8301 (as loosened by ``policy``) objects to, or ``None``."""
    min_bits, allow_sha1 = policy
    if info.algorithm == "rsa-sha1" and not allow_sha1:
        return "rsa-sha1 signature (RFC 8301: verifiers must not accept it)"
    if key.key_type == "rsa" and key.bits is not None and key.bits < min_bits:
        return f"{key.bits}-bit RSA key (RFC 8301: at least {min_bits} bits)"
    return None


def verify_one(
    prepared: Prepared, index: int, info: SigInfo, keys: dict[str, KeyLookup],
    policy: tuple[int, bool],
) -> Outcome:  # fmt: skip
    """Verify signature ``index`` against the prefetched keys and classify the outcome."""
    if info.problem is not None:
        return info.problem
    key = keys[info.key_name]
    if key.problem is not None:
        return key.problem[0], key.problem[1], None, None
    wants = "ed25519" if info.algorithm.startswith("ed25519") else "rsa"
    if key.key_type != wants:
        msg = f"a={info.algorithm} needs an {wants} key but the key is {key.key_type}"
        return "key_invalid", msg, None, None
    if not hash_allowed(key, info.algorithm):
        return "key_invalid", f"the key's h= does not allow a={info.algorithm}", None, None
    weak = weakness(info, key, policy)
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
    return "verified", f"signature verifies with the key at {info.key_name}", None, None
