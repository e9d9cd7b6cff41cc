"""Received-SPF (RFC 7208 section 9.1) parsing into one ``spf`` ``AuthMethod``."""

from __future__ import annotations

import re

from mailtriage.checks.message.authlex import RESULTS, Item, segments
from mailtriage.checks.model import AuthMethod

_COMMENT_HOST = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9.\-]*)\s*:")


def parse_received_spf(value: str) -> tuple[str, list[AuthMethod], list[str]]:
    """Parse a Received-SPF value: result word, comment, then ``key=value`` pairs.

    Pairs may be separated by ``;`` or just spaces. The authserv-id is taken
    from ``receiver=`` or else from a ``host:`` prefix in the comment.

    Returns:
        ``(authserv_id, [the single "spf" AuthMethod], problem messages)``.
    """
    problems: list[str] = []
    items = [item for seg in segments(value, problems) for item in seg]
    if not items or items[0].key is not None:
        problems.append("no SPF result word")
        items.insert(0, Item(None, "", 0, 0))
    head = items[0]
    comment = head.comments[0] if head.comments else None
    props: list[tuple[str, str]] = []
    for item in items[1:]:
        if item.key is None:
            problems.append(f"ignored {item.value[:60]!r}")
            continue
        val = item.value
        if item.key.lower() == "envelope-from":
            val = val.strip().removeprefix("<").removesuffix(">")
        props.append((item.key.lower(), val))
    result = head.value.lower()
    if result and result not in RESULTS:
        problems.append(f"unrecognised SPF result {result!r}")
    receiver = next((v for k, v in props if k == "receiver"), "")
    m = _COMMENT_HOST.match(comment or "")
    authserv = receiver or (m.group(1) if m else "")
    method = AuthMethod("spf", result, comment, tuple(props), value.strip())
    return authserv, [method], problems
