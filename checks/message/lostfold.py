"""Recognise continuation lines that lost their leading whitespace yet look like ``Name:``.

Copying headers out of Outlook (or a ticket) often drops the whitespace that folds a
long header value onto the next line. A line without a colon is plainly a
continuation (the header block parser joins those already); this module decides the
harder case, a line that *parses* as a ``Name: value`` field but clearly continues a
tag list written by Microsoft's filters or an ARC/DKIM signature's ``h=`` list:

- ``X-Microsoft-Antispam-Mailbox-Delivery:`` followed by ``ucf:0;jmr:0;dest:J;...``
- ``X-Forefront-Antispam-Report: CIP:...;`` followed by ``SFS:(13230031)...;DIR:INB;``
- ``ARC-Message-Signature: ... h=From:To:`` followed by ``Subject:Message-ID;``

It is conservative: only after those headers, only for a line whose first token is a
hyphen-free ``key:value`` glued to a ``;`` (the tag-list layout, never how a
technician or an MTA writes a real header field), and never for a familiar header
name. Everything runs in time linear in the line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Headers (lower-case prefixes) whose value is Microsoft's ``KEY:value;KEY:value;`` list.
TAG_LIST_HEADERS = (
    "x-forefront-antispam-report",
    "x-microsoft-antispam",
    "x-exchange-antispam-report",
)
#: Headers whose ``h=`` tag lists header names separated by colons.
SIGNATURE_HEADERS = frozenset(
    {"dkim-signature", "arc-message-signature", "x-google-dkim-signature"}
)
#: Hyphen-free names that are never taken for a tag: a line starting with one is a real
#: field (hyphenated names never match a tag at all).
_REAL_FIELDS = frozenset(
    "from to cc bcc subject date received sender references importance priority".split()  # noqa: SIM905
)
_TAG = re.compile(r"([A-Za-z0-9_.]{1,40}):[^\s;]*;")
_NAME_LIST = re.compile(r"[A-Za-z0-9-]{1,80}(?::[A-Za-z0-9-]{1,80})+:?(?:;|\s|$)")
_LAST_TAG = re.compile(r"(?:^|;)\s*([A-Za-z]{1,8})\s*=")


def _open_h_list(value_so_far: str) -> bool:
    """Whether the signature's value so far ends inside its ``h=`` tag."""
    tail = value_so_far.rstrip()
    if not tail or tail.endswith(";"):
        return False
    last = tail.rpartition(";")[2][:512]
    m = _LAST_TAG.search(last)
    return m is not None and m.group(1).lower() == "h"


def continues(previous: str, value_lines: Sequence[str], line: str) -> bool:
    """Whether ``line`` (which parses as a header field) continues the header above.

    Args:
        previous: Name of the header field above, as written.
        value_lines: Its raw value's lines so far.
        line: The line, without its line ending.

    Returns:
        ``True`` when the line is a continuation whose folding whitespace was lost.
    """
    name = previous.lower()
    if name.startswith(TAG_LIST_HEADERS):
        m = _TAG.match(line)
        return m is not None and m.group(1).lower() not in _REAL_FIELDS
    if name in SIGNATURE_HEADERS and _NAME_LIST.match(line):
        return _open_h_list("\n".join(value_lines[-8:])[-4096:])
    return False
