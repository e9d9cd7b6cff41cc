"""DiffPane: blocked vs delivered, the fields that differ first, grouped by layer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from mailtriage.checks.diff import DiffRow
from mailtriage.widgets._render import Cell, grid, heading, join_lines, safe
from mailtriage.widgets.pane import Pane
from textual.content import Content

LAYER_ORDER = (
    "authentication",
    "policy",
    "quarantine/release",
    "verdict",
    "routing/connector",
    "identity",
    "downstream/mailbox",
    "message",
)
"""Likely causes first (the guides' order), consequences of a block last."""
LABEL = 17


class DiffPane(Pane):
    """Side-by-side comparison; with one sample, says what a second would show."""

    BORDER_TITLE = "Blocked vs delivered"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: tuple[DiffRow, ...] = ()
        self.hints: tuple[str, ...] = ()
        self.labels: tuple[str, str] = ("blocked", "delivered")

    def show(
        self,
        rows: Sequence[DiffRow],
        hints: Sequence[str] = (),
        labels: tuple[str, str] = ("blocked", "delivered"),
    ) -> None:
        """Display diff rows (two samples) or hints (one sample).

        With rows, hints are warnings shown above them (e.g. a sample is a bounce).
        """
        self.rows = tuple(rows)
        self.hints = tuple(hints)
        self.labels = labels
        self.refresh_body()

    def build(self, width: int) -> Content:
        """Render the layer summary, then differing rows grouped by layer, then the rest."""
        if not self.rows:
            lines = [heading("One sample loaded", width)]
            for hint in self.hints or ("Load a second sample to compare.",):
                lines.append(Content.styled(safe(f"• {hint}"), "$text-muted"))
            return join_lines(lines)
        differing = [r for r in self.rows if r.differs]
        layers = [layer for layer in LAYER_ORDER if any(r.layer == layer for r in differing)]
        layers += sorted({r.layer for r in differing} - set(layers))
        counts = Counter(r.layer for r in differing)
        summary = ", ".join(f"{layer} ({counts[layer]})" for layer in layers if layer != "message")
        lines = [Content.styled(safe(f"! {hint}"), "$error") for hint in self.hints]
        lines.append(
            Content.assemble(
                ("Differs in: ", "bold"), (safe(summary or "nothing"), "$warning bold")
            )
        )
        cols: list[Cell] = [
            (f"A · {self.labels[0]}", "$accent bold"),
            (f"B · {self.labels[1]}", "$accent bold"),
        ]
        lines += grid([(("", ""), cols)], width, label_width=LABEL)
        a_name, b_name = (f"{s} · {label}" for s, label in zip("AB", self.labels, strict=True))
        for layer in layers:
            lines.append(Content.styled(safe(layer), "$accent italic"))
            shown = [r for r in differing if r.layer == layer]
            rows: list[tuple[Cell, list[Cell]]] = [
                (
                    (safe(f"≠ {r.field}"), "$warning bold"),
                    [(safe(r.a), "$warning"), (safe(r.b), "$warning")],
                )
                for r in shown
            ]
            heights: list[int] = []
            start = len(lines)
            lines += grid(rows, width, label_width=LABEL, max_lines=2, heights=heights)
            for r, height in zip(shown, heights, strict=True):
                text = (f"layer: {safe(layer)}", "", f"{a_name}: {safe(r.a)}", "",
                        f"{b_name}: {safe(r.b)}")  # fmt: skip
                self.add_row(start, height, safe(f"≠ {r.field}"), text)
                start += height
        same = [r.field for r in self.rows if not r.differs]
        if same:
            lines.append(Content.styled(safe("Same in both: " + ", ".join(same)), "$text-muted"))
        return join_lines(lines)
