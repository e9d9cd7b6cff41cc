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
import getpass
import ipaddress
import re
import shlex
import shutil
import socket
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

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


def ssh_forward(port: int, user: str | None = None, hostname: str | None = None) -> str:
    """The command a colleague runs on their machine to reach a loopback-bound server."""
    user = user or getpass.getuser()
    hostname = hostname or _hostname()
    return f"ssh -N -L {port}:{LOOPBACK}:{port} {user}@{hostname}"


def _copy_in(folder: Path, source: str) -> str:
    """Copy a sample file into the ticket's folder; returns the copy's path (``#N`` kept)."""
    base, member = source, ""
    if "#" in source and not Path(source).exists():
        base, _, n = source.rpartition("#")
        member = f"#{n}"
    src = Path(base)
    if not src.is_file():
        raise OSError(f"{source}: no such file")
    dest = folder / src.name
    if dest.resolve() != src.resolve():
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
        new = with_sample(new, slot, now, path=_copy_in(folder, source))
    if args.demo:
        from mailtriage.tui.demo.runtime import DEMO_SAMPLES

        pkg = files("mailtriage.tui.demo")
        if not new.samples:
            for slot, name in enumerate(DEMO_SAMPLES):
                dest = folder / name
                dest.write_bytes(pkg.joinpath(name).read_bytes())
                new = with_sample(new, slot, now, path=str(dest))
        trace_dest = folder / "trace.csv"
        if not trace_dest.exists():
            trace_dest.write_bytes(pkg.joinpath("trace.csv").read_bytes())
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
    remote = not is_loopback(args.host)
    if remote and not args.allow_remote:
        return fail(
            f"--host {printable(args.host, 80)} is not a loopback address; the ticket holds "
            "customer data: add --allow-remote to serve it beyond this machine"
        )
    try:
        from textual_serve.server import Server
    except ImportError:
        return fail("textual-serve is not installed: pip install 'textual-serve'")
    from mailtriage.checks.ticket.store import TicketError

    try:
        ticket_id, folder, trace = _prepare(args)
    except (TicketError, OSError) as exc:
        return fail(str(exc))
    command = shlex.join(session_command(ticket_id, args, trace))
    shown = _hostname() if args.host in ("0.0.0.0", "::") else args.host
    url = f"http://{shown}:{args.port}" if ":" not in shown else f"http://[{shown}]:{args.port}"
    print(f"Serving ticket {ticket_id} (files in {folder}) on {url}", flush=True)
    if remote:
        print(
            "WARNING: serving beyond this machine. The ticket holds customer data: anyone "
            f"who can reach port {args.port} can read and change it.",
            file=sys.stderr,
            flush=True,
        )
    else:
        print(f"A colleague runs:  {ssh_forward(args.port)}", flush=True)
        print(f"and then opens     http://{LOOPBACK}:{args.port}", flush=True)
    with tempfile.TemporaryDirectory(prefix="mailtriage-serve-") as tmp:
        templates = local_templates(Path(tmp) / "templates")
        server = Server(command, host=args.host, port=args.port, title=f"mailtriage {ticket_id}",
                        public_url=url, templates_path=templates)  # fmt: skip
        server.serve()
    return 0
