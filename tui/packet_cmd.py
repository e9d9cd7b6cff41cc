"""``mailtriage packet SAMPLE... [--reply TEXT] [--json]``: the vendor support case packet.

Offline: reads the samples (A the blocked copy or the bounce, B a delivered copy of a
similar message) and an SMTP reply pasted with ``--reply``, and prints the packet built by
:func:`mailtriage.checks.packet.case_packet`: where to send it, the subject, the body, the
readiness and what is missing, then the escalation update and the runbook entry. With
``--json`` it prints one JSON object (keys in the README). Exit status 0 when the packet is
``ready``, 1 when it is ``partial``, ``vague`` or ``monitor`` (it is still printed), 2 for
usage errors and unreadable input (one line, no traceback).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime

from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.loader import SampleError, load_path, load_stdin
from mailtriage.checks.packet import case_packet, packet_text
from mailtriage.checks.suspect import suspect
from mailtriage.checks.text import json_text
from mailtriage.checks.ticket.model import Ticket
from mailtriage.tui.args import VersionAction, fail

EXIT_READY, EXIT_NOT_READY = 0, 1
MAX_REPLY = 64 * 1024


def packet_parser() -> argparse.ArgumentParser:
    """Parser for ``mailtriage packet``."""
    p = argparse.ArgumentParser(
        prog="mailtriage packet",
        description="Build the support case packet for the vendor from the blocked copy (or "
        "the bounce) A, an optional delivered copy B and an optional SMTP reply.",
        epilog="Exit status: 0 the packet is ready, 1 it is partial, vague or monitor (it is "
        "printed all the same), 2 usage error or unreadable sample.",
    )
    p.add_argument(
        "samples",
        nargs="+",
        metavar="SAMPLE",
        help="A (blocked copy or bounce), then optionally B (a delivered copy); '-' reads stdin",
    )
    p.add_argument("--reply", metavar="TEXT", default="", help="the SMTP reply, pasted whole")
    p.add_argument("--volume", metavar="TEXT", default="", help="how much mail is affected")
    p.add_argument("--changes", metavar="TEXT", default="", help="recent changes (DNS, IPs...)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--version", action=VersionAction, nargs=0, help="print the version and exit")
    return p


def run_packet(argv: Sequence[str]) -> int:
    """Run ``mailtriage packet``; returns the exit status."""
    args = packet_parser().parse_args(argv)
    if len(args.samples) > 2:
        return fail("give at most two samples: A (blocked or bounce) and B (delivered)")
    if args.samples.count("-") > 1:
        return fail("stdin ('-') can be given only once")
    if len(args.reply) > MAX_REPLY:
        return fail(f"--reply is longer than {MAX_REPLY // 1024} KB")
    try:
        loaded = [load_stdin() if p == "-" else load_path(p) for p in args.samples]
    except SampleError as exc:
        return fail(str(exc))
    analyses = [analyse(s) for s in loaded] + [None]
    a, b = analyses[0], analyses[1]
    comparison = suspect(a, b) if a is not None and b is not None else None
    ticket = None
    if args.volume.strip() or args.changes.strip():
        now = datetime.now(UTC)
        ticket = Ticket("", now, now, volume=args.volume, changes=args.changes)
    packet = case_packet([a, b], comparison, ticket, args.reply)
    print(json_text(packet.as_json()) if args.json else packet_text(packet))
    return EXIT_READY if packet.readiness == "ready" else EXIT_NOT_READY
