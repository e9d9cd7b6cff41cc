"""DiffPane: blocked vs delivered, headed by the two-copy decision.

The headline is the engine's :class:`~mailtriage.checks.suspect.Comparison`: the
suspect layer (or that none explains the block), the header lines from both
copies that show it, and the next step. Below it, per layer in causal order, the
differences the decision read, those that can explain a block marked ``!``; a
cursor steps through them (:meth:`DiffPane.step`), the current one highlighted
with its own evidence. Last, the field-by-field table of the two samples.

The pane only lays out what it is given: the dashboard computes the comparison
and the rows. Every string from a sample passes through ``safe`` into plain
``Content``, so nothing in a header is read as markup.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Sequence

from mailtriage.checks.diff import DiffRow
from mailtriage.checks.suspect import LAYERS, Comparison, Difference
from mailtriage.widgets._render import Cell, grid, heading, join_lines, safe, wrap
from mailtriage.widgets.pane import Pane
from textual.content import Content
from textual.geometry import Region

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
"""Field-by-field table: likely causes first (the guides' order), consequences of a block last."""
LABEL = 17
NARROW = 60
"""Below this many cells, labels go on their own line above the text they name."""
HIGHLIGHT = "on $block-cursor-background"
"""The current difference's bar: the theme's cursor colour, as in the checklist."""
STEP_KEYS = "] next · [ previous"
"""The keys that step through the differences (bound on the dashboard), as shown on the border."""

_ALL = sys.maxsize  # wrap without a line limit: evidence and next steps are never cut
_SIDE = re.compile(r"(A|B)(?: \(([^)]*)\))?: ")


def split_evidence(line: str) -> tuple[str, str]:
    """Split an evidence line into its copy label and its text.

    Args:
        line: An engine evidence line such as ``"A: Authentication-Results: ..."`` or
            ``"A (bounce): ..."``.

    Returns:
        ``("A", text)``, ``("A (bounce)", text)``, ``("B", text)``, or ``("", line)``
        for a line without a copy label.
    """
    m = _SIDE.match(line)
    if m is None:
        return "", line
    return line[: m.end() - 2], line[m.end() :]


def _hang(
    label: str,
    text: str,
    width: int,
    *,
    indent: int,
    label_style: str = "bold",
    text_style: str = "",
) -> list[Content]:
    """``label`` with ``text`` wrapped beside it (hanging indent), never cut.

    Narrower than :data:`NARROW`, a label longer than a copy mark (``A:``) takes its
    own line and the text the full width below it, indented by two cells.
    """
    label, text = safe(label), safe(text)
    pad = max(indent, len(label) + 1) if label else indent
    if width < NARROW and pad > 4:
        lines = [Content.styled(label, label_style)] if label else []
        return lines + [
            Content.assemble("  ", (part, text_style)) for part in wrap(text, width - 2, _ALL)
        ]
    out = []
    for i, part in enumerate(wrap(text, width - pad, _ALL)):
        lead = (label if i == 0 else "").ljust(pad)
        out.append(Content.assemble((lead, label_style), (part, text_style)))
    return out


def _joined(parts: Sequence[tuple[str, str]], width: int) -> list[Content]:
    """Styled parts on one line when they fit, else each part wrapped on lines of its own."""
    if sum(len(text) for text, _ in parts) <= width:
        return [Content.assemble(*parts)]
    return [
        Content.styled(line, style)
        for text, style in parts
        for line in wrap(text.strip(), width, _ALL)
    ]


def _difference(d: Difference, width: int) -> list[Content]:
    """One difference: on one line when it fits, else the field above A and B."""
    mark, style = ("!", "$warning bold") if d.explains else ("≠", "")
    field, a, b = safe(d.field), safe(d.a), safe(d.b)
    one = f"{mark} {field}  A: {a}  B: {b}"
    if Content(one).cell_length + 2 <= width:
        return [
            Content.assemble(
                "  ",
                (f"{mark} {field}", style),
                "  ",
                ("A: ", "$text-muted"),
                a,
                "  ",
                ("B: ", "$text-muted"),
                b,
            )
        ]
    lines = [
        Content.assemble("  ", (part, style)) for part in wrap(f"{mark} {field}", width - 2, _ALL)
    ]
    for side, value in (("A:", a), ("B:", b)):
        lines += [
            Content.assemble("    ", line)
            for line in _hang(side, value, width - 4, indent=3, label_style="$text-muted")
        ]
    return lines


def _highlight(lines: list[Content], d: Difference, width: int) -> list[Content]:
    """The current difference: a pointer and a cursor bar, then its own evidence lines."""
    marked = [Content.assemble(("▶", "bold"), lines[0][1:]), *lines[1:]]
    out = [line.pad_right(max(width - line.cell_length, 0)).stylize(HIGHLIGHT) for line in marked]
    for line in d.evidence or ("(no header line shows it)",):
        side, text = split_evidence(line)
        out += [
            Content.assemble("    ", part)
            for part in _hang(side, text, width - 4, indent=3, text_style="$text-muted")
        ]
    return out


class DiffPane(Pane):
    """Blocked vs delivered: the decision, its differences by layer, then every field.

    With one sample, says what the second one is for.

    Attributes:
        comparison: The engine's decision on the pair, or ``None`` (one sample loaded).
        current: Index into :attr:`differences` of the highlighted one, or ``None``.
    """

    BORDER_TITLE = "Blocked vs delivered"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: tuple[DiffRow, ...] = ()
        self.hints: tuple[str, ...] = ()
        self.labels: tuple[str, str] = ("blocked", "delivered")
        self.comparison: Comparison | None = None
        self.missing = "B"
        self.current: int | None = None
        self._spans: list[tuple[int, int]] = []  # per difference: first body line, line count
        self._scroll_pending = False

    def show(
        self,
        rows: Sequence[DiffRow],
        hints: Sequence[str] = (),
        labels: tuple[str, str] = ("blocked", "delivered"),
        comparison: Comparison | None = None,
        missing: str = "B",
    ) -> None:
        """Display the decision and the diff rows (two samples), or hints (one sample).

        Args:
            rows: The field-by-field rows (empty with one sample).
            hints: With rows, warnings shown under the headline (e.g. a sample is a
                bounce); with one sample, what a second one would show.
            labels: Role labels of slots A and B.
            comparison: The decision on the pair (``None`` with one sample).
            missing: Without a pair, the empty slot: ``"A"``, ``"B"`` or ``"AB"`` (none loaded).
        """
        if comparison != self.comparison:
            self.current = None  # a new pair: the cursor starts again
        self.rows = tuple(rows)
        self.hints = tuple(hints)
        self.labels = labels
        self.comparison = comparison
        self.missing = missing
        self._update_subtitle()
        self.refresh_body()

    @property
    def differences(self) -> tuple[tuple[str, Difference], ...]:
        """Every difference of the comparison as ``(layer, difference)``, in causal order."""
        if self.comparison is None:
            return ()
        return tuple((x.layer, d) for x in self.comparison.layers for d in x.differences)

    @property
    def current_difference(self) -> tuple[str, Difference] | None:
        """The highlighted ``(layer, difference)``, or ``None``."""
        diffs = self.differences
        if self.current is None or not 0 <= self.current < len(diffs):
            return None
        return diffs[self.current]

    def step(self, by: int) -> tuple[str, Difference] | None:
        """Move the highlight ``by`` differences (wrapping) and scroll it into view.

        From no highlight, a step forward starts at the first difference and a step
        back at the last.

        Args:
            by: ``1`` for the next difference, ``-1`` for the previous one.

        Returns:
            The now highlighted ``(layer, difference)``, or ``None`` when there is none.
        """
        count = len(self.differences)
        if not count:
            return None
        if self.current is None:
            self.current = 0 if by > 0 else count - 1
        else:
            self.current = (self.current + by) % count
        self._scroll_pending = True
        self._update_subtitle()
        self.refresh_body()
        return self.current_difference

    def _update_subtitle(self) -> None:
        count = len(self.differences)
        if not count:
            self.border_subtitle = ""
            return
        at = f"{self.current + 1}/{count}" if self.current is not None else f"{count} differences"
        self.border_subtitle = f"{STEP_KEYS} · {at}"

    def _scroll_to_current(self) -> None:
        if self.current is None or self.current >= len(self._spans):
            return
        self._scroll_pending = False
        start, height = self._spans[self.current]
        # The body is the pane's only child: its lines are the scrollable content's rows.
        self.scroll_to_region(Region(0, start, 1, height), animate=False, immediate=True)

    # ---- layout -------------------------------------------------------------
    def build(self, width: int) -> Content:
        """Render the decision, its differences by layer, then the field-by-field table."""
        self._spans = []
        if not self.rows and self.comparison is None:
            return join_lines(self._one_sample(width))
        lines: list[Content] = []
        if self.comparison is not None:
            lines += self._headline(self.comparison, width)
        lines += [
            Content.assemble(("! ", "$error bold"), (line, "$error"))
            for hint in self.hints
            for line in wrap(safe(hint), width - 2, _ALL)
        ]
        if self.comparison is not None:
            lines += self._layers(self.comparison, width, len(lines))
        if self.rows:
            lines += self._fields(width)
        if self._scroll_pending:
            self.call_after_refresh(self._scroll_to_current)
        return join_lines(lines)

    def _one_sample(self, width: int) -> list[Content]:
        if self.missing == "AB":
            title = "No sample loaded"
            todo = "Open the blocked copy (key a) and a delivered one (key b)"
        elif self.missing == "A":
            title, todo = "One sample loaded", "Open the blocked one into slot A (key a)"
        else:
            title, todo = "One sample loaded", "Open a delivered one into slot B (key b)"
        lines = [heading(title, width)]
        lines += _hang(
            "",
            "The decision needs two copies of a similar message, one that was stopped and "
            f"one that arrived. {todo}: this pane then names the layer that explains why "
            f"the blocked copy fared worse ({', '.join(LAYERS)}), shows the header lines "
            "from each copy that prove it, and the next step.",
            width,
            indent=0,
        )
        for hint in self.hints:
            lines += _hang("•", hint, width, indent=2, text_style="$text-muted")
        return lines

    def _headline(self, c: Comparison, width: int) -> list[Content]:
        if c.suspect_layer:
            parts = [("Suspect layer: ", "bold"), (safe(c.suspect_layer), "$error bold")]
        else:
            parts = [("No layer explains the block", "$warning bold")]
        lines = _joined(parts, width)
        for line in c.evidence:
            side, text = split_evidence(line)
            lines += _hang(side, text, width, indent=3, label_style="$accent bold")
        lines += _hang("Next step", c.next_step, width, indent=11)
        return lines

    def _layers(self, c: Comparison, width: int, at: int) -> list[Content]:
        lines = _joined(
            [
                ("Differences by layer", "$accent bold"),
                ("  ! can explain the block", "$text-muted"),
            ],
            width,
        )
        a, b = self.labels
        lines += _hang(f"A {a}", c.outcome_a, width, indent=13, label_style="$text-muted")
        lines += _hang(f"B {b}", c.outcome_b, width, indent=13, label_style="$text-muted")
        index = 0
        for x in c.layers:
            if not x.differences:
                continue
            head = [(safe(x.layer), "$accent italic")]
            if x.layer == c.suspect_layer:
                head.append(("  ◀ suspect", "$error bold"))
            lines += _joined(head, width)
            for d in x.differences:
                rows = _difference(d, width)
                if index == self.current:
                    rows = _highlight(rows, d, width)
                self._spans.append((at + len(lines), len(rows)))
                lines += rows
                index += 1
        if not index:
            lines.append(Content.styled("  The copies differ in no layer.", "$text-muted"))
        same = [x.layer for x in c.layers if not x.differences]
        if same and index:
            lines += _hang(
                "No difference in:", ", ".join(same), width, indent=18, label_style="$text-muted"
            )
        return lines

    def _fields(self, width: int) -> list[Content]:
        differing = [r for r in self.rows if r.differs]
        layers = [layer for layer in LAYER_ORDER if any(r.layer == layer for r in differing)]
        layers += sorted({r.layer for r in differing} - set(layers))
        counts = Counter(r.layer for r in differing)
        summary = ", ".join(f"{layer} ({counts[layer]})" for layer in layers if layer != "message")
        lines = [heading("Field by field", width)] if self.comparison is not None else []
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
        for layer in layers:
            lines.append(Content.styled(safe(layer), "$accent italic"))
            rows: list[tuple[Cell, list[Cell]]] = [
                (
                    (safe(f"≠ {r.field}"), "$warning bold"),
                    [(safe(r.a), "$warning"), (safe(r.b), "$warning")],
                )
                for r in differing
                if r.layer == layer
            ]
            lines += grid(rows, width, label_width=LABEL, max_lines=2)
        same = [r.field for r in self.rows if not r.differs]
        if same:
            lines.append(Content.styled(safe("Same in both: " + ", ".join(same)), "$text-muted"))
        return lines
