"""Recorded verdicts vs a full live re-check (:class:`checks.live.auth.LiveAuth`), per method.

Each function compares one method of the boundary gateway's Authentication-Results
with today's result and returns ``(recorded, live, agrees, note)`` texts; the
caller (:mod:`mailtriage.checks.live.agreement`) wraps them. Notes name what can explain a
difference: DNS edited since the message's date, a key rotated, a check made
behind a gateway, a sample without its body, the clock.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING

from mailtriage.checks.auth.dmarc.record import POLICIES
from mailtriage.checks.model import AuthMethod

if TYPE_CHECKING:  # types only: dnspython and dkimpy load after the first paint
    from mailtriage.checks.auth.dkim import DkimSignatureResult
    from mailtriage.checks.live.auth import LiveAuth

Row = tuple[str, str, bool | None, str]

_IP_RE = re.compile(r"[0-9A-Fa-f:.]*[.:][0-9A-Fa-f:.]+")
_POLICY_RE = re.compile(rf"\bp=({'|'.join(POLICIES)})\b", re.I)


def age(auth: LiveAuth) -> str:
    """``"since the message's date (3 days ago)"``, or a shorter phrase when unknown."""
    if auth.message_date is None or auth.checked_at is None:
        return "since the message was sent"
    seconds = (auth.checked_at - auth.message_date).total_seconds()
    if seconds < 0:
        return "since the message's date (which lies in the future: check the sender's clock)"
    if seconds < 3600:
        span = f"{int(seconds // 60)} minutes"
    elif seconds < 2 * 86400:
        span = f"{int(seconds // 3600)} hours"
    else:
        span = f"{int(seconds // 86400)} days"
    return f"since the message's date ({span} ago)"


def recorded_ips(m: AuthMethod) -> set[str]:
    """IP addresses the recording system mentions in an SPF result (comment, client-ip)."""
    found: set[str] = set()
    for word in _IP_RE.findall(" ".join([m.reason or "", m.raw, *(v for _, v in m.props)])):
        try:
            found.add(str(ipaddress.ip_address(word.strip(".:"))))
        except ValueError:
            continue
    return found


def spf(m: AuthMethod, auth: LiveAuth) -> Row:
    """Recorded ``spf=`` vs SPF evaluated now for the connecting IP."""
    mailfrom = m.prop("smtp.mailfrom") or m.prop("smtp.helo") or ""
    then_domain = mailfrom.rpartition("@")[2].lower()
    rec = f"{m.result}" + (f" (MAIL FROM {then_domain})" if then_domain else "")
    if auth.spf is None or auth.spf_inputs is None:
        why = next((n for n in auth.notes if n.startswith("SPF")), "SPF was not evaluated now.")
        return rec, "not evaluated", None, why
    ip, domain, _sender, _helo = auth.spf_inputs
    now = f"{auth.spf.result} for {domain} from {ip}"
    if auth.spf.result == "temperror":
        return rec, now, None, "Today's SPF lookups failed (DNS error or deadline); try again."
    if m.result == auth.spf.result:
        return rec, now, True, "Same SPF result then and now for the sending IP."
    others = recorded_ips(m) - {str(ipaddress.ip_address(ip))}
    if others:
        seen = ", ".join(sorted(others))
        return rec, now, False, (
            f"The recorded check saw {seen}, but the message came in from {ip}: that header was "
            "written by a system behind a filtering gateway (Proofpoint, Mimecast...) that saw "
            "the gateway's IP, where SPF failures are expected. Not the cause of a block."
        )
    if then_domain and then_domain != domain:
        return rec, now, False, (
            f"The recorded check used {then_domain}, today's check {domain}: the envelope "
            "sender in the sample differs from the one the gateway saw."
        )
    return rec, now, False, (
        f"The SPF record of {domain} changed {age(auth)}: today it gives {auth.spf.result} "
        f"for {ip}, the gateway got {m.result}. An edited record (or an include it uses) "
        "explains it."
    )


def _dkim_now(s: DkimSignatureResult) -> str:
    return "pass" if s.result == "pass" else f"{s.result}: {s.reason.replace('_', ' ')}"


def _dkim_why(s: DkimSignatureResult, auth: LiveAuth) -> str:
    where = f"{s.selector}._domainkey.{s.domain}"
    if s.reason in ("key_not_found", "key_revoked"):
        return (f"The key at {where} is gone now: the sender rotated or removed it {age(auth)}. "
                "Expected for old samples; not the cause.")  # fmt: skip
    if s.reason == "body_hash_mismatch" and not auth.has_body:
        return ("The sample has no body, so the DKIM body hash cannot be checked; the "
                "gateway had the whole message.")  # fmt: skip
    if s.reason == "body_hash_mismatch":
        return ("The body differs from what was signed: changed after the gateway checked it "
                "(a footer or banner added downstream, or the sample was re-saved).")
    if s.reason == "signature_mismatch":
        return (f"The key at {where} no longer matches the signature: replaced {age(auth)}, "
                "or signed headers were changed after the gateway checked them.")
    if s.reason == "expired":
        return f"The signature's x= expiry has passed {age(auth)}: a clock effect, not a fault."
    return s.message


def dkim(m: AuthMethod, auth: LiveAuth) -> Row | None:
    """Recorded ``dkim=`` for one ``header.d``/``header.s`` vs that signature verified now."""
    d = (m.prop("header.d") or m.prop("header.i") or "").rpartition("@")[2].lower()
    s = (m.prop("header.s") or "").lower()
    if not d:
        return None
    rec = f"{m.result} (d={d}" + (f", s={s})" if s else ")")
    sig = next((x for x in auth.dkim if x.domain.lower() == d and
                (not s or x.selector.lower() == s)), None)  # fmt: skip
    if sig is None:
        why = next((n for n in auth.notes if "DKIM" in n), "No matching DKIM-Signature now.")
        return rec, "not checked", None, why
    now = _dkim_now(sig)
    if sig.result == "temperror":
        return rec, now, None, "The key lookup failed now (DNS error or deadline); try again."
    if (m.result == "pass") == (sig.result == "pass"):
        return rec, now, True, ("The signature still verifies with today's key."
                                if sig.result == "pass" else "It fails then and now.")
    if m.result == "pass":
        return rec, now, False, _dkim_why(sig, auth)
    return rec, now, False, (
        "The gateway's check failed then but the signature verifies now: a key published "
        f"{age(auth)}, or a temporary DNS failure at the gateway."
    )


def recorded_policy(m: AuthMethod) -> str | None:
    """The DMARC policy a recorded ``dmarc=`` result names, e.g. ``(p=none; dis=none)``.

    Gateways echo the published policy in a comment (or ``policy.published-domain-policy``);
    only a policy word counts, so ``p=none;`` reads as ``none``. ``None`` when not recorded.
    """
    text = " ".join(filter(None, [m.reason or "", m.raw, m.prop("policy.published-domain-policy")]))
    found = _POLICY_RE.search(text)
    return found.group(1).lower() if found else None


def dmarc(m: AuthMethod, auth: LiveAuth) -> Row:
    """Recorded ``dmarc=`` (and the policy it names) vs DMARC evaluated now."""
    p_then = recorded_policy(m)
    rec = m.result + (f" (p={p_then})" if p_then else "")
    v = auth.dmarc
    if v is None:
        why = next((n for n in auth.notes if "DMARC" in n), "DMARC was not evaluated now.")
        return rec, "not evaluated", None, why
    if v.result == "pass":
        now = f"pass: aligned {', '.join(v.aligned_by)}"
    elif v.result == "fail":
        ids = ", ".join(f"{c.kind.upper()} {c.domain}" for c in v.checks if c.domain)
        now = f"fail: no aligned identity ({ids or 'none'})"
    else:
        now = v.result
    now += f" (p={v.policy})" if v.policy else ""
    if v.result == "temperror":
        return rec, now, None, "The DMARC record lookup failed now; try again."
    notes: list[str] = []
    if m.result != v.result:
        if m.result == "none" and v.policy:
            notes.append(f"No DMARC policy applied then, one now: published {age(auth)}.")
        elif v.result == "none":
            notes.append(f"A policy applied then, none now: the record was removed {age(auth)}.")
        else:
            notes.append(f"DMARC was {m.result} then and is {v.result} now: the SPF or DKIM "
                         "results it builds on changed (see those rows).")  # fmt: skip
    if p_then and v.policy and p_then != v.policy:
        notes.append(f"The policy was p={p_then} then and is p={v.policy} now: the record was "
                     f"edited {age(auth)}.")  # fmt: skip
    if notes:
        return rec, now, False, " ".join(notes)
    if p_then or v.policy is None:
        return rec, now, True, "Same DMARC result and policy then and now."
    return rec, now, None, ("Same result; the gateway did not record which policy it applied, "
                            f"today's is p={v.policy}.")  # fmt: skip


def arc(m: AuthMethod, auth: LiveAuth) -> Row:
    """Recorded ``arc=`` vs the ARC chain validated now."""
    rec = m.result
    if auth.arc is None:
        return rec, "not checked", None, "The message bytes are not available for ARC."
    now = auth.arc.result
    if auth.arc.temporary:
        return rec, now, None, "An ARC key lookup failed now; try again."
    if m.result == now:
        return rec, now, True, "Same ARC result then and now."
    return rec, now, False, (
        f"ARC {m.result} then, {now} now ({auth.arc.reason}): a sealer's key rotated "
        f"{age(auth)}, or ARC sets were added by systems after the gateway."
    )
