"""Lenient parsing of recorded authentication verdicts.

Covers Authentication-Results (RFC 8601), ARC-Authentication-Results (``i=N;``
then the same grammar) and Received-SPF (RFC 7208 section 9.1), including
Microsoft's non-RFC forms (missing authserv-id, ``action=``, a bare domain
between methods, no space after ``;``). Nothing here raises: whatever cannot be
understood becomes a ``Problem`` on the ``AuthResults`` it belongs to.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from mailtriage.checks.message.authlex import RESULTS, Item, segments
from mailtriage.checks.message.receivedspf import parse_received_spf
from mailtriage.checks.model import AuthMethod, AuthResults, Header, Problem, Sample

HEADERS = ("authentication-results", "arc-authentication-results", "received-spf")
CANONICAL = {
    "authentication-results": "Authentication-Results",
    "arc-authentication-results": "ARC-Authentication-Results",
    "received-spf": "Received-SPF",
}
METHODS = frozenset(
    "spf dkim dmarc arc iprev auth sender-id domainkeys dkim-adsp dkim-atps bimi compauth "  # noqa: SIM905
    "x-hmca vbr rrvs smime dnswl".split()
)
MAX_METHODS = 200
MAX_VALUE = 16 * 1024
MAX_CACHED = 4096  # longer fields are parsed each time rather than kept in the cache


def _is_method(item: Item) -> bool:
    return item.key is not None and item.key.lower().split("/")[0] in METHODS


def _method(items: list[Item], source: str, problems: list[str]) -> AuthMethod:
    head = items[0]
    name = (head.key or "").lower().split("/", 1)[0].strip()
    result = head.value.lower()
    if not result:
        problems.append(f"no result for method {name!r}")
    elif result not in RESULTS:
        problems.append(f"unrecognised result {result!r} for {name}")
    reason: str | None = None
    comment = head.comments[0] if head.comments else None
    props: list[tuple[str, str]] = []
    for item in items[1:]:
        if comment is None and item.comments:
            comment = item.comments[0]
        if item.key is None:
            problems.append(f"ignored {item.value[:60]!r} in {name} result")
        elif item.key.lower() == "reason":
            reason = item.value
        else:
            props.append((item.key.lower(), item.value))
    raw = source[head.start : max(i.end for i in items)]
    return AuthMethod(name, result, reason if reason is not None else comment, tuple(props), raw)


def _method_groups(items: list[Item], problems: list[str]) -> list[list[Item]]:
    """Split one segment into method groups (a method word may lack its ``;``)."""
    groups: list[list[Item]] = []
    for item in items:
        known = _is_method(item)
        if groups and known and item.value.lower() in RESULTS:
            problems.append(f"missing ';' before {item.key}={item.value}")
            groups.append([item])
        elif groups:
            groups[-1].append(item)
        elif item.key is not None and (known or item.value.lower() in RESULTS):
            groups.append([item])
        else:
            text = item.value if item.key is None else f"{item.key}={item.value}"
            problems.append(f"ignored {text[:60]!r}")
    return groups


def _parse_ar(value: str, arc: bool) -> tuple[str, int | None, list[AuthMethod], list[str]]:
    problems: list[str] = []
    segs = segments(value, problems)
    instance: int | None = None
    if arc:
        first = segs[0][0] if segs and segs[0] else None
        if first is not None and first.key is not None and first.key.lower() == "i":
            instance = int(first.value) if first.value.isdigit() else None
            if instance is None:
                problems.append(f"bad ARC instance {first.value[:20]!r}")
            segs[0] = segs[0][1:]
            if not segs[0]:
                segs.pop(0)
        else:
            problems.append("ARC instance i= missing")
    authserv = ""
    if segs and segs[0][0].key is None:
        head = segs.pop(0)
        authserv = head[0].value
        rest = head[1:]
        if rest and rest[0].key is None and rest[0].value.isdigit():
            rest = rest[1:]
        if rest and _is_method(rest[0]):
            problems.append("missing ';' after authserv-id")
            segs.insert(0, rest)
        elif rest:
            junk = " ".join(i.value if i.key is None else f"{i.key}={i.value}" for i in rest)
            problems.append(f"ignored {junk[:60]!r} after authserv-id")
    methods: list[AuthMethod] = []
    saw_none = False
    for seg in segs:
        if seg[0].key is None:
            word = seg[0].value
            if word.lower() == "none" and len(seg) == 1:
                saw_none = True
                continue
            if not authserv:
                authserv = word
            elif word != authserv:
                problems.append(f"ignored {word[:60]!r}")
            seg = seg[1:]
        for group in _method_groups(seg, problems):
            methods.append(_method(group, value, problems))
    if not methods and not saw_none:
        problems.append("no results recorded (not even 'none')")
    if len(methods) > MAX_METHODS:
        problems.append(f"more than {MAX_METHODS} results; the rest ignored")
        methods = methods[:MAX_METHODS]
    return authserv, instance, methods, problems


def parse_header(header: Header, ordinal: int = 1) -> AuthResults:
    """Parse one Authentication-Results, ARC-Authentication-Results or Received-SPF field.

    Several checks ask about the same field (envelope sender, hops, recorded
    results); the answer is cached for fields of ordinary length.

    Args:
        header: The header field (its unfolded ``value`` is parsed).
        ordinal: 1-based position among fields of the same name, for problem labels.

    Returns:
        The parsed results; never raises.
    """
    if len(header.value) > MAX_CACHED:
        return _parse_header(header, ordinal)
    return _parse_cached(header, ordinal)


def _parse_header(header: Header, ordinal: int) -> AuthResults:
    lname = header.name.lower()
    name = CANONICAL.get(lname, header.name)
    instance: int | None = None
    value = header.value[:MAX_VALUE]
    try:
        if lname == "received-spf":
            authserv, methods, issues = parse_received_spf(value)
        else:
            authserv, instance, methods, issues = _parse_ar(
                value, lname == "arc-authentication-results"
            )
        if len(header.value) > MAX_VALUE:
            issues.append(f"longer than {MAX_VALUE // 1024} KB; only the start was parsed")
    except Exception as exc:
        authserv, methods, issues = "", [], [f"could not be parsed ({type(exc).__name__})"]
    where = f"{name} #{ordinal}"
    return AuthResults(
        header=name,
        authserv_id=authserv,
        methods=tuple(methods),
        index=header.index,
        instance=instance,
        raw=header.value,
        problems=tuple(Problem(where, msg) for msg in dict.fromkeys(issues)),
    )


_parse_cached = lru_cache(maxsize=256)(_parse_header)


def parse_auth_results(sample: Sample) -> tuple[AuthResults, ...]:
    """Parse every recorded authentication header of a sample, topmost first."""
    counts: dict[str, int] = {}
    out: list[AuthResults] = []
    for h in sample.headers:
        lname = h.name.lower()
        if lname in HEADERS:
            counts[lname] = counts.get(lname, 0) + 1
            out.append(parse_header(h, counts[lname]))
    return tuple(out)


def group_by_authserv(results: tuple[AuthResults, ...]) -> dict[str, tuple[AuthResults, ...]]:
    """Group results by authserv-id (``""`` when missing), topmost first, in first-seen order."""
    groups: dict[str, list[AuthResults]] = {}
    for r in sorted(results, key=lambda r: r.index):
        groups.setdefault(r.authserv_id, []).append(r)
    return {k: tuple(v) for k, v in groups.items()}


def summary(results: tuple[AuthResults, ...]) -> dict[str, str]:
    """Map each method to its result in the topmost (newest) header that records it."""
    out: dict[str, str] = {}
    for r in sorted(results, key=lambda r: r.index):
        for m in r.methods:
            out.setdefault(m.method, m.result)
    return out


def boundary(recorded: Sequence[AuthResults]) -> AuthResults | None:
    """Return the boundary check: the oldest (lowest) Authentication-Results.

    The first receiving system of the organisation (the gateway) writes it; the
    ones above it were written by systems behind the gateway, where failures are
    expected because they see the gateway's IP, not the sender's.
    """
    ars = [r for r in recorded if r.header == "Authentication-Results"]
    return max(ars, key=lambda r: r.index) if ars else None
