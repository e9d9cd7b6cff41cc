"""X- headers that no vendor module decodes and that are not everyday headers.

The UI lists them raw so a technician can spot a product this tool does not know
(a sending platform's tracking header, another gateway's verdict...).
"""

from __future__ import annotations

from mailtriage.checks.model import Sample
from mailtriage.checks.verdicts.find import scan

MAX_UNKNOWN = 64
MAX_UNKNOWN_VALUE = 1000

#: Everyday X- headers added by mail clients, servers and mailing lists.
ORDINARY = frozenset(
    {
        "x-mailer",
        "x-originating-ip",
        "x-ms-has-attach",
        "x-ms-tnef-correlator",
        "x-priority",
        "x-msmail-priority",
        "x-mimeole",
        "x-originalarrivaltime",
        "x-original-to",
        "x-delivered-to",
        "x-forwarded-to",
        "x-forwarded-for",
        "x-forwarded-message-id",
        "x-sender",
        "x-user-agent",
        "x-clientproxiedby",
        "x-auto-response-suppress",
        "x-autoreply",
        "x-autorespond",
        "x-auto-generated",
        "x-beenthere",
        "x-mailing-list",
        "x-loop",
        "x-list",
        "x-list-id",
        "x-mime-autoconverted",
        "x-scanned-by",
        "x-virus-status",
        "x-greylist",
        "x-eopattributedmessage",
        "x-eoptenantattributedmessage",
        "x-originatororg",
        "x-message-flag",
        "x-uniform-type-identifier",
        "x-universally-unique-identifier",
        "x-apple-base-url",
        "x-apple-mail-remote-attachments",
        "x-apple-windows-friendly",
        "x-apple-auto-saved",
        "x-apple-mail-plain-text-draft",
        "x-report-abuse",
        "x-report-abuse-to",
        "x-complaints-to",
        "x-abuse-info",
        "x-original-sender",
        "x-original-from",
        "x-original-message-id",
        "x-accept-language",
        "x-face",
        "x-url",
        "x-no-archive",
        "x-php-originating-script",
        "x-source",
        "x-source-args",
        "x-source-dir",
        "x-ms-reactions",
    }
)
#: Prefixes of everyday families (Microsoft's many internal transport headers,
#: mailing-list software, Apple Mail...).
ORDINARY_PREFIXES = ("x-ms-", "x-microsoft-", "x-mailman-", "x-apple-", "x-mozilla-")


def ordinary(name: str) -> bool:
    """Whether an X- header name is an everyday one (not worth listing)."""
    low = name.lower()
    return low in ORDINARY or low.startswith(ORDINARY_PREFIXES)


def unknown_headers(sample: Sample) -> tuple[tuple[str, str], ...]:
    """List X- headers no vendor module recognised and that are not everyday ones.

    Headers that :func:`mailtriage.checks.verdicts.find_verdicts` returns (including the
    generic ``"other"`` filter headers) are not listed again.

    Args:
        sample: A loaded sample.

    Returns:
        At most 64 ``(name, raw value)`` pairs in header order, values capped at
        1,000 characters and otherwise untouched.
    """
    decoded = {i for i, _ in scan(sample)}
    out = []
    for i, h in enumerate(sample.headers):
        if i in decoded or h.name[:2].lower() != "x-" or ordinary(h.name):
            continue
        out.append((h.name, h.value[:MAX_UNKNOWN_VALUE]))
        if len(out) >= MAX_UNKNOWN:
            break
    return tuple(out)
