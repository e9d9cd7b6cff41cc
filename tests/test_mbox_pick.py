"""Listing the messages of an mbox and loading one (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mailtriage.checks.message import mbox
from mailtriage.checks.message.loader import SampleError, load_bytes
from mailtriage.checks.message.mbox import is_mbox, list_messages, load_message

TWO = (Path(__file__).parent / "samples" / "two_messages.mbox").read_bytes()


def _msg(i: int, body: bytes = b"body\n") -> bytes:
    return (
        b"From a@x.example Wed Mar  6 09:14:57 2024\n"
        b"From: a%d@x.example\nSubject: s%d\nDate: Wed, 6 Mar 2024 09:14:57 +0100\n"
        b"Message-ID: <m%d@x.example>\n\n" % (i, i, i) + body + b"\n"
    )


def test_lists_two_messages() -> None:
    listing = list_messages(TWO)
    assert [e.subject for e in listing.entries] == ["first", "second"]
    first, second = listing.entries
    assert (first.index, first.offset) == (1, 0)
    assert first.from_ == "alerts@partner.example"
    assert first.message_id == "<m1@partner.example>"
    assert first.date.startswith("Wed, 6 Mar 2024")
    assert TWO[second.offset :].startswith(b"From other@else.example")
    assert second.date == ""
    assert not listing.truncated


def test_load_each_message() -> None:
    a = load_message(TWO, 1, "t.mbox")
    b = load_message(TWO, 2, "t.mbox")
    assert (a.subject, b.subject) == ("first", "second")
    assert a.source == "t.mbox#1"
    assert not any("several messages" in p.text for p in a.problems)
    assert a.raw.rstrip().endswith(b"first body")
    # The first message loads the same as the old first-message path, minus the notice.
    assert load_bytes(TWO, "t.mbox").headers == a.headers


@pytest.mark.parametrize("n", [0, 3, -1])
def test_missing_message_number(n: int) -> None:
    with pytest.raises(SampleError, match="no message"):
        load_message(TWO, n, "t.mbox")


def test_not_an_mbox() -> None:
    assert list_messages(b"From: a@x\nSubject: s\n\nbody\n").entries == ()
    assert not is_mbox(b"Subject: s\n\n")
    assert is_mbox(b"\xef\xbb\xbf\nFrom a Wed\n")


def test_cr_only_line_endings() -> None:
    data = (_msg(1) + _msg(2)).replace(b"\n", b"\r")
    listing = list_messages(data)
    assert [e.subject for e in listing.entries] == ["s1", "s2"]
    assert load_message(data, 2, "cr.mbox").subject == "s2"


def test_crlf_line_endings() -> None:
    data = (_msg(1) + _msg(2)).replace(b"\n", b"\r\n")
    assert [e.subject for e in list_messages(data).entries] == ["s1", "s2"]


def test_mboxrd_quoted_from_does_not_split() -> None:
    # mboxrd quoting: a body line "From " is written as ">From " (see "mbox" format notes,
    # https://www.loc.gov/preservation/digital/formats/fdd/fdd000383.shtml).
    data = _msg(1, b"hello\n>From the team\n>>From again\n") + _msg(2)
    listing = list_messages(data)
    assert len(listing.entries) == 2
    assert b">From the team" in load_message(data, 1, "rd.mbox").raw


def test_thousands_of_messages_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"".join(_msg(i) for i in range(3000))
    calls = 0
    real = mbox.parse_lines

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(mbox, "parse_lines", counting)
    listing = list_messages(data, limit=1000)
    assert len(listing.entries) == 1000 and listing.truncated
    assert calls == 1000  # bounded work: one header parse per listed message
    assert listing.entries[-1].subject == "s999"


def test_huge_header_block_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    huge = b"From a Wed\nSubject: big\nX-Pad: " + b"a" * (2 * 1024 * 1024) + b"\n\nbody\n"
    seen: list[int] = []
    real = mbox.decode_bytes

    def measuring(b: bytes) -> str:
        seen.append(len(b))
        return real(b)

    monkeypatch.setattr(mbox, "decode_bytes", measuring)
    listing = list_messages(huge + _msg(2))
    assert [e.subject for e in listing.entries] == ["big", "s2"]
    assert max(seen) <= mbox.LIST_HEADER_BYTES


def test_hostile_fields_are_escaped() -> None:
    data = b"From a Wed\nFrom: \x1b[31mred\xe2\x80\xae\nSubject: [bold]x[/bold]\n\nb\n"
    entry = list_messages(data).entries[0]
    assert "\x1b" not in entry.from_ and "\\x1b" in entry.from_
    assert "\u202e" not in entry.from_
    assert entry.subject == "[bold]x[/bold]"  # markup is left as text; views never interpret it


def test_only_from_lines() -> None:
    data = b"From a\n" * 20000
    listing = list_messages(data)
    assert len(listing.entries) == mbox.MAX_MESSAGES and listing.truncated
