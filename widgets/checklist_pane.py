"""ChecklistPane: the playbook as a tickable list; evidence ticks items by itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mailtriage.widgets._render import safe
from mailtriage.widgets.pane import FullTextRequested
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from mailtriage.checks.playbook import ItemState


def _outline(states: Sequence[ItemState]) -> tuple[tuple[str, str], ...]:
    """The list's shape: each item's section and id, in order."""
    return tuple((st.section_title, st.item.id) for st in states)


class ChecklistPane(OptionList):
    """Playbook items grouped by section; space ticks the highlighted item.

    Enter asks for the item's full text (step, hint, evidence) to be shown: a
    :class:`~mailtriage.widgets.pane.FullTextRequested` message.
    """

    BORDER_TITLE = "Checklist"
    BINDINGS = [
        Binding("space", "select", "Tick", show=False, tooltip="Tick or untick this item"),
        Binding("enter", "open_row", "Full text", show=False, tooltip="Full text of this item"),
    ]

    DEFAULT_CSS = """
    ChecklistPane {
        border: round $panel;
        border-title-color: $foreground;
        border-title-style: bold;
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    ChecklistPane:focus {
        border: round $accent;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.states: tuple[ItemState, ...] = ()
        self.ticked: frozenset[str] = frozenset()

    def show(self, states: Sequence[ItemState], ticked: frozenset[str]) -> None:
        """Display item states; ``ticked`` holds the ids the technician ticked."""
        if tuple(states) == self.states and ticked == self.ticked and self.option_count:
            return
        before, was_ticked = self.states, self.ticked
        self.states = tuple(states)
        self.ticked = ticked
        done = sum(1 for s in self.states if s.auto_done or s.item.id in ticked)
        self.border_subtitle = f"space ticks · enter reads · {done}/{len(self.states)} done"
        if self.option_count and _outline(before) == _outline(self.states):
            # The same sections and items: only the changed prompts are replaced, so a
            # live answer that ticks an item repaints one line, not the whole list.
            for old, st in zip(before, self.states, strict=True):
                item = st.item.id
                if old != st or (item in was_ticked) != (item in ticked):
                    self.replace_option_prompt(item, self._prompt(st))
            return
        keep = self.highlighted
        self.clear_options()
        section = None
        options: list[Option] = []
        for st in self.states:
            sec = st.section_title
            if sec != section:
                section = sec
                options.append(Option(Content.styled(safe(sec), "$accent bold"), disabled=True))
            options.append(Option(self._prompt(st), id=st.item.id))
        self.add_options(options)
        if keep is not None and keep < self.option_count:
            self.highlighted = keep

    def _prompt(self, st: ItemState) -> Content:
        if st.auto_done:
            box, style = "✔", "$success"
        elif st.item.id in self.ticked:
            box, style = "☑", "$success"
        else:
            box, style = "☐", ""
        parts: list[tuple[str, str] | str] = [(f"{box} ", style), safe(st.item.text)]
        if st.evidence:
            parts.append(("  — " + safe(st.evidence), "$text-muted"))
        return Content.assemble(*parts)

    def action_open_row(self) -> None:
        """Ask for the highlighted item's full text to be shown."""
        index = self.highlighted
        if index is None:
            return
        item_id = self.get_option_at_index(index).id
        st = next((s for s in self.states if s.item.id == item_id), None)
        if st is None:
            return
        if st.auto_done:
            state = "done: the evidence shows it"
        elif st.item.id in self.ticked:
            state = "ticked by hand"
        else:
            state = "not done yet (space ticks it)"
        text = [f"section: {safe(st.section_title)}", f"state: {state}", "", safe(st.item.text)]
        if st.item.hint:
            text += ["", f"hint: {safe(st.item.hint)}"]
        if st.evidence:
            text += ["", f"evidence: {safe(st.evidence)}"]
        self.post_message(FullTextRequested(safe(st.item.text), tuple(text)))
