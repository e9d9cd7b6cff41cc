"""The MTA and provider dialects: one table, each row a fingerprint beside its notice readers.

:data:`DIALECTS` lists every software or service whose bounces we name, in match
order: :func:`dialect` returns the first row one of whose ``marks`` occurs in a
bounce's lower-cased fingerprint (built by
:func:`mailtriage.checks.bounce.support.fingerprint`), so vendors' hosts come
before MTA software and Sendmail's loose ``(8.`` comes last. A row's ``readers``
read the human-readable notice when there is no usable RFC 3464 report;
:func:`read` tries them in :data:`READ_ORDER`, and the first that finds
recipients wins. Rows with a reader are defined beside it here (Exim, Postfix and
qmail, Sendmail, DragonFly, Gmail) or, for Exchange, in
:mod:`mailtriage.checks.bounce.microsoft` with Microsoft's status codes. Every
loop is bounded by line counts; every pattern is linear.

Adding a dialect:
    1. Its row, in :data:`DIALECTS` at the place its marks should win: its name
       (the bounce's ``format``) and its marks, lower-case substrings of the
       fingerprint that only it writes. A vendor's hosts come from
       :mod:`mailtriage.checks.vendors` (``by_key(...).bounce_marks``), never
       spelled here.
    2. If the generic readers (the RFC 3464 report, the ``<addr>:`` paragraphs,
       the fallback address scan) miss its notices: a reader
       ``(text) -> list[Draft]`` beside the row, here (or a module of its own
       when it brings more, as :mod:`~mailtriage.checks.bounce.microsoft` does),
       listed in the row's ``readers`` and placed in :data:`READ_ORDER`.
    3. A minimal bounce written from that MTA's public documentation (its
       bounce template or a documented sample), naming the document, in
       ``tests/test_dialects.py``: the test fails for a row without one.
"""

from __future__ import annotations

import re

from mailtriage.checks.bounce.microsoft import EXCHANGE
from mailtriage.checks.bounce.model import MAX_RECIPIENTS, Dialect, Draft, Reader
from mailtriage.checks.bounce.text import ADDRESS, is_marker, join, lines, remote_host
from mailtriage.checks.vendors import by_key


def _name(key: str) -> str:
    """A software's name, from the vendor table (the hop systems name it from there too)."""
    return by_key(key).name


# --- Exim ----------------------------------------------------------------------------------

_EXIM = ("following address(es) failed:", "could not be delivered to one or more of its")


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


EXIM = Dialect(
    _name("exim"), ("created automatically by mail delivery software", "eximdsn", "(exim "), (exim,)
)

# --- Postfix and qmail ---------------------------------------------------------------------

_ANGLE_PARA = re.compile(r"<([^<>\s]{1,320}@[^<>\s]{1,255})>(?: \(expanded from [^)\n]{0,300}\))?:")


def angle_paragraphs(text: str) -> list[Draft]:
    """Postfix and qmail: a paragraph that starts with ``<addr>:``.

    The form is common to both (and to others), so this reader names no dialect:
    the fingerprint decides between the two rows below.
    """
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


POSTFIX = Dialect(
    _name("postfix"), ("x-postfix", "this is the mail system at host", "the postfix program")
)
QMAIL = Dialect(_name("qmail"), ("qmail", "indimail"))

# --- Sendmail ------------------------------------------------------------------------------

_SENDMAIL_LINE = re.compile(
    r"(?:<<< )?([245]\d\d) <?([^<>\s]{1,320}@[^<>\s.]{1,255}(?:\.[^<>\s.]{1,63}){0,10}?)>?"
    r"\.\.\. (.*)"
)


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


SENDMAIL = Dialect(
    _name("sendmail"),
    (
        "transcript of session follows",
        "following addresses had",
        "returned mail: ",
        "(8.",
        "v8/cf",
        "mail delivery subsystem",
    ),
    (sendmail,),
)

# --- DragonFly Mail Agent ------------------------------------------------------------------

_DRAGONFLY = re.compile(
    r"there was an error delivering your mail to <([^<>\s]{1,320})>", re.IGNORECASE
)


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


DRAGONFLY = Dialect(_name("dragonfly"), ("dragonfly mail agent",), (dragonfly,))

# --- Gmail ---------------------------------------------------------------------------------

_GMAIL = re.compile(
    r"delivery to the following recipients? (?:failed|has been delayed)", re.IGNORECASE
)
_GMAIL_DETAILS = re.compile(
    r"technical details of (?:permanent|temporary) failure:\s*(.{1,2000}?)(?:\n\s*\n|$)",
    re.IGNORECASE | re.DOTALL,
)


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


# Google's bounce hosts come from the vendor table.
GMAIL = Dialect("Gmail", by_key("google").bounce_marks, (gmail,))

# --- the table -----------------------------------------------------------------------------

#: Every dialect, in match order (see :func:`dialect`).
DIALECTS: tuple[Dialect, ...] = (
    Dialect("Proofpoint", by_key("proofpoint").bounce_marks),
    Dialect("Mimecast", by_key("mimecast").bounce_marks),
    Dialect("Amazon SES", by_key("amazon-ses").bounce_marks),
    GMAIL,
    Dialect("Zoho", ("zoho",)),
    DRAGONFLY,
    QMAIL,
    Dialect(_name("imail"), ("<smtp32 v", "imail")),
    Dialect("m-FILTER", ("m-filter",)),
    Dialect(_name("oracle-messaging"), ("communications messaging server", "sun java system")),
    POSTFIX,
    EXIM,
    EXCHANGE,
    SENDMAIL,
)

#: The order notice readers are tried in: each row's readers in turn, ``None`` standing for
#: the generic :func:`angle_paragraphs`. It is not the match order: a reader keys on a
#: landmark in the notice, not on who sent it, and Sendmail's transcript lines are the
#: loosest form, so they come last. Moving a row changes which reader wins on a notice
#: that more than one can read.
READ_ORDER: tuple[Dialect | None, ...] = (EXIM, DRAGONFLY, EXCHANGE, GMAIL, None, SENDMAIL)
_READERS: tuple[tuple[str | None, Reader], ...] = tuple(
    (row.name if row else None, reader)
    for row in READ_ORDER
    for reader in (row.readers if row else (angle_paragraphs,))
)


def dialect(fingerprint: str) -> str | None:
    """Name the software that wrote a bounce from a lower-cased fingerprint text."""
    for row in DIALECTS:
        if any(mark in fingerprint for mark in row.marks):
            return row.name
    return None


def read(text: str) -> tuple[str | None, list[Draft]]:
    """Run the notice readers in :data:`READ_ORDER`; the first that finds recipients wins.

    Returns:
        The dialect name (``None`` when only the generic ``<addr>:`` form matched)
        and the drafts (empty when nothing matched).
    """
    for name, reader in _READERS:
        found = reader(text)
        if found:
            return name, found
    return None, []
