"""TLS facts written into a Received field: was it encrypted, which version, which cipher.

Each MTA words it its own way: Postfix ``(using TLSv1.3 with cipher ...)``,
sendmail and Proofpoint ``(version=TLSv1.2 cipher=... bits=256)``, Google
``(version=TLS1_3 cipher=... bits=256/256)``, Exchange ``(version=TLS1_2,
cipher=...)``, Exim ``(TLS1.3) tls TLS_AES_256_GCM_SHA384`` or
``(TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256)``, Hotmail ``over TLS secured
channel``, plus the ``ESMTPS``-style protocol names of RFC 3848.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TLS_PROTOS = frozenset(
    {"SMTPS", "ESMTPS", "ESMTPSA", "UTF8SMTPS", "UTF8SMTPSA", "LMTPS", "LMTPSA", "HTTPS"}
)
# "TLS"/"SSL" as a word or with a version, never inside a host name such as tls.example.com.
_VERSION_WORD = r"(?<![\w.@-])((?:TLS|SSL)v?\d(?:[._]\d)?|TLS)(?![\w@-]|\.[A-Za-z0-9])"
_TLS_SHOWN = re.compile(
    _VERSION_WORD + r"|(?:version|cipher)=|\bwith cipher\b|Transport Security|\bSTARTTLS\b", re.I
)
_VERSION = re.compile(r"(?<![\w.@-])((?:TLS|SSL)v?\d(?:[._]\d)?)(?![\w@-]|\.[A-Za-z0-9])", re.I)
_VERSION_PARTS = re.compile(r"(TLS|SSL)v?(\d)(?:[._](\d))?", re.I)
_CIPHER = re.compile(r"(?i:\bcipher)(?:=\s*|\s+)([A-Za-z0-9][\w-]{3,80})")
_EXIM_CIPHER = re.compile(
    r"\btls\s+([A-Z0-9]+(?:[_-][A-Z0-9]+)+)|\((?i:TLS|SSL)v?\d(?:[._]\d)?:([\w-]{4,80})"
)


@dataclass(frozen=True)
class TlsFacts:
    """What a Received field says about transport encryption.

    Attributes:
        tls: ``True`` when TLS is shown, ``False`` when a protocol without TLS is
            named, ``None`` when it cannot be told.
        version: Normalised version such as ``"TLSv1.2"``, or ``None``.
        cipher: Cipher suite name as written, or ``None``.
    """

    tls: bool | None
    version: str | None = None
    cipher: str | None = None


def _norm_version(text: str) -> str:
    m = _VERSION_PARTS.fullmatch(text)
    if not m:
        return text
    minor = f".{m.group(3)}" if m.group(3) else ""
    return f"{m.group(1).upper()}v{m.group(2)}{minor}"


def tls_facts(with_proto: str | None, text: str) -> TlsFacts:
    """Read the TLS facts of one Received value.

    Args:
        with_proto: The protocol after ``with`` (e.g. ``"ESMTPS"``), or ``None``.
        text: The Received value (host names in it are not mistaken for TLS).

    Returns:
        The facts; version and cipher are ``None`` when not written.
    """
    low = text.lower()
    hint = (
        "tls" in low or "ssl" in low or "cipher" in low or "version=" in low or "transport s" in low
    )
    shown = bool(with_proto and with_proto.upper() in _TLS_PROTOS) or (
        hint and bool(_TLS_SHOWN.search(text))
    )
    if not shown:
        return TlsFacts(False if with_proto else None)
    if not hint:
        return TlsFacts(True)
    version = m.group(1) if (m := _VERSION.search(text)) else None
    cipher = None
    if m := _CIPHER.search(text):
        cipher = m.group(1)
    elif m := _EXIM_CIPHER.search(text):
        cipher = m.group(1) or m.group(2)
    return TlsFacts(True, _norm_version(version) if version else None, cipher)
