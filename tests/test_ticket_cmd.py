"""``mailtriage tickets`` and ``mailtriage ticket export``: the ticket store from scripts."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from mailtriage.checks.ticket.model import Affected, Tick
from mailtriage.tui.cli import main
from mailtriage.tui.tickets import open_store, with_sample

from tests.tui_support import FIXED_NOW

PAIR = Path(__file__).resolve().parent / "fixtures" / "pairs" / "01-esp-dkim-unaligned-dmarc-fail"


def _saved(ticket_id: str = "T-1", **kw: object) -> None:
    store = open_store()
    t, _ = store.open(ticket_id)
    t = with_sample(t, 0, FIXED_NOW, path=str(PAIR / "a.eml"))
    t = with_sample(t, 1, FIXED_NOW, path=str(PAIR / "b.eml"))
    store.save(replace(t, **kw))  # type: ignore[arg-type]


def test_tickets_lists_nothing_then_each_ticket(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tickets"]) == 0
    assert "No tickets yet" in capsys.readouterr().err
    _saved("T-1", state="escalated", affected=Affected(customer="Contoso"))
    _saved("INC7", kind="delay")
    assert main(["tickets", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["id"] for r in rows} == {"T-1", "INC7"}
    one = next(r for r in rows if r["id"] == "T-1")
    assert one["state"] == "escalated" and one["customer"] == "Contoso" and one["error"] == ""
    assert set(one) == {"id", "path", "changed", "state", "kind", "layer", "customer", "error"}
    assert main(["tickets"]) == 0
    out = capsys.readouterr().out
    assert "T-1" in out and "escalated" in out and "INC7" in out


def test_an_unreadable_ticket_is_listed_with_its_error(capsys: pytest.CaptureFixture[str]) -> None:
    _saved("T-1")
    open_store().path("T-2").write_text("format = 99\n")
    assert main(["tickets"]) == 1
    out = capsys.readouterr().out
    assert "T-2" in out and "unreadable" in out


@pytest.mark.parametrize("fmt", ["md", "txt"])
def test_export_notes_carry_the_ticket_fields(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    _saved(
        fix="asked the sender to sign with their own domain",
        verification="resent 10:40, delivered",
        verified_ok=True,
        ticks=(Tick("triage-ids", FIXED_NOW),),
    )
    assert main(["ticket", "export", "T-1", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "asked the sender to sign with their own domain" in out
    assert "resent 10:40, delivered" in out
    assert "authentication" in out
    assert out.startswith("# ") == (fmt == "md")


def test_export_json_is_the_whole_ticket(capsys: pytest.CaptureFixture[str]) -> None:
    _saved(notes="line one\nline \u202e two")
    assert main(["ticket", "export", "T-1", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out  # written as a JSON escape
    data = json.loads(out)
    assert data["id"] == "T-1" and data["notes"] == "line one\nline \u202e two"
    assert [s["slot"] for s in data["samples"]] == ["A", "B"]


def test_export_of_a_missing_or_bad_ticket_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ticket", "export", "NOPE"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["ticket", "export", "../etc/passwd"]) == 2
    assert "bad ticket id" in capsys.readouterr().err


def test_export_flags_a_sample_that_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "a.eml"
    copy.write_bytes((PAIR / "a.eml").read_bytes())
    store = open_store()
    t, _ = store.open("T-9")
    store.save(with_sample(t, 0, FIXED_NOW, path=str(copy)))
    copy.write_bytes(copy.read_bytes() + b"\n")
    assert main(["ticket", "export", "T-9", "--format", "txt"]) == 0
    assert "changed on disk" in capsys.readouterr().err


def test_dashboard_refuses_a_newer_ticket(capsys: pytest.CaptureFixture[str]) -> None:
    path = open_store().path("T-1")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('format = 99\nid = "T-1"\n')
    assert main(["--ticket", "T-1", "--offline"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "newer mailtriage" in err
    assert path.read_text() == 'format = 99\nid = "T-1"\n'


def test_dashboard_refuses_a_bad_ticket_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--ticket", "a/b"]) == 2
    assert "bad ticket id" in capsys.readouterr().err
