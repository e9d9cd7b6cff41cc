"""Plain-text helpers for bounce notifications: addresses, copy markers, windows.

A bounce's human-readable part often carries a copy of the original message
after a marker line; :func:`copy_cut` finds it so addresses and wording from the
original are not mistaken for the bounce's own. :func:`window` takes the lines
around a recipient's first mention as a fallback diagnostic. Loops are bounded
by line counts and patterns are linear.
"""

from __future__ import annotations

import html
import re

MAX_LINES = 1500
MAX_HTML = 64 * 1024
#: HTML converted per message, over all its parts.
MAX_HTML_TOTAL = 256 * 1024
ADDRESS = re.compile(r"[\w.%+'=!#$&*/?^`{|}~-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,10}")
#: Lines that start the copy of the original message inside a notification (lower case).
COPY_MARKERS = (
    "this is a copy of the message",
    "below this line is a copy",
    "enclosed is a copy",
    "unsent message follows",
    "original message follows",
    "----- original message -----",
    "message headers follow",
    "original message headers",
    "-------original mail info",
)
_HOST = re.compile(
    r"\bhost ([\w.-]{1,253})\s?\[|connected to ([\w.:-]{1,253})|"
    r"([\w.:-]{1,253}) does not like recipient|while talking to ([\w.-]{1,253})",
    re.IGNORECASE,
)
_WS = re.compile(r"\s+")
#: Tags are bounded by ``<`` as well as ``>`` so a run of ``<`` costs linear time.
_TAG = re.compile(r"<[^<>]{0,2000}>")
#: Tags of HTML markup only (an address in angle brackets is not one).
_MARKUP = re.compile(
    r"</?(?:br|p|div|span|b|i|u|a|font|td|tr|th|table|tbody|thead|html|body|head|strong|em|"
    r"ul|ol|li|hr|h[1-6]|pre|code|tt|center|blockquote)(?:[ \t\r\n/][^<>]{0,500})?>",
    re.IGNORECASE,
)
_BLOCK_OPEN = re.compile(r"<(?:style|script)[^<>]{0,200}>", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(r"</(?:style|script)\s{0,20}>", re.IGNORECASE)


def lines(text: str) -> list[str]:
    """The first :data:`MAX_LINES` lines of ``text``."""
    return text.splitlines()[:MAX_LINES]


def join(lines: list[str]) -> str:
    """Lines joined into one, whitespace collapsed."""
    return _WS.sub(" ", " ".join(line.strip() for line in lines)).strip()


def remote_host(text: str) -> str | None:
    """The remote server named in a diagnostic (``host X[ip]``, ``Connected to X``...)."""
    m = _HOST.search(text[:4000])
    if m is None:
        return None
    return next(g for g in m.groups() if g).rstrip(".:")


def copy_cut(low: str) -> int:
    """Where the copy of the original starts in lower-cased text (``len`` when it does not)."""
    found = [i for i in (low.find(m) for m in COPY_MARKERS) if i >= 0]
    return min(found) if found else len(low)


def is_marker(line: str) -> bool:
    """Whether a line starts the copy of the original message."""
    low = line.lower()
    return any(m in low for m in COPY_MARKERS)


def window(text: str, rcpt: str, limit: int = 14, others: tuple[str, ...] = ()) -> str:
    """The lines from the one that first mentions ``rcpt`` on, as a fallback diagnostic.

    Args:
        text: The notice.
        rcpt: The recipient ("" for the notice's start).
        limit: Lines kept at most.
        others: The bounce's other recipients: the window stops at a line that names
            one of them, so a recipient never takes its neighbour's error.
    """
    at = text.lower().find(rcpt.lower()) if rcpt else -1
    start = text.rfind("\n", 0, at) + 1 if at > 0 else 0
    skip = {o.lower() for o in others if o and o.lower() != rcpt.lower()}
    kept: list[str] = []
    for line in lines(text[start:]):
        if is_marker(line) or (kept and looks_like_header(line)):
            break
        if kept and skip and any(o in line.lower() for o in skip):
            break
        if line.strip():
            kept.append(line)
        if len(kept) >= limit:
            break
    return join(kept)


_HEADERISH = re.compile(
    r"(?:received|return-path|message-id|from|to|subject|date|content-type|mime-version|"
    r"reporting-mta|final-recipient|original-recipient|arrival-date|x-[\w-]{1,60})[ \t]*:",
    re.IGNORECASE,
)


def looks_like_header(line: str) -> bool:
    """Whether a line looks like a header field (so an inline copy of the original starts)."""
    return _HEADERISH.match(line) is not None


def _drop_blocks(markup: str) -> str:
    """``markup`` without ``<style>``/``<script>`` blocks (an unclosed one runs to the end).

    Each search starts where the last one stopped, so the scan is linear.
    """
    kept: list[str] = []
    pos = 0
    while (start := _BLOCK_OPEN.search(markup, pos)) is not None:
        kept.append(markup[pos : start.start()])
        end = _BLOCK_CLOSE.search(markup, start.end())
        if end is None:
            return " ".join(kept)
        pos = end.end()
    kept.append(markup[pos:])
    return " ".join(kept)


def html_text(markup: str) -> str:
    """Rough plain text of an HTML part (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub(" ", _drop_blocks(markup[:MAX_HTML])))


def strip_markup(text: str) -> str:
    """``text`` without HTML tags and entities, when it carries any (``<addr>`` is kept)."""
    if "<" not in text and "&" not in text:
        return text
    stripped = _MARKUP.sub(" ", _drop_blocks(text))
    return html.unescape(stripped) if stripped != text or "&" in text else text


def html_texts(markups: list[str]) -> list[str]:
    """:func:`html_text` of each part, converting at most :data:`MAX_HTML_TOTAL` chars in all."""
    out: list[str] = []
    left = MAX_HTML_TOTAL
    for markup in markups:
        piece = markup[: min(left, MAX_HTML)]
        left -= len(piece)
        out.append(html_text(piece) if piece else "")
    return out
