"""``mailtriage serve``: the safe default bind, the refusal, the served session's confinement
to its ticket's folder, and two sessions sharing one ticket (merge, refusal, live reload)."""

from __future__ import annotations

import getpass
import os
import shlex
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from mailtriage.checks.ticket.model import Tick
from mailtriage.tui import cli, serve_cmd
from mailtriage.tui.screens.full_text import FullTextScreen
from mailtriage.tui.tickets import inside, load_samples, open_store
from textual.widgets import Input

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
    import textual_serve.server

    FakeServer.made = []
    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
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
