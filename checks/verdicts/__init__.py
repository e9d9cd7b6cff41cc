"""Vendor verdict headers: which filter touched the message, what it decided, and why.

One module per vendor family decodes its headers into fields with plain-language
meanings, always keeping the raw value: :mod:`~checks.verdicts.proofpoint`,
:mod:`~checks.verdicts.mimecast`, :mod:`~checks.verdicts.microsoft`,
:mod:`~checks.verdicts.google`, :mod:`~checks.verdicts.spamassassin`,
:mod:`~checks.verdicts.barracuda`, :mod:`~checks.verdicts.cisco`,
:mod:`~checks.verdicts.sophos` and :mod:`~checks.verdicts.trendmicro`.
:mod:`~checks.verdicts.registry` picks the module by header name.
"""

from __future__ import annotations

from checks.verdicts.find import find_verdicts, key_first, microsoft_placement
from checks.verdicts.microsoft_codes import DEST
from checks.verdicts.model import VERDICT_WORDS, VerdictField, VerdictHeader
from checks.verdicts.registry import KEY_VERDICTS, decode
from checks.verdicts.signals import quarantine_signal
from checks.verdicts.split import split_fields
from checks.verdicts.unknown import unknown_headers

__all__ = [
    "DEST",
    "KEY_VERDICTS",
    "VERDICT_WORDS",
    "VerdictField",
    "VerdictHeader",
    "decode",
    "find_verdicts",
    "key_first",
    "microsoft_placement",
    "quarantine_signal",
    "split_fields",
    "unknown_headers",
]
