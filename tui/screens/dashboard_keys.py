"""The dashboard's key bindings: each has a description and a tooltip (its palette entry)."""

from __future__ import annotations

from textual.binding import Binding

BINDINGS: list[Binding | tuple[str, str] | tuple[str, str, str]] = [
    Binding("1", "show_pane('sample')", "Sample", show=False, tooltip="Show the sample pane"),
    Binding("2", "show_pane('auth')", "Auth", show=False, tooltip="Show the authentication pane"),
    Binding("3", "show_pane('diff')", "Diff", show=False, tooltip="Show blocked vs delivered"),
    Binding("4", "show_pane('checklist')", "Checklist", show=False, tooltip="Show the checklist"),
    Binding("5", "show_pane('route')", "Route", show=False, tooltip="Show the Received route"),
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
    Binding("a", "open_sample(0)", "Open A", tooltip="Open the blocked sample (slot A)"),
    Binding("b", "open_sample(1)", "Open B", tooltip="Open the delivered sample (slot B)"),
    # Footer space at 80 columns is short: s, l, t, m, ] and [ live in the palette (ctrl+p);
    # the diff pane's border names ] and [.
    Binding("s", "swap", "Swap", show=False, tooltip="Swap samples A and B"),
    Binding("r", "recheck", "Recheck", tooltip="Run the live DNS checks again"),
    Binding("escape", "cancel_checks", "Cancel", show=False, tooltip="Cancel running DNS checks"),
    Binding("l", "dns_log", "Log", show=False, tooltip="Show every DNS query made"),
    Binding(
        "t",
        "spf_tree",
        "SPF",
        show=False,
        tooltip="Show the SPF evaluation tree of each sample",
    ),
    Binding("n", "notes", "Notes", tooltip="Ticket notes to paste into the PSA"),
    Binding("v", "verdicts", "Verdicts", tooltip="Decode every gateway and filter header"),
    Binding("e", "explain", "Explain", tooltip="Explain a pasted log status, SMTP reply or bounce"),
    Binding(
        "m",
        "show_trace",
        "Trace",
        show=False,
        tooltip="Show the Microsoft 365 message trace (asks for a CSV when none)",
    ),
    Binding(
        "M",
        "import_trace",
        "Import trace",
        show=False,
        tooltip="Import another Microsoft 365 message trace CSV",
    ),
]
