"""Command palette provider: every binding of the current screen and app, by name.

Deriving the palette from the bindings keeps the two in step: an action that
gets a key also gets a palette entry, with the same description.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen


def _bindings(node: DOMNode) -> Iterator[Binding]:
    for item in node.BINDINGS:
        if isinstance(item, Binding) and item.description and item.action != "command_palette":
            yield item


class ActionCommands(Provider):
    """Offers the dashboard's actions (open, swap, recheck, notes...) in the palette."""

    def _entries(self) -> list[tuple[str, str, Screen[object] | App[object], str]]:
        screen = self.screen
        entries: list[tuple[str, str, Screen[object] | App[object], str]] = []
        seen: set[str] = set()
        nodes: tuple[Screen[object] | App[object], ...] = (screen, self.app)
        for node in nodes:
            for b in _bindings(node):
                title = b.tooltip or b.description
                if title in seen:
                    continue
                seen.add(title)
                key = b.key_display or b.key
                entries.append((title, f"key: {key}", node, b.action))
        return entries

    async def discover(self) -> Hits:
        """List every action when the palette opens with an empty query."""
        for title, help_text, node, action in self._entries():
            yield DiscoveryHit(title, partial(node.run_action, action), text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy-match actions by their description."""
        matcher = self.matcher(query)
        for title, help_text, node, action in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(node.run_action, action),
                    text=title,
                    help=help_text,
                )
