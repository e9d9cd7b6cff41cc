"""Ticket notes: what the technician pastes into the PSA."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from mailtriage.checks.analysis import analyse
from mailtriage.checks.diff import diff_samples
from mailtriage.checks.live.run import LiveRun
from mailtriage.checks.message.loader import load_bytes
from mailtriage.checks.notes import (
    TO_FILL,
    build_notes,
    notes_markdown,
    notes_text,
    ticket_notes,
)
from mailtriage.checks.playbook import evaluate, load_playbook
from mailtriage.checks.suspect import suspect
from mailtriage.checks.ticket.model import Affected, KeptExplain, Tick, Ticket
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


# --- one builder, two renderings (issue 10: ticket notes to capture) ------------------

S3150 = Path(__file__).parent / "fixtures" / "packet" / "outlook-s3150.eml"
SECTIONS = [
    "Affected",
    "Symptom",
    "Scope tested and comparison used",
    "Logs and portals checked",
    "Root cause or most likely layer",
    "Fix applied",
    "Verification",
]


def _demo() -> tuple:  # type: ignore[type-arg]
    a, b = (analyse(s) for s in demo_samples())
    return a, b, suspect(a, b), evaluate(load_playbook(), [a, b])


def test_notes_follow_the_guides_order_and_say_what_is_to_fill_in() -> None:
    a, b, comparison, states = _demo()
    notes = build_notes([a, b], comparison, [None, None], states, now=NOW)
    assert [s.title for s in notes.sections][:7] == SECTIONS
    text = notes_text(notes)
    assert "  Customer: to be filled in" in text.splitlines()
    assert f"  Fix applied: {TO_FILL} (none recorded)" in text.splitlines()
    assert "  Decision: suspect layer authentication" in text.splitlines()
    assert "When (UTC): 2026-11-23" in text


def test_a_ticket_fills_the_parts_the_samples_cannot() -> None:
    a, b, comparison, states = _demo()
    ticket = Ticket(
        "T-1",
        NOW - timedelta(hours=1),
        NOW,
        affected=Affected(customer="Fabrikam", user="ap@northwind.example", site="Leeds"),
        symptom="Invoices from Fabrikam missing since 09:00\nNo NDR at the sender",
        scope="Two AP users; other senders fine",
        logs_checked="Proofpoint message log: quarantined by rule quarantine_dmarc",
        fix="Billing platform now signs with d=fabrikam.example",
        verification="New invoice delivered to the Inbox at 10:20",
        verified_ok=True,
        ticks=(Tick(states[0].item.id, NOW - timedelta(minutes=30)),),
        kept=(KeptExplain("554 5.7.0 Blocked", "SMTP reply 554 5.7.0: policy", NOW),),
    )
    text = notes_text(build_notes([a, b], comparison, [None, None], states, ticket, now=NOW))
    lines = text.splitlines()
    assert lines[0] == "mailtriage ticket notes - 2026-11-23 10:30 UTC - ticket T-1 (open)"
    assert "  Customer: Fabrikam" in lines and "  Site: Leeds" in lines
    assert "  Reported: Invoices from Fabrikam missing since 09:00" in lines
    assert "    No NDR at the sender" in lines  # a second line of text stays a line
    assert "  Fix applied: Billing platform now signs with d=fabrikam.example" in lines
    assert "  Outcome: problem gone" in lines
    assert "(ticked 2026-11-23 10:00 UTC)" in text
    assert "  Explained (2026-11-23 10:30 UTC): 554 5.7.0 Blocked" in lines
    assert TO_FILL not in text.split("Sample A")[0].replace("Device: to be filled in", "")


def test_markdown_and_text_render_the_same_notes() -> None:
    a, b, comparison, states = _demo()
    notes = build_notes([a, b], comparison, [None, None], states, now=NOW)
    md = notes_markdown(notes)
    assert md.startswith("# mailtriage ticket notes - 2026-11-23 10:30 UTC\n")
    assert [x[3:] for x in md.splitlines() if x.startswith("## ")][:7] == SECTIONS
    assert "- **Customer:** to be filled in" in md.splitlines()
    assert "Finding \\[info\\] routing/connector:" in md  # brackets cannot open a link


def test_a_long_reply_is_kept_whole_in_the_notes() -> None:
    a = analyse(load_bytes(S3150.read_bytes(), "s3150.eml"))
    text = notes_text(build_notes([a, None], None, [None], (), now=NOW))
    assert "2025-10-14T08:12:40.913Z 08DE0A1B2C3D4E5F]" in text  # past 300 characters
    assert text.count("Exact error: 550 5.7.1 Unfortunately") == 1


def test_markdown_escapes_sample_text() -> None:
    raw = "From: x@evil.example\nSubject: **bold** [link](http://x) `c`\u202e\n\n"
    s = load_bytes(raw.encode(), "x")
    md = notes_markdown(build_notes([analyse(s), None], None, [None], (), now=NOW))
    shown = "\\*\\*bold\\*\\* \\[link\\](http://x) \\`c\\`\\\\u202e"
    assert shown in md  # the escape is shown as text
    assert "\u202e" not in md
