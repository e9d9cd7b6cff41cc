"""The ``mailtriage`` command: the dashboard, and ``report`` for scripts.

Usage errors and unreadable input print one line and exit with status 2; no
traceback reaches the user.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from mailtriage.checks.dns.spec import DnsError
from mailtriage.checks.message.loader import SampleError, load_stdin
from mailtriage.checks.message.mbox import MboxListing, load_or_list
from mailtriage.checks.model import Sample
from mailtriage.tui import dataclass_cache
from mailtriage.tui.args import VersionAction, add_common, fail, nameserver_for
from mailtriage.tui.config import ConfigError, config_path, load_config
from mailtriage.tui.gc_pause import settle
from mailtriage.tui.tickets import inside


def dashboard_parser() -> argparse.ArgumentParser:
    """Parser for ``mailtriage [SAMPLE_A [SAMPLE_B]]``."""
    p = argparse.ArgumentParser(
        prog="mailtriage",
        description="Compare a blocked and a delivered email sample, layer by layer. "
        "Subcommands: 'mailtriage report SAMPLE... [--json]' for scripts, "
        "'mailtriage diff A B [--json]' for the layer two copies differ in, "
        "'mailtriage packet A [B] [--reply TEXT] [--json]' for the vendor case packet, "
        "'mailtriage redact SAMPLE -o OUT' for a copy to share outside the customer, "
        "'mailtriage spf IP DOMAIN' and 'mailtriage dns DOMAIN' for DNS checks, "
        "'mailtriage serve --ticket ID' to hand a ticket to a colleague in a browser.",
    )
    p.add_argument(
        "samples",
        nargs="*",
        metavar="SAMPLE",
        help=".eml, pasted headers, or mbox (FILE.mbox#N picks message N; without it a "
        "mailbox with several messages opens a picker); '-' reads stdin "
        "(A = blocked, B = delivered)",
    )
    add_common(p)
    p.add_argument(
        "--trace",
        metavar="CSV",
        help="a Microsoft 365 message trace export to match against the samples (key m)",
    )
    p.add_argument(
        "--ticket",
        metavar="ID",
        help="create or resume ticket ID (samples, checklist, notes and fix are saved as you "
        "work; 'mailtriage tickets' lists them); samples given replace the ticket's",
    )
    p.add_argument(
        "--watch",
        metavar="DIR",
        help="a drop folder: each new file saved or moved into it is offered as A or B (key w)",
    )
    p.add_argument(
        "--served",
        action="store_true",
        help=argparse.SUPPRESS,  # set by 'mailtriage serve' for each browser session
    )
    p.add_argument("--version", action=VersionAction, nargs=0, help="print the version and exit")
    return p


def load_some(paths: Sequence[str]) -> tuple[list[Sample | str | None], list[str]]:
    """Load the samples that can be loaded; the others become one-line errors to show.

    Each keeps its slot: a sample that cannot be opened leaves ``None`` in its place,
    so the delivered copy given second never moves into slot A. A mailbox with several
    messages (and no ``#N``) stays a path: the dashboard opens the picker for it.

    Raises:
        SampleError: None of them could be loaded (there would be nothing to show).
    """
    if list(paths).count("-") > 1:
        raise SampleError("stdin ('-') can be given only once")
    samples: list[Sample | str | None] = []
    errors: list[str] = []
    for p in paths:
        try:
            loaded = load_stdin() if p == "-" else load_or_list(p)
            samples.append(p if isinstance(loaded, MboxListing) else loaded)
        except SampleError as exc:
            if not paths[1:]:
                raise
            errors.append(str(exc))
            samples.append(None)
    if paths and not any(samples):
        raise SampleError(errors[0])
    return samples, errors


def _keyboard_on_stdin() -> bool:
    """Make sure keys come from the terminal, even when a sample came on stdin.

    After ``mailtriage - b.eml`` has read the sample from a pipe, standard input is
    at end-of-file; the dashboard would spin on it. Like ``less``, reattach the
    controlling terminal instead. Returns False when there is none.
    """
    if os.isatty(0):
        return True
    try:
        fd = os.open("/dev/tty", os.O_RDONLY)
    except OSError:
        return False
    os.dup2(fd, 0)
    os.close(fd)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - fd 0 lives as long as the process
    return True


def run_dashboard(argv: Sequence[str]) -> int:
    """Open the dashboard."""
    args = dashboard_parser().parse_args(argv)
    if len(args.samples) > 2:
        return fail("give at most two samples: the blocked one, then the delivered one")
    ticket = store = base = None
    created = False
    warnings: list[str] = []
    if args.watch is not None and not os.path.isdir(args.watch):
        why = "not a folder" if os.path.exists(args.watch) else "no such folder"
        return fail(f"--watch {args.watch}: {why}")
    if args.served and (args.ticket is None or args.samples):
        return fail("--served is for 'mailtriage serve': it needs --ticket and no samples")
    try:
        config = load_config()
        nameserver = nameserver_for(args.resolver, config.resolver)
        if args.ticket is not None:  # the ticket store loads only when a ticket is asked for
            from mailtriage.checks.ticket.store import TicketError
            from mailtriage.tui.tickets import load_samples, open_store

            try:
                store = open_store()
                # With its stamp: saves merge, never overwrite.
                base, created = store.open_stored(args.ticket)
                ticket = base.ticket
            except TicketError as exc:
                return fail(str(exc))
        samples, errors = load_some(args.samples)
        if ticket is not None and not args.samples:
            samples, warnings = load_samples(ticket)
    except (SampleError, ConfigError, DnsError) as exc:
        return fail(str(exc))
    served_root = ""
    if args.served:
        assert store is not None
        served_root = str(store.folder(args.ticket))
        if args.watch is not None and not inside(served_root, os.path.abspath(args.watch)):
            return fail(f"--watch {args.watch}: a served ticket watches only its own folder")
        if args.trace is not None and not inside(served_root, os.path.abspath(args.trace)):
            return fail(f"--trace {args.trace}: a served ticket reads only its own folder")
    demo = None
    server: tuple[str, int] | Callable[[], tuple[str, int]] | None = nameserver
    if args.demo and (args.served or not any(samples)):
        from mailtriage.tui.demo.runtime import DemoDns, demo_samples

        demo = DemoDns()
        server = nameserver if args.resolver else demo.nameserver
        if not any(samples):
            samples = list(demo_samples())
        if args.trace is None and not args.served:
            from mailtriage.tui.demo.runtime import demo_trace_path

            args.trace = demo_trace_path()
    # Served, keys come from the browser through textual-serve's pipe, not a terminal.
    if not args.served and not _keyboard_on_stdin():
        return fail("the dashboard needs a terminal for keys; use 'mailtriage report' in pipes")
    from mailtriage.tui.app import MailtriageApp

    # The demo exists to show live answers: only an explicit --offline turns them off.
    offline = args.offline or (config.offline and demo is None)
    app = MailtriageApp(
        samples,
        config=config,
        nameserver=server,
        offline=offline,
        trace=args.trace or "",
        ticket=ticket,
        store=store,
        playbook_dir=config_path().parent,  # read after the first paint
    )
    app.initial_errors = tuple(errors)
    app.initial_warnings = tuple(warnings)
    app.ticket_created = created
    app.ticket_base = base
    app.served_root = served_root
    app.watch_dir = os.path.abspath(args.watch) if args.watch else ""
    _loaded()  # the app and the samples are loaded
    try:
        app.run()
    finally:
        app.save_ticket()  # whatever way the app ended, its last change is on disk
        if demo:
            demo.stop()
    return app.return_code or 0


def _loaded() -> None:
    """End the console script's start-up measures: collect from here on, cache what compiled."""
    settle()
    dataclass_cache.finish()


def _subcommand(name: str) -> Callable[[list[str]], int] | None:
    """The function behind ``mailtriage NAME ...`` (its module imported now), or ``None``."""
    if name == "report":
        from mailtriage.tui.report_cmd import run_report

        return run_report
    if name == "diff":
        from mailtriage.tui.diff_cmd import run_diff

        return run_diff
    if name == "tickets":
        from mailtriage.tui.ticket_cmd import run_tickets

        return run_tickets
    if name == "ticket":
        from mailtriage.tui.ticket_cmd import run_ticket

        return run_ticket
    if name == "packet":
        from mailtriage.tui.packet_cmd import run_packet

        return run_packet
    if name == "redact":
        from mailtriage.tui.redact_cmd import run_redact

        return run_redact
    if name == "serve":
        from mailtriage.tui.serve_cmd import run_serve

        return run_serve
    if name in ("spf", "dns"):
        from mailtriage.tui.lookup_cmds import run_lookup

        return lambda args: run_lookup(name, args)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mailtriage`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        command = _subcommand(argv[0]) if argv else None
        if command is not None:
            _loaded()  # its modules are loaded
            return command(argv[1:])
        return run_dashboard(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
