"""Pilot tests: the paste box (p / P) and the ``--watch`` drop folder (w)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from mailtriage.checks.message.loader import MAX_PASTE, SampleError, load_text
from mailtriage.tui.cli import main
from mailtriage.tui.messages import FileDropped, SamplePasted
from mailtriage.tui.screens.drop_offer import DropOfferScreen
from mailtriage.tui.screens.intake import is_drop_candidate
from mailtriage.tui.screens.paste import PasteArea, PasteScreen
from textual import events
from textual.widgets import Label

from tests.tui_support import ROOT, TestApp, make_app, wait_for

# Headers as they come out of Outlook's "Internet headers" box into a chat: CRLF and LF
# mixed, the folding of Microsoft's tag lists and of a DKIM h= list lost, no body.
PASTED = (
    "Received: from mx.fabrikam.example (203.0.113.45) by\r\n"
    " mail.northwind.example with ESMTPS; Mon, 23 Nov 2026 09:00:05 +0000\n"
    "Authentication-Results: spf=fail (sender IP is 203.0.113.45)\r\n"
    " smtp.mailfrom=fabrikam.example; dkim=none; dmarc=fail action=quarantine\n"
    "X-Forefront-Antispam-Report: CIP:203.0.113.45;CTRY:US;LANG:en;SCL:5;\n"
    "SFV:SPM;H:mx.fabrikam.example;PTR:InfoNoRecords;CAT:SPM;\n"
    "DIR:INB;SFP:1102;\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; d=fabrikam.example; s=s1; h=From:To:\n"
    "Subject:Date; bh=abc=; b=def=\n"
    "From: Invoices <invoices@fabrikam.example>\r\n"
    "To: ap@northwind.example\n"
    "Subject: Invoice INV-77\r\n"
    "Date: Mon, 23 Nov 2026 09:00:00 +0000\n"
    "Message-ID: <inv-77@fabrikam.example>\n"
)


class RecordingApp(TestApp):
    """Keeps every ``SamplePasted`` that bubbles up to the app (as a ticket would)."""

    __test__ = False

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.pasted: list[SamplePasted] = []

    def on_sample_pasted(self, msg: SamplePasted) -> None:
        self.pasted.append(msg)


def empty_app(**kwargs: object) -> RecordingApp:
    base = make_app([], offline=True)
    return RecordingApp([], config=base.config, offline=True, **kwargs)  # type: ignore[arg-type]


def errors(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications if n.severity == "error"]


# ---- the paste box -----------------------------------------------------------------
async def test_one_bracketed_paste_becomes_sample_a_at_once() -> None:
    app = empty_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen
        await pilot.press("p")
        assert isinstance(app.screen, PasteScreen)
        app.post_message(events.Paste(PASTED))  # what the terminal's bracketed paste sends
        # SamplePasted bubbles to the app a message cycle after the sample is shown.
        await wait_for(pilot, lambda: dash.analyses[0] is not None and bool(app.pasted))
        assert app.screen is dash  # the box closed by itself: no confirm key needed
        sample = dash.analyses[0].sample
        assert sample.source == "pasted into A at 10:30 UTC"
        assert sample.message_id == "inv-77@fabrikam.example"
        assert not sample.has_body
        forefront = next(h for h in sample.headers if h.name == "X-Forefront-Antispam-Report")
        assert "DIR:INB" in forefront.value  # the lost folds were joined back, not new fields
        assert not any(h.name in ("SFV", "DIR", "Subject:Date") for h in sample.headers)
        assert [m.text for m in app.pasted] == [PASTED]
        assert app.pasted[0].slot == 0
        assert dash.analyses[1] is None
        assert "pasted into A" in str(dash.query_one("#title").render())


async def test_shift_p_pastes_into_b_with_a_body() -> None:
    app = empty_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen
        await pilot.press("P")
        assert isinstance(app.screen, PasteScreen) and app.screen.slot == 1
        app.post_message(events.Paste(PASTED + "\r\nHello,\nplease find the invoice.\n"))
        await wait_for(pilot, lambda: dash.analyses[1] is not None and bool(app.pasted))
        assert dash.analyses[0] is None
        sample = dash.analyses[1].sample
        assert sample.source.startswith("pasted into B at ")
        assert sample.has_body
        assert app.pasted[0].slot == 1


async def test_typed_text_is_used_with_ctrl_s_and_escape_cancels() -> None:
    app = empty_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen
        await pilot.press("p")
        await pilot.press("ctrl+s")  # empty: says so, stays open
        assert isinstance(app.screen, PasteScreen)
        assert "empty" in str(app.screen.query_one("#status", Label).render())
        await pilot.press("escape")
        assert app.screen is dash and dash.analyses[0] is None
        await pilot.press("p")
        app.screen.query_one(PasteArea).text = PASTED
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: dash.analyses[0] is not None)
        assert dash.analyses[0].sample.subject == "Invoice INV-77"


async def test_a_second_paste_adds_to_what_the_box_holds() -> None:
    app = empty_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        area = app.screen.query_one(PasteArea)
        area.text = "From: a@b.example\n"
        area.move_cursor(area.document.end)
        app.post_message(events.Paste("Subject: more\n"))
        await pilot.pause(0.1)
        assert isinstance(app.screen, PasteScreen)
        assert area.text == "From: a@b.example\nSubject: more\n"


async def test_huge_paste_is_one_line_error_not_a_hang() -> None:
    app = empty_app()
    huge = "X-Junk: " + "a" * (50 * 1024 * 1024)
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen
        await pilot.press("p")
        start = time.monotonic()
        app.post_message(events.Paste(huge))
        await wait_for(pilot, lambda: bool(errors(app)))
        assert time.monotonic() - start < 3
        (error,) = errors(app)
        assert "\n" not in error and "too large to paste" in error
        assert app.screen is dash and dash.analyses[0] is None and not app.pasted


async def test_binary_junk_paste_is_one_line_error() -> None:
    app = empty_app()
    junk = "".join(chr(c % 32) for c in range(4000)) + "\x00\x01\x02" * 500
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen
        await pilot.press("p")
        app.post_message(events.Paste(junk))
        await wait_for(pilot, lambda: bool(errors(app)))
        (error,) = errors(app)
        assert "\n" not in error and "not an email message" in error
        assert dash.analyses[0] is None and not app.pasted


async def test_load_pasted_is_callable_and_a_later_load_wins(tmp_path: Path) -> None:
    app = empty_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen
        dash.load_pasted(1, PASTED)
        await wait_for(pilot, lambda: dash.analyses[1] is not None)
        assert dash.analyses[1].sample.source == "pasted into B at 10:30 UTC"
        # A paste superseded by a newer load of the slot is dropped on arrival.
        eml = ROOT / "tui" / "demo" / "blocked.eml"
        dash.load_pasted(0, PASTED)
        dash.load(0, str(eml))
        await wait_for(pilot, lambda: dash.analyses[0] is not None)
        await pilot.pause(0.3)
        assert dash.analyses[0].sample.source == str(eml)
        assert [m.slot for m in app.pasted] == [1]


def test_load_text_uses_the_file_loader_and_refuses_a_huge_paste() -> None:
    sample = load_text(PASTED, "pasted into A at 10:30 UTC")
    assert sample.source == "pasted into A at 10:30 UTC"
    assert sample.subject == "Invoice INV-77"
    with pytest.raises(SampleError, match="too large to paste"):
        load_text("From: a@b.example\n" + "x" * MAX_PASTE, "pasted into A at 10:30 UTC")
    with pytest.raises(SampleError, match="not an email"):
        load_text("hello there", "pasted into B at 10:31 UTC")


def _as_terminal_sends(text: str) -> str:
    """A paste as xterm and tmux deliver it: every LF sent as CR (so CRLF becomes CR CR)."""
    return text.replace("\n", "\r")


BODY = "\r\nHello,\nFrom: the forwarded part starts like a header\n"


@pytest.mark.parametrize(
    "text",
    [
        PASTED,
        PASTED.replace("\r\n", "\n"),
        PASTED.replace("\r\n", "\n").replace("\n", "\r\n"),
        PASTED + BODY,
        (PASTED + BODY).replace("\r\n", "\n"),
        (PASTED + BODY).replace("\r\n", "\n").replace("\n", "\r\n"),
        "".join("    " + line for line in PASTED.splitlines(keepends=True)),  # copied indented
        "\n \n" + PASTED,  # a chat client's leading blank lines
    ],
    ids=["mixed", "lf", "crlf", "mixed-body", "lf-body", "crlf-body", "indented", "blank-first"],
)
def test_paste_through_a_terminal_keeps_the_header_block(text: str) -> None:
    for pasted in (text, _as_terminal_sends(text)):
        sample = load_text(pasted, "pasted into A at 10:30 UTC")
        assert sample.subject == "Invoice INV-77", repr(pasted[:80])
        assert sample.message_id == "inv-77@fabrikam.example"
        assert sample.has_body is ("Hello" in text)
        assert len(sample.headers) == 9  # lost folds joined, the body's "From:" not a header


async def test_tmux_style_paste_loads_every_header() -> None:
    app = empty_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen
        await pilot.press("p")
        app.post_message(events.Paste(_as_terminal_sends(PASTED)))
        await wait_for(pilot, lambda: dash.analyses[0] is not None)
        assert dash.analyses[0].sample.subject == "Invoice INV-77"


# ---- the drop folder ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "offered"),
    [
        ("forwarded.eml", True),
        ("Undeliverable Invoice.msg", True),
        ("bounce.txt", True),
        ("noextension", True),
        (".hidden.eml", False),
        (".forwarded.eml.swp", False),
        ("~$forwarded.msg", False),
        ("forwarded.eml~", False),
        ("forwarded.eml.part", False),
        ("forwarded.eml.crdownload", False),
        ("forwarded.eml.tmp", False),
    ],
)
def test_drop_candidates(name: str, offered: bool) -> None:
    assert is_drop_candidate(name) is offered


def watching_app(folder: Path) -> RecordingApp:
    app = empty_app()
    app.watch_dir = str(folder)
    return app


async def _watcher_started(pilot, app) -> None:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: any(w.group == "drop-folder" for w in app.screen.workers))
    await pilot.pause(0.4)  # the watch thread is set up


async def test_new_file_is_offered_and_loaded_as_b(tmp_path: Path) -> None:
    (tmp_path / "already-there.eml").write_text(PASTED)  # present at start: not offered
    app = watching_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen
        await _watcher_started(pilot, app)
        (tmp_path / ".hidden.eml").write_text(PASTED)
        (tmp_path / "~$lock.msg").write_text(PASTED)
        partial = tmp_path / "forwarded.eml.part"
        partial.write_text(PASTED)
        partial.rename(tmp_path / "forwarded.eml")  # moved in when complete
        target = str(tmp_path / "forwarded.eml")
        await wait_for(pilot, lambda: dash.dropped == [target], timeout=10)
        assert any("press w" in n.message for n in app._notifications)
        await pilot.pause(1.5)
        assert dash.dropped == [target]  # the skipped names were never offered
        await pilot.press("w")
        assert isinstance(app.screen, DropOfferScreen)
        await pilot.press("b")
        await wait_for(pilot, lambda: dash.analyses[1] is not None)
        assert dash.analyses[1].sample.source == target
        assert dash.dropped == [] and dash.analyses[0] is None


async def test_file_still_growing_is_offered_once_it_is_complete(tmp_path: Path) -> None:
    app = watching_app(tmp_path)
    path = tmp_path / "bounce.eml"
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen
        await _watcher_started(pilot, app)
        with path.open("w") as f:
            for line in PASTED.splitlines(keepends=True):
                f.write(line)
                f.flush()
                await pilot.pause(0.3)  # slower than the watcher's tick, quicker than "stable"
                assert dash.dropped == []
        await wait_for(pilot, lambda: dash.dropped == [str(path)], timeout=10)
        await pilot.press("w", "a")
        await wait_for(pilot, lambda: dash.analyses[0] is not None)
        assert dash.analyses[0].sample.message_id == "inv-77@fabrikam.example"


async def test_ignore_and_later() -> None:
    app = empty_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen
        await pilot.press("w")  # nothing offered, no folder: one line saying how to get one
        assert any("--watch" in n.message for n in app._notifications)
        for name in ("one.eml", "two.eml"):
            dash.post_message(FileDropped(f"/nowhere/{name}"))
        await pilot.pause(0.1)
        await pilot.press("w")
        assert isinstance(app.screen, DropOfferScreen) and app.screen.path == "/nowhere/two.eml"
        await pilot.press("escape")  # later: still offered
        assert dash.dropped == ["/nowhere/one.eml", "/nowhere/two.eml"]
        await pilot.press("w", "i")
        assert dash.dropped == ["/nowhere/one.eml"]
        assert dash.analyses == [None, None]


async def test_app_exits_promptly_while_watching(tmp_path: Path) -> None:
    app = watching_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _watcher_started(pilot, app)
        start = time.monotonic()
        await pilot.press("q")
    assert time.monotonic() - start < 2
    assert app.return_code in (None, 0)


async def test_watch_worker_stops_when_cancelled(tmp_path: Path) -> None:
    app = watching_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen
        await _watcher_started(pilot, app)
        (worker,) = [w for w in dash.workers if w.group == "drop-folder"]
        worker.cancel()
        await wait_for(pilot, lambda: worker.is_finished, timeout=2)
        (tmp_path / "late.eml").write_text(PASTED)
        await asyncio.sleep(1.6)
        assert dash.dropped == []


async def test_removed_folder_is_one_line_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    app = watching_app(folder)
    folder.rmdir()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: bool(errors(app)), timeout=5)
        (error,) = errors(app)
        assert "stopped watching" in error and "\n" not in error
        assert app.is_running


@pytest.mark.parametrize(
    ("make", "why"), [(lambda p: p / "missing", "no such folder"), (lambda p: p, "not a folder")]
)
def test_cli_watch_needs_a_folder(tmp_path: Path, capsys, make, why) -> None:  # type: ignore[no-untyped-def]
    target = make(tmp_path)
    if why == "not a folder":
        target = tmp_path / "file.eml"
        target.write_text(PASTED)
    assert main(["--watch", str(target), "--offline"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and why in err and err.startswith("mailtriage: error: --watch")
    assert os.path.exists(tmp_path)


async def test_palette_lists_and_runs_the_paste_and_drop_actions() -> None:
    from mailtriage.tui.commands import ActionCommands

    app = empty_app()
    async with app.run_test(size=(80, 24)) as pilot:
        entries = {title: (node, action) for title, _, node, action in
                   ActionCommands(app.screen)._entries()}  # fmt: skip
        for title in (
            "Paste headers as the blocked sample (A)",
            "Paste headers as the delivered sample (B)",
            "Load the newest file from the drop folder (--watch) as A or B",
        ):
            assert title in entries
        node, action = entries["Paste headers as the delivered sample (B)"]
        await node.run_action(action)
        await pilot.pause(0.05)
        assert isinstance(app.screen, PasteScreen) and app.screen.slot == 1
        modal = {title for title, *_ in ActionCommands(app.screen)._entries()}
        assert "Use the text in the paste box as the sample" in modal
