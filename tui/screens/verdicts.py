"""VerdictsScreen: every gateway and filter header of each sample, decoded field by field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mailtriage.tui.screens.text_view import TextViewScreen, line
from textual.binding import Binding
from textual.content import Content

if TYPE_CHECKING:
    from mailtriage.checks.analysis import Analysis

VERDICT_STYLE = {
    "spam": "$error bold",
    "phish": "$error bold",
    "malware": "$error bold",
    "quarantined": "$error bold",
    "blocked": "$error bold",
    "junk": "$warning bold",
    "bulk": "$warning",
    "suspicious": "$warning",
    "impersonation": "$warning",
    "spoof": "$warning",
    "released": "$warning",
    "allowed": "$success",
    "inbox": "$success",
    "clean": "$success",
    "not spam": "$success",
}
MAX_UNKNOWN = 40
MAX_HEADERS = 100


def render_verdicts(samples: Sequence[tuple[str, Analysis]]) -> Content:
    """Decoded verdict headers per sample: meaning, each field, then unknown X- headers."""
    lines: list[Content] = []
    for label, a in samples:
        # Headers that decide something first; identifiers and engine versions after.
        found = sorted(a.verdicts, key=lambda v: v.verdict is None)
        if len(found) > MAX_HEADERS:
            lines.append(line(f"  showing the first {MAX_HEADERS} of {len(found)}", "$warning"))
            found = found[:MAX_HEADERS]
        lines.append(line(f"{label}: {len(found)} filter header(s)", "$accent bold"))
        if placed := a.placement:
            lines.append(line(f"  {placed}", "$warning"))
        for v in found:
            verdict = f" [{v.verdict}]" if v.verdict else ""
            style = VERDICT_STYLE.get(v.verdict or "", "bold")
            lines.append(line(f"  {v.vendor} · {v.name}{verdict}", style))
            lines.append(line(f"    {v.meaning}", ""))
            for f in v.fields:
                lines.append(line(f"    {f.key} = {f.value}  ·  {f.meaning}", "$text-muted"))
        unknown = a.unknown_verdict_headers
        if unknown:
            lines.append(line(f"  Other X- headers, not decoded ({len(unknown)}):", "bold"))
            for name, value in unknown[:MAX_UNKNOWN]:
                lines.append(line(f"    {name}: {value}", "$text-muted", 200))
        lines.append(Content(""))
    if not samples:
        lines.append(line("No sample loaded.", "$text-muted"))
    return Content("\n").join(lines)


class VerdictsScreen(TextViewScreen):
    """Full-screen decoded verdicts; Escape or v closes."""

    BINDINGS = [Binding("escape,v", "close", "Close", tooltip="Close the verdicts view")]

    def __init__(self, samples: Sequence[tuple[str, Analysis]]) -> None:
        super().__init__("Gateway and filter verdicts, decoded", render_verdicts(samples))
