"""Ticket notes: what the technician pastes into the PSA."""

from __future__ import annotations

from datetime import UTC, datetime

from mailtriage.checks.analysis import analyse
from mailtriage.checks.diff import diff_samples
from mailtriage.checks.live.run import LiveRun
from mailtriage.checks.message.loader import load_bytes
from mailtriage.checks.notes import ticket_notes
from mailtriage.checks.playbook import evaluate, load_playbook
from mailtriage.tui.demo.runtime import demo_samples

NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


def test_demo_notes_lead_with_the_layer_and_the_difference() -> None:
    a, b = (analyse(s) for s in demo_samples())
    states = evaluate(load_playbook(), [a, b])
    text = ticket_notes(
        [a, b],
        [LiveRun(), LiveRun()],
        diff_samples(analyse(a.sample), analyse(b.sample)),
        states,
        frozenset(),
        NOW,
    )
    lines = text.splitlines()
    assert lines[0] == "mailtriage ticket notes - 2026-11-23 10:30 UTC"
    assert lines[2] == "Most likely layer: authentication"
    assert "Auth dmarc: A=fail | B=pass" in text
    assert a.sample.message_id in text and b.sample.message_id in text
    assert "  Verification result: to be filled in (not verified yet)" in lines


def test_notes_neutralise_control_characters() -> None:
    s = load_bytes(b"From: x@evil.example\nSubject: hi\x1b[2Jthere\x07\n\nbody\n", "x.eml")
    text = ticket_notes([analyse(s), None], [LiveRun(), LiveRun()], (), (), frozenset(), NOW)
    assert "\x1b" not in text and "\x07" not in text and "\\x1b[2Jthere" in text
