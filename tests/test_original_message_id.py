"""A bounce's original Message-ID: the engine exposes it once, every view shows it first.

The bounce fixture is written from Microsoft Learn, "Email non-delivery reports and SMTP
errors in Exchange Online" (see tests/test_bounce_wording.py): its own Message-ID is the
NDR's, the returned ``text/rfc822-headers`` part carries the original's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mailtriage.checks.analysis import BOUNCE_ID_LABEL, ORIGINAL_ID_LABEL, Analysis, analyse
from mailtriage.checks.live.run import LiveRun
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.notes import ticket_notes
from mailtriage.checks.playbook import evaluate, load_playbook
from mailtriage.widgets.sample_pane import SamplePane

NDR = Path(__file__).parent / "fixtures" / "bounces" / "exchange-two-recipients.eml"
ORIGINAL = "budget-9@example.org"
OWN = "ndr-0001@AM0PR02MB1234.eurprd02.prod.example.net"
PLAIN = b"From: a@example.org\nTo: b@example.com\nMessage-ID: <plain-1@example.org>\n\nhi\n"


def _bounce() -> Analysis:
    return analyse(load_path(NDR))


def test_engine_exposes_the_original_once() -> None:
    a = _bounce()
    assert a.sample.message_id == OWN
    assert a.bounce is not None and a.bounce.original_message_id == ORIGINAL
    assert a.original_message_id == ORIGINAL
    plain = analyse(load_bytes(PLAIN, "plain.eml"))
    assert plain.original_message_id == "plain-1@example.org"


def _pane_text(*analyses: Analysis | None) -> str:
    pane = SamplePane()
    pane.analyses = tuple(analyses)
    pane.labels = ("blocked", "delivered")
    pane.traces = (None, None)
    return pane.build(160).plain


def test_sample_pane_shows_the_original_first_and_the_bounce_id_second() -> None:
    text = _pane_text(_bounce(), analyse(load_bytes(PLAIN, "plain.eml")))
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if ORIGINAL_ID_LABEL in line)
    second = next(i for i, line in enumerate(lines) if BOUNCE_ID_LABEL in line)
    assert first < second
    assert ORIGINAL in lines[first] and "plain-1@example.org" in lines[first]
    assert OWN[:20] in lines[second] and "plain-1" not in lines[second]


def test_sample_pane_without_a_bounce_keeps_one_row() -> None:
    text = _pane_text(analyse(load_bytes(PLAIN, "plain.eml")), None)
    assert "Message-ID" in text and ORIGINAL_ID_LABEL not in text and BOUNCE_ID_LABEL not in text


def test_notes_label_the_original() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    text = ticket_notes([_bounce(), None], [LiveRun(), None], (), (), frozenset(), now)
    lines = text.splitlines()
    original = lines.index(f"    {ORIGINAL_ID_LABEL}: {ORIGINAL}")
    assert lines[original + 1] == f"    {BOUNCE_ID_LABEL}: {OWN}"


def test_checklist_evidence_leads_with_the_original() -> None:
    states = evaluate(load_playbook(), [_bounce()])
    item = next(s for s in states if s.item.auto == "message_ids")
    assert item.auto_done
    assert (item.evidence or "").startswith(f"{ORIGINAL_ID_LABEL} {ORIGINAL}")
    assert BOUNCE_ID_LABEL in (item.evidence or "")


def test_checklist_needs_the_original_of_a_bounce() -> None:
    """A bounce that returned nothing has no ID to trace: its own does not count."""
    ndr = (
        b"From: MAILER-DAEMON@mx.example.org\nTo: a@example.org\nSubject: failure notice\n"
        b"Message-ID: <own-1@mx.example.org>\n\n<b@example.com>:\nSorry, no mailbox here by "
        b"that name. (#5.1.1)\n"
    )
    a = analyse(load_bytes(ndr, "ndr.eml"))
    assert a.bounce is not None and a.original_message_id is None
    item = next(s for s in evaluate(load_playbook(), [a]) if s.item.auto == "message_ids")
    assert not item.auto_done
