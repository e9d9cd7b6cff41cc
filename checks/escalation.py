"""Escalation triggers: when the guides say a ticket should go up, evaluated live.

The troubleshooting guides name four moments to escalate: several users, sites
or a business-critical workflow are hit; the logs that would settle it belong to
someone else (a vendor's hosted gateway, Microsoft's own tracing, a reputation
system only the vendor can change); the fix would disrupt mail flow or weaken
security (an MX or connector change, a policy switched off, a domain-wide
allow); the same symptom is back after a fix that was verified. :func:`triggers`
reads the ticket (what the technician wrote), the analyses and the comparison,
and returns each trigger that is met with the evidence quoted and what to send.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mailtriage.checks.analysis import Analysis
from mailtriage.checks.guardrails import broad_allow_warnings, negated
from mailtriage.checks.suspect import Comparison
from mailtriage.checks.text import plural, printable
from mailtriage.checks.ticket.model import Ticket

_QUOTE = 160  # characters of a quoted note or header line


@dataclass(frozen=True)
class Trigger:
    """One escalation trigger that is met.

    Attributes:
        id: ``"scope"``, ``"vendor-logs"``, ``"disruptive-fix"`` or ``"returns"``.
        title: One short line.
        why: The evidence, quoted (the ticket field and its words, or the header line).
        send: What to send with the escalation.
    """

    id: str
    title: str
    why: tuple[str, ...]
    send: str


TITLES = {
    "scope": "Several users, sites or a business-critical flow are affected",
    "vendor-logs": "The logs that would settle it belong to the vendor",
    "disruptive-fix": "The fix would disrupt mail flow or weaken security",
    "returns": "The same symptom is back after a verified fix",
}
SEND = {
    "scope": (
        "The list of affected users and sites, one sample per user or site with its "
        "Message-ID and UTC time, the first failure, and which business workflow is hit."
    ),
    "vendor-logs": (
        "A case to the vendor: sending domain and IP, envelope sender, recipient domain, "
        "Message-ID, first and latest failure in UTC, the exact SMTP reply, the SPF, DKIM "
        "and DMARC results, and the headers attached; ask which of its controls acted."
    ),
    "disruptive-fix": (
        "A change request for approval: what changes and where, the samples that justify "
        "it, who and what mail it affects, the rollback, and the change window."
    ),
    "returns": (
        "The fix applied and when, how it was verified, a new sample from after the fix "
        "next to one from before it, and anything that changed since."
    ),
}

# What the technician wrote: patterns per trigger. Each is matched per clause.
_COUNT = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?)"
_WHO = (
    r"(?:users?|mailboxes|people|staff|employees|sites?|offices|branches|locations|"
    r"customers|recipients|tenants|departments|domains)"
)
_SCOPE = (
    re.compile(rf"\b{_COUNT}\s+(?:\w+\s+)?{_WHO}\b", re.I),
    re.compile(rf"\b(?:several|multiple|many|all|most|every)\s+(?:\w+\s+)?{_WHO}\b", re.I),
    re.compile(
        r"\b(?:everyone|everybody|company[- ]wide|org(?:anisation|anization)?[- ]wide|"
        r"whole\s+(?:company|office|site|organi[sz]ation)|all\s+(?:inbound|outbound)\s+mail|"
        r"business[- ]critical|payroll|invoices?\s+(?:to|from)\s+customers)",
        re.I,
    ),
)
_ONE = re.compile(r"^\s*(?:1|one|a|an|single|only)\b", re.I)
_VENDOR_LOGS = (
    re.compile(
        r"\b(?:can(?:not|'t)|could\s*n[o']t|unable\s+to|no)\s+(?:\w+\s+){0,3}?"
        r"(?:see|access|read|search|get(?:\s+at)?)\s+(?:\w+\s+){0,3}?"
        r"(?:logs?|portal|console|trace|tracing|message\s+log)",
        re.I,
    ),
    re.compile(
        r"\bno\s+(?:admin\s+)?access\s+to\s+(?:the\s+)?(?:\w+\s+){0,2}?"
        r"(?:logs?|portal|console|gateway)",
        re.I,
    ),
    re.compile(
        r"\b(?:hosted|managed)\s+(?:by\s+(?:the\s+)?"
        r"(?:vendor|provider|customer|third[- ]party)|gateway)\b|"
        r"\bvendor(?:'s)?\s+(?:side|logs?|support|case)\b|\bpostmaster\b|"
        r"\b(?:microsoft|google)[- ](?:side|support|case|ticket|tracing)\b|"
        r"\bextended\s+message\s+trace\b|\bsupport\s+case\b|\bdelist(?:ing)?\b",
        re.I,
    ),
)
_DISRUPTIVE = (
    re.compile(
        r"\b(?:chang(?:e|es|ed|ing)|switch(?:es|ed|ing)?|repoint(?:ed|ing)?|point(?:ed|ing)?|"
        r"updat(?:e|ed|ing)|mov(?:e|ed|ing)|cut\s*over|flip(?:ped)?)\s+(?:\w+\s+){0,3}?"
        r"mx(?:\s+records?)?\b",
        re.I,
    ),
    re.compile(r"\bmx\s+(?:record\s+)?(?:change|cut\s*over|switch|update|move)\b", re.I),
    re.compile(
        r"\b(?:chang(?:e|es|ed|ing)|edit(?:s|ed|ing)?|delet(?:e|es|ed|ing)|remov(?:e|es|ed|ing)|"
        r"disabl(?:e|es|ed|ing)|recreat(?:e|ed|ing)|add(?:s|ed|ing)?|new|modify(?:ing)?|"
        r"modified|reconfigur(?:e|ed|ing))\s+(?:\w+\s+){0,3}?(?:inbound\s+|outbound\s+)?connectors?\b",
        re.I,
    ),
    re.compile(
        r"\bconnectors?\s+(?:change|update|edit|removal|deletion|rebuild)\b",
        re.I,
    ),
)


_MAX_TEXT = 100_000  # characters of one field read


def _find(patterns: Sequence[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        for m in pattern.finditer(text[:_MAX_TEXT]):
            if not negated(text, m.start()):
                return m
    return None


def _quote(field: str, text: str, m: re.Match[str]) -> str:
    """``field: "...the words..."``: the clause around the match, display-safe."""
    start = max(text.rfind(c, 0, m.start()) for c in ".;!?\n") + 1
    ends = [i for c in ".;!?\n" if (i := text.find(c, m.end())) != -1]
    end = min(ends, default=len(text))
    clause = " ".join(text[start:end].split())
    return f'{field}: "{printable(clause, _QUOTE)}"'


def _ticket_fields(ticket: Ticket | None, action: str) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    if ticket is not None:
        fields = [
            ("volume", ticket.volume),
            ("scope", ticket.scope),
            ("affected site", ticket.affected.site),
            ("affected user", ticket.affected.user),
            ("symptom", ticket.symptom),
            ("logs checked", ticket.logs_checked),
            ("changes", ticket.changes),
            ("notes", ticket.notes),
            ("fix", ticket.fix),
        ]
    if action:
        fields.append(("chosen action", action))
    return [(f, t) for f, t in fields if t.strip()]


def _listed(value: str) -> int:
    """How many entries a free-text list of users or sites holds ("a, b and c": 3)."""
    parts = [p for p in re.split(r"\s*(?:[,;/&+]|\band\b)\s*", value.strip()) if p]
    return len(parts)


def _scope(ticket: Ticket | None, action: str, analyses: Sequence[Analysis]) -> list[str]:
    why = []
    if ticket is not None:
        listed = (("affected user", ticket.affected.user), ("affected site", ticket.affected.site))
        for field, value in listed:
            if _listed(value) >= 2:
                why.append(f'{field}: "{printable(" ".join(value.split()), _QUOTE)}"')
    for field, text in _ticket_fields(ticket, action):
        if field in ("fix", "chosen action", "changes", "logs checked"):
            continue
        for pattern in _SCOPE:
            m = next(
                (
                    m
                    for m in pattern.finditer(text[:_MAX_TEXT])
                    if not _ONE.match(m.group(0)) and not negated(text, m.start())
                ),
                None,
            )
            if m is not None:
                why.append(_quote(field, text, m))
                break
    for i, a in enumerate(analyses):
        b = a.bounce
        failed = [r for r in b.recipients if r.permanent is not None] if b else []
        if len(failed) >= 2:
            names = ", ".join(printable(r.recipient, 80) for r in failed[:3])
            more = f" +{len(failed) - 3}" if len(failed) > 3 else ""
            why.append(
                f"{chr(65 + i)}: the bounce lists {plural(len(failed), 'failed recipient')} "
                f"({names}{more})"
            )
    return list(dict.fromkeys(why))


def _vendor_logs(ticket: Ticket | None, action: str, analyses: Sequence[Analysis]) -> list[str]:
    why = []
    for field, text in _ticket_fields(ticket, action):
        m = _find(_VENDOR_LOGS, text)
        if m is not None:
            why.append(_quote(field, text, m))
    for i, a in enumerate(analyses):
        b = a.bounce
        r = (b.deciding or (b.recipients[0] if b.recipients else None)) if b else None
        if r is not None and r.category == "reputation block":
            where = f" by {printable(r.remote_mta, 80)}" if r.remote_mta else ""
            why.append(
                f"{chr(65 + i)}: rejected{where} for the sending IP's reputation, which only "
                f'the vendor can review: "{printable(r.diagnostic, _QUOTE)}"'
            )
    return why


def _disruptive(ticket: Ticket | None, action: str) -> list[str]:
    why = []
    for field, text in _ticket_fields(ticket, action):
        if field not in ("fix", "chosen action", "notes", "changes"):
            continue
        m = _find(_DISRUPTIVE, text)
        if m is not None:
            why.append(_quote(field, text, m))
        for w in broad_allow_warnings(text):
            why.append(f'{field}: "{w.quote}" ({w.kind.replace("-", " ")})')
    return list(dict.fromkeys(why))


def _returns(ticket: Ticket | None) -> list[str]:
    if ticket is None or ticket.verified_ok is not False:
        return []
    why = []
    if ticket.fix.strip():
        why.append(f'fix: "{printable(" ".join(ticket.fix.split()), _QUOTE)}"')
    said = " ".join(ticket.verification.split())
    why.append(f'verification: "{printable(said, _QUOTE)}"' if said else "verification: failed")
    return why


def triggers(
    ticket: Ticket | None,
    analyses: Sequence[Analysis] = (),
    comparison: Comparison | None = None,
    action: str = "",
) -> tuple[Trigger, ...]:
    """The escalation triggers the ticket and the evidence meet, in the guides' order.

    Args:
        ticket: The ticket (its affected users and sites, scope, volume, logs
            checked, notes, fix and verification), or ``None`` before one is open.
        analyses: The samples in slot order (A = blocked): a bounce listing several
            failed recipients, or a rejection for the sender's reputation, counts.
        comparison: The two-copy decision, when two samples are loaded. When it
            names no layer, its next step (what two copies cannot show) is quoted
            under a vendor-logs trigger already met.
        action: An action the technician is about to take (free text), read like
            the fix.

    Returns:
        The triggers met, each with its evidence quoted and what to send; empty
        when none is.
    """
    out = []
    found = {
        "scope": _scope(ticket, action, analyses),
        "vendor-logs": _vendor_logs(ticket, action, analyses),
        "disruptive-fix": _disruptive(ticket, action),
        "returns": _returns(ticket),
    }
    if found["vendor-logs"] and comparison is not None and comparison.suspect_layer is None:
        found["vendor-logs"].append(f'comparison: "{printable(comparison.next_step, _QUOTE)}"')
    for key, why in found.items():
        if why:
            out.append(Trigger(key, TITLES[key], tuple(why), SEND[key]))
    return tuple(out)
