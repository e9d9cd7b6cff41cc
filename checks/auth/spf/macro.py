"""SPF macro syntax and expansion (RFC 7208 section 7).

:func:`check_macro_string` validates syntax when a record is parsed;
:func:`expand` produces the text, given a :class:`MacroContext`. The ``%{p}``
macro needs DNS, so its value is looked up by the caller and passed in.
"""

from __future__ import annotations

import ipaddress
import re
import time
import urllib.parse
from dataclasses import dataclass

_MACRO_RE = re.compile(r"%\{([A-Za-z])([0-9]*)(r?)([.+,/_=-]*)\}", re.IGNORECASE)
_LETTERS = "slodiphv"
_EXP_LETTERS = "crt"


class SpfSyntaxError(ValueError):
    """A record, term or macro breaks the SPF grammar (check_host() -> permerror)."""


@dataclass(frozen=True)
class MacroContext:
    """The values macros expand to.

    Attributes:
        ip: The client address (IPv4-mapped IPv6 already turned into IPv4).
        sender: ``local-part@domain`` of the checked identity.
        domain: The current domain (``%{d}``).
        helo: The HELO/EHLO name (``%{h}``).
        receiver: The receiving host (``%{r}``).
        validated: The validated domain name of ``ip`` (``%{p}``), when already known.
    """

    ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    sender: str
    domain: str
    helo: str
    receiver: str = "unknown"
    validated: str | None = None


def check_macro_string(text: str, *, exp: bool = False) -> None:
    """Raise :class:`SpfSyntaxError` unless ``text`` is a valid macro-string."""
    for _ in _tokens(text, exp):
        pass


def uses_macro(text: str, letter: str) -> bool:
    """True when ``text`` contains a macro with ``letter`` (case-insensitive)."""
    return any(m.group(1).lower() == letter for m in _MACRO_RE.finditer(text))


def expand(text: str, ctx: MacroContext, *, exp: bool = False) -> str:
    """Expand every macro in ``text``.

    Args:
        text: A macro-string.
        ctx: The values to use.
        exp: True for explanation strings (allows ``%{c}``, ``%{r}``, ``%{t}``).

    Raises:
        SpfSyntaxError: Bad macro syntax or a letter not allowed here.
    """
    out: list[str] = []
    for literal, match in _tokens(text, exp):
        if match is None:
            out.append(literal)
            continue
        letter, digits, reverse, delims = match.groups()
        value = _value(letter.lower(), ctx)
        parts = re.split("[" + re.escape(delims or ".") + "]", value)
        if reverse:
            parts.reverse()
        if digits:
            count = int(digits)
            if count == 0:
                raise SpfSyntaxError("a macro's digit transformer must not be 0")
            parts = parts[-count:]
        value = ".".join(parts)
        if letter.isupper():
            value = urllib.parse.quote(value, safe="-._~")
        out.append(value)
    return "".join(out)


def _tokens(text: str, exp: bool) -> list[tuple[str, re.Match[str] | None]]:
    tokens: list[tuple[str, re.Match[str] | None]] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch != "%":
            if not (32 < ord(ch) < 127 or (exp and ch == " ")):
                raise SpfSyntaxError(f"bad character {ch!r} in {text!r}")
            tokens.append((ch, None))
            pos += 1
            continue
        nxt = text[pos + 1 : pos + 2]
        if nxt in ("%", "_", "-"):
            tokens.append(({"%": "%", "_": " ", "-": "%20"}[nxt], None))
            pos += 2
            continue
        match = _MACRO_RE.match(text, pos)
        if match is None:
            raise SpfSyntaxError(f"bad macro at {text[pos : pos + 12]!r}")
        letter = match.group(1).lower()
        if letter not in _LETTERS and not (exp and letter in _EXP_LETTERS):
            raise SpfSyntaxError(f"macro letter {letter!r} not allowed here")
        if match.group(2) and int(match.group(2)) == 0:
            raise SpfSyntaxError("a macro's digit transformer must not be 0")
        tokens.append(("", match))
        pos = match.end()
    return tokens


def _value(letter: str, ctx: MacroContext) -> str:
    local, _, sender_domain = ctx.sender.rpartition("@")
    if letter == "s":
        return ctx.sender
    if letter == "l":
        return local or "postmaster"
    if letter == "o":
        return sender_domain
    if letter == "d":
        return ctx.domain
    if letter == "i":
        return dotted_ip(ctx.ip)
    if letter == "p":
        return ctx.validated or "unknown"
    if letter == "v":
        return "in-addr" if ctx.ip.version == 4 else "ip6"
    if letter == "h":
        return ctx.helo
    if letter == "c":
        return str(ctx.ip)
    if letter == "r":
        return ctx.receiver
    return str(int(time.time()))  # "t"


def dotted_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """``%{i}``: dotted quad for IPv4, dot-separated (upper-case) nibbles for IPv6."""
    if ip.version == 4:
        return str(ip)
    return ".".join(ip.exploded.replace(":", "").upper())  # upper case as in RFC 7208 7.4
