"""Name the system that wrote each Received hop: a filtering service, a mailbox service, an MTA.

Evidence, strongest first: the receiving host name (gateway hosts, then the
other hosts of :mod:`mailtriage.checks.vendors`: mailbox and sending services),
Google's internal hops (``by 2002:a05:...`` with Gmail-shaped ids), vendor words in the comments
and protocol (``(PPS)``, ``Microsoft SMTP Server``, ``IronPort``), and finally
the MTA software named in a comment (Postfix, Exim, sendmail, qmail...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mailtriage.checks.route.gateways import hop_gateway
from mailtriage.checks.route.hops import Hop
from mailtriage.checks.vendors import EXCHANGE_ONPREM as EXCHANGE_ONPREM
from mailtriage.checks.vendors import VENDORS, by_key, host_vendor

_GOOGLE = by_key("google").name
_GOOGLE_ID = re.compile(r"^[a-z]{1,3}\d{1,4}(?:csp|mr|so|si|sor)\d+[a-z]{2,4}(?:\.\d+)*$")

# (text, name): a lower-case word, a lower-case phrase (has a space), or an exact-case word.
# Vendor words come from the vendor table (row order is their priority); the MTA
# software words below are parsing rules for the comment an MTA writes, each naming
# a software row of the same table (its name is spelled there only).
_VENDOR_WORDS = tuple((word, v.name) for v in VENDORS for word in v.words)
_MTA_WORDS = tuple(
    (word, by_key(key).name)
    for word, key in (
        ("postfix", "postfix"),
        ("exim", "exim"),
        ("qmail", "qmail"),
        ("indimail", "qmail"),
        ("powermta", "powermta"),
        ("sendmail", "sendmail"),
        ("haraka", "haraka"),
        ("zonemta", "zonemta"),
        ("opensmtpd", "opensmtpd"),
        ("amavisd", "amavisd"),
        ("oracle communications messaging server", "oracle-messaging"),
        ("dragonfly mail agent", "dragonfly"),
        ("mdaemon", "mdaemon"),
        ("zimbra", "zimbra"),
    )
)
_SENDMAIL = by_key("sendmail").name
_WORD = re.compile(r"[A-Za-z0-9]+")
_SENDMAIL_VERSION = re.compile(r"\d+\.\d+(?:\.\d+){0,2}/\d+\.\d+(?:\.\d+){0,2}(?:/\w+)?|V8/")


_Index = tuple[tuple[tuple[str, int], ...], dict[str, int], dict[str, int], tuple[str, ...]]


def _index(table: tuple[tuple[str, str], ...]) -> _Index:
    """Split a word table into phrases, lower-case words and exact-case words (by priority)."""
    phrases = tuple((key, i) for i, (key, _) in enumerate(table) if " " in key)
    words = [(key, i) for i, (key, _) in enumerate(table) if " " not in key]
    lower = {key: i for key, i in reversed(words) if key.islower()}
    exact = {key: i for key, i in reversed(words) if not key.islower()}
    return phrases, lower, exact, tuple(name for _, name in table)


_VENDOR_INDEX = _index(_VENDOR_WORDS)
_MTA_INDEX = _index(_MTA_WORDS)


def _name(index: _Index, text: str) -> str | None:
    """The highest-priority name whose word or phrase occurs in ``text``."""
    phrases, lower, exact, names = index
    best = len(names)
    for word in _WORD.findall(text):
        best = min(best, exact.get(word, best), lower.get(word.lower(), best))
    if phrases:
        low = text.lower()
        for key, i in phrases:
            if i < best and key in low:
                best = i
    return names[best] if best < len(names) else None


def _google_internal(hop: Hop, host: str) -> bool:
    """Gmail's internal hops: ``by 2002:a05:...`` or ``by 10.x.x.x`` with a Gmail-shaped id."""
    if host.startswith("2002:a") and ":" in host:
        return True
    return host.startswith("10.") and bool(hop.id and _GOOGLE_ID.match(hop.id))


def classify(hop: Hop) -> tuple[str | None, bool]:
    """Name the system that wrote ``hop`` and tell whether its host is a known gateway's.

    Args:
        hop: One parsed Received hop.

    Returns:
        ``(name, gateway_host)``: a product or software name such as
        ``"Proofpoint"``, ``"Microsoft EOP"``, ``"Exchange Online"``, ``"Google"``
        or ``"Postfix"`` (``None`` when nothing names it), and whether the
        receiving host is a gateway host of the ``mailtriage.checks.vendors`` table
        (the one gateway rule, :func:`mailtriage.checks.route.gateways.hop_gateway`).
    """
    host = (hop.by_host or "").lower().rstrip(".")
    if (gateway := hop_gateway(hop)) is not None:
        return gateway.name, True
    if host and (found := host_vendor(host)) is not None:
        return found.name, False
    if host and _google_internal(hop, host):
        return _GOOGLE, False
    notes = [n for n in hop.notes if "@" not in n]  # skip "(envelope-from <a@vendor.com>)"
    text = " ".join((*notes, hop.with_proto or "", hop.via or ""))
    if name := _name(_VENDOR_INDEX, text):
        return name, False
    for note in notes:
        if _SENDMAIL_VERSION.match(note):
            return _SENDMAIL, False
        if name := _name(_MTA_INDEX, note):
            return name, False
    return None, False


def hop_system(hop: Hop) -> str | None:
    """Name the system that wrote ``hop`` (see :func:`classify`), or ``None``."""
    return classify(hop)[0]


def hop_systems(hops: Sequence[Hop]) -> tuple[str | None, ...]:
    """Name the system of every hop, in order (see :func:`classify`)."""
    return tuple(classify(h)[0] for h in hops)
