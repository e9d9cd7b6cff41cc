"""Evidence rules that tick playbook items by themselves.

Each rule looks at the loaded samples (slot order: A, B...) and the finished live
DNS results and returns ``(done, evidence)``: whether the step is shown to be
done, and a short plain-text reason (also when it is not done, if useful).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import TYPE_CHECKING, TypeAlias

from mailtriage.checks.bounce.entry import parse_bounce
from mailtriage.checks.diff import diff_samples
from mailtriage.checks.findings import findings, likely_layer
from mailtriage.checks.message.authres import parse_auth_results, summary
from mailtriage.checks.model import Sample
from mailtriage.checks.route.gateways import find_gateway
from mailtriage.checks.route.hops import parse_hops
from mailtriage.checks.text import printable
from mailtriage.checks.verdicts import find_verdicts, key_first, microsoft_placement

if TYPE_CHECKING:
    from mailtriage.checks.live.plan import LiveResult


Samples: TypeAlias = tuple[Sample, ...]
Lives: TypeAlias = "tuple[LiveResult, ...]"
Outcome: TypeAlias = tuple[bool, str | None]
Rule: TypeAlias = Callable[[Samples, Lives], Outcome]
_MAX = 90


def _label(i: int, n: int) -> str:
    return f"{chr(65 + i % 26)}: " if n > 1 else ""


def _join(parts: list[str]) -> str:
    return printable(", ".join(parts), _MAX)


def message_ids(samples: Samples, live: Lives) -> Outcome:
    """Every sample has a Message-ID; evidence lists them."""
    if not samples:
        return False, None
    n = len(samples)
    width = 40 if n > 1 else 80
    parts = [
        _label(i, n) + (printable(s.message_id, width) if s.message_id else "none")
        for i, s in enumerate(samples)
    ]
    return all(s.message_id for s in samples), _join(parts)


def basics(samples: Samples, live: Lives) -> Outcome:
    """Sender, recipient, timestamp and subject are known for every sample."""
    if not samples:
        return False, None
    n, gaps, times = len(samples), [], []
    for i, s in enumerate(samples):
        missing = [
            name
            for name, ok in (
                ("sender", s.from_ or s.envelope_from),
                ("recipient", s.to or s.envelope_to),
                ("time", s.date),
                ("subject", s.subject),
            )
            if not ok
        ]
        if missing:
            gaps.append(_label(i, n) + "no " + "/".join(missing))
        if s.date is not None:
            times.append(_label(i, n) + s.date.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    return (not gaps), _join(gaps or times)


def full_headers(samples: Samples, live: Lives) -> Outcome:
    """Every sample has a Received chain (evidence: hop counts)."""
    if not samples:
        return False, None
    n = len(samples)
    counts = [len(parse_hops(s)) for s in samples]
    parts = [_label(i, n) + f"{c} hop{'s' if c != 1 else ''}" for i, c in enumerate(counts)]
    return all(counts), _join(parts)


def compared(samples: Samples, live: Lives) -> Outcome:
    """A blocked and a delivered sample are both loaded."""
    if len(samples) < 2:
        return False, "load a second sample" if samples else None
    rows = diff_samples(samples[0], samples[1])
    differ = sum(1 for r in rows if r.differs)
    return True, f"{differ} of {len(rows)} fields differ"


def auth_read(samples: Samples, live: Lives) -> Outcome:
    """Recorded authentication results were found (evidence: the DMARC results)."""
    n, parts, found = len(samples), [], False
    for i, s in enumerate(samples):
        res = summary(parse_auth_results(s))
        found = found or bool(res)
        key = next((k for k in ("dmarc", "spf", "dkim") if k in res), None)
        parts.append(_label(i, n) + (f"{key}={res[key]}" if key else "none recorded"))
    return found, (_join(parts) if samples else None)


def live_dns(samples: Samples, live: Lives) -> Outcome:
    """Live SPF/DKIM/DMARC/MX lookups got answers."""
    if not live:
        return False, None
    kinds = [
        k
        for k in ("spf", "dkim", "dmarc", "mx")
        if any(r.spec.kind == k and r.status == "found" for r in live)
    ]
    if not kinds:
        return False, f"{len(live)} lookups, none answered"
    return True, ", ".join(k.upper() for k in kinds) + " answered"


def verdicts(samples: Samples, live: Lives) -> Outcome:
    """Vendor verdict or quarantine headers are present (evidence: their names)."""
    names = key_first([v.name for s in samples for v in find_verdicts(s)])
    if not names:
        return False, ("no verdict headers in the samples" if samples else None)
    shown = names[:3]
    more = f" +{len(names) - 3} more" if len(names) > 3 else ""
    return True, printable(", ".join(shown) + more, _MAX)


def recipient_mx(samples: Samples, live: Lives) -> Outcome:
    """The recipient domain's MX answered (evidence: the MX host)."""
    for r in live:
        if r.spec.kind == "mx" and r.status == "found" and r.records:
            host = r.records[0].split()[-1].rstrip(".")
            more = f" +{len(r.records) - 1}" if len(r.records) > 1 else ""
            return True, printable(f"{r.spec.domain} MX {host}{more}", _MAX)
    for s in samples:
        gw = find_gateway(parse_hops(s))
        if gw is not None:
            return False, printable(f"received by {gw[1]}; MX not checked yet", _MAX)
    return False, None


def layer(samples: Samples, live: Lives) -> Outcome:
    """A sample's findings name its most likely layer (evidence: layer and top finding)."""
    parts = []
    for i, s in enumerate(samples):
        found = findings(s)
        best = likely_layer(found)
        top = next((f for f in found if f.layer == best), None)
        if best and top:
            parts.append(_label(i, len(samples)) + f"{best}: {top.title}")
    return bool(parts), (_join(parts) if parts else None)


def bounce(samples: Samples, live: Lives) -> Outcome:
    """A sample is a bounce or NDR (evidence: the first recipient's code and category)."""
    for i, s in enumerate(samples):
        b = parse_bounce(s)
        if b is not None and b.recipients:
            r = b.recipients[0]
            code = r.code
            return True, _join([_label(i, len(samples)) + f"{code} {r.category}".strip()])
    return False, None


def downstream(samples: Samples, live: Lives) -> Outcome:
    """A sample shows where Microsoft 365 placed it (evidence: the placement)."""
    for i, s in enumerate(samples):
        placed = microsoft_placement(s) if s.all("x-microsoft-antispam-mailbox-delivery") else None
        if placed:
            return True, _join([_label(i, len(samples)) + placed.removeprefix("Microsoft 365: ")])
    return False, None


RULES: dict[str, Rule] = {
    "layer": layer,
    "bounce": bounce,
    "downstream": downstream,
    "message_ids": message_ids,
    "basics": basics,
    "full_headers": full_headers,
    "compared": compared,
    "auth_read": auth_read,
    "live_dns": live_dns,
    "verdicts": verdicts,
    "recipient_mx": recipient_mx,
}
