"""Helpers for :func:`checks.bounce.entry.parse_bounce`: the original message, recipients, dialect.

Finds the bounced message's Message-ID (attached original, inline copy, or the
bounce's In-Reply-To), turns odd DSN recipients (pipes, mailbox paths) into
addresses, fills a recipient's missing diagnostic from the notification text,
and builds the text the dialect is recognised from.
"""

from __future__ import annotations

import re

from mailtriage.checks.bounce.mime import ORIGINAL_TYPES, REPORT_TYPES, Part
from mailtriage.checks.bounce.model import Draft
from mailtriage.checks.bounce.rules import by_status
from mailtriage.checks.bounce.text import ADDRESS, looks_like_header, window
from mailtriage.checks.model import Sample

MAX_RECIPIENTS = 100
_MSGID = re.compile(r"[ \t]*message-id[ \t]*:[ \t]*<?([^\s<>]{1,250})>?", re.I)
_REPORTED_ID = re.compile(r"^x-original-message-id[ \t]*:[ \t]*<?([^\s<>]{1,250})>?", re.I | re.M)
_HEADER_LINE = re.compile(
    r"^(?:received|from|to|subject|date|message-id|return-path)[ \t]*:", re.I | re.M
)
_DAEMON_LOCAL = ("mailer-daemon", "postmaster", "mail-daemon", "maildaemon")
ANGLED = re.compile(r"<([^<>\s@]{1,64}@[^<>\s]{1,255})>")


def header_list(sample: Sample, name: str) -> list[str]:
    out: list[str] = []
    for h in sample.all(name):
        out.extend(a for a in (x.strip().strip("<>") for x in h.value.split(",")) if "@" in a)
    return out[:MAX_RECIPIENTS]


def fingerprint(sample: Sample, reporting: str | None, fields: dict[str, str], notice: str) -> str:
    bits = [a.addr + " " + a.display for a in sample.from_[:1]]
    bits += [sample.subject or "", reporting or "", " ".join(fields), notice[:1500]]
    received = sample.all("Received")
    bits += [h.value[:300] for h in received[-1:]]
    for h in sample.headers[:80]:
        name = h.name.lower()
        if name in ("message-id", "x-mailer"):
            bits.append(f"{name}: {h.value[:200]}")
        elif name.startswith("x-"):
            bits.append(name)
    return "\n".join(bits).lower()


def message_id(text: str) -> str | None:
    low = text.lower()
    at = low.find("message-id")
    while 0 <= at < len(low):
        m = _MSGID.match(text, text.rfind("\n", 0, at) + 1)
        if m:
            return m.group(1)
        at = low.find("message-id", at + 10)
    return None


def original(sample: Sample, parts: list[Part], full: str, cut: int) -> tuple[str | None, bool]:
    """The bounced message's Message-ID and whether its headers came back.

    Looked for in the returned header block (``message/rfc822``,
    ``text/rfc822-headers``), then the report's ``X-Original-Message-ID`` (Gmail
    writes it in the per-message DSN fields), then an inline copy in the notice,
    then the bounce's ``In-Reply-To``. Never the bounce's own Message-ID.
    """
    originals = [p.text for p in parts if p.ctype in ORIGINAL_TYPES]
    present = bool(originals) or (cut < len(full) and _HEADER_LINE.search(full, cut) is not None)
    for text in originals:
        found = message_id(text)
        if found:
            return found, present
    for part in parts:
        m = _REPORTED_ID.search(part.text) if part.ctype in REPORT_TYPES else None
        if m is not None:
            return m.group(1), present
    found = message_id(full)
    if found:
        return found, present
    m = ANGLED.search(sample.first("In-Reply-To") or "")
    return (m.group(1) if m else None), present


def clean_recipient(value: str, index: int, failed: list[str]) -> str:
    if "@" in value and " " not in value and value[:1] not in "|/":
        return value
    found = ADDRESS.search(value)
    if found:
        return found.group(0)
    return failed[index] if index < len(failed) else value


def complete(
    draft: Draft,
    index: int,
    failed: list[str],
    texts: list[Draft],
    notice: str,
    others: tuple[str, ...] = (),
) -> Draft:
    """A DSN recipient with its address cleaned and a missing diagnostic filled in.

    The diagnostic comes from the notice reader's entry for the same address, else
    (when the status says little) from the lines that mention it, which stop at a
    line naming one of ``others`` (the report's other recipients).
    """
    rcpt = clean_recipient(draft.recipient, index, failed)
    diag, remote = draft.diagnostic, draft.remote_mta
    if not diag.strip():
        same = [t for t in texts if t.recipient.lower() == rcpt.lower()]
        if same:
            diag, remote = same[0].diagnostic, remote or same[0].remote_mta
        elif by_status(draft.status) in (None, "other"):
            found = rcpt and rcpt.lower() in notice.lower()
            diag = window(notice, rcpt, others=others) if found else ""
    return Draft(rcpt, diag, draft.status, draft.action, remote)


def addresses(notice: str, exclude: set[str]) -> list[str]:
    found: list[str] = []
    for line in notice.splitlines()[:600]:
        if looks_like_header(line):
            if found:
                break
            continue
        for addr in ADDRESS.findall(line):
            low = addr.lower()
            if low not in exclude and not low.startswith(_DAEMON_LOCAL) and low not in found:
                found.append(low)
    return found[:MAX_RECIPIENTS]
