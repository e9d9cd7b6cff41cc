"""RefusedScreen: ticket edits another session's save refused (``mailtriage serve``).

``ctrl+e`` opens it. A field that clashed while it was being edited is *held*: the
local text stays in the form, unsaved, and this screen shows it beside the saved
text; ``k`` saves the local text over the other session's, ``t`` takes theirs (the
local text is then kept in the list below, to copy from). Texts already replaced by
the other session's save follow, each as it was the moment it was replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, cast

from mailtriage.tui.screens.full_text import FullTextScreen
from textual.binding import Binding


class ConflictHost(Protocol):
    """What the screen uses of the app (MailtriageApp provides it)."""

    def keep_mine(self) -> None: ...

    def take_theirs(self) -> None: ...


class RefusedScreen(FullTextScreen):
    """The refused and held edits; ``k`` / ``t`` settle the held ones."""

    BINDINGS = [
        Binding("k", "keep_mine", "Keep yours", tooltip="Save your text over the other session's"),
        Binding("t", "take_theirs", "Take theirs", tooltip="Replace your text with the saved one"),
    ]

    def __init__(self, title: str, text: Sequence[str], held: bool) -> None:
        super().__init__(title, text)
        self.held = held

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``k`` and ``t`` only while a field is held."""
        if action in ("keep_mine", "take_theirs"):
            return self.held
        return True

    def action_keep_mine(self) -> None:
        """Save the held text over the other session's, then close."""
        cast("ConflictHost", self.app).keep_mine()
        self.dismiss(None)

    def action_take_theirs(self) -> None:
        """Take the saved text into the form (yours stays listed under ``ctrl+e``), close."""
        cast("ConflictHost", self.app).take_theirs()
        self.dismiss(None)
