"""``mailtriage tickets`` and ``mailtriage ticket export ID``: the ticket store from scripts.

``tickets`` lists every ticket (newest change first) with its state, type, layer and
customer; ``--json`` prints one JSON object per line. ``ticket export ID --format
md|txt|json`` prints the ticket's notes (or the ticket itself as JSON) without
opening the dashboard: the samples are loaded and analysed again, offline.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from mailtriage.checks.text import json_text, printable
from mailtriage.checks.ticket.model import Ticket
from mailtriage.checks.ticket.store import TicketError, TicketSummary
from mailtriage.tui.args import VersionAction, fail
from mailtriage.tui.config import data_dir
from mailtriage.tui.tickets import open_store, worked_notes

EXIT_UNREADABLE = 1
"""``tickets``: at least one ticket file could not be read (it is listed with its error)."""


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "-"


def summary_json(s: TicketSummary) -> dict[str, Any]:
    """One ``tickets --json`` line: ``id``, ``path``, ``changed`` (ISO 8601 or null),
    ``state``, ``kind``, ``layer``, ``customer``, ``error``."""
    return {
        "id": s.id,
        "path": str(s.path),
        "changed": s.changed.isoformat() if s.changed else None,
        "state": s.state,
        "kind": s.kind,
        "layer": s.layer,
        "customer": s.customer,
        "error": s.error,
    }


def run_tickets(argv: Sequence[str]) -> int:
    """``mailtriage tickets [--json]``."""
    p = argparse.ArgumentParser(
        prog="mailtriage tickets",
        description="List the saved tickets, the most recently changed first.",
        epilog=f"Tickets are kept in {data_dir() / 'tickets'} (MAILTRIAGE_DATA overrides). "
        "Exit status 1 when a ticket file could not be read.",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per ticket and line")
    p.add_argument("--version", action=VersionAction, nargs=0, help="print the version and exit")
    args = p.parse_args(argv)
    listed = open_store().list()
    for s in listed:
        if args.json:
            print(json_text(summary_json(s)))
        elif s.error:
            print(f"{s.id:<16} unreadable: {printable(s.error, 300)}")
        else:
            print(
                f"{s.id:<16} {_when(s.changed):<21} {s.state:<10} {s.kind:<16} "
                f"{s.layer or '-':<20} {printable(s.customer, 40)}"
            )
    if not listed and not args.json:
        print(
            "No tickets yet: start one with 'mailtriage --ticket ID [SAMPLES...]'.", file=sys.stderr
        )
    return EXIT_UNREADABLE if any(s.error for s in listed) else 0


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    """The ticket as a JSON object: every field of the ticket file, times in ISO 8601."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    return {str(k): plain(v) for k, v in asdict(ticket).items()}


def export_text(ticket: Ticket, fmt: str) -> str:
    """The ticket's notes in Markdown (``md``) or plain text (``txt``), built offline.

    A sample that changed on disk, went missing or no longer loads is said on stderr.
    """
    text, warnings = worked_notes(ticket, fmt)
    for warning in warnings:
        print(f"mailtriage: warning: {printable(warning, 500)}", file=sys.stderr)
    return text


def run_ticket(argv: Sequence[str]) -> int:
    """``mailtriage ticket export ID --format md|txt|json``."""
    p = argparse.ArgumentParser(
        prog="mailtriage ticket",
        description="Work with one saved ticket from scripts.",
    )
    sub = p.add_subparsers(dest="verb", required=True)
    ex = sub.add_parser("export", help="print the ticket's notes, or the ticket as JSON")
    ex.add_argument("id", metavar="ID", help="the ticket id")
    ex.add_argument("--format", choices=("md", "txt", "json"), default="md")
    p.add_argument("--version", action=VersionAction, nargs=0, help="print the version and exit")
    args = p.parse_args(argv)
    try:
        ticket = open_store().load(args.id)
    except TicketError as exc:
        return fail(str(exc))
    if args.format == "json":
        print(json_text(ticket_json(ticket)))
    else:
        print(export_text(ticket, args.format))
    return 0
