"""Exchange / Microsoft 365 transport headers that identify and route a message.

They carry no spam verdict, but say who the sender was to Exchange (``AuthAs``),
which tenant handled the message (``X-MS-Exchange-CrossTenant-*``) and which IDs
find it in message trace. The spam verdict headers are in
:mod:`mailtriage.checks.verdicts.microsoft`.
"""

from __future__ import annotations

import re

from mailtriage.checks.verdicts import microsoft_codes as codes
from mailtriage.checks.verdicts.model import (
    NOT_DOCUMENTED,
    Decoded,
    Decoder,
    labelled,
    named,
    show,
    single,
)
from mailtriage.checks.verdicts.split import semicolon_pairs

VENDOR = "Microsoft"
_ONPREM = {k.lower(): v for k, v in codes.ONPREM_REPORT.items()}


def _onprem_report(name: str, value: str) -> Decoded:
    fields = labelled(semicolon_pairs(value), _ONPREM, fold=True)
    return Decoded(fields, "Exchange content filter summary (on-premises or legacy hosted)")


def _auth_as(name: str, value: str) -> Decoded:
    known = codes.AUTH_AS.get(value.strip())
    return single("AuthAs", value, f"Exchange saw the sender as: {known or show(value)}")


def _from_entity(name: str, value: str) -> Decoded:
    known = codes.FROM_ENTITY.get(value.strip())
    return single("FromEntityHeader", value, f"Where the tenant got it: {known or show(value)}")


_ZONE_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})\b")
_ZONE_NAME = re.compile(r"\b(UTC|GMT|UT|Z)\b|\(([A-Za-z]{1,5})\)")


def zone_label(value: str) -> str | None:
    """The time-zone label a date value itself gives: ``"UTC"``, ``"UTC-05:00"``, ``"PST"``.

    Read from the value only (an offset such as ``-0500``, or a zone name), never from
    the local machine; ``None`` when the value names no zone.
    """
    text = value[:200]
    if m := _ZONE_OFFSET.search(text):
        sign, hours, minutes = m.groups()
        if hours == "00" and minutes == "00":
            return "UTC"
        return f"UTC{sign}{hours}:{minutes}"
    if m := _ZONE_NAME.search(text):
        name = (m.group(1) or m.group(2)).upper()
        return "UTC" if name in ("UTC", "GMT", "UT", "Z") else name
    return None


def _arrival_time(name: str, value: str) -> Decoded:
    zone = zone_label(value)
    said = f"when that tenant first received it ({zone or 'time zone not given'})"
    return single("time", value, said)


_CROSS_TENANT: dict[str, Decoder] = {
    "id": named("Microsoft 365 tenant ID (GUID) of the organisation that handled it", "id"),
    "authas": _auth_as,
    "authsource": named("server that accepted it for that tenant", "server"),
    "originalarrivaltime": _arrival_time,
    "fromentityheader": _from_entity,
    "network-message-id": named("message trace ID in that tenant", "id"),
    "mailboxtype": named("mailbox type of the sender (HOSTED = cloud mailbox)"),
    "userprincipalname": named("encoded sender identity (readable only by Microsoft)"),
    "originalattributedtenantconnectingip": named(
        "tenant, IP and HELO the message was attributed to on arrival"
    ),
}


def _cross_tenant(name: str, value: str) -> Decoded:
    suffix = name.lower().removeprefix("x-ms-exchange-crosstenant-")
    decoder = _CROSS_TENANT.get(suffix)
    if decoder is None:
        return single("value", value, "Microsoft cross-tenant header (" + NOT_DOCUMENTED + ")")
    return decoder(name, value) or single("value", value, NOT_DOCUMENTED)


EXACT: dict[str, Decoder] = {
    "x-ms-exchange-organization-antispam-report": _onprem_report,
    "x-ms-exchange-organization-authas": _auth_as,
    "x-ms-exchange-organization-authsource": named("server that accepted it", "server"),
    "x-ms-exchange-organization-authmechanism": named(
        "how the sender authenticated (Exchange-internal code, not publicly documented)", "code"
    ),
    "x-ms-exchange-organization-messagedirectionality": named(
        "direction Exchange recorded (Incoming, or Originating = sent from inside)"
    ),
    "x-ms-exchange-organization-network-message-id": named(
        "Microsoft 365 message trace ID: search message trace with it", "id"
    ),
    "x-ms-exchange-transport-crosstenantheadersstamped": named(
        "Microsoft server that stamped the cross-tenant headers", "server"
    ),
    "x-ms-exchange-transport-endtoendlatency": named("time Exchange took to deliver it"),
    "x-ms-exchange-organization-rules-execution-history": named(
        "mail flow (transport) rules that acted on it, by rule ID", "rules"
    ),
}
PREFIXES: tuple[tuple[str, Decoder], ...] = (
    ("x-ms-exchange-crosstenant-", _cross_tenant),
    ("x-ms-exchange-organization-quarantine", named("Exchange quarantine bookkeeping header")),
)
KEY: frozenset[str] = frozenset()
