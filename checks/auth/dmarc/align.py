"""Identifier alignment (RFC 7489 section 3.1): the one alignment test of the engine.

Kept apart from the DMARC evaluation (:mod:`mailtriage.checks.auth.dmarc.evaluate`)
because the findings of a recorded sample need only this test, and the dashboard's
first frame should not wait for the record parser and the verdict types.
"""

from __future__ import annotations

from mailtriage.checks.psl import org_domain


def aligned(domain: str | None, from_domain: str | None, mode: str = "r") -> bool:
    """Whether ``domain`` aligns with ``from_domain`` (RFC 7489 section 3.1).

    Names compare without case or a final dot, in their A-label (punycode) form,
    so a Unicode From aligns with an ``xn--`` d=.

    Args:
        domain: The authenticated domain (SPF MAIL FROM domain or DKIM ``d=``);
            ``None`` or ``""`` never aligns.
        from_domain: The RFC 5322 From domain; ``None`` or ``""`` never aligns.
        mode: ``"s"`` (strict): the names must be equal; ``"r"`` (relaxed, the
            default when no record says otherwise): the same organizational
            domain (Public Suffix List).
    """
    a, b = _ascii(norm(domain or "")), _ascii(norm(from_domain or ""))
    if not a or not b:
        return False
    if a == b:
        return True
    # An organizational domain has at least two labels, so names whose last two
    # labels differ never align: no need to load the Public Suffix List.
    if mode == "s" or a.split(".")[-2:] != b.split(".")[-2:]:
        return False
    org = org_domain(a)
    return org is not None and org == org_domain(b)


def norm(domain: str) -> str:
    """Lower-case, without surrounding spaces or a final dot."""
    return domain.strip().rstrip(".").lower()


def _ascii(domain: str) -> str:
    """The A-label (punycode) form, so a Unicode From aligns with an ``xn--`` d=."""
    if domain.isascii():  # what the codec returns for it (its bad labels raise: kept too)
        return domain
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain
