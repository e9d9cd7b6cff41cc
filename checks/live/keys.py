"""Live DKIM key check: fetch ``<selector>._domainkey.<domain>`` and describe the key.

The key record is read by :func:`mailtriage.checks.auth.keys.describe_key`, the
same reader the DKIM and ARC verifiers use; this module only fetches and words it.
"""

from __future__ import annotations

from mailtriage.checks.auth.keys import describe_key, is_key_record, key_bits
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.live.model import LiveResult, LiveSpec, lookup_failed


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
    key = describe_key(name, answer)
    if key.record is None or key.public_key is None:
        why = "no such name" if answer.rcode == "NXDOMAIN" else "no key record there"
        if key.record is not None:
            why = "the key record there has no p= tag"
        summary = f"no DKIM key at {name} ({why}): signatures with s={spec.selector} fail"
        return LiveResult(spec, "missing", (), summary, key.warnings, answers)
    records = tuple(r for r in answer.records if is_key_record(r))
    warnings = list(key.warnings)
    if key.problem is not None and key.problem[0] == "key_invalid":
        warnings.append(key.problem[1])
    if key.testing:
        warnings.append("testing mode (t=y): receivers may treat failures as unsigned")
    if not key.public_key:
        warnings.append("the key is revoked (empty p=): signatures with this selector fail")
        summary = f"DKIM key at {name} is revoked (empty p=)"
        return LiveResult(spec, "found", records, summary, tuple(warnings), answers)
    key_type = key.key_type or "rsa"
    # The size is a fact about p= even when another tag makes the key unusable.
    bits = key.bits if key.bits is not None else key_bits(key_type, key.public_key)[0]
    if bits is None:
        size = f"size unknown, {len(key.public_key)} base64 characters"
    else:
        size = f"{bits} bits"
    if key_type == "rsa" and bits is not None and bits < 1024:
        warnings.append(f"RSA key of {bits} bits: many receivers ignore keys under 1024 bits")
    summary = f"DKIM {key_type.upper()} key found at {name} ({size})"
    return LiveResult(spec, "found", records, summary[:300], tuple(warnings), answers)
