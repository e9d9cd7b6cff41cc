"""DiffPane: blocked vs delivered, the fields that differ first, grouped by layer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from textual.content import Content

from checks.diff import DiffRow
from widgets._render import Cell, grid, heading, join_lines, safe
from widgets.pane import Pane


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
        """Display diff rows (two samples) or hints (one sample)."""
        self.rows = tuple(rows)
        self.hints = tuple(hints)
        self.labels = labels
        self.refresh_body()

    def build(self, width: int) -> Content:
        """Render the layer summary and the side-by-side table."""
        if not self.rows:
            lines = [heading("One sample loaded", width)]
            for hint in self.hints or ("Load a second sample to compare.",):
                lines.append(Content.styled(safe(f"• {hint}"), "$text-muted"))
            return join_lines(lines)
        differing = [r for r in self.rows if r.differs]
        layers = Counter(r.layer for r in differing)
        summary = ", ".join(f"{layer} ({n})" for layer, n in layers.most_common()) or "nothing"
        lines = [
            Content.assemble(("Differs in: ", "bold"), (safe(summary), "$warning bold")),
            Content(""),
        ]
        rows: list[tuple[Cell, list[Cell]]] = [
            (
                ("", ""),
                [
                    (f"A · {self.labels[0]}", "$accent bold"),
                    (f"B · {self.labels[1]}", "$accent bold"),
                ],
            )
        ]
        for r in [*differing, *[r for r in self.rows if not r.differs]]:
            style = "$warning bold" if r.differs else "$text-muted"
            mark = "≠ " if r.differs else "  "
            rows.append(((safe(mark + r.field), style), [(safe(r.a), style), (safe(r.b), style)]))
        return join_lines(lines + grid(rows, width, label_width=16, max_lines=2))
