"""RFC 3464 delivery-status and RFC 5965 feedback-report fields.

A ``message/delivery-status`` body is groups of ``Name: value`` fields separated
by blank lines: one per-message group (``Reporting-MTA``...) and one group per
recipient (``Final-Recipient``, ``Action``, ``Status``, ``Diagnostic-Code``...).
:func:`find_fields` also finds such groups inside plain text, for bounces whose
MIME structure is broken. Values are unfolded; typed values (``rfc822; x``,
``dns; host``, ``smtp; 550 ...``) lose their type prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailtriage.checks.bounce.model import Draft

MAX_LINES = 3000
MAX_GROUPS = 200
MAX_VALUE = 4000
_FIELD = re.compile(r"([A-Za-z][A-Za-z0-9-]{0,60})[ \t]*:[ \t]*(.*)")
_START = re.compile(
    r"^(?:reporting-mta|final-recipient|original-recipient)[ \t]*:", re.IGNORECASE | re.MULTILINE
)
_TYPED = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,30}[ \t]*;[ \t]*")
_STATUS = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")
_WS = re.compile(r"\s+")
#: Fields that open a per-recipient group (RFC 3464 2.3): seen twice, a group has two recipients.
_OPENS = frozenset({"final-recipient", "original-recipient"})
ACTIONS = frozenset({"failed", "delayed", "delivered", "relayed", "expanded"})


@dataclass(frozen=True)
class Report:
    """A parsed delivery-status report.

    Attributes:
        reporting_mta: Host from ``Reporting-MTA``, or ``None``.
        recipients: One draft per recipient group, in order.
        fields: The per-message group (lower-cased names).
    """

    reporting_mta: str | None
    recipients: tuple[Draft, ...]
    fields: dict[str, str]


def groups(text: str) -> list[dict[str, str]]:
    """Split ``Name: value`` groups (lower-cased names, unfolded values, first wins).

    Lines that are neither fields, continuations nor blank are skipped. A
    ``Final-Recipient`` or ``Original-Recipient`` already in the group starts a new
    one (reports that lost the blank line between two recipients).
    """
    out: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines()[:MAX_LINES]:
        if not line.strip():
            if current:
                out.append(current)
                if len(out) >= MAX_GROUPS:
                    break
            current, last = {}, None
            continue
        if line[:1] in (" ", "\t"):
            if last is not None and len(current[last]) < MAX_VALUE:
                current[last] += " " + line.strip()
            continue
        m = _FIELD.match(line)
        name = m.group(1).lower() if m else None
        if name in _OPENS and name in current:
            # A second recipient in the same group: the blank line between was lost.
            out.append(current)
            current = {}
        if m is None or name in current:
            last = None
            continue
        last = m.group(1).lower()
        current[last] = m.group(2).strip()
    if current and len(out) < MAX_GROUPS:
        out.append(current)
    return [{k: _WS.sub(" ", v)[:MAX_VALUE] for k, v in g.items()} for g in out]


def untyped(value: str) -> str:
    """Drop a ``type;`` prefix such as ``rfc822;``, ``dns;`` or ``smtp;``."""
    m = _TYPED.match(value)
    return value[m.end() :].strip() if m else value.strip()


def host(value: str | None) -> str | None:
    """The host name from a typed MTA value such as ``dns; mx.example (TCP|...)``."""
    if not value:
        return None
    token = untyped(value).split(" ", 1)[0].strip("[]<>;,")
    return token[:255] or None


def address(value: str | None) -> str:
    """The address from a typed recipient value such as ``rfc822; <a@b>``."""
    if not value:
        return ""
    return untyped(value).strip().strip("<>").strip()[:320]


def status_of(value: str | None) -> str | None:
    """The enhanced status code at the start of a ``Status`` value, or ``None``."""
    m = _STATUS.match(value.strip()) if value else None
    return m.group(0) if m else None


def parse(text: str) -> Report:
    """Parse a delivery-status body into a report."""
    found = groups(text)
    per_message: dict[str, str] = {}
    drafts: list[Draft] = []
    for g in found:
        rcpt = g.get("final-recipient") or g.get("original-recipient")
        action = (g.get("action") or "").strip().lower().split(" ", 1)[0] or None
        if rcpt is None and action not in ACTIONS:
            if not per_message:
                per_message = g
            continue
        target = address(rcpt)
        if "@" not in target:
            target = (
                address(g.get("original-recipient"))
                or address(g.get("x-actual-recipient"))
                or target
            )
        drafts.append(
            Draft(
                recipient=target,
                diagnostic=untyped(g.get("diagnostic-code", "")),
                status=status_of(g.get("status")),
                action=action,
                remote_mta=host(g.get("remote-mta")),
            )
        )
    return Report(host(per_message.get("reporting-mta")), tuple(drafts), per_message)


def find_fields(text: str) -> Report | None:
    """Find a delivery-status report embedded in free text (broken MIME), or ``None``."""
    m = _START.search(text)
    if m is None:
        return None
    report = parse("\n".join(_until_text(text[m.start() :])))
    return report if report.recipients else None


def _until_text(text: str) -> list[str]:
    kept: list[str] = []
    for line in text.splitlines()[:MAX_LINES]:
        if line.strip() and line[:1] not in (" ", "\t") and _FIELD.match(line) is None:
            break
        kept.append(line)
    return kept
