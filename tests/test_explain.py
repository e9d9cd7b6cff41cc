"""The explain box's engine: SMTP replies and Proofpoint Essentials statuses, in that order."""

from __future__ import annotations

from mailtriage.checks.explain import MAX_PASTE, explain_paste


def titles(text: str) -> list[str]:
    return [line for kind, line in explain_paste(text) if kind == "title"]


def test_a_reply_is_read_as_a_reply_not_as_the_blocked_status() -> None:
    assert titles("554 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.1") == [
        "SMTP reply 554 5.7.0: reputation block (permanent)"
    ]


def test_a_bare_status_gets_no_guessed_reply() -> None:
    assert titles("Blocked") == ["Proofpoint Essentials filter status: Blocked (line 1)"]


def test_a_paste_with_both_lists_the_reply_then_the_status() -> None:
    found = titles("Cleared (but bounced by destination)\n550 5.1.1 <a@b.example>: user unknown")
    assert found[0] == "SMTP reply 550 5.1.1 for a@b.example: recipient unknown (permanent)"
    assert found[1].startswith("Proofpoint Essentials filter status: Cleared (but bounced")


def test_nothing_recognised_and_hostile_input() -> None:
    assert explain_paste("") == [] and explain_paste("hello there") == []
    lines = explain_paste("550 5.7.1 \x1b[2J[bold]x[/bold] " + "A" * (MAX_PASTE * 2))
    assert lines and all(len(text) < 2 * MAX_PASTE for _, text in lines)


def test_status_words_inside_prose_are_not_portal_statuses() -> None:
    assert titles("Your message could not be delivered") == []
    assert titles("Quarantined (Spam)") == [
        "Proofpoint Essentials delivery status: quarantined (line 1)"
    ]
    row = "2026-11-23 09:19\tbilling@fabrikam.example\tap@northwind.example\tInvoice\tdelivered"
    assert titles(row) == ["Proofpoint Essentials delivery status: delivered (line 1)"]
    spamhaus = "550 5.7.1 Service unavailable, Client host [192.0.2.1] blocked using Spamhaus"
    assert len(titles(spamhaus)) == 1 and titles(spamhaus)[0].startswith("SMTP reply 550 5.7.1")
