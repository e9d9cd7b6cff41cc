"""Specs and results of the live DNS checks (see :mod:`mailtriage.checks.live.plan`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import dns.name
from mailtriage.checks.dns.model import DnsAnswer

#: The kinds of live check.
KINDS = ("spf", "dmarc", "mx", "dkim")

_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_DOMAIN_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})+\Z")
_SELECTOR_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\Z")


@dataclass(frozen=True)
class LiveSpec:
    """One live check to run.

    Attributes:
        kind: ``"spf"``, ``"dmarc"``, ``"mx"`` or ``"dkim"``.
        domain: The domain to check (lower-case, no final dot).
        selector: The DKIM selector (``kind == "dkim"`` only).
        why: Plain words on why this check was planned, e.g. ``"From domain"``.
    """

    kind: str
    domain: str
    selector: str | None = None
    why: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown live check kind {self.kind!r}")


@dataclass(frozen=True)
class LiveResult:
    """The outcome of one live check.

    Attributes:
        spec: What was checked.
        status: ``"found"``, ``"missing"`` or ``"error"`` (lookup failed: timeout, SERVFAIL...).
        records: The relevant records (e.g. the SPF record, MX hosts sorted by preference).
        summary: One plain-language line.
        warnings: Problems worth a technician's attention, one line each.
        answers: Every DNS answer the check used, in order.
    """

    spec: LiveSpec
    status: str
    records: tuple[str, ...]
    summary: str
    warnings: tuple[str, ...] = ()
    answers: tuple[DnsAnswer, ...] = ()


def lookup_failed(spec: LiveSpec, what: str, answers: tuple[DnsAnswer, ...]) -> LiveResult:
    """An ``"error"`` result for a lookup that got no definite answer (the last one)."""
    last = answers[-1]
    detail = f" ({last.error})" if last.error else ""
    summary = f"{what} lookup for {last.name} failed: {last.rcode}{detail}"
    return LiveResult(spec, "error", (), summary[:300], (), answers)


def clean_domain(text: str | None) -> str | None:
    """Normalise a domain from a hostile sample; ``None`` if it is not a usable domain.

    Accepts ``user@domain`` and ``<user@domain>`` (the part after the last ``@``),
    converts internationalised names to their ASCII form, and requires at least
    two labels.
    """
    if not text:
        return None
    text = text.strip().strip("<>").rpartition("@")[2].strip().rstrip(".").lower()
    if not text or len(text) > 253:
        return None
    if not text.isascii():
        try:
            text = dns.name.from_unicode(text).to_text(omit_final_dot=True).lower()
        except Exception:
            return None
    return text if _DOMAIN_RE.match(text) else None


def clean_selector(text: str | None) -> str | None:
    """Normalise a DKIM selector; ``None`` if it cannot be part of a DNS name."""
    if not text:
        return None
    text = text.strip().lower()
    return text if len(text) <= 200 and _SELECTOR_RE.match(text) else None
