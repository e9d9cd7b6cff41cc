"""KeyFooter: one line of the screen's keys, grouped ("1-5 Panes"), that fits 80 columns.

Textual's own footer gives each key its own cell and leaves no room at 80 columns
for the pane keys or the pop-up keys. This one shows bindings of one
``Binding.Group`` as one entry ("1-5", "a/b"), one space between entries, and the
command palette key at the right. When the line is still too narrow, entries are
left off from the end (the bindings' order is their priority); the palette lists
every action.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget


@dataclass(frozen=True)
class FooterEntry:
    """One entry of the footer: the keys shown, what they do, the key a click presses."""

    keys: str
    description: str
    press: str

    @property
    def width(self) -> int:
        """Cells the entry takes, without the space after it."""
        return len(self.keys) + 1 + len(self.description)


def key_range(keys: list[str]) -> str:
    """Show keys as a range ("1-5") when they are consecutive digits, else "a/b"."""
    digits = all(len(k) == 1 and k.isdigit() for k in keys)
    if digits and len(keys) > 2 and all(int(b) == int(a) + 1 for a, b in pairwise(keys)):
        return f"{keys[0]}-{keys[-1]}"
    return "/".join(keys)


def fitted(entries: list[FooterEntry], width: int) -> list[FooterEntry]:
    """The leading entries that fit in ``width`` cells, one space between them."""
    out: list[FooterEntry] = []
    used = 0
    for entry in entries:
        need = entry.width + (1 if out else 0)
        if used + need > width:
            break
        out.append(entry)
        used += need
    return out


class KeyFooter(Widget):
    """A one-line, grouped key footer; clicking an entry presses its key."""

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-description-foreground;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        """Repaint whenever the screen's bindings change (focus moves, a check flips)."""
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh())

    def entries(self) -> tuple[list[FooterEntry], FooterEntry | None]:
        """The shown bindings as entries (groups merged), and the palette entry."""
        app = self.app
        palette: FooterEntry | None = None
        entries: list[FooterEntry] = []
        group: Binding.Group | None = None
        keys: list[str] = []
        press = ""
        seen: set[str] = set()

        def close() -> None:
            if group is not None and keys:
                entries.append(FooterEntry(key_range(keys), group.description, press))

        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.action == "command_palette" or binding.key == app.COMMAND_PALETTE_BINDING:
                palette = FooterEntry(app.get_key_display(binding), "palette", binding.key)
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            shown = app.get_key_display(binding)
            if binding.group is not None and binding.group is group:
                keys.append(shown)
                continue
            close()
            group, keys, press = None, [], ""
            if binding.group is not None:
                group, keys, press = binding.group, [shown], binding.key
                continue
            entries.append(FooterEntry(shown, binding.description, binding.key))
        close()
        if not app.ENABLE_COMMAND_PALETTE:
            palette = None
        return entries, palette

    def render(self) -> Content:
        """The entries that fit, then the palette key at the right edge."""
        width = self.content_region.width
        entries, palette = self.entries()
        room = width - (palette.width + 2 if palette else 0)
        shown = fitted(entries, room)
        parts: list[Content] = []
        spans: list[tuple[int, int, str]] = []
        x = 0
        for i, entry in enumerate(shown):
            if i:
                parts.append(Content(" "))
                x += 1
            parts.append(self._entry(entry))
            spans.append((x, x + entry.width, entry.press))
            x += entry.width
        if palette is not None:
            gap = max(width - x - palette.width, 1)
            parts.append(Content(" " * gap))
            x += gap
            parts.append(self._entry(palette))
            spans.append((x, x + palette.width, palette.press))
        self._spans = spans
        return Content("").join(parts)

    @staticmethod
    def _entry(entry: FooterEntry) -> Content:
        return Content.assemble(
            (entry.keys, "$footer-key-foreground bold"),
            " ",
            (entry.description, "$footer-description-foreground"),
        )

    def on_click(self, event: events.Click) -> None:
        """Press the key of the entry under the mouse."""
        x = event.x - self.styles.padding.left
        for start, end, key in self._spans:
            if start <= x < end:
                self.app.simulate_key(key)
                return
