"""Recorded then vs DNS now: do the two facts agree, and if not, why that can happen.

The gateway's Authentication-Results is what was true when the message arrived;
the live checks are what DNS says today. They are different facts. This module
lines them up per method and explains a disagreement without calling either wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mailtriage.checks.auth.dmarc.record import parse_record
from mailtriage.checks.live import agreelive
from mailtriage.checks.message.authres import boundary
from mailtriage.checks.model import AuthMethod, AuthResults

if TYPE_CHECKING:
    from mailtriage.checks.live.auth import LiveAuth
    from mailtriage.checks.live.model import LiveResult


@dataclass(frozen=True)
class Agreement:
    """One method compared between the recorded verdict and the live DNS answer.

    Attributes:
        method: ``"spf"``, ``"dkim"``, ``"dmarc"`` or ``"arc"`` (``arc`` only with a full
            live re-check).
        recorded: What the boundary gateway recorded, e.g. ``"pass (d=example.com)"``.
        live: What DNS shows now, e.g. ``"key found"``.
        agrees: ``True`` consistent, ``False`` they disagree, ``None`` cannot tell yet.
        note: Plain words: what the comparison means and what can explain a difference.
    """

    method: str
    recorded: str
    live: str
    agrees: bool | None
    note: str


def _find(results: Sequence[LiveResult], kind: str, domain: str | None,
          selector: str | None = None) -> LiveResult | None:
    for r in results:
        s = r.spec
        if s.kind == kind and s.domain == (domain or "").lower() and s.selector == selector:
            return r
    return None


def _dkim(m: AuthMethod, live: Sequence[LiveResult]) -> Agreement | None:
    d, s = m.prop("header.d"), m.prop("header.s")
    if not d or not s:
        return None
    r = _find(live, "dkim", d, s)
    if r is None:
        return None
    revoked = any("revoked" in w for w in r.warnings)
    now = "key revoked" if revoked else ("key found" if r.status == "found" else r.status)
    rec = f"{m.result} (d={d}, s={s})"
    if r.status == "error":
        return Agreement("dkim", rec, now, None, "The key lookup failed now; try again (r).")
    if m.result == "pass" and (revoked or r.status == "missing"):
        return Agreement("dkim", rec, now, False,
                         "The key that verified the message is gone now: the sender rotated or "
                         "removed it after sending. Expected for old samples; not the cause.")
    if m.result == "pass":
        return Agreement("dkim", rec, now, True, "The key that verified it is still published.")
    return Agreement("dkim", rec, now, None,
                     "A key exists now; a failure then points at the body or signature "
                     "(changed in transit) or at a key that was replaced since.")


def _spf(m: AuthMethod, live: Sequence[LiveResult]) -> Agreement | None:
    mailfrom = m.prop("smtp.mailfrom") or ""
    domain = mailfrom.rpartition("@")[2] if mailfrom else None
    r = _find(live, "spf", domain)
    if r is None:
        return None
    now = "record found" if r.status == "found" else r.status
    rec = f"{m.result} (MAIL FROM {domain})"
    if r.status == "error":
        return Agreement("spf", rec, now, None, "The SPF lookup failed now; try again (r).")
    if m.result in ("none",) and r.status == "found":
        return Agreement("spf", rec, now, False,
                         "No SPF record then, one now: published after the message was sent.")
    if m.result not in ("none", "temperror") and r.status == "missing":
        return Agreement("spf", rec, now, False,
                         "An SPF record was evaluated then but none is published now: removed "
                         "or broken since the message was sent.")
    return Agreement("spf", rec, now, None,
                     "Record present then and now; whether today's record still authorises "
                     "the sending IP needs an SPF evaluation against that IP.")


def _dmarc(m: AuthMethod, live: Sequence[LiveResult]) -> Agreement | None:
    r = _find(live, "dmarc", m.prop("header.from"))
    if r is None:
        return None
    # The policy a receiver acts on, as the live row's summary words it (p=bogus with rua=: none).
    p_now = parse_record(r.records[0]).p if r.records else None
    p_then = agreelive.recorded_policy(m)
    rec = f"{m.result}" + (f" (p={p_then})" if p_then else "")
    now = f"p={p_now}" if p_now else r.status
    if r.status == "error":
        return Agreement("dmarc", rec, now, None, "The DMARC lookup failed now; try again (r).")
    if m.result == "none" and r.status == "found":
        return Agreement("dmarc", rec, now, False,
                         "No DMARC policy then, one now: published after the message was sent.")
    if p_then and p_now and p_then != p_now:
        return Agreement("dmarc", rec, now, False,
                         f"The policy was p={p_then} then and is p={p_now} now: the record was "
                         "edited after the message was sent.")
    return Agreement("dmarc", rec, now, True if p_then else None,
                     "Same policy then and now." if p_then else "Policy now shown; the "
                     "gateway did not record which policy it applied.")


def _with_auth(b: AuthResults, auth: LiveAuth) -> list[Agreement]:
    out: list[Agreement] = []
    for m in b.methods:
        row: agreelive.Row | None = None
        if m.method == "spf":
            row = agreelive.spf(m, auth)
        elif m.method == "dkim":
            row = agreelive.dkim(m, auth)
        elif m.method == "dmarc":
            row = agreelive.dmarc(m, auth)
        elif m.method == "arc":
            row = agreelive.arc(m, auth)
        if row is not None:
            out.append(Agreement(m.method, *row))
    return out


def compare(
    recorded: Sequence[AuthResults],
    live: Sequence[LiveResult] = (),
    auth: LiveAuth | None = None,
) -> tuple[Agreement, ...]:
    """Compare the boundary gateway's recorded verdicts with what DNS says now.

    With ``auth`` (a full live re-check from :func:`mailtriage.checks.live.auth.live_auth`) every
    recorded method (spf, dkim per d=/s=, dmarc, arc) is compared with today's
    result. Without it, the record-level comparison with the live record fetches
    in ``live`` is made (SPF then cannot tell whether today's record authorises the IP).

    Args:
        recorded: The sample's recorded authentication headers.
        live: Finished record fetches of the same sample (used when ``auth`` is ``None``).
        auth: The full live re-check of the same sample.

    Returns:
        One Agreement per method that both sides speak about.
    """
    b = boundary(recorded)
    if b is None:
        return ()
    if auth is not None:
        return tuple(_with_auth(b, auth))
    out: list[Agreement] = []
    for m in b.methods:
        fn = {"dkim": _dkim, "spf": _spf, "dmarc": _dmarc}.get(m.method)
        if fn and (a := fn(m, live)) is not None:
            out.append(a)
    return tuple(out)
