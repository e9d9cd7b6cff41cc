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

from publicsuffixlist import PublicSuffixList


@lru_cache(maxsize=4)
def suffix_list(source: str | None = None) -> PublicSuffixList:
    """Return a (cached) matcher: the packaged list, or the list file at ``source``.

    Args:
        source: Path of a ``public_suffix_list.dat`` file; ``None`` = the packaged list.

    Raises:
        OSError: The file cannot be read.
    """
    if source is None:
        return PublicSuffixList()
    return PublicSuffixList(Path(source).read_text(encoding="utf-8"))


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
