"""``mailtriage serve``: hand a live ticket to a colleague in a browser (textual-serve).

Every browser session runs its own dashboard process on the *same* ticket from the
ticket store (``mailtriage --ticket ID --served``): a tick or a note saved in one
session reaches the others through the ticket file, and two sessions saving at once
are merged field by field (:meth:`~mailtriage.checks.ticket.store.TicketStore.save_merged`).

Safe by default: the server binds to 127.0.0.1 and prints the SSH port-forward a
colleague runs to reach it; any other address needs ``--allow-remote`` and prints a
warning. A served session opens no file outside the ticket's folder
(``tickets/ID/``, where the samples given here are copied) and the ticket's samples.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import filecmp
import getpass
import ipaddress
import logging
import os
import re
import shlex
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mailtriage.checks.text import printable
from mailtriage.tui.args import VersionAction, add_common, fail

DEFAULT_PORT = 8000
"""The port served when ``--port`` is not given."""

LOOPBACK = "127.0.0.1"
"""The default bind address: only this machine (and SSH port-forwards) can connect."""


def serve_parser() -> argparse.ArgumentParser:
    """Parser for ``mailtriage serve``."""
    p = argparse.ArgumentParser(
        prog="mailtriage serve",
        description="Serve the dashboard of one ticket to web browsers (each browser gets "
        "its own session on the same ticket). Binds to 127.0.0.1 and prints the SSH "
        "command a colleague runs to reach it.",
    )
    p.add_argument(
        "samples",
        nargs="*",
        metavar="SAMPLE",
        help="blocked, then delivered sample; copied into the ticket's folder and "
        "replacing the ticket's samples",
    )
    p.add_argument("--ticket", metavar="ID", help="the ticket to serve (created if new)")
    add_common(p)
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    p.add_argument("--host", default=LOOPBACK, help=f"address to bind (default {LOOPBACK})")
    p.add_argument(
        "--ssh-target",
        metavar="USER@HOST",
        help="the login a colleague's SSH reaches this machine with, printed in the "
        "port-forward command (default: your user at this machine's name)",
    )
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other than loopback: anyone who reaches the port can read and "
        "change the ticket",
    )
    p.add_argument("--version", action=VersionAction, nargs=0, help="print the version and exit")
    return p


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hostname() -> str:
    """This machine's name as a colleague would reach it (the FQDN when it has one)."""
    fqdn = socket.getfqdn()
    return fqdn if "." in fqdn and not fqdn.startswith("localhost") else socket.gethostname()


def url_host(address: str) -> str:
    """``address`` as it appears in a URL or an SSH ``-L`` spec (IPv6 in brackets)."""
    return f"[{address}]" if ":" in address else address


def forward_address(host: str) -> str:
    """The loopback address the server listens on, for the forward and the URL.

    ``localhost`` is shown as 127.0.0.1 (what textual-serve binds first); an IPv6
    loopback such as ``::1`` is kept, since the server listens only there.
    """
    return LOOPBACK if host == "localhost" else host


def ssh_forward(
    port: int,
    user: str | None = None,
    hostname: str | None = None,
    *,
    address: str = LOOPBACK,
    target: str | None = None,
) -> str:
    """The command a colleague runs on their machine to reach a loopback-bound server.

    Args:
        port: The served port (the same number is used on the colleague's side).
        user: The SSH login; default the current user.
        hostname: This machine's name; default its FQDN or host name.
        address: The loopback address the server is bound to.
        target: ``USER@HOST`` given with ``--ssh-target``; replaces ``user`` and ``hostname``.
    """
    login = target or f"{user or getpass.getuser()}@{hostname or _hostname()}"
    return f"ssh -N -L {port}:{url_host(address)}:{port} {login}"


def check_port(host: str, port: int) -> str:
    """Whether the server can listen on ``(host, port)``: ``""``, or why not (one line).

    A socket is bound and closed at once, with the options the web server uses, so a
    port in use is reported before anything is printed.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as exc:
        return f"--host {printable(host, 80)}: {exc.strerror or exc}"
    for family, kind, proto, _, addr in infos:
        try:
            with socket.socket(family, kind, proto) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(addr)
        except OSError as exc:
            shown = url_host(str(addr[0]))
            return f"cannot listen on {shown}:{port}: {exc.strerror or exc}"
    return ""


def _copy_in(folder: Path, source: str) -> str:
    """Copy a sample file into the ticket's folder; returns the copy's path (``#N`` kept).

    A file of the same name already there is never overwritten: when its content
    differs, the copy gets the next free name (``msg-2.eml``, ``msg-3.eml``...), so two
    samples called ``msg.eml`` stay two files and an earlier sample keeps its bytes.
    The same content under that name is reused.
    """
    base, member = source, ""
    if "#" in source and not Path(source).exists():
        base, _, n = source.rpartition("#")
        member = f"#{n}"
    src = Path(base)
    if not src.is_file():
        raise OSError(f"{source}: no such file")
    if src.resolve().parent == folder.resolve():
        return str(folder / src.name) + member  # already in the ticket's folder
    stem, suffix = Path(src.name).stem, Path(src.name).suffix
    dest, taken = folder / src.name, 1
    while dest.exists() or dest.is_symlink():
        if dest.is_file() and not dest.is_symlink() and filecmp.cmp(src, dest, shallow=False):
            return str(dest) + member
        taken += 1
        dest = folder / f"{stem}-{taken}{suffix}"
    shutil.copyfile(src, dest)
    return str(dest) + member


def _prepare(args: argparse.Namespace) -> tuple[str, Path, str]:
    """Create or update the ticket to serve: its id, its folder and a trace to import.

    Raises:
        TicketError: The ticket cannot be opened or saved.
        OSError: A sample could not be copied.
    """
    from mailtriage.tui.tickets import open_store, with_sample

    store = open_store()
    now = datetime.now(UTC)
    ticket_id = args.ticket or f"serve-{now:%Y%m%d-%H%M%S}"
    ticket, _ = store.open(ticket_id)
    folder = store.folder(ticket_id)
    folder.mkdir(parents=True, exist_ok=True)
    trace = ""
    new = ticket
    for slot, source in enumerate(args.samples):
        copy = _copy_in(folder, source)
        before = new.sample("AB"[slot])
        new = with_sample(new, slot, now, path=copy)
        after = new.sample("AB"[slot])
        if before is not None and after is not None and before.path != after.path:
            was = before.path or "pasted text"
            print(f"Sample {'AB'[slot]} of ticket {ticket_id} is now {printable(copy, 300)} "
                  f"(was {printable(was, 300)}; that file is kept)", flush=True)  # fmt: skip
    if args.demo:
        from mailtriage.tui.demo.runtime import DEMO_DIR, DEMO_SAMPLES

        if not new.samples:
            for slot, name in enumerate(DEMO_SAMPLES):
                dest = folder / name
                dest.write_bytes((DEMO_DIR / name).read_bytes())
                new = with_sample(new, slot, now, path=str(dest))
        trace_dest = folder / "trace.csv"
        if not trace_dest.exists():
            trace_dest.write_bytes((DEMO_DIR / "trace.csv").read_bytes())
        trace = str(trace_dest)
    if new != ticket:
        store.save(new)
    return ticket_id, folder, trace


_REMOTE_FONT = re.compile(r"<link\b[^>]*https://fonts\.googleapis\.com[^>]*>\s*", re.IGNORECASE)


def local_templates(into: Path) -> Path:
    """textual-serve's page templates, written into ``into`` without the remote web font.

    The stock page loads its font from fonts.googleapis.com, so every colleague's browser
    would call Google while reading a customer's ticket. Without it the page falls back
    to the browser's own monospace font (the page names one).
    """
    import textual_serve

    source = Path(textual_serve.__file__).parent / "templates"
    into.mkdir(parents=True, exist_ok=True)
    for page in source.glob("*.html"):
        (into / page.name).write_text(
            _REMOTE_FONT.sub("", page.read_text(encoding="utf-8")), encoding="utf-8"
        )
    return into


def session_command(ticket_id: str, args: argparse.Namespace, trace: str = "") -> list[str]:
    """The command each browser session runs: the dashboard on the ticket, served mode."""
    cmd = [sys.executable, "-m", "mailtriage.tui.launch", "--ticket", ticket_id, "--served"]
    if args.demo:
        cmd.append("--demo")
    if args.offline:
        cmd.append("--offline")
    if args.resolver:
        cmd += ["--resolver", args.resolver]
    if trace:
        cmd += ["--trace", trace]
    return cmd


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""Signals that end the server and every session: Ctrl+C, ``kill``, the SSH session dropping."""

STOP_GRACE = 2.0
"""Seconds a session process is given to end after SIGTERM before it is killed."""


def _make_server(command: str, **kw: Any) -> Any:
    """A textual-serve ``Server`` that stops promptly and quietly, sessions included.

    Differences from the stock server: each session process runs in its own process
    group, recorded, so that stopping (SIGINT, SIGTERM or SIGHUP) ends every session
    at once rather than waiting for each browser to leave; the HTTP access log is
    silent (errors are still logged); no banner.
    """
    from aiohttp import WSCloseCode, web
    from aiohttp.web_runner import GracefulExit
    from textual_serve.app_service import AppService
    from textual_serve.server import Server

    processes: set[asyncio.subprocess.Process] = set()
    sockets: set[web.WebSocketResponse] = set()

    class SessionService(AppService):  # type: ignore[misc]
        async def _open_app_process(
            self, width: int = 80, height: int = 24
        ) -> asyncio.subprocess.Process:
            env = self._build_environment(width=width, height=height)
            process = await asyncio.create_subprocess_exec(
                *shlex.split(self.command),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
                start_new_session=True,  # its own group: stopped with everything it starts
            )
            self._process = process
            assert process.stdin is not None
            self._stdin = process.stdin
            processes.add(process)
            return process

    class QuietServer(Server):  # type: ignore[misc]
        def initialize_logging(self) -> None:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
            logging.basicConfig(level=logging.WARNING, handlers=[handler])
            logging.getLogger("aiohttp.access").setLevel(logging.ERROR)

        async def on_startup(self, app: web.Application) -> None:
            return None  # mailtriage printed what to run; no banner, no URL scrolling by

        async def on_shutdown(self, app: web.Application) -> None:
            await stop_sessions(processes)
            for ws in list(sockets):
                with contextlib.suppress(Exception):
                    await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            websocket = web.WebSocketResponse(heartbeat=15)
            width = _int(request.query.get("width", "80"), 80)
            height = _int(request.query.get("height", "24"), 24)
            service: SessionService | None = None
            sockets.add(websocket)
            try:
                await websocket.prepare(request)
                service = SessionService(
                    self.command,
                    write_bytes=websocket.send_bytes,
                    write_str=websocket.send_str,
                    close=websocket.close,  # type: ignore[arg-type]
                    download_manager=self.download_manager,
                    debug=self.debug,
                )
                await service.start(width, height)
                await self._process_messages(websocket, service)
            except asyncio.CancelledError:
                await websocket.close()
            except Exception as error:  # one session's failure, logged
                logging.getLogger("mailtriage.serve").warning("session ended: %s", error)
            finally:
                sockets.discard(websocket)
                if service is not None:
                    await _end_service(service, processes)
            return websocket

        def serve(self, debug: bool = False) -> None:
            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)

            def stop() -> None:
                raise GracefulExit()

            for sig in STOP_SIGNALS:
                loop.add_signal_handler(sig, stop)
            try:
                web.run_app(self._make_app(), host=self.host, port=self.port,
                            handle_signals=False, loop=loop, shutdown_timeout=STOP_GRACE,
                            print=lambda *_: None, access_log=None)  # fmt: skip
            finally:
                for sig in STOP_SIGNALS:
                    loop.remove_signal_handler(sig)
                if not loop.is_closed():
                    loop.close()

    return QuietServer(command, **kw)


def _int(text: str, default: int) -> int:
    try:
        return int(text)
    except ValueError:
        return default


async def _end_service(service: Any, processes: set[asyncio.subprocess.Process]) -> None:
    """Stop one session: ask the app to quit, end its process, close its pipes."""
    process = service._process
    if process is not None and process.returncode is None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(service.stop(), STOP_GRACE)
    if process is not None:
        await stop_sessions({process})
        processes.discard(process)


async def stop_sessions(processes: set[asyncio.subprocess.Process]) -> None:
    """End every session process (its whole group): SIGTERM, then SIGKILL after a grace."""
    live = [p for p in processes if p.returncode is None]
    for process in live:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
    if live:
        _, pending = await asyncio.wait(
            [asyncio.ensure_future(p.wait()) for p in live], timeout=STOP_GRACE
        )
        for process in live:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
        if pending:
            await asyncio.wait(pending, timeout=STOP_GRACE)
    for process in processes:
        transport = getattr(process, "_transport", None)
        if transport is not None:
            transport.close()  # its pipes, now: not when the loop is already closed


def run_serve(argv: Sequence[str]) -> int:
    """``mailtriage serve [--ticket ID | --demo | SAMPLES...] [--port N] [--host H]``."""
    args = serve_parser().parse_args(argv)
    if len(args.samples) > 2:
        return fail("give at most two samples: the blocked one, then the delivered one")
    if "-" in args.samples:
        return fail("serve cannot read a sample from stdin: give a file")
    if not (args.ticket or args.demo or args.samples):
        return fail("give --ticket ID, --demo or the samples to serve")
    if not 0 < args.port < 65536:
        return fail(f"--port {args.port}: give a port from 1 to 65535")
    if args.ssh_target is not None and not re.fullmatch(r"[^\s@]+@[^\s@]+", args.ssh_target):
        return fail(f"--ssh-target {printable(args.ssh_target, 80)}: give USER@HOST")
    remote = not is_loopback(args.host)
    if remote and not args.allow_remote:
        return fail(
            f"--host {printable(args.host, 80)} is not a loopback address; the ticket holds "
            "customer data: add --allow-remote to serve it beyond this machine"
        )
    try:
        import textual_serve.server  # noqa: F401
    except ImportError:
        return fail("textual-serve is not installed: pip install 'textual-serve'")
    from mailtriage.checks.ticket.store import TicketError

    problem = check_port(args.host, args.port)
    if problem:
        return fail(problem)
    try:
        ticket_id, folder, trace = _prepare(args)
    except (TicketError, OSError) as exc:
        return fail(str(exc))
    command = shlex.join(session_command(ticket_id, args, trace))
    shown = _hostname() if args.host in ("0.0.0.0", "::") else forward_address(args.host)
    url = f"http://{url_host(shown)}:{args.port}"
    print(f"Serving ticket {ticket_id} (files in {folder}) on {url}", flush=True)
    if remote:
        print(
            "WARNING: serving beyond this machine. The ticket holds customer data: anyone "
            f"who can reach port {args.port} can read and change it.",
            file=sys.stderr,
            flush=True,
        )
    else:
        address = forward_address(args.host)
        forward = ssh_forward(args.port, address=address, target=args.ssh_target)
        print(f"A colleague runs:  {forward}", flush=True)
        print(f"and then opens     http://{url_host(address)}:{args.port}", flush=True)
    with tempfile.TemporaryDirectory(prefix="mailtriage-serve-") as tmp:
        templates = local_templates(Path(tmp) / "templates")
        server = _make_server(command, host=args.host, port=args.port,
                              title=f"mailtriage {ticket_id}", public_url=url,
                              templates_path=templates)  # fmt: skip
        try:
            server.serve()
        except OSError as exc:  # lost a race for the port after the check
            return fail(f"cannot listen on {url_host(args.host)}:{args.port}: {exc.strerror}")
    with contextlib.suppress(OSError):  # the terminal may be gone (SIGHUP)
        print("mailtriage serve: stopped", flush=True)
    return 0
