"""Microsoft 365 / Exchange Online Protection / Exchange verdict headers.

Tables live in :mod:`mailtriage.checks.verdicts.microsoft_codes`, the identity and routing
headers in :mod:`mailtriage.checks.verdicts.microsoft_exchange`; the line that combines the
filter verdict with the mailbox placement is built by
:mod:`mailtriage.checks.verdicts.microsoft_placement` once all headers are decoded
(:func:`combine`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from mailtriage.checks.verdicts import microsoft_codes as codes
from mailtriage.checks.verdicts.microsoft_placement import placement
from mailtriage.checks.verdicts.model import (
    Decoded,
    Decoder,
    VerdictField,
    VerdictHeader,
    as_int,
    fld,
    labelled,
    named,
    show,
    single,
)
from mailtriage.checks.verdicts.split import semicolon_pairs

VENDOR = "Microsoft"
FOREFRONT = "x-forefront-antispam-report"
MAILBOX = "x-microsoft-antispam-mailbox-delivery"
ORG_SCL = "x-ms-exchange-organization-scl"


def _lower(table: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in table.items()}


_FF = _lower(codes.FOREFRONT)
_FF_VALUES = {k.lower(): v for k, v in codes.FOREFRONT_VALUES.items()}
_AS = _lower(codes.ANTISPAM)
_BOX = _lower(codes.MAILBOX)
_BOX_VALUES = {k.lower(): v for k, v in codes.MAILBOX_VALUES.items()}
_LEVELS = {"scl": codes.scl_words, "pcl": codes.pcl_words, "bcl": codes.bcl_words}


def _with_levels(fields: tuple[VerdictField, ...]) -> tuple[VerdictField, ...]:
    """Append the SCL/PCL/BCL reading to those fields' meanings."""
    return tuple(
        fld(f.key, f.value, f"{f.meaning}: {_LEVELS[f.key.lower()](f.value)}")
        if f.key.lower() in _LEVELS
        else f
        for f in fields
    )


def forefront_verdict(got: Mapping[str, str]) -> str | None:
    """Decision word for ``X-Forefront-Antispam-Report`` fields (lower-case keys)."""
    sfv, cat = got.get("sfv", "").upper(), got.get("cat", "").upper()
    sfv_word = codes.SFV.get(sfv, ("", None))[1]
    cat_word = codes.CAT.get(cat, ("", None))[1]
    scl = as_int(got.get("scl"))
    if sfv == "SKQ":
        return "released"
    if cat_word in ("phish", "malware", "impersonation", "spoof", "bulk"):
        return cat_word
    if sfv_word in ("spam", "blocked"):
        return sfv_word
    if scl is not None and scl >= 5:
        return "spam"
    return sfv_word or cat_word or (None if scl is None else ("allowed" if scl < 0 else "not spam"))


def _forefront(name: str, value: str) -> Decoded:
    pairs = semicolon_pairs(value)
    fields = _with_levels(labelled(pairs, _FF, _FF_VALUES, fold=True))
    got = {k.lower(): v for k, v in reversed(pairs)}
    sfv, cat = got.get("sfv", "").upper(), got.get("cat", "").upper()
    parts = []
    if sfv:
        unlisted = f"SFV:{show(sfv, 12)}"
        if sfv in codes.UNLISTED_SFV:
            unlisted += " (a value Microsoft does not document)"
        parts.append(codes.SFV.get(sfv, (unlisted,))[0])
    if got.get("scl"):
        parts.append(f"SCL {codes.scl_words(got.get('scl'))}")
    if cat:
        parts.append(f"category {codes.CAT.get(cat, (show(cat, 12),))[0]}")
    if got.get("srv", "").upper() == "BULK":
        parts.append("bulk")
    if got.get("cip"):
        parts.append(f"seen from {show(got['cip'], 45)}")
    if got.get("ipv", "").upper() == "CAL":
        parts.append("IP on the IP Allow List")
    if parts:
        said = "Microsoft filter: " + ", ".join(parts)
    else:
        said = "Microsoft filter report without verdict fields (diagnostic values only)"
    if name.lower().endswith("-untrusted"):
        return Decoded(fields, "Sender's own tenant (outbound scan, not your verdict): " + said)
    return Decoded(fields, said, forefront_verdict(got))


def _antispam(name: str, value: str) -> Decoded:
    pairs = semicolon_pairs(value)
    fields = _with_levels(labelled(pairs, _AS, fold=True))
    got = {k.lower(): v for k, v in reversed(pairs)}
    levels = [f"bulk level BCL {codes.bcl_words(got['bcl'])}"] if got.get("bcl") else []
    if got.get("pcl"):
        levels.append(f"phishing level PCL {codes.pcl_words(got['pcl'])}")
    said = "Microsoft " + (", ".join(levels) or "anti-spam diagnostic fields (no bulk level)")
    if name.lower().endswith("-untrusted"):
        return Decoded(fields, "Sender's own tenant (outbound scan): " + said)
    bcl = as_int(got.get("bcl"))
    return Decoded(fields, said, "bulk" if bcl is not None and bcl >= 7 else None)


def _org_scl(name: str, value: str) -> Decoded:
    scl = as_int(value)
    verdict = None if scl is None else "allowed" if scl < 0 else "spam" if scl >= 5 else "not spam"
    said = f"Microsoft spam confidence level {codes.scl_words(value)}"
    return single("SCL", value, said, verdict)


def _org_pcl(name: str, value: str) -> Decoded:
    return single("PCL", value, f"Microsoft phishing confidence level {codes.pcl_words(value)}")


def _mailbox(name: str, value: str) -> Decoded:
    pairs = semicolon_pairs(value)
    fields = labelled(pairs, _BOX, _BOX_VALUES, fold=True)
    box = {k.lower(): v for k, v in reversed(pairs)}
    if not box.get("dest"):
        return Decoded(fields, "Microsoft mailbox placement: not given")
    said, verdict = placement({}, None, box)
    return Decoded(fields, said, verdict)


def _custom_spam(name: str, value: str) -> Decoded:
    test = "filtered by the custom spam filter option" in value
    said = "Advanced Spam Filter (ASF) " + ("test mode tag" if test else "setting matched")
    return single("X-CustomSpam", value, f"{said}: {show(value)}", None if test else "spam")


EXACT: dict[str, Decoder] = {
    FOREFRONT: _forefront,
    FOREFRONT + "-untrusted": _forefront,
    "x-microsoft-antispam": _antispam,
    "x-microsoft-antispam-untrusted": _antispam,
    # The same BCL/PCL/RULEID fields, under the name some Exchange Online tenants stamp.
    "x-exchange-antispam-report-cfa-test": _antispam,
    MAILBOX: _mailbox,
    ORG_SCL: _org_scl,
    "x-ms-exchange-organization-pcl": _org_pcl,
    "x-microsoft-antispam-message-info": named(
        "Microsoft's encoded filter data (not readable; quote it to Microsoft support)"
    ),
    "x-customspam": _custom_spam,
}
_OTHER = named("Microsoft anti-spam diagnostic header (readable only by Microsoft)")
PREFIXES: tuple[tuple[str, Decoder], ...] = (
    ("x-microsoft-antispam-", _OTHER),
    ("x-forefront-", _OTHER),
)
KEY = frozenset({FOREFRONT, ORG_SCL, MAILBOX, "x-customspam"})


def topmost(headers: Sequence[VerdictHeader], name: str) -> VerdictHeader | None:
    """The topmost decoded header called ``name`` (lower case), or ``None``."""
    return next((h for h in headers if h.name.lower() == name), None)


def fields_of(header: VerdictHeader | None) -> dict[str, str]:
    """A decoded header's fields by lower-case key, the first of a repeated key winning."""
    return {f.key.lower(): f.value for f in reversed(header.fields)} if header else {}


def filter_inputs(headers: Sequence[VerdictHeader]) -> tuple[dict[str, str], str | None] | None:
    """The recipient tenant's filter verdict: the topmost ``X-Forefront-Antispam-Report``
    fields (lower-case keys) and the ``X-MS-Exchange-Organization-SCL`` value, or ``None``
    when the sample has neither header.
    """
    ff = topmost(headers, FOREFRONT)
    scl = topmost(headers, ORG_SCL)
    if ff is None and scl is None:
        return None
    return fields_of(ff), (scl.get("SCL") if scl else None)


def combine(headers: Sequence[VerdictHeader]) -> tuple[VerdictHeader, ...]:
    """Give each mailbox-delivery header the combined filter + placement line.

    The topmost ``X-Forefront-Antispam-Report`` (the recipient tenant's) and
    ``X-MS-Exchange-Organization-SCL`` supply the filter verdict.

    Args:
        headers: Decoded headers, topmost first.

    Returns:
        The same headers, mailbox-delivery meanings replaced.
    """
    found = filter_inputs(headers)
    if found is None:
        return tuple(headers)
    got, org = found
    out = []
    for h in headers:
        if h.name.lower() == MAILBOX:
            said, verdict = placement(got, org, fields_of(h))
            h = replace(h, meaning=said, verdict=verdict)
        out.append(h)
    return tuple(out)
