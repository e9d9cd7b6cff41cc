"""DnsLogScreen: every DNS query of the current live runs, in the order they were asked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mailtriage.checks.text import plural, printable
from mailtriage.tui.screens.text_view import TextViewScreen
from textual.binding import Binding
from textual.content import Content

if TYPE_CHECKING:
    from mailtriage.checks.dns.resolver import QueryLogEntry


RCODE_STYLE = {"NOERROR": "$success", "NXDOMAIN": "$warning", "NODATA": "$warning"}


def render_log(
    logs: Sequence[tuple[str, Sequence[QueryLogEntry]]], timings: bool = True
) -> Content:
    """Render the query logs of each slot as plain, markup-free lines."""
    lines: list[Content] = []
    for label, log in logs:
        sent = sum(1 for e in log if not (e.cached or e.shared))
        asked = plural(len(log), "lookup")
        lines.append(Content.styled(f"{label}: {asked}, {sent} sent", "$accent bold"))
        for e in sorted(log, key=lambda e: e.started_at):
            answers = "; ".join(e.answers) if e.answers else (e.error or "")
            lines.append(
                Content.assemble(
                    (f"  {e.rcode:<8} ", RCODE_STYLE.get(e.rcode, "$error")),
                    (f"{e.rtt_ms:>6.0f} ms " if timings else "", "$text-muted"),
                    # Keys and long TXT records are cut: one query, a line or two.
                    printable(
                        f"{e.rdtype:<5} {e.name}  {_how(e)}{answers}",
                        150,
                    ),
                )
            )
        lines.append(Content(""))
    if any(e.shared for _, log in logs for e in log):
        lines.append(Content.styled(SHARED_NOTE, "$text-muted"))
    return Content("\n").join(lines)


SHARED_NOTE = (
    "(shared): the other copy's run was asking the same at that moment; its one query "
    "answered both (the time is how long this run waited). (cached): answered by this "
    "run's own query, earlier or still in flight."
)


def _how(entry: QueryLogEntry) -> str:
    if entry.shared:
        return "(shared) "
    return "(cached) " if entry.cached else ""


class DnsLogScreen(TextViewScreen):
    """Full-screen view of the DNS query log; Escape closes."""

    BINDINGS = [Binding("escape,l", "close", "Close", tooltip="Close the DNS log")]

    def __init__(
        self, logs: Sequence[tuple[str, Sequence[QueryLogEntry]]], timings: bool = True
    ) -> None:
        super().__init__("DNS query log", render_log(logs, timings))
