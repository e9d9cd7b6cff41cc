"""``mailtriage serve``: the safe default bind, the refusal, the served session's confinement
to its ticket's folder, and two sessions sharing one ticket (merge, refusal, live reload)."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import logging
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from mailtriage.checks.ticket.merge import Refused
from mailtriage.checks.ticket.model import Tick
from mailtriage.checks.ticket.store import sample_changed
from mailtriage.tui import cli, serve_cmd
from mailtriage.tui.screens.full_text import FullTextScreen
from mailtriage.tui.tickets import inside, load_samples, open_store
from textual.widgets import Input

from tests.browser_support import free_port
from tests.tui_support import TestApp, wait_for

ROOT = Path(__file__).resolve().parents[1]
PAIR = ROOT / "tests" / "fixtures" / "pairs" / "01-esp-dkim-unaligned-dmarc-fail"


class FakeServer:
    """Stands in for textual_serve's Server: records how it was built, serves nothing."""

    made: list[FakeServer] = []

    def __init__(self, command: str, host: str, port: int, **kw: Any) -> None:
        self.command, self.host, self.port, self.kw = command, host, port, kw
        FakeServer.made.append(self)

    def serve(self) -> None:
        return None


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> list[FakeServer]:
    FakeServer.made = []
    monkeypatch.setattr(serve_cmd, "_make_server", FakeServer)
    monkeypatch.setattr(serve_cmd, "check_port", lambda host, port: "")
    return FakeServer.made


def test_default_bind_is_loopback_and_prints_the_ssh_forward(
    fake_server: list[FakeServer], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", "--ticket", "T-9"]) == 0
    (server,) = fake_server
    assert server.host == "127.0.0.1" and server.port == serve_cmd.DEFAULT_PORT
    out = capsys.readouterr().out
    assert serve_cmd.ssh_forward(serve_cmd.DEFAULT_PORT) in out
    assert f"ssh -N -L 8000:127.0.0.1:8000 {getpass.getuser()}@" in out
    cmd = shlex.split(server.command)
    assert cmd[1:] == ["-m", "mailtriage.tui.launch", "--ticket", "T-9", "--served"]


def test_ssh_forward_names_user_and_host() -> None:
    assert serve_cmd.ssh_forward(8123, "ann", "jump.example") == (
        "ssh -N -L 8123:127.0.0.1:8123 ann@jump.example"
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "example.org"])
def test_other_address_refused_without_allow_remote(
    host: str, fake_server: list[FakeServer], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", "--ticket", "T-9", "--host", host]) == 2
    err = capsys.readouterr().err.strip()
    assert fake_server == [] and "\n" not in err and "--allow-remote" in err


def test_allow_remote_warns_about_customer_data(
    fake_server: list[FakeServer], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", "--ticket", "T-9", "--host", "0.0.0.0", "--allow-remote"]) == 0
    assert fake_server[0].host == "0.0.0.0"
    err = capsys.readouterr().err
    assert "customer data" in err and "read and change" in err


@pytest.mark.parametrize(
    "argv",
    [[], ["--ticket", "T-1", "a", "b", "c"], ["--ticket", "T-1", "--port", "0"], ["-"]],
)
def test_usage_errors(argv: list[str], fake_server: list[FakeServer]) -> None:
    assert cli.main(["serve", *argv]) == 2
    assert fake_server == []


def test_samples_are_copied_into_the_tickets_folder(
    fake_server: list[FakeServer], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", str(PAIR / "a.eml"), str(PAIR / "b.eml")]) == 0
    out = capsys.readouterr().out
    ticket_id = out.split("Serving ticket ", 1)[1].split()[0]
    store = open_store()
    ticket = store.load(ticket_id)
    folder = store.folder(ticket_id)
    assert [s.path for s in ticket.samples] == [str(folder / "a.eml"), str(folder / "b.eml")]
    assert (folder / "a.eml").read_bytes() == (PAIR / "a.eml").read_bytes()
    assert f"--ticket {ticket_id} --served" in fake_server[0].command


def test_demo_serves_one_ticket_with_the_demo_samples_and_trace(
    fake_server: list[FakeServer], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", "--demo", "--ticket", "D-1"]) == 0
    folder = open_store().folder("D-1")
    samples, warnings = load_samples(open_store().load("D-1"))
    assert all(samples) and warnings == []
    cmd = shlex.split(fake_server[0].command)
    assert "--demo" in cmd and cmd[cmd.index("--trace") + 1] == str(folder / "trace.csv")


# -- the served session opens files only from the ticket's folder -------------------


def test_inside_resolves_dotdot_and_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "ticket"
    root.mkdir()
    (root / "a.eml").write_text("x")
    (tmp_path / "secret.eml").write_text("x")
    os.symlink(tmp_path / "secret.eml", root / "link.eml")
    os.symlink(tmp_path, root / "up")
    assert inside(str(root), "a.eml") == str(root / "a.eml")
    assert inside(str(root), str(root / "a.eml")) == str(root / "a.eml")
    assert inside(str(root), "box.mbox#2") == str(root / "box.mbox") + "#2"
    for escape in ("../secret.eml", str(tmp_path / "secret.eml"), "link.eml", "up/secret.eml",
                   "/etc/passwd", "a.eml/../../secret.eml"):  # fmt: skip
        assert inside(str(root), escape) is None, escape


def test_served_cli_keeps_watch_and_trace_inside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_store().open("S-1")
    assert cli.main(["--ticket", "S-1", "--served", "--watch", str(tmp_path)]) == 2
    assert "own folder" in capsys.readouterr().err
    assert cli.main(["--ticket", "S-1", "--served", "--trace", "/etc/passwd"]) == 2
    assert cli.main(["--served"]) == 2


def _served_app(ticket_id: str = "S-2") -> tuple[TestApp, Path]:
    store = open_store()
    store.open(ticket_id)
    base = store.read(ticket_id)
    folder = store.folder(ticket_id)
    folder.mkdir(parents=True, exist_ok=True)
    app = TestApp([], offline=True, ticket=base.ticket, store=store)
    app.ticket_base = base
    app.served_root = str(folder)
    return app, folder


async def test_served_open_sample_refuses_paths_outside(tmp_path: Path) -> None:
    app, folder = _served_app()
    (folder / "a.eml").write_bytes((PAIR / "a.eml").read_bytes())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen_stack[0]
        for typed in (str(PAIR / "a.eml"), "../../../etc/passwd"):
            await pilot.press("a")
            await wait_for(pilot, lambda: app.screen.__class__.__name__ == "OpenSampleScreen")
            assert str(folder) in app.screen.query_one(Input).placeholder
            await pilot.press(*typed, "enter")
            await pilot.pause()
            assert screen.analyses[0] is None
            assert any("ticket's folder" in str(n.message) for n in app._notifications)
        await pilot.press("a")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "OpenSampleScreen")
        await pilot.press(*"a.eml", "enter")
        await wait_for(pilot, lambda: screen.analyses[0] is not None)
        assert screen.analyses[0].sample.source == str(folder / "a.eml")
        assert screen._notes_dir() == folder  # exports are saved with the ticket


# -- two sessions on one ticket -------------------------------------------------------


async def test_another_sessions_save_shows_live_and_a_clash_is_refused() -> None:
    app, _ = _served_app("S-3")
    store = open_store()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen_stack[0]
        other = store.read("S-3")
        now = app.now()
        store.save_merged(other, replace(other.ticket, ticks=(Tick("triage-basics", now),),
                                         fix="from the other session"))  # fmt: skip
        await wait_for(pilot, lambda: "triage-basics" in screen.ticked, timeout=10)
        assert app.ticket is not None and app.ticket.fix == "from the other session"

        # Both change the notes: the one saved first stays, ours is refused and kept.
        other = store.read("S-3")
        store.save_merged(other, replace(other.ticket, notes="theirs"))
        app.change_ticket(replace(app.ticket, notes="mine", symptom="550 5.7.1"))
        await wait_for(pilot, lambda: bool(app.refused), timeout=10)
        saved = store.load("S-3")
        assert saved.notes == "theirs" and saved.symptom == "550 5.7.1"
        assert saved.fix == "from the other session" and saved.ticked == {"triage-basics"}
        assert app.ticket.notes == "theirs"
        assert app.refused[-1].field == "notes" and app.refused[-1].mine == "mine"
        assert any("mine" in str(n.message) for n in app._notifications)
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, FullTextScreen))


async def test_refused_edits_when_none() -> None:
    app, _ = _served_app("S-4")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert not isinstance(app.screen, FullTextScreen)
        assert any("No edit was refused" in str(n.message) for n in app._notifications)


async def test_open_ticket_form_takes_the_other_sessions_field() -> None:
    app, _ = _served_app("S-5")
    store = open_store()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "TicketScreen")
        other = store.read("S-5")
        store.save_merged(other, replace(other.ticket, fix="sender safe entry"))
        await wait_for(pilot, lambda: app.screen.query_one("#fix", Input).value != "", timeout=10)
        assert app.screen.query_one("#fix", Input).value == "sender safe entry"


async def test_a_sample_added_in_another_session_loads_here() -> None:
    from mailtriage.tui.tickets import with_sample

    app, folder = _served_app("S-6")
    (folder / "b.eml").write_bytes((PAIR / "b.eml").read_bytes())
    store = open_store()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen_stack[0]
        other = store.read("S-6")
        added = with_sample(other.ticket, 1, app.now(), path=str(folder / "b.eml"))
        store.save_merged(other, added)
        await wait_for(pilot, lambda: screen.analyses[1] is not None, timeout=10)
        assert screen.analyses[1].sample.source == str(folder / "b.eml")
        # a path outside the folder, written by someone else, is not read here
        other = store.read("S-6")
        outside = with_sample(other.ticket, 0, app.now(), path=str(PAIR / "a.eml"))
        store.save_merged(other, outside)
        await wait_for(pilot, lambda: app.ticket.sample("A") is not None, timeout=10)
        await pilot.pause(0.3)
        assert screen.analyses[0] is None


def test_served_page_loads_no_remote_font(tmp_path: Path) -> None:
    """textual-serve's stock page fetches a web font from Google; ours asks no other site."""
    import textual_serve

    stock = (Path(textual_serve.__file__).parent / "templates" / "app_index.html").read_text()
    assert "fonts.googleapis.com" in stock  # what is removed (fails if upstream drops it)
    out = serve_cmd.local_templates(tmp_path / "t")
    page = (out / "app_index.html").read_text()
    assert "googleapis" not in page and "https://" not in page
    assert "{{ config.static.url }}js/textual.js" in page  # the rest is the stock page
    assert len(stock) - len(page) < 200


def test_served_server_uses_the_local_templates(
    fake_server: list[FakeServer], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", "--demo", "--port", "8765"]) == 0
    (made,) = fake_server
    assert made.kw["templates_path"].name == "templates"


# -- issue 12: what a new user found ----------------------------------------------------


def test_samples_with_the_same_name_stay_two_files(
    tmp_path: Path, fake_server: list[FakeServer], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "blocked").mkdir()
    (tmp_path / "delivered").mkdir()
    (tmp_path / "later").mkdir()
    a, b, c = (tmp_path / d / "msg.eml" for d in ("blocked", "delivered", "later"))
    a.write_bytes((PAIR / "a.eml").read_bytes())
    b.write_bytes((PAIR / "b.eml").read_bytes())
    c.write_bytes(b"Subject: a third one\r\n\r\nbody\r\n")
    assert cli.main(["serve", str(a), str(b), "--ticket", "T-10"]) == 0
    store = open_store()
    folder = store.folder("T-10")
    first = store.load("T-10")
    paths = [Path(s.path) for s in first.samples]
    assert paths[0] != paths[1]
    assert paths[0].read_bytes() == a.read_bytes() and paths[1].read_bytes() == b.read_bytes()
    load_samples(first)  # the recorded sha256 still matches each file
    assert [sample_changed(s) for s in first.samples] == ["", ""]
    # serving again with the same files reuses the copies; another msg.eml gets a new name
    assert cli.main(["serve", str(a), str(b), "--ticket", "T-10"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["msg-2.eml", "msg.eml"]
    capsys.readouterr()
    assert cli.main(["serve", str(c), "--ticket", "T-10"]) == 0
    assert paths[0].read_bytes() == a.read_bytes()  # the earlier sample is untouched
    said = capsys.readouterr().out
    assert f"Sample A of ticket T-10 is now {folder / 'msg-3.eml'}" in said
    assert f"was {paths[0]}; that file is kept" in said
    assert (folder / "msg-3.eml").read_bytes() == c.read_bytes()
    assert store.load("T-10").sample("A").path == str(folder / "msg-3.eml")


def test_port_in_use_is_one_line_before_anything_is_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    FakeServer.made = []
    monkeypatch.setattr(serve_cmd, "_make_server", FakeServer)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.main(["serve", "--ticket", "T-11", "--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and FakeServer.made == []
    assert err.count("\n") == 1 and f"127.0.0.1:{port}" in err and "in use" in err


def test_ipv6_loopback_prints_its_own_forward_and_url(
    fake_server: list[FakeServer], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", "--ticket", "T-12", "--host", "::1", "--port", "8760"]) == 0
    out = capsys.readouterr().out
    assert "127.0.0.1" not in out
    assert "ssh -N -L 8760:[::1]:8760 " in out and "opens     http://[::1]:8760" in out
    assert fake_server[0].host == "::1"


def test_ssh_target_names_what_a_colleague_reaches(
    fake_server: list[FakeServer], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["serve", "--ticket", "T-13", "--ssh-target", "ann@triage01.example.net"]
    assert cli.main(argv) == 0
    assert "ssh -N -L 8000:127.0.0.1:8000 ann@triage01.example.net\n" in capsys.readouterr().out
    assert cli.main(["serve", "--ticket", "T-13", "--ssh-target", "no at sign"]) == 2


def test_access_log_is_silent_errors_kept() -> None:
    server = serve_cmd._make_server("true", host="127.0.0.1", port=1)
    server.initialize_logging()
    assert not logging.getLogger("aiohttp.access").isEnabledFor(logging.INFO)
    assert logging.getLogger("aiohttp.server").isEnabledFor(logging.ERROR)


def _children(pid: int) -> set[int]:
    """Every descendant process of ``pid`` (from /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError):
                for child in (task / "children").read_text().split():
                    found.add(int(child))
                    todo.append(int(child))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_stopping_ends_every_session_quietly(tmp_path: Path, sig: signal.Signals) -> None:
    """A browser page open, then Ctrl+C / kill / the SSH session dropping: the server and
    every session process end within seconds, with one line and no traceback."""
    import aiohttp

    port = free_port()
    env = dict(os.environ, MAILTRIAGE_DATA=str(tmp_path / "data"),
               MAILTRIAGE_CONFIG=str(tmp_path / "config.toml"))  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "mailtriage.tui.cli", "serve", "--ticket", "T-14", "--offline",
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    sessions: set[int] = set()

    async def page() -> None:
        end = time.monotonic() + 30
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    ws = await http.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24")
                    break
                except aiohttp.ClientError:
                    assert time.monotonic() < end and proc.poll() is None
                    await asyncio.sleep(0.2)
            while time.monotonic() < end:  # the session draws its first screen
                msg = await ws.receive(timeout=30)
                if msg.type == aiohttp.WSMsgType.BINARY:
                    break
            sessions.update(_children(proc.pid))
            assert sessions, "no session process started"
            proc.send_signal(sig)
            with contextlib.suppress(Exception):
                while not ws.closed:
                    await ws.receive(timeout=10)

    try:
        asyncio.run(page())
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    end = time.monotonic() + 5
    while any(_alive(p) for p in sessions) and time.monotonic() < end:
        time.sleep(0.1)
    assert [p for p in sessions if _alive(p)] == []
    assert b"Traceback" not in err and b"Exception ignored" not in err, err
    assert b"GET /" not in out + err  # no access log
    assert out.decode().rstrip().endswith("stopped")


# -- issue 12: two sessions typing in one field -------------------------------------


async def _open_form(pilot: Any, app: TestApp, field: str = "fix") -> None:
    await pilot.press("i")
    await wait_for(pilot, lambda: app.screen.__class__.__name__ == "TicketScreen")
    app.screen.query_one(f"#{field}").focus()
    await pilot.pause()


@contextlib.contextmanager
def _typing_not_saved_yet() -> Iterator[None]:
    """Keep this session's own save of the keys typed inside from running first.

    These tests need the other session's save to land while the text typed here is
    still unsaved; the app saves 0.3 s after the last key, and on a loaded machine the
    test's next step could come later than that (a CI run once failed so). Leave the
    block once the clash is seen.
    """
    import mailtriage.tui.app as app_module

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(app_module, "SAVE_DELAY", 60.0)
        yield


async def test_a_field_being_typed_in_is_held_not_replaced() -> None:
    """Another session saves the field while it is typed here: the text typed here stays
    in the field (not replaced under the user), is not saved over theirs, later keys are
    not saved either, and ctrl+e in the form shows both; t takes theirs, keeping ours."""
    from mailtriage.tui.screens.refused import RefusedScreen

    app, _ = _served_app("S-20")
    store = open_store()
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_form(pilot, app)
        other = store.read("S-20")
        with _typing_not_saved_yet():
            await pilot.press(*"allow the whole")
            store.save_merged(other, replace(other.ticket, fix="sender entry only"))
            await wait_for(pilot, lambda: "fix" in app.held, timeout=10)
        box = app.screen.query_one("#fix", Input)
        assert box.value == "allow the whole" and box.has_class("held")
        assert any("NOT saved" in str(n.message) for n in app._notifications)
        await pilot.press(*" domain")  # typed on: stays here, still not saved
        await pilot.pause(SAVE_WAIT)
        assert box.value == "allow the whole domain"
        assert store.load("S-20").fix == "sender entry only"
        await app.run_action("quit")  # would drop the held text: said, not done
        await pilot.pause()
        assert app.is_running and any("q again" in str(n.message) for n in app._notifications)
        await pilot.press("ctrl+e")  # in the form, focus in the field
        await wait_for(pilot, lambda: isinstance(app.screen, RefusedScreen))
        await pilot.press("t")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "TicketScreen")
        box = app.screen.query_one("#fix", Input)
        assert box.value == "sender entry only" and not box.has_class("held")
        assert app.refused[-1].mine == "allow the whole domain"  # kept, to copy from
        assert app.held == frozenset()


async def test_keep_mine_saves_the_held_text() -> None:
    from mailtriage.tui.screens.refused import RefusedScreen

    app, _ = _served_app("S-21")
    store = open_store()
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_form(pilot, app, "volume")
        other = store.read("S-21")
        with _typing_not_saved_yet():
            await pilot.press(*"3 users")
            store.save_merged(other, replace(other.ticket, volume="1 user"))
            await wait_for(pilot, lambda: "volume" in app.held, timeout=10)
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, RefusedScreen))
        await pilot.press("k")
        end = time.monotonic() + 10
        while store.load("S-21").volume != "3 users" and time.monotonic() < end:
            await pilot.pause(0.1)
        assert store.load("S-21").volume == "3 users" and app.held == frozenset()


SAVE_WAIT = 1.0
"""Seconds for a debounced save and the file watcher to have run."""


async def test_two_apps_typing_in_one_field_lose_no_keystroke() -> None:
    """Two sessions (two apps) type in Fix at once: the first save stays; the other
    session keeps its own text in its field, unsaved, and is told so."""
    one, _ = _served_app("S-22")
    two = TestApp([], offline=True, ticket=one.ticket, store=open_store())
    two.ticket_base, two.served_root = one.ticket_base, one.served_root
    store = open_store()
    async with one.run_test(size=(100, 30)) as p1, two.run_test(size=(100, 30)) as p2:
        await _open_form(p1, one)
        await _open_form(p2, two)
        await p1.press(*"one")
        await p2.press(*"two")
        await wait_for(p1, lambda: bool(one.held or two.held), timeout=10)
        await p2.pause(SAVE_WAIT)
        loser, winner = (one, two) if one.held else (two, one)
        text = {one: "one", two: "two"}
        assert not winner.held and store.load("S-22").fix == text[winner]
        assert loser.screen.query_one("#fix", Input).value == text[loser]
        assert winner.screen.query_one("#fix", Input).value == text[winner]


async def test_a_replaced_text_is_recorded_as_it_was_when_replaced() -> None:
    """Keys typed between a save and the reload that refuses it are in the refused text."""
    app, _ = _served_app("S-23")
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.ticket is not None
        sent = replace(app.ticket, notes="first line")
        later = replace(app.ticket, notes="first line\nsecond \x1b[31mline")
        saved = replace(app.ticket, notes="theirs")
        app.ticket = later  # typed after the save was sent
        app.adopt_saved(sent, saved, (Refused("notes", "first line", "theirs"),))
        await pilot.pause()
        assert app.ticket.notes == "theirs"
        assert app.refused[-1].mine == "first line\nsecond \x1b[31mline"
        message = [str(n.message) for n in app._notifications][-1]
        assert "first line\nsecond \\x1b[31mline" in message and "\\x0a" not in message
        lines = app.refused_lines()
        assert "    second \x1b[31mline" in lines  # one line each (the view escapes it)


async def test_notes_reload_keeps_the_cursor() -> None:
    from textual.widgets import TextArea

    app, _ = _served_app("S-24")
    store = open_store()
    other = store.read("S-24")
    store.save_merged(other, replace(other.ticket, notes="alpha\nbravo charlie\ndelta"))
    app.ticket = store.load("S-24")
    app.ticket_base = store.read("S-24")
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_form(pilot, app, "notes")
        area = app.screen.query_one("#notes", TextArea)
        area.move_cursor((1, 6))
        other = store.read("S-24")
        store.save_merged(other, replace(other.ticket, notes=other.ticket.notes + "\necho"))
        await wait_for(pilot, lambda: area.text.endswith("echo"), timeout=10)
        assert area.cursor_location == (1, 6)
        other = store.read("S-24")
        store.save_merged(other, replace(other.ticket, notes="alpha\nbr"))
        await wait_for(pilot, lambda: area.text == "alpha\nbr", timeout=10)
        assert area.cursor_location == (1, 2)  # clamped to the shorter text


async def test_ctrl_e_in_the_form_and_in_its_palette() -> None:
    from mailtriage.tui.commands import ActionCommands

    app, _ = _served_app("S-25")
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_form(pilot, app)
        titles = {title for title, *_ in ActionCommands(app.screen)._entries()}
        assert any("refused" in t for t in titles)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert any("No edit was refused" in str(n.message) for n in app._notifications)
