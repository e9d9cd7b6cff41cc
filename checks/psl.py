"""Organizational domains from the Public Suffix List.

The ``publicsuffixlist`` package ships the list inside the wheel, so nothing is
downloaded at run time; writing our own PSL matcher would only add bugs. A
different list file (e.g. a pinned copy for tests) can be passed as ``source``.

This is the RFC 7489 way to find the organizational domain. DMARCbis (RFC 9989)
replaces it with a DNS "tree walk" over ``_dmarc`` records; for ordinary
company domains both give the same answer.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from publicsuffixlist import PSLFILE, PublicSuffixList


@lru_cache(maxsize=4)
def suffix_list(source: str | None = None) -> PublicSuffixList:
    """Return a (cached) matcher: the packaged list, or the list file at ``source``.

    The matcher holds every rule in both forms, Unicode and punycode (``xn--``), as the
    package's own ``accept_encoded_idn`` gives it; but the package runs every one of the
    list's 10,000 rules through the IDNA codec for it, and only a few hundred are not
    ASCII: :func:`with_punycode` encodes just those (the same rules, a third of the
    time: the live checks read the list before their first run).

    Args:
        source: Path of a ``public_suffix_list.dat`` file; ``None`` = the packaged list.

    Raises:
        OSError: The file cannot be read.
    """
    path = PSLFILE if source is None else source
    text = Path(path).read_text(encoding="utf-8")
    return PublicSuffixList(with_punycode(text.splitlines()), accept_encoded_idn=False)


def with_punycode(lines: list[str]) -> list[str]:
    """The list's lines, then the punycode form of each rule that is not ASCII.

    What ``PublicSuffixList(accept_encoded_idn=True)`` adds, read the way it reads a
    rule (lower-cased, up to the first space; an exception rule keeps its ``!``).
    """
    extra: list[str] = []
    for line in lines:
        if line.isascii():
            continue
        rule = line.lower().split(" ")[0].rstrip()
        if not rule or rule.startswith("//"):
            continue
        try:
            encoded = rule.lstrip("!").encode("idna").decode("ascii")
        except UnicodeError:  # no punycode form (the package would fail on it): Unicode only
            continue
        extra.append("!" + encoded if rule.startswith("!") else encoded)
    return lines + extra


def org_domain(domain: str | None, *, source: str | os.PathLike[str] | None = None) -> str | None:
    """Return the organizational (registrable) domain, or ``None`` when there is none.

    Follows the conventions of the PSL project's ``test_psl.txt``: ``None`` in
    gives ``None``; case is ignored (the answer is lower-case); a name with a
    leading dot or an empty label is not a domain (``None``); a public suffix
    itself has no organizational domain (``None``); unlisted TLDs count as
    suffixes (the ``*`` default rule). IDNs come back in the form they came in:
    Unicode in, Unicode out; punycode (``xn--``) in, punycode out. One final dot
    (a fully qualified name) is ignored.

    Args:
        domain: A domain name, or ``None``.
        source: Use this list file instead of the packaged list.
    """
    if domain is None:
        return None
    d = domain.strip().lower()
    d = d[:-1] if d.endswith(".") else d
    if not d or any(not label for label in d.split(".")):
        return None
    psl = suffix_list(None if source is None else os.fspath(source))
    found = psl.privatesuffix(d)
    return found if isinstance(found, str) else None
