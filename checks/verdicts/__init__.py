"""Vendor verdict headers: which filter touched the message, what it decided, and why.

One module per vendor family decodes its headers into fields with plain-language
meanings, always keeping the raw value: :mod:`~mailtriage.checks.verdicts.proofpoint`,
:mod:`~mailtriage.checks.verdicts.mimecast`, :mod:`~mailtriage.checks.verdicts.microsoft`,
:mod:`~mailtriage.checks.verdicts.google`, :mod:`~mailtriage.checks.verdicts.spamassassin`,
:mod:`~mailtriage.checks.verdicts.barracuda`, :mod:`~mailtriage.checks.verdicts.cisco`,
:mod:`~mailtriage.checks.verdicts.sophos` and :mod:`~mailtriage.checks.verdicts.trendmicro`.
:mod:`~mailtriage.checks.verdicts.registry` picks the module by header name.
"""

from __future__ import annotations

from mailtriage.checks.verdicts.find import (
    find_verdicts,
    key_first,
    microsoft_cip,
    microsoft_mailbox,
    microsoft_placement,
    microsoft_released,
)
from mailtriage.checks.verdicts.microsoft_codes import DEST
from mailtriage.checks.verdicts.model import VERDICT_WORDS, VerdictField, VerdictHeader
from mailtriage.checks.verdicts.registry import KEY_VERDICTS, decode
from mailtriage.checks.verdicts.signals import quarantine_signal, quarantine_source
from mailtriage.checks.verdicts.split import split_fields
from mailtriage.checks.verdicts.unknown import unknown_headers

__all__ = [
    "DEST",
    "KEY_VERDICTS",
    "VERDICT_WORDS",
    "VerdictField",
    "VerdictHeader",
    "decode",
    "find_verdicts",
    "key_first",
    "microsoft_cip",
    "microsoft_mailbox",
    "microsoft_placement",
    "microsoft_released",
    "quarantine_signal",
    "quarantine_source",
    "split_fields",
    "unknown_headers",
]
