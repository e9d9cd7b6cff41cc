"""DKIM/ARC public keys fetched through our resolver and served to dkimpy.

dkimpy looks keys up with a synchronous ``dnsfunc(name, timeout=5)``; our
resolver is asynchronous. So every key is fetched first, concurrently, with
:meth:`mailtriage.checks.dns.resolver.Resolver.query` (which puts each lookup in the query log), and
dkimpy then gets a ``dnsfunc`` that only serves those prefetched answers.

:func:`describe_key` is the one reader of DKIM key records (RFC 6376 section
3.6.1): the DKIM and ARC verifiers and the live key row all use it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import dkim.crypto
from mailtriage.checks.dns.resolver import DnsAnswer, Resolver
from mailtriage.checks.taglist import TagList, parse_tags

_S_TAG_RE = re.compile(r"(?:(?<=;)|^)\s*s\s*=[^;]*(?:;|$)")

#: Reasons a key makes a signature unverifiable, with the result each one gives.
KEY_REASONS = {
    "key_not_found": "permerror",
    "key_revoked": "permerror",
    "key_invalid": "permerror",
    "key_lookup_failed": "temperror",
}


@dataclass(frozen=True)
class KeyLookup:
    """The key record found (or not) at ``<selector>._domainkey.<domain>``.

    Attributes:
        name: The queried name (lower-case, no final dot).
        answer: The resolver's answer.
        record: The TXT record used as the key, or ``None``.
        key_type: ``k=`` lower-case (``"rsa"`` when absent), or ``None`` without a record.
        bits: Key size, or ``None`` when unknown.
        testing: The key record says ``t=y`` (testing mode).
        problem: ``(reason, message)`` when the key cannot be used, else ``None``;
            the reason is a key of :data:`KEY_REASONS`.
        public_key: ``p=`` with whitespace removed: ``""`` when revoked (empty
            ``p=``), ``None`` without a record or without a ``p=`` tag.
        warnings: Soft problems that do not stop verification: tag-list syntax,
            several key records at the name.
    """

    name: str
    answer: DnsAnswer
    record: str | None = None
    key_type: str | None = None
    bits: int | None = None
    testing: bool = False
    problem: tuple[str, str] | None = None
    public_key: str | None = None
    warnings: tuple[str, ...] = ()


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


async def fetch_keys(names: Iterable[str], resolver: Resolver) -> dict[str, KeyLookup]:
    """Look up every key name (once each, concurrently) through ``resolver``.

    Args:
        names: Key names as made by :func:`mailtriage.checks.auth.dkimsig.key_name`.
        resolver: The resolver; every lookup shows in its query log.

    Returns:
        Name -> what was found there.
    """
    unique = list(dict.fromkeys(names))
    answers = await asyncio.gather(*(resolver.query(n, "TXT") for n in unique))
    return {n: describe_key(n, a) for n, a in zip(unique, answers, strict=True)}


def describe_key(name: str, answer: DnsAnswer) -> KeyLookup:
    """Pick the key record out of a TXT answer and say whether it is usable."""
    if answer.rcode in ("NXDOMAIN", "NODATA"):
        why = "no such name" if answer.rcode == "NXDOMAIN" else "no TXT record there"
        return KeyLookup(name, answer, problem=("key_not_found", f"no key at {name} ({why})"))
    if answer.rcode != "NOERROR":
        why = answer.error or answer.rcode
        return KeyLookup(
            name, answer, problem=("key_lookup_failed", f"key lookup {name} failed: {why}")
        )
    parsed = [(r, parse_tags(r)) for r in answer.records]
    keyish = [(r, t) for r, t in parsed if _keyish(t)]
    if not keyish:
        return KeyLookup(
            name, answer, problem=("key_not_found", f"no DKIM key record among the TXT at {name}")
        )
    record, tags = keyish[0]
    warnings = [f"DKIM key record: {p}" for p in tags.problems]
    if len(keyish) > 1:
        warnings.append(f"{len(keyish)} key records at {name}: verifiers may pick either")
    key_type = (tags.get("k") or "rsa").lower()
    testing = "y" in [f.strip() for f in (tags.get("t") or "").split(":")]
    p_tag = tags.get("p")
    public_key = None if p_tag is None else "".join(p_tag.split())
    problem = _key_problem(name, tags)
    bits = None
    if problem is None and public_key is not None:
        bits, bad = key_bits(key_type, public_key)
        if bad:
            problem = ("key_invalid", f"key at {name}: {bad}")
    return KeyLookup(
        name, answer, record, key_type, bits, testing, problem, public_key, tuple(warnings)
    )


def is_key_record(text: str) -> bool:
    """Whether a TXT string is a DKIM key record (has ``p=`` or ``v=DKIM1``)."""
    return _keyish(parse_tags(text))


def _keyish(tags: TagList) -> bool:
    return "p" in tags or tags.get("v") == "DKIM1"


def _key_problem(name: str, tags: TagList) -> tuple[str, str] | None:
    version = tags.get("v")
    if version is not None and version != "DKIM1":
        return "key_invalid", f"key at {name} has v={version[:20]}, not DKIM1"
    if "p" not in tags:
        return "key_invalid", f"key record at {name} has no p= tag"
    if not "".join((tags.get("p") or "").split()):
        return "key_revoked", f"key at {name} is revoked (empty p=)"
    key_type = (tags.get("k") or "rsa").lower()
    if key_type not in ("rsa", "ed25519"):
        return "key_invalid", f"key at {name} has unknown key type k={key_type[:20]}"
    services = [x.strip().lower() for x in (tags.get("s") or "*").split(":")]
    if not {"*", "email", "tlsrpt"} & set(services):
        return "key_invalid", f"key at {name} is not for email (s={(tags.get('s') or '')[:30]})"
    return None


def hash_allowed(lookup: KeyLookup, algorithm: str) -> bool:
    """Whether the key's ``h=`` list (if any) allows the hash of ``algorithm``."""
    if lookup.record is None:
        return True
    allowed = parse_tags(lookup.record).get("h")
    if not allowed:
        return True
    return algorithm.rpartition("-")[2] in [h.strip().lower() for h in allowed.split(":")]


def make_dnsfunc(keys: dict[str, KeyLookup]) -> Callable[..., bytes | None]:
    """A dkimpy ``dnsfunc`` serving only the prefetched key records (no network)."""

    def dnsfunc(name: bytes | str, timeout: float = 5) -> bytes | None:
        text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
        found = keys.get(text.lower().rstrip("."))
        if found is None or found.record is None:
            return None
        record = found.record
        if ":" in (parse_tags(record).get("s") or ""):
            # dkimpy compares s= as one word; RFC 6376 makes it a list, checked above.
            record = _S_TAG_RE.sub("", record)
        return record.encode("utf-8", "replace")

    return dnsfunc


class LogCapture(logging.Handler):
    """Collects dkimpy's log messages (its only channel for failure details)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep ``(level, message)``."""
        self.messages.append((record.levelno, record.getMessage()))

    def errors(self) -> list[str]:
        """The messages logged at ERROR or above, in order."""
        return [m for level, m in self.messages if level >= logging.ERROR]


def capture_logger() -> tuple[logging.Logger, LogCapture]:
    """A private logger (not registered globally) and the handler that records it."""
    logger = logging.Logger("mailtriage.dkimpy", logging.DEBUG)
    handler = LogCapture()
    logger.addHandler(handler)
    logger.propagate = False
    return logger, handler
