"""Shape of the held-out blocked/delivered pairs in tests/fixtures/pairs-heldout.

Every pair folder holds ``a.eml`` (the blocked, quarantined, junked, missing or bounced copy),
``b.eml`` (a delivered copy from the same sender) and ``case.toml``. The case names the
expected layer and the evidence: each evidence string must be an exact substring of one
physical header line of ``a.eml`` or ``b.eml`` (top-level header, a MIME part header, the
header of a returned message or the fields of a delivery-status report).

This test reads the fixtures as plain text with the standard library only; it does not import
the engine (``checks/``), so the held-out set stays independent of what it measures. The
documents each pair was written from are named, with URLs, in its ``case.toml`` ``source``.
"""

from __future__ import annotations

import re
import tomllib
from email.parser import HeaderParser
from pathlib import Path

import pytest

HELDOUT = Path(__file__).parent / "fixtures" / "pairs-heldout"

LAYERS = frozenset(
    {
        "authentication",
        "policy",
        "verdict",
        "routing/connector",
        "quarantine/release",
        "downstream/mailbox",
        "none",
    }
)

# Content types whose body is itself a header block (or a run of header blocks).
_EMBEDDED_MESSAGE = frozenset({"message/rfc822", "message/global", "text/rfc822-headers"})
_FIELD_BLOCKS = frozenset({"message/delivery-status", "message/global-delivery-status"})

PAIR_DIRS = sorted(p for p in HELDOUT.iterdir() if p.is_dir()) if HELDOUT.is_dir() else []


def _split_head(text: str) -> tuple[list[str], str]:
    """Split a message or part into its header lines and the body after the blank line."""
    head, sep, body = text.partition("\n\n")
    if not sep:
        return head.split("\n"), ""
    return head.split("\n"), body


def header_lines(text: str) -> list[str]:
    """Return every physical header line of a message, its parts and any message it returns.

    Args:
        text: The message with LF line ends.

    Returns:
        The physical lines (folded continuations kept as their own lines) of the top-level
        header, of each MIME part header, of embedded messages and of delivery-status fields.
    """
    lines, body = _split_head(text)
    found = list(lines)
    parsed = HeaderParser().parsestr("\n".join(lines) + "\n\n")
    ctype = parsed.get_content_type()
    if ctype.startswith("multipart/"):
        boundary = parsed.get_param("boundary")
        assert isinstance(boundary, str), "multipart without a boundary"
        delimiter = re.compile(rf"^--{re.escape(boundary)}(--)?[ \t]*$", re.MULTILINE)
        pieces = delimiter.split(body)
        # split() with one group yields: preamble, marker, part, marker, part, ..., epilogue.
        for index in range(2, len(pieces), 2):
            part = pieces[index].removeprefix("\n")
            if pieces[index - 1] == "--":
                break  # the epilogue after the closing delimiter
            found.extend(header_lines(part))
    elif ctype in _EMBEDDED_MESSAGE:
        found.extend(header_lines(body))
    elif ctype in _FIELD_BLOCKS:
        found.extend(line for line in body.split("\n") if line.strip())
    return found


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n")


def test_heldout_set_is_present() -> None:
    assert (HELDOUT / "README.md").is_file()
    assert len(PAIR_DIRS) == 12


@pytest.mark.parametrize("pair", PAIR_DIRS, ids=lambda p: p.name)
def test_pair_files_and_case(pair: Path) -> None:
    assert re.fullmatch(r"\d\d-[a-z0-9-]+", pair.name)
    for name in ("a.eml", "b.eml", "case.toml"):
        assert (pair / name).is_file(), f"{pair.name}: {name} missing"
    case = tomllib.loads((pair / "case.toml").read_text(encoding="utf-8"))
    assert isinstance(case.get("title"), str) and case["title"].strip()
    assert case.get("expected_layer") in LAYERS
    assert isinstance(case.get("why"), str) and case["why"].strip()
    evidence = case.get("evidence")
    assert isinstance(evidence, list) and evidence
    assert all(isinstance(item, str) and item.strip() for item in evidence)
    source = case.get("source")
    assert isinstance(source, list) and source
    assert all(isinstance(item, str) and "https://" in item for item in source)


@pytest.mark.parametrize("pair", PAIR_DIRS, ids=lambda p: p.name)
def test_evidence_is_on_a_header_line(pair: Path) -> None:
    case = tomllib.loads((pair / "case.toml").read_text(encoding="utf-8"))
    lines = header_lines(_read(pair / "a.eml")) + header_lines(_read(pair / "b.eml"))
    missing = [item for item in case["evidence"] if not any(item in line for line in lines)]
    assert not missing, f"{pair.name}: not on any header line: {missing}"


@pytest.mark.parametrize("pair", PAIR_DIRS, ids=lambda p: p.name)
def test_pair_names_are_documentation_values(pair: Path) -> None:
    # Addresses the way headers carry them ([ip], (ip), CIP:ip, client-ip=ip, "sender IP is
    # ip") come only from the documentation ranges of RFC 5737 (or are loopback, as in a
    # gateway's own filter hop), so no real address slips in.
    allowed = ("192.0.2.", "198.51.100.", "203.0.113.", "127.0.0.1")
    carried = re.compile(r"(?:\[|\(|CIP:|client-ip=|IP is )(\d{1,3}(?:\.\d{1,3}){3})(?=[\]);\s,])")
    for name in ("a.eml", "b.eml"):
        text = _read(pair / name)
        for address in carried.findall(text):
            assert address.startswith(allowed), f"{pair.name}/{name}: {address}"


def test_header_lines_sees_parts_and_returned_headers() -> None:
    text = (
        "From: a@example.com\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n'
        "\n"
        "--B\n"
        "Content-Type: text/plain\n"
        "\n"
        "Not-A-Header: body text\n"
        "--B\n"
        "Content-Type: message/delivery-status\n"
        "\n"
        "Reporting-MTA: dns; mx.example.com\n"
        "\n"
        "Status: 5.7.1\n"
        "--B\n"
        "Content-Type: text/rfc822-headers\n"
        "\n"
        "Subject: returned\n"
        "--B--\n"
    )
    lines = header_lines(text)
    assert "Status: 5.7.1" in lines
    assert "Subject: returned" in lines
    assert "Reporting-MTA: dns; mx.example.com" in lines
    assert "Not-A-Header: body text" not in lines
