"""The synchronous half of :mod:`checks.auth.arc`: walk the chain with dkimpy and classify.

The walk mirrors dkimpy's ``ARC.verify`` (RFC 8617 section 5.2) but verifies one
set at a time so each ARC-Seal and ARC-Message-Signature gets its own reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dkim
from mailtriage.checks.auth.dkimverify import classify_error
from mailtriage.checks.auth.keys import KeyLookup, LogCapture, make_dnsfunc

#: ``(result, reason, message)`` of one ARC signature.
Verdict = tuple[str, str, str]
_AMS_DONE = "ams valid:"
_REASON_RESULT = {
    "verified": "pass",
    "key_lookup_failed": "temperror",
    "body_hash_mismatch": "fail",
    "signature_mismatch": "fail",
    "weak": "fail",
}


@dataclass(frozen=True)
class SetOutcome:
    """Verdicts on one ARC set's seal and message signature."""

    seal: Verdict
    ams: Verdict


@dataclass
class Chain:
    """What walking the chain found."""

    result: str = "none"
    sets: dict[int, SetOutcome] = field(default_factory=dict)
    broken_at: int | None = None
    reason: str = "the message has no ARC sets"
    dkimpy_message: str | None = None


def _verdict(valid: bool, errors: list[str], key: KeyLookup | None) -> Verdict:
    if valid:
        return "pass", "verified", "verifies"
    if key is not None and key.problem is not None:
        reason, message = key.problem
    elif errors:
        text = errors[-1]
        if "public key too small" in text:
            reason, message = "weak", f"the key is too short (RFC 8301): {text}"
        elif any(w in text for w in ("public key", "k= tag", "bad version", "algorithm")):
            reason, message = "key_invalid", f"the key cannot be used: {text[:200]}"
        else:
            reason, message = classify_error(text)[:2]
    else:
        reason, message = "signature_mismatch", "signature does not verify (signed data changed)"
    return _REASON_RESULT.get(reason, "permerror"), reason, message


def _key(keys: dict[str, KeyLookup], domain: bytes, selector: bytes) -> KeyLookup | None:
    name = f"{selector.decode('ascii', 'replace')}._domainkey.{domain.decode('ascii', 'replace')}"
    return keys.get(name.lower().rstrip("."))


def run_chain(arc: dkim.ARC, capture: LogCapture, keys: dict[str, KeyLookup]) -> Chain:
    """Validate the chain of ``arc`` (built with the capturing logger) against ``keys``."""
    chain = Chain()
    top, headers = arc.sorted_arc_headers()
    if top == 0:
        return chain
    results = []
    dnsfunc = make_dnsfunc(keys)
    for instance in range(top, 0, -1):
        capture.messages.clear()
        try:
            got = arc.verify_instance(headers, instance, dnsfunc=dnsfunc)
        except dkim.DKIMException as exc:
            why = f"ARC set {instance} is unusable: {str(exc)[:200]}"
            return _broken(chain, instance, why, str(exc))
        split = next(
            (n for n, (_, m) in enumerate(capture.messages) if m.startswith(_AMS_DONE)),
            len(capture.messages),
        )
        ams_errors = [m for lv, m in capture.messages[:split] if lv >= 40]
        as_errors = [m for lv, m in capture.messages[split:] if lv >= 40]
        seal_key = _key(keys, got["as-domain"], got["as-selector"])
        ams_key = _key(keys, got["ams-domain"], got["ams-selector"])
        chain.sets[instance] = SetOutcome(
            seal=_verdict(bool(got["as-valid"]), as_errors, seal_key),
            ams=_verdict(bool(got["ams-valid"]), ams_errors, ams_key),
        )
        results.append(got)
    if not results[0]["ams-valid"]:
        why = f"the newest ARC-Message-Signature (i={top}) does not verify"
        return _broken(chain, top, why, None)
    for got in results:
        i, cv = got["instance"], got["cv"]
        if cv == b"fail":
            return _broken(chain, i, f"ARC set {i} says the chain had already failed (cv=fail)")
        if not got["as-valid"]:
            return _broken(chain, i, f"the ARC-Seal of set {i} does not verify")
        if (i == 1) != (cv == b"none"):
            want = "none" if i == 1 else "pass"
            shown = cv.decode("ascii", "replace")
            return _broken(chain, i, f"ARC set {i} has cv={shown}, expected cv={want}")
    chain.result, chain.reason = "pass", "the chain validates"
    return chain


def _broken(chain: Chain, instance: int, reason: str, raw: str | None = None) -> Chain:
    chain.result, chain.broken_at, chain.reason, chain.dkimpy_message = (
        "fail",
        instance,
        reason,
        raw,
    )
    return chain
