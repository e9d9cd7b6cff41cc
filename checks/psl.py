"""Organizational domains from the Public Suffix List.

The ``publicsuffixlist`` package ships the list inside the wheel, so nothing is
downloaded at run time; writing our own PSL matcher would only add bugs.
"""

from __future__ import annotations

from functools import lru_cache

from publicsuffixlist import PublicSuffixList


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


def org_domain(domain: str) -> str | None:
    """Return the organizational (registrable) domain, or ``None`` for a bare suffix.

    Args:
        domain: A domain name; case and a trailing dot are ignored.
    """
    d = domain.strip().strip(".").lower()
    return _psl().privatesuffix(d) if d else None
