"""Live DKIM key check: fetch ``<selector>._domainkey.<domain>`` and describe the key."""

from __future__ import annotations

import base64
import binascii

import dkim.crypto
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.live.model import LiveResult, LiveSpec, lookup_failed
from mailtriage.checks.taglist import parse_tags


def key_bits(key_type: str, p: str) -> tuple[int | None, str | None]:
    """Size of a DKIM public key.

    Args:
        key_type: The ``k=`` value, lower-case (``"rsa"`` or ``"ed25519"``).
        p: The ``p=`` value with whitespace removed.

    Returns:
        ``(bits, None)``, or ``(None, problem)`` when the size cannot be worked out.
    """
    try:
        der = base64.b64decode(p, validate=True)
    except (binascii.Error, ValueError):
        return None, "p= is not valid base64"
    if key_type == "ed25519":
        return (256, None) if len(der) == 32 else (None, "ed25519 key is not 32 bytes long")
    if key_type != "rsa":
        return None, f"unknown key type k={key_type[:20]}"
    try:
        modulus = dkim.crypto.parse_public_key(der)["modulus"]
    except Exception:  # the ASN.1 parser may fail in several ways on junk
        return None, "p= does not hold an RSA public key"
    return int(modulus).bit_length(), None


async def run_dkim(spec: LiveSpec, resolver: Resolver) -> LiveResult:
    """Fetch the DKIM key for ``spec.selector`` at ``spec.domain``.

    Args:
        spec: A ``kind="dkim"`` spec with a selector.
        resolver: The resolver to use.

    Returns:
        found (key type and size, or revoked with a warning), missing, or error.
    """
    if not spec.selector:
        return LiveResult(spec, "error", (), "no DKIM selector (s=) to look up")
    name = f"{spec.selector}._domainkey.{spec.domain}"
    answer = await resolver.query(name, "TXT")
    answers = (answer,)
    if not answer.ok:
        return lookup_failed(spec, "DKIM key", answers)
    records = tuple(r for r in answer.records if "p" in parse_tags(r))
    if not records:
        why = "no such name" if answer.rcode == "NXDOMAIN" else "no key record there"
        summary = f"no DKIM key at {name} ({why}): signatures with s={spec.selector} fail"
        return LiveResult(spec, "missing", (), summary, (), answers)
    tags = parse_tags(records[0])
    warnings = [f"DKIM key record: {p}" for p in tags.problems]
    if len(records) > 1:
        warnings.append(f"{len(records)} key records at {name}: verifiers may pick either")
    version = tags.get("v")
    if version is not None and version != "DKIM1":
        warnings.append(f"v={version[:20]} is not DKIM1: verifiers ignore this key")
    if "y" in (tags.get("t") or "").split(":"):
        warnings.append("testing mode (t=y): receivers may treat failures as unsigned")
    key_type = (tags.get("k") or "rsa").lower()
    p = "".join((tags.get("p") or "").split())
    if not p:
        warnings.append("the key is revoked (empty p=): signatures with this selector fail")
        summary = f"DKIM key at {name} is revoked (empty p=)"
        return LiveResult(spec, "found", records, summary, tuple(warnings), answers)
    bits, problem = key_bits(key_type, p)
    if problem:
        warnings.append(problem)
        size = f"size unknown, {len(p)} base64 characters"
    else:
        size = f"{bits} bits"
    if key_type == "rsa" and bits is not None and bits < 1024:
        warnings.append(f"RSA key of {bits} bits: many receivers ignore keys under 1024 bits")
    summary = f"DKIM {key_type.upper()} key found at {name} ({size})"
    return LiveResult(spec, "found", records, summary[:300], tuple(warnings), answers)
