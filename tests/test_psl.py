"""The PSL project's own test vectors against :func:`mailtriage.checks.psl.org_domain`.

Run twice: with the corpus' list file (tests our use of the matcher: it must pass
every case) and with the list packaged in ``publicsuffixlist`` (a different
snapshot; the vectors use long-lived rules, so it should pass too).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mailtriage.checks.psl import org_domain

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "public-suffix-list"
_CASE_RE = re.compile(r"^checkPublicSuffix\((null|'[^']*'),\s*(null|'[^']*')\);\s*$")


def _value(token: str) -> str | None:
    return None if token == "null" else token[1:-1]


def _cases() -> list[tuple[str | None, str | None]]:
    path = CORPUS / "test_psl.txt"
    if not path.exists():
        return []
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _CASE_RE.match(line.strip())  # commented-out cases start with // and are skipped
        if match:
            cases.append((_value(match[1]), _value(match[2])))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def corpus_list() -> str:
    path = CORPUS / "public_suffix_list.dat"
    if not path.exists():
        pytest.skip(f"PSL corpus not found at {CORPUS}")
    return str(path)


def test_corpus_has_the_vectors() -> None:
    if not CASES:
        pytest.skip(f"PSL corpus not found at {CORPUS}")
    assert len(CASES) == 78  # 82 in the file, 4 of them commented out


@pytest.mark.parametrize(("domain", "expected"), CASES, ids=[str(c[0]) for c in CASES])
def test_vector_with_corpus_list(
    domain: str | None, expected: str | None, corpus_list: str
) -> None:
    assert org_domain(domain, source=corpus_list) == expected


@pytest.mark.parametrize(("domain", "expected"), CASES, ids=[str(c[0]) for c in CASES])
def test_vector_with_packaged_list(domain: str | None, expected: str | None) -> None:
    assert org_domain(domain) == expected


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("", None),
        ("   ", None),
        ("mail.example.com.", "example.com"),
        ("Mail.Fabrikam.Example.", "fabrikam.example"),
        ("a..example.com", None),
        ("example.com..", None),
        ("b.example.co.uk", "example.co.uk"),
    ],
)
def test_our_conventions(domain: str, expected: str | None) -> None:
    assert org_domain(domain) == expected


@pytest.mark.parametrize("which", ["packaged", "corpus"])
def test_the_matcher_holds_the_rules_the_package_would_encode(which: str) -> None:
    """``suffix_list`` encodes only the non-ASCII rules itself: the same rule set as the
    package's own ``accept_encoded_idn=True`` (which encodes every rule, 3x slower).

    Compared on the package's rule set (a private attribute, read by this test only) and
    on the answers for every rule, in both forms.
    """
    from mailtriage.checks.psl import suffix_list
    from publicsuffixlist import PSLFILE, PublicSuffixList

    path = PSLFILE if which == "packaged" else str(CORPUS / "public_suffix_list.dat")
    if not Path(path).exists():
        pytest.skip(f"PSL corpus not found at {CORPUS}")
    ours = suffix_list(None if which == "packaged" else path)
    theirs = PublicSuffixList(Path(path).read_text(encoding="utf-8"), accept_encoded_idn=True)
    assert ours._publicsuffix == theirs._publicsuffix
    names = [f"a.b.{r.lstrip('!').replace('*', 'x')}" for r in theirs._publicsuffix]
    assert [ours.privatesuffix(n) for n in names] == [theirs.privatesuffix(n) for n in names]
