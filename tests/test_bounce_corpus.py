"""parse_bounce over real bounces: agreement with Sisimai's expectations, and no false alarms.

The floors sit a little under what the engine reaches today (status 46/46,
permanence 62/62, category 60/65, failed recipients found 63/65: the two misses
are ARF reports that name no recipient), so a regression fails. The figures are printed
(``pytest -s``); ``tests/benchmarks/bounce_scores.py`` prints them as a table.
"""

from __future__ import annotations

import pytest
from mailtriage.checks.bounce.entry import parse_bounce
from mailtriage.checks.message.loader import SampleError, load_path

from tests.bounce_support import CORPORA, SISIMAI, markdown, score

pytestmark = pytest.mark.skipif(
    not (SISIMAI / "expected.tsv").is_file(), reason=f"corpus not found: {SISIMAI}"
)


def test_agreement_with_sisimai() -> None:
    s = score()
    print("\n" + markdown(s))
    print(f"parse_bounce: {s.seconds / s.messages * 1e3:.2f} ms per message")
    assert s.messages == 61
    assert s.pseudo == 16
    assert s.rate(s.status_ok, s.status_compared) >= 0.95, s.misses
    assert s.rate(s.perm_ok, s.perm_compared) >= 0.97, s.misses
    assert s.rate(s.category_ok, s.rows) >= 0.88, s.misses
    assert s.rate(s.recipients_ok, s.rows) >= 0.95, s.misses


def test_every_corpus_email_is_a_bounce() -> None:
    for path in sorted((SISIMAI / "emails").glob("*.eml")):
        bounce = parse_bounce(load_path(path))
        assert bounce is not None, path.name
        assert bounce.recipients, path.name


def test_other_corpora_are_not_bounces() -> None:
    """Ordinary mail from the other corpora is turned away (the DMARC failure report aside)."""
    seen = 0
    for path in sorted(CORPORA.rglob("*")):
        if not path.is_file() or "sisimai-dev" in path.parts or path.stat().st_size > 5_000_000:
            continue
        try:
            sample = load_path(path)
        except SampleError:
            continue
        seen += 1
        bounce = parse_bounce(sample)
        if "dmarc-parsedmarc-dev" in path.parts:
            assert bounce is None or bounce.kind == "feedback", path
        else:
            assert bounce is None, path
    assert seen > 20
