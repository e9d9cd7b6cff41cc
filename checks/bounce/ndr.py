"""Recipients and diagnostics from human-readable NDR text (no usable RFC 3464 report).

Each dialect parser looks for its own landmark and returns drafts, or nothing:
Exim (``The following address(es) failed``), Postfix/qmail (``<addr>:``
paragraphs), sendmail transcripts (``550 <addr>... User unknown``), DragonFly,
Exchange 2003 (``did not reach the following recipient(s)``), Exchange 2007+
(``Diagnostic information for administrators``) and Gmail's older notices.
Every loop is bounded by line counts; every pattern is linear.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mailtriage.checks.bounce.model import Draft
from mailtriage.checks.bounce.text import ADDRESS, is_marker, join, lines, remote_host

MAX_RECIPIENTS = 100
_EXIM = ("following address(es) failed:", "could not be delivered to one or more of its")
_ANGLE_PARA = re.compile(r"<([^<>\s]{1,320}@[^<>\s]{1,255})>(?: \(expanded from [^)\n]{0,300}\))?:")
_SENDMAIL_LINE = re.compile(
    r"(?:<<< )?([245]\d\d) <?([^<>\s]{1,320}@[^<>\s.]{1,255}(?:\.[^<>\s.]{1,63}){0,10}?)>?"
    r"\.\.\. (.*)"
)
_DRAGONFLY = re.compile(
    r"there was an error delivering your mail to <([^<>\s]{1,320})>", re.IGNORECASE
)
_EX2003 = "did not reach the following recipient(s):"
_EX2003_LINE = re.compile(r"([^\s@]{1,320}@[^\s@]{1,255}) on ")
_ADMIN = re.compile(
    r"^[ \t]*([^\s@]{1,320}@[^\s@]{1,255})[ \t]*\r?\n"
    r"[ \t]*((?:#|remote server returned)[^\r\n]{1,2000})",
    re.IGNORECASE | re.MULTILINE,
)
_GMAIL = re.compile(
    r"delivery to the following recipients? (?:failed|has been delayed)", re.IGNORECASE
)
_GMAIL_DETAILS = re.compile(
    r"technical details of (?:permanent|temporary) failure:\s*(.{1,2000}?)(?:\n\s*\n|$)",
    re.IGNORECASE | re.DOTALL,
)


def exim(text: str) -> list[Draft]:
    """Exim: a two-space-indented address, then its four-space-indented details."""
    low = text.lower()
    hits = [(i, m) for m in _EXIM if (i := low.find(m)) >= 0]
    if not hits:
        return []
    at, marker = min(hits)
    drafts: list[tuple[str, list[str]]] = []
    for line in lines(text[at + len(marker) :]):
        if line.startswith("------") or line.lower().startswith("the following text was"):
            break
        if line.startswith("  ") and not line.startswith("   ") and line.strip():
            drafts.append((line.strip(), []))
        elif line.startswith("    ") and drafts:
            drafts[-1][1].append(line)
    out = []
    for head, details in drafts[:MAX_RECIPIENTS]:
        found = ADDRESS.search(head) or ADDRESS.search(" ".join(details))
        out.append(_para_draft(found.group(0) if found else head[:320], details))
    return out


def angle_paragraphs(text: str) -> list[Draft]:
    """Postfix and qmail: a paragraph that starts with ``<addr>:``."""
    out: list[Draft] = []
    current: tuple[str, list[str]] | None = None
    for line in lines(text):
        m = _ANGLE_PARA.match(line.strip())
        if m is not None:
            if current:
                out.append(_para_draft(*current))
            current = (m.group(1), [line.strip()[m.end() :]])
        elif current is not None:
            if not line.strip() or is_marker(line):
                out.append(_para_draft(*current))
                current = None
            else:
                current[1].append(line)
        if len(out) >= MAX_RECIPIENTS:
            break
    if current:
        out.append(_para_draft(*current))
    return out


def _para_draft(rcpt: str, body: list[str]) -> Draft:
    diag = join(body)
    return Draft(rcpt, diag, action="failed", remote_mta=remote_host(diag))


def sendmail(text: str) -> list[Draft]:
    """Sendmail transcripts: ``550 <addr>... reason``, with the lines leading up to it."""
    out: dict[str, Draft] = {}
    context: list[str] = []
    talking: str | None = None
    for line in lines(text):
        stripped = line.strip()
        if stripped.startswith("-----") or not stripped:
            context = [] if stripped else context
            continue
        if stripped.lower().startswith(("while talking to", "... while talking to")):
            talking, context = remote_host(stripped), []
            continue
        m = _SENDMAIL_LINE.match(stripped)
        if m is None or stripped.startswith("<<<"):
            if not stripped.startswith(">>>"):
                context = [*context[-9:], stripped.removeprefix("<<<").strip()]
            continue
        rcpt = m.group(2)
        if rcpt not in out and len(out) < MAX_RECIPIENTS:
            out[rcpt] = Draft(rcpt, join([*context, stripped]), action="failed", remote_mta=talking)
        context = []
    return list(out.values())


def dragonfly(text: str) -> list[Draft]:
    """DragonFly Mail Agent: ``There was an error delivering your mail to <addr>.``"""
    m = _DRAGONFLY.search(text)
    if m is None:
        return []
    body: list[str] = []
    for line in lines(text[m.end() :])[1:]:
        if line.lower().startswith("message headers follow"):
            break
        body.append(line)
    draft = _para_draft(m.group(1), body)
    first_word = draft.diagnostic.split(" ", 1)[0] or None
    return [
        draft
        if draft.remote_mta
        else Draft(m.group(1), draft.diagnostic, None, "failed", first_word)
    ]


def exchange2003(text: str) -> list[Draft]:
    """Exchange 5.5-2003: ``addr on <date>`` lines, each followed by indented reasons."""
    at = text.lower().find(_EX2003)
    if at < 0:
        return []
    entries: list[tuple[str, list[str]]] = []
    for line in lines(text[at + len(_EX2003) :]):
        hit = _EX2003_LINE.match(line)
        if hit is not None:
            entries.append((hit.group(1), []))
        elif entries and line.strip():
            entries[-1][1].append(line)
    return [Draft(a, join(d), action="failed") for a, d in entries[:MAX_RECIPIENTS]]


def exchange_admin(text: str) -> list[Draft]:
    """Exchange 2007+: ``addr`` then ``#550 5.x.x ...`` under "Diagnostic information"."""
    if "diagnostic information for administrators" not in text.lower():
        return []
    return [
        Draft(m.group(1), m.group(2).strip().lstrip("#").rstrip("#").strip(), action="failed")
        for m in list(_ADMIN.finditer(text))[:MAX_RECIPIENTS]
    ]


def gmail(text: str) -> list[Draft]:
    """Gmail's older plain notices: the address block, then the technical details."""
    m = _GMAIL.search(text)
    if m is None:
        return []
    details = _GMAIL_DETAILS.search(text)
    diag = join(details.group(1).splitlines()) if details else ""
    head = text[m.end() : details.start() if details else m.end() + 2000]
    action = "delayed" if "delayed" in m.group(0).lower() else "failed"
    return [Draft(a, diag, action=action) for a in ADDRESS.findall(head)[:MAX_RECIPIENTS]]


PARSERS: tuple[tuple[str | None, Callable[[str], list[Draft]]], ...] = (
    ("Exim", exim),
    ("DragonFly", dragonfly),
    ("Exchange/Office 365 NDR", exchange2003),
    ("Exchange/Office 365 NDR", exchange_admin),
    ("Gmail", gmail),
    (None, angle_paragraphs),
    ("Sendmail", sendmail),
)


def parse(text: str) -> tuple[str | None, list[Draft]]:
    """Run the dialect parsers in order; the first that finds recipients wins.

    Returns:
        The dialect name (``None`` when only the generic ``<addr>:`` form matched)
        and the drafts (empty when nothing matched).
    """
    for name, parser in PARSERS:
        found = parser(text)
        if found:
            return name, found
    return None, []
