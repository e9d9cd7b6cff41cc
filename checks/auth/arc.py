"""ARC chain validation (RFC 8617) with dkimpy, keys fetched through our resolver.

:func:`verify_arc` validates the chain the way RFC 8617 section 5.2 says (dkimpy
does the cryptography) and reports, per ARC set ``i=``, the seal's ``cv=``, the
ARC-Seal and ARC-Message-Signature verdicts and the parsed
ARC-Authentication-Results, so the UI can show what each upstream hop saw. The
raw message bytes are needed (a :class:`mailtriage.checks.model.Sample` does not keep them).
Keys shorter than ``min_key_bits`` (RFC 8301: 1024) make a signature invalid.

The synchronous half, :func:`run_chain`, mirrors dkimpy's ``ARC.verify`` (RFC 8617
section 5.2) but verifies one set at a time so each ARC-Seal and
ARC-Message-Signature gets its own reason.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import dkim
from mailtriage.checks.auth.dkim import DkimInputError, classify_error
from mailtriage.checks.auth.dkimsig import key_name, valid_key_name
from mailtriage.checks.auth.keys import (
    KeyLookup,
    LogCapture,
    capture_logger,
    fetch_keys,
    make_dnsfunc,
)
from mailtriage.checks.dns.pacing import when_idle
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.message.authres import parse_header
from mailtriage.checks.model import AuthResults, Header
from mailtriage.checks.taglist import TagList, parse_tags

_Fields = list[tuple[int | None, str, TagList]]

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

__all__ = ["ArcInstance", "ArcResult", "ArcSignatureCheck", "verify_arc"]


@dataclass(frozen=True)
class ArcSignatureCheck:
    """The verdict on one ARC-Seal or ARC-Message-Signature.

    Attributes:
        domain: ``d=``.
        selector: ``s=``.
        algorithm: ``a=``.
        key_name: DNS name of the key (``""`` when ``d=``/``s=`` are unusable).
        result: ``"pass"``, ``"fail"``, ``"permerror"`` or ``"temperror"``.
        reason: A category as in :data:`mailtriage.checks.auth.dkim.REASONS`.
        message: One line in plain words.
        signed_headers: ``h=`` names (ARC-Message-Signature only).
    """

    domain: str
    selector: str
    algorithm: str
    key_name: str
    result: str
    reason: str
    message: str
    signed_headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArcInstance:
    """One ARC set.

    Attributes:
        instance: ``i=``.
        cv: The ARC-Seal's ``cv=`` (lower-case), or ``None`` when there is no seal.
        seal: The ARC-Seal verdict, or ``None`` when it was not checked.
        ams: The ARC-Message-Signature verdict, or ``None`` when it was not checked.
        aar: The parsed ARC-Authentication-Results: what that hop saw, or ``None``.
    """

    instance: int
    cv: str | None
    seal: ArcSignatureCheck | None
    ams: ArcSignatureCheck | None
    aar: AuthResults | None


@dataclass(frozen=True)
class ArcResult:
    """The chain validation result.

    Attributes:
        result: ``"none"`` (no ARC sets), ``"pass"`` or ``"fail"``.
        instances: Every ARC set found, by ascending ``i=``.
        broken_at: The ``i=`` where the chain broke (``None`` unless ``"fail"``).
        reason: Why, in plain words (``"the chain validates"`` on pass).
        temporary: A key lookup failed temporarily; the verdict may change later.
        dkimpy_message: dkimpy's own error text, if it gave one.
    """

    result: str
    instances: tuple[ArcInstance, ...]
    broken_at: int | None
    reason: str
    temporary: bool = False
    dkimpy_message: str | None = None


async def verify_arc(message: bytes, resolver: Resolver, *, min_key_bits: int = 1024) -> ArcResult:
    """Validate the ARC chain of a message.

    Args:
        message: The raw message as read from the file (CRLF or LF line ends).
        resolver: Every key lookup goes through it (and shows in its query log).
        min_key_bits: Shorter RSA keys make a signature invalid (RFC 8301: 1024).

    Returns:
        The chain result with per-instance details.

    Raises:
        DkimInputError: The header block cannot be parsed.
    """
    logger, capture = capture_logger()
    try:
        arc = dkim.ARC(message, logger=logger, minkey=min_key_bits)
    except dkim.DKIMException as exc:
        raise DkimInputError(f"cannot parse the message header: {exc}") from exc
    fields = _arc_fields(arc.headers)
    names = [_name(tags) for _, _, tags in fields if _name(tags)]
    keys = await fetch_keys(names, resolver)
    await when_idle()  # the answers that came with the keys first: they lead to queries
    chain = await asyncio.to_thread(run_chain, arc, capture, keys)
    instances = sorted({i for i, _, _ in fields if i is not None} | set(chain.sets))
    out = []
    for i in instances:
        seal = next((t for _, t in _of(fields, i, "arc-seal")), None)
        got = chain.sets.get(i)
        out.append(
            ArcInstance(
                instance=i,
                cv=(seal.get("cv") or "").strip().lower() if seal is not None else None,
                seal=_check(got, "seal", fields, i),
                ams=_check(got, "ams", fields, i),
                aar=_aar(arc.headers, i),
            )
        )
    temporary = any(
        k.problem is not None and k.problem[0] == "key_lookup_failed" for k in keys.values()
    )
    return ArcResult(
        result=chain.result,
        instances=tuple(out),
        broken_at=chain.broken_at,
        reason=chain.reason,
        temporary=temporary and chain.result == "fail",
        dkimpy_message=chain.dkimpy_message,
    )


def _arc_fields(headers: list[tuple[bytes, bytes]]) -> _Fields:
    out: _Fields = []
    for name, value in headers:
        lname = name.decode("ascii", "replace").lower()
        if lname in ("arc-seal", "arc-message-signature"):
            tags = parse_tags(" ".join(value.decode("utf-8", "replace").split()))
            inst = (tags.get("i") or "").strip()
            out.append((int(inst) if inst.isdigit() else None, lname, tags))
    return out


def _of(fields: _Fields, i: int, lname: str) -> list[tuple[str, TagList]]:
    return [(n, t) for inst, n, t in fields if inst == i and n == lname]


def _name(tags: TagList) -> str:
    selector, domain = _tag(tags, "s"), _tag(tags, "d")
    return key_name(selector, domain) if valid_key_name(selector, domain) else ""


def _check(got: SetOutcome | None, which: str, fields: _Fields, i: int) -> ArcSignatureCheck | None:
    if got is None:
        return None
    lname = "arc-seal" if which == "seal" else "arc-message-signature"
    found = _of(fields, i, lname)
    tags = found[0][1] if found else TagList()
    result, reason, message = got.seal if which == "seal" else got.ams
    headers = tuple(h.strip().lower() for h in _tag(tags, "h").split(":") if h.strip())
    return ArcSignatureCheck(
        domain=_tag(tags, "d").lower(),
        selector=_tag(tags, "s"),
        algorithm=_tag(tags, "a").lower(),
        key_name=_name(tags),
        result=result,
        reason=reason,
        message=message,
        signed_headers=headers if which == "ams" else (),
    )


def _tag(tags: TagList, name: str) -> str:
    return "".join((tags.get(name) or "").split())


def _aar(headers: list[tuple[bytes, bytes]], i: int) -> AuthResults | None:
    for index, (name, value) in enumerate(headers):
        if name.lower() != b"arc-authentication-results":
            continue
        raw = value.decode("utf-8", "replace")
        header = Header("ARC-Authentication-Results", raw, " ".join(raw.split()), index)
        parsed = parse_header(header)
        if parsed.instance == i:
            return parsed
    return None


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
    name = key_name(selector.decode("ascii", "replace"), domain.decode("ascii", "replace"))
    return keys.get(name)


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
