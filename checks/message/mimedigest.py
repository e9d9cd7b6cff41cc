"""Decoded size and SHA-256 of one MIME part body, in bounded memory.

The body is given as offsets into the message bytes, so no copy of it is made.
Base64 is decoded a slice at a time (a 30 MB attachment costs about a megabyte
of working memory, not two more copies of itself); the result is exactly what
decoding the whole body at once gives, including the lenient fallback for a
broken body, which is then redone as a whole.
"""

from __future__ import annotations

import binascii
import hashlib

from mailtriage.checks.model import Problem

CHUNK = 1 << 20  # bytes of encoded body decoded at a time
_B64_JUNK = b" \t\r\n"
_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_NOT_B64 = bytes(b for b in range(256) if b not in _ALPHABET)
_PLAIN = frozenset(("", "7bit", "8bit", "binary"))


def decode(body: bytes, cte: str, problems: list[Problem]) -> bytes:
    """Remove a transfer encoding from a whole body, leniently (never raises).

    Args:
        body: The encoded body.
        cte: Lower-cased Content-Transfer-Encoding ("" when absent).
        problems: Gets a problem for bad base64 or an unknown encoding.

    Returns:
        The decoded bytes (``body`` itself for 7bit, 8bit, binary and unknown ones).
    """
    if cte == "base64":
        clean = body.translate(None, _B64_JUNK)
        try:
            return binascii.a2b_base64(clean)
        except binascii.Error:
            problems.append(Problem("MIME", "bad base64 in a part; decoded what could be"))
            clean = clean.rstrip(b"=")
            clean = clean[: len(clean) - len(clean) % 4]
            try:
                return binascii.a2b_base64(clean)
            except binascii.Error:
                return b""
    if cte == "quoted-printable":
        return binascii.a2b_qp(body)
    if cte not in _PLAIN:
        problems.append(Problem("MIME", f"unknown transfer encoding {cte[:40]!r}; hashed as is"))
    return body


def _base64(buf: bytes, start: int, end: int, problems: list[Problem]) -> tuple[int, str]:
    # a2b_base64 skips characters outside the alphabet and stops at a complete pad,
    # so up to the first "=" the body can be decoded in slices of whole 4-character
    # groups (at most 3 characters carried over); what follows is decoded as a
    # whole, and a body that fails there is redone as a whole for the exact fallback.
    digest = hashlib.sha256()
    size = 0
    pad = buf.find(b"=", start, end)
    stop = end if pad < 0 else pad
    carry = b""
    for pos in range(start, stop, CHUNK):
        clean = carry + buf[pos : min(pos + CHUNK, stop)].translate(None, _NOT_B64)
        cut = len(clean) - len(clean) % 4
        out = binascii.a2b_base64(clean[:cut])
        digest.update(out)
        size += len(out)
        carry = clean[cut:]
    try:
        out = binascii.a2b_base64(carry + buf[stop:end].translate(None, _B64_JUNK))
    except binascii.Error:
        data = decode(buf[start:end], "base64", problems)
        return len(data), hashlib.sha256(data).hexdigest()
    digest.update(out)
    return size + len(out), digest.hexdigest()


def digest(buf: bytes, start: int, end: int, cte: str, problems: list[Problem]) -> tuple[int, str]:
    """Decoded size and SHA-256 (hex) of the body ``buf[start:end]``.

    Args:
        buf: The message bytes.
        start: Where the body starts.
        end: Where it ends.
        cte: Lower-cased Content-Transfer-Encoding ("" when absent).
        problems: Gets a problem for bad base64 or an unknown encoding.

    Returns:
        ``(size, sha256 hex digest)`` of the decoded body; never raises.
    """
    if cte == "base64":
        return _base64(buf, start, end, problems)
    if cte == "quoted-printable":
        data = binascii.a2b_qp(buf[start:end])
        return len(data), hashlib.sha256(data).hexdigest()
    if cte not in _PLAIN:
        problems.append(Problem("MIME", f"unknown transfer encoding {cte[:40]!r}; hashed as is"))
    return end - start, hashlib.sha256(memoryview(buf)[start:end]).hexdigest()
