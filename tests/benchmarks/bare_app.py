"""Baseline for the start-up benchmark: a bare Textual app with four empty panes."""

from textual.app import App, ComposeResult
from textual.containers import Grid
from textual.widgets import Footer, Static


class Bare(App[None]):
    CSS = "Grid { grid-size: 2 2; } Static { border: round $panel; height: 1fr; }"

    def compose(self) -> ComposeResult:
        with Grid():
            for name in ("sample", "auth", "diff", "checklist-ready"):
                yield Static(name)
        yield Footer()


if __name__ == "__main__":
    Bare().run()
