"""The dashboard's key bindings: each has a description and a tooltip (its palette entry).

The description is the footer's word for the key (short: the footer must fit 80 columns);
the tooltip is the palette entry. Keys of one ``Binding.Group`` show as one footer entry
("1-5 Panes", "a/b Open"). The footer shows shown bindings in this order and leaves off
from the end what does not fit, so the most used come first.
"""

from __future__ import annotations

from textual.binding import Binding

PANES = Binding.Group("Panes")
OPEN = Binding.Group("Open")
TICKET = Binding.Group("Ticket")

BINDINGS: list[Binding | tuple[str, str] | tuple[str, str, str]] = [
    Binding("1", "show_pane('sample')", "Sample", group=PANES, tooltip="Show the sample pane"),
    Binding("2", "show_pane('auth')", "Auth", group=PANES, tooltip="Show the authentication pane"),
    Binding("3", "show_pane('diff')", "Diff", group=PANES, tooltip="Show blocked vs delivered"),
    Binding("4", "show_pane('checklist')", "Checklist", group=PANES, tooltip="Show the checklist"),
    Binding("5", "show_pane('route')", "Route", group=PANES, tooltip="Show the Received route"),
    Binding(
        "right_square_bracket",
        "step_difference(1)",
        "Next diff",
        show=False,
        key_display="]",
        tooltip="Next difference between the two copies (diff pane)",
    ),
    Binding(
        "left_square_bracket",
        "step_difference(-1)",
        "Prev diff",
        show=False,
        key_display="[",
        tooltip="Previous difference between the two copies (diff pane)",
    ),
    Binding(
        "a", "open_sample(0)", "Open A", group=OPEN, tooltip="Open the blocked sample (slot A)"
    ),
    Binding(
        "b", "open_sample(1)", "Open B", group=OPEN, tooltip="Open the delivered sample (slot B)"
    ),
    Binding(
        "p", "paste(0)", "Paste A", group=OPEN, tooltip="Paste headers as the blocked sample (A)"
    ),
    Binding(
        "P",
        "paste(1)",
        "Paste B",
        show=False,  # the footer's "a/b/p Open" must leave room for Notes at 80 columns
        tooltip="Paste headers as the delivered sample (B)",
    ),
    Binding(
        "w",
        "take_dropped",
        "Dropped file",
        show=False,
        tooltip="Load the newest file from the drop folder (--watch) as A or B",
    ),
    Binding("s", "swap", "Swap", tooltip="Swap samples A and B"),
    Binding("escape", "cancel_checks", "Cancel", show=False, tooltip="Cancel running DNS checks"),
    Binding("n", "notes", "Notes", tooltip="Ticket notes to paste into the PSA"),
    Binding(
        "i",
        "ticket",
        "Ticket",
        group=TICKET,
        tooltip="Ticket form: who is affected, symptom, fix, verification",
    ),
    Binding(
        "ctrl+e",
        "refused_edits",
        "Refused edits",
        show=False,
        tooltip="Show your ticket edits another session's save refused (to type again)",
    ),
    Binding(
        "x",
        "export('')",
        "Export",
        group=TICKET,
        tooltip="Export: notes, vendor case packet, escalation update, redacted copies",
    ),
    # Re-checking is what a call needs after the customer changes a record: it comes
    # before the views in the footer, which at 80 columns ends after a few of them.
    Binding("r", "recheck", "Recheck", tooltip="Run the live DNS checks again"),
    Binding("l", "dns_log", "Log", tooltip="Show every DNS query made"),
    Binding("t", "spf_tree", "SPF", tooltip="Show the SPF evaluation tree of each sample"),
    Binding(
        "m",
        "show_trace",
        "Trace",
        tooltip="Show the Microsoft 365 message trace (asks for a CSV when none)",
    ),
    Binding("v", "verdicts", "Verdicts", tooltip="Decode every gateway and filter header"),
    Binding("e", "explain", "Explain", tooltip="Explain a pasted log status, SMTP reply or bounce"),
    Binding(
        "enter",
        "full_text",
        "Full text",
        show=False,
        tooltip="Show the full text of the focused row (evidence, next step, diff, checklist)",
    ),
    Binding(
        "M",
        "import_trace",
        "Import trace",
        show=False,
        tooltip="Import another Microsoft 365 message trace CSV",
    ),
]
