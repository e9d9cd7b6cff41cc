"""MIME part meta data: type, boundary, disposition and file name of one part.

Parameters are read with the stdlib's parser (quoting, RFC 2231 continuations
and charsets). Most leaf parts carry the same few Content-Type values, so
short ones are parsed once and cached.
"""

from __future__ import annotations

from email.message import Message
from email.utils import collapse_rfc2231_value
from functools import lru_cache
from typing import NamedTuple

from mailtriage.checks.model import Header
from mailtriage.checks.text import decode_words

MAX_PARAMS = 4096
MAX_CACHED = 512  # longer meta data is parsed without being cached
_META_FIELDS = frozenset(("content-type", "content-disposition", "content-transfer-encoding"))


class Meta(NamedTuple):
    """What a part's own header fields say about it.

    Attributes:
        content_type: Lower-cased ``type/subtype`` (``text/plain`` by default).
        multipart: Whether the main type is ``multipart``.
        boundary: The multipart boundary, or ``None`` when missing or empty.
        cte: Lower-cased Content-Transfer-Encoding ("" when absent).
        disposition: ``"attachment"``, ``"inline"`` or ``None``.
        filename: Decoded attachment file name, or ``None``.
    """

    content_type: str
    multipart: bool
    boundary: str | None
    cte: str
    disposition: str | None
    filename: str | None


def meta_of(headers: list[Header]) -> Meta:
    """Read a part's Content-Type, Content-Disposition and Content-Transfer-Encoding.

    The first field of each name counts. Raises whatever the stdlib's parameter
    parsing raises on a hostile value (the MIME walk reports it as a problem).
    """
    first: dict[str, str] = {}
    for h in headers:
        lname = h.name.lower()
        if lname in _META_FIELDS and lname not in first:
            first[lname] = h.value[:MAX_PARAMS]
    key = (
        first.get("content-type"),
        first.get("content-disposition"),
        first.get("content-transfer-encoding"),
    )
    if sum(len(v) for v in key if v) <= MAX_CACHED:
        return _describe_cached(*key)
    return _describe(*key)


def _describe(ct: str | None, cd: str | None, cte: str | None) -> Meta:
    """Read the part's meta data with the stdlib's parameter parsing (RFC 2231 too)."""
    msg = Message()
    for name, value in (("Content-Type", ct), ("Content-Disposition", cd)):
        if value is not None:
            msg[name] = value
    multipart = msg.get_content_maintype() == "multipart"
    boundary = msg.get_param("boundary") if multipart else None
    if isinstance(boundary, tuple):
        boundary = collapse_rfc2231_value(boundary)
    disposition = msg.get_content_disposition()
    return Meta(
        content_type=msg.get_content_type(),
        multipart=multipart,
        boundary=boundary if isinstance(boundary, str) and boundary else None,
        cte=(cte or "").strip().lower(),
        disposition=disposition if disposition in ("attachment", "inline") else None,
        filename=_filename(msg),
    )


# Leaf parts repeat (text/plain; charset=utf-8, message/delivery-status...): parse once.
_describe_cached = lru_cache(maxsize=256)(_describe)


def _filename(msg: Message) -> str | None:
    try:
        name = msg.get_filename()
    except Exception:
        return None
    if name is None:
        return None
    return decode_words(str(name))[0]
