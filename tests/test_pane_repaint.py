"""Repaints that live rows cause (issue 11): only what changed, without a new layout.

A live answer changes a row of the authentication pane and an item of the checklist.
When the pane's body keeps its height, only the pane is repainted (a layout of the
whole screen and a render of every pane cost tens of milliseconds, during which the
live checks' loop waits for the interpreter lock); the checklist replaces the prompts
that changed instead of rebuilding the list.
"""

from __future__ import annotations

from mailtriage.checks.playbook import Item, ItemState
from mailtriage.widgets.checklist_pane import ChecklistPane
from mailtriage.widgets.pane import Pane
from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import Static


class _Body(Pane):
    text = "one\ntwo\nthree"

    def build(self, width: int) -> Content:
        return Content(self.text)


class _Panes(App[None]):
    def compose(self) -> ComposeResult:
        yield _Body(id="body")
        yield ChecklistPane(id="checklist")


async def test_a_body_as_tall_as_before_is_repainted_without_a_layout(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = _Panes()
    async with app.run_test(size=(40, 20)) as pilot:
        pane = app.query_one(_Body)
        await pilot.pause()
        layouts: list[bool] = []
        update = Static.update

        def noting(self, content="", *, layout=True):  # type: ignore[no-untyped-def]
            layouts.append(layout)
            update(self, content, layout=layout)

        monkeypatch.setattr(Static, "update", noting)
        pane.text = "uno\ndos\ntres"  # same height: no layout
        pane.refresh_body()
        pane.text = "uno\ndos\ntres\ncuatro"  # taller: a layout
        pane.refresh_body()
        await pilot.pause()
        pane.text = "x " * 40 + "\ndos\ntres\ncuatro"  # as many lines, one wraps: taller
        pane.refresh_body()
        await pilot.pause()
        body = pane.query_one(".pane--body", Static)
        assert layouts == [False, True, True]
        assert body.size.height == 6  # 80 cells wrap to three lines of the 36-cell body


def _states(done: bool) -> list[ItemState]:
    items = [Item("mx", "Check the recipient MX"), Item("dns", "Live DNS answered", auto="live")]
    return [
        ItemState(items[0], False, None, "Routing"),
        ItemState(items[1], done, "8 lookups answered" if done else None, "Routing"),
    ]


async def test_the_checklist_replaces_changed_prompts_in_place() -> None:
    app = _Panes()
    async with app.run_test(size=(40, 20)) as pilot:
        pane = app.query_one(ChecklistPane)
        pane.show(_states(False), frozenset())
        await pilot.pause()
        before = [pane.get_option_at_index(i) for i in range(pane.option_count)]
        pane.highlighted = 2
        pane.show(_states(True), frozenset({"mx"}))  # the evidence ticks one, a hand the other
        await pilot.pause()
        after = [pane.get_option_at_index(i) for i in range(pane.option_count)]
        assert after == before and all(a is b for a, b in zip(after, before, strict=True))
        assert pane.highlighted == 2
        prompts = [str(o.prompt) for o in after]
        assert prompts[1].startswith("☑") and prompts[2].startswith("✔")
        assert "8 lookups answered" in prompts[2]
        assert pane.border_subtitle == "space ticks · enter reads · 2/2 done"
        pane.show([*_states(True), ItemState(Item("x", "New"), False, None, "More")], frozenset())
        assert pane.option_count == 5  # another shape: the list is rebuilt
