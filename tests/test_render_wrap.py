"""The panes' wrap function: lines break at token boundaries, never inside a label."""

from __future__ import annotations

import pytest
from mailtriage.widgets._render import BREAK_AFTER, grid, wrap


def test_spaces_first_and_a_token_that_fits_moves_whole() -> None:
    assert wrap("received by mx0b-00123401.pphosted.com today", 30) == [
        "received by",
        "mx0b-00123401.pphosted.com",
        "today",
    ]


def test_long_host_breaks_after_a_dot() -> None:
    lines = wrap("bc1._domainkey.billingcloud.example: not run (offline)", 30)
    assert lines == ["bc1._domainkey.billingcloud.", "example: not run (offline)"]


def test_address_breaks_after_at_or_dot() -> None:
    lines = wrap("invoices-and-statements@billing.fabrikam.example", 26)
    assert lines == ["invoices-and-statements@", "billing.fabrikam.example"]


def assert_token_breaks(text: str, lines: list[str], width: int) -> None:
    """Lines rebuild the text; each break is at a space, after a break character or a
    hyphen, or (for a run with neither) a full line."""
    assert all(len(line) <= width for line in lines)
    joined, pos = " ".join(text.split()), 0
    for i, line in enumerate(lines):
        assert joined.startswith(line, pos), (line, joined[pos:])
        pos += len(line)
        if i == len(lines) - 1:
            break
        if joined[pos] == " ":
            pos += 1
            continue
        assert line[-1] in BREAK_AFTER + "-" or len(line) == width, line
    assert pos == len(joined)


def test_spf_terms_break_after_colon_and_dot_never_mid_label() -> None:
    record = "v=spf1 include:spf.protection.outlook.com ip4:203.0.113.0/24 -all"
    lines = wrap(record, 20, 10)
    assert_token_breaks(record, lines, 20)
    assert "ip4:203.0.113.0/24" in lines


@pytest.mark.parametrize("width", [8, 12, 17, 25, 40])
def test_every_break_is_at_a_space_or_after_a_break_character(width: int) -> None:
    text = (
        "A: 554 5.7.1 <ap@northwind.example>: Recipient address rejected; "
        "see https://aka.ms/x?a=b mx0b-00123401.pphosted.com"
    )
    assert_token_breaks(text, wrap(text, width, 50), width)


def test_unbreakable_token_is_cut_only_as_a_last_resort() -> None:
    assert wrap("SA1PR12MB6789C3F0A2B94D71E5C8@x.example", 12, 10) == [
        "SA1PR12MB678",
        "9C3F0A2B94D7",
        "1E5C8@x.",
        "example",
    ]


def test_hyphen_is_used_before_a_hard_cut() -> None:
    assert wrap("mx0b-00123401-longlabel.example", 16) == [
        "mx0b-00123401-",
        "longlabel.",
        "example",
    ]


def test_max_lines_and_empty() -> None:
    assert wrap("", 10) == [""]
    assert wrap("one two three four five six", 5, 2) == ["one", "two…"]
    assert wrap("abc", 0) == ["a", "b", "c"]


def test_grid_cells_wrap_at_token_boundaries() -> None:
    rows = [(("From", ""), [("invoices@fabrikam.example", ""), ("x", "")])]
    lines = [line.plain for line in grid(rows, 40, label_width=10)]
    cells = [line[11:24].strip() for line in lines]
    assert cells == ["invoices@", "fabrikam.", "example"]
