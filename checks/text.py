"""Text helpers for untrusted sample content: safe display, lenient decoding.

Nothing in a sample can be trusted: header bytes may not be UTF-8, encoded-words
may be broken, and decoded text may carry terminal escape sequences or bidi
overrides that would rewrite what a technician sees. These helpers never raise.
"""

from __future__ import annotations

import binascii
import codecs
import re
from typing import Any

#: Invisible or text-reordering characters, besides C0/C1 controls: the Arabic letter
#: mark, zero-width space/joiners and direction marks (U+200B-U+200F), line and
#: paragraph separators, bidi embeddings and overrides (U+202A-U+202E), the word
#: joiner and invisible operators (U+2060-U+2064), bidi isolates (U+2066-U+2069), the
#: Mongolian vowel separator, the zero-width no-break space (BOM, U+FEFF) and lone
#: surrogates. Each can make "pay\u200bpal" look like "paypal" or reorder what is shown.
_INVISIBLE = (
    "\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\ud800-\udfff"
)
_UNSAFE = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f{_INVISIBLE}]")
#: What JSON output escapes beyond what ``json.dumps`` does (it escapes C0 controls):
#: DEL, C1 controls (NEL among them) and the invisible characters above.
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_INVISIBLE}]")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BROKEN_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?(\S*)$")
_NON_SPACE_RUN = re.compile(r"\S*")
_WS_BETWEEN = re.compile(r"\s+")
_QP_HEX = re.compile(rb"=([0-9A-Fa-f]{2})")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(s: str, limit: int | None = None) -> str:
    """Make untrusted text safe to show in a terminal.

    Controls (C0, DEL, C1, including ESC and NUL), bidi overrides, isolates and
    marks, zero-width characters (U+200B-U+200D, U+2060, U+FEFF...), line/paragraph
    separators and lone surrogates become visible escapes such as ``\\x1b``,
    ``\\u200b`` or ``\\u202e``; a tab becomes a space. Other characters, including
    ``[``, are left alone.

    Args:
        s: Any text.
        limit: Most characters to return; longer output ends with ``…``.

    Returns:
        The display-safe text.
    """
    if limit is not None and limit <= 0:
        return ""
    if limit is not None and len(s) > limit:
        s = s[: limit + 1]
    out = _UNSAFE.sub(_escape, s.replace("\t", " "))
    if limit is not None and len(out) > limit:
        out = out[: limit - 1] + "…"
    return out


def printable_lines(text: str) -> str:
    """Each line of ``text`` made display-safe with :func:`printable`, its line breaks kept.

    For multi-line texts built by the engine (a case packet, a runbook entry) whose
    values came from a sample: a CR or another control inside a value is escaped, only
    the ``\\n`` between lines stays.
    """
    return "\n".join(printable(line) for line in text.split("\n"))


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(obj: Any) -> str:
    """Serialise ``obj`` as one line of JSON that shows no sample character raw.

    ``json.dumps`` escapes C0 controls but writes bidi overrides (U+202E), zero-width
    characters, C1 controls such as NEL and the line/paragraph separators as they
    are; a terminal or a reader splitting lines would act on them. Here they are
    written as JSON ``\\uXXXX`` escapes (the decoded strings are unchanged); other
    non-ASCII text stays readable.

    Args:
        obj: Any value ``json.dumps`` accepts.

    Returns:
        The JSON text, without a line break.
    """
    import json  # here: the dashboard's first frame never writes JSON (1-2 ms less at start)

    text = json.dumps(obj, ensure_ascii=False)
    return _JSON_UNSAFE.sub(_json_escape, text)


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def decode_bytes(b: bytes) -> str:
    """Decode bytes as UTF-8, falling back to cp1252 then latin-1 line by line.

    Each line is decoded on its own, so one mis-encoded header does not spoil
    the others. Never raises; no surrogate escapes are produced.

    Args:
        b: Raw bytes, e.g. a header block.

    Returns:
        The decoded text.
    """
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(_decode_line(line) for line in b.splitlines(keepends=True))


def _charset_text(data: bytes, charset: str, problems: list[str]) -> str:
    name = charset.split("*", 1)[0].strip().lower()
    try:
        codecs.lookup(name)
    except LookupError:
        problems.append(f"unknown charset {name!r} in encoded-word; decoded as UTF-8/latin-1")
        return _decode_line(data)
    try:
        return data.decode(name)
    except (UnicodeDecodeError, LookupError, ValueError):
        problems.append(f"encoded-word is not valid {name}; decoded leniently")
        return data.decode(name, errors="replace")


def _word_bytes(enc: str, text: str, problems: list[str]) -> bytes:
    if enc in "bB":
        body = text.rstrip("=")
        clean = re.sub(r"[^A-Za-z0-9+/]", "", body)
        if clean != body or len(clean) % 4 == 1:
            problems.append("malformed base64 in encoded-word; decoded what could be")
        clean = clean[: len(clean) - 1] if len(clean) % 4 == 1 else clean
        return binascii.a2b_base64(clean + "=" * (-len(clean) % 4))
    if not text.isascii():
        problems.append("non-ASCII text inside an encoded-word")
    raw = text.replace("_", " ").encode("utf-8")
    return _QP_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def _decode_word(m: re.Match[str], problems: list[str]) -> str:
    charset, enc, text = m.group(1), m.group(2), m.group(3)
    try:
        data = _word_bytes(enc, text, problems)
    except (binascii.Error, ValueError):
        problems.append("undecodable encoded-word; left as written")
        return m.group(0)
    return _charset_text(data, charset, problems)


def decode_words(s: str) -> tuple[str, list[str]]:
    """Decode RFC 2047 encoded-words leniently.

    Whitespace between adjacent encoded-words is dropped, as the RFC says.
    Unknown charsets, bad base64 and a missing closing ``?=`` are tolerated and
    reported; text that is not an encoded-word is kept as it is.

    Args:
        s: A header value (already unfolded).

    Returns:
        The decoded text and a list of one-line problem messages.
    """
    problems: list[str] = []
    if "=?" not in s:
        return s, problems
    out: list[str] = []
    pos = 0
    last_was_word = False
    for m in _ENCODED_WORD.finditer(s):
        between = s[pos : m.start()]
        if not (last_was_word and _WS_BETWEEN.fullmatch(between)):
            out.append(between)
        out.append(_decode_word(m, problems))
        pos = m.end()
        last_was_word = True
    tail = s[pos:]
    # A broken word holds no whitespace and runs to the end, so it can only start in
    # the last whitespace-free run: searching just there keeps this linear (searching
    # the whole tail retries from every "=?" and scans to the next space each time).
    run = _NON_SPACE_RUN.match(tail[::-1]).end()  # type: ignore[union-attr]
    broken = _BROKEN_WORD.search(tail, len(tail) - run)
    if broken and "=?" in tail:
        problems.append("encoded-word without closing '?='")
        start = broken.start()
        before = tail[:start]
        if not (last_was_word and _WS_BETWEEN.fullmatch(before)):
            out.append(before)
        out.append(_decode_word(broken, problems))
    else:
        out.append(tail)
    return "".join(out), problems


def plural(n: int, word: str, words: str | None = None) -> str:
    """``n`` and the noun in the right number: ``"1 DNS lookup"``, ``"2 DNS lookups"``.

    Args:
        n: How many.
        word: The singular noun (may be several words: ``"DNS lookup"``).
        words: The plural when it is not ``word + "s"`` (``"queries"``).
    """
    return f"{n} {word if n == 1 else (words or word + 's')}"


def duration(seconds: float) -> str:
    """Compact duration such as ``"42s"``, ``"5m 03s"``, ``"2h 10m"``, ``"-42s"``."""
    s = round(abs(seconds))
    sign = "-" if seconds < 0 and s else ""
    if s < 60:
        return f"{sign}{s}s"
    if s < 3600:
        return f"{sign}{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{sign}{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{sign}{s // 86400}d {s % 86400 // 3600}h"
