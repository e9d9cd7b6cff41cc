"""TicketScreen: the ticket's own fields, saved as they are typed.

What the samples cannot say comes from the technician: who is affected, the
symptom in the customer's words with the exact error and time, what was tested
and checked, recent changes, the fix and how it was verified. Each change is
kept in memory at once and written to the ticket file shortly after typing
stops (and when the screen closes), atomically, by the app. Below the form,
the escalation triggers and guard rails are worked out again on every change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, cast

from mailtriage.checks.text import printable
from mailtriage.checks.ticket.model import STATES, Affected, Ticket
from mailtriage.checks.ticket.store import sample_changed
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Select, Static, TextArea
from textual.widgets.select import InvalidSelectValueError

if TYPE_CHECKING:
    from datetime import datetime

SAVE_AFTER = 0.6
"""Seconds after the last keystroke before the ticket is written."""

FIELDS: tuple[tuple[str, str, str], ...] = (
    ("customer", "Customer", "the customer's name or PSA account"),
    ("user", "User", "affected mailbox or person"),
    ("device", "Device", "device or client, if it matters"),
    ("site", "Site", "office or site"),
    ("symptom", "Symptom", "exact error text and when it happened (UTC)"),
    ("scope", "Scope", "who and what was tested: other users, senders, sites"),
    ("logs_checked", "Logs checked", "logs and portals looked at, and what they showed"),
    ("changes", "Changes", "recent DNS, connector, policy or migration changes"),
    ("volume", "Volume", "how many messages, users or sites are affected"),
    ("fix", "Fix applied", "the narrow change made, where and by whom"),
    ("verification", "Verification", "how the fix was checked: resent at, result"),
)
AFFECTED = ("customer", "user", "device", "site")
VERIFIED = (("not verified yet", ""), ("problem gone", "yes"), ("same symptom", "no"))
"""Verification outcomes: ``verified_ok`` None, True, False."""


WIDGET_FIELDS: dict[str, str] = {
    **{key: f"affected.{key}" if key in AFFECTED else key for key, _, _ in FIELDS},
    "notes": "notes",
    "kind": "kind",
    "state": "state",
    "verified": "verified_ok",
}
"""Each form widget's id and the ticket field it edits (as merge names it)."""


def _reload_keeping_place(area: TextArea, text: str) -> None:
    """Load ``text`` into ``area`` with its cursor and scroll where they were (clamped)."""
    row, column = area.cursor_location
    scroll_x, scroll_y = area.scroll_offset
    area.load_text(text)
    doc = area.document
    row = min(row, doc.line_count - 1)
    column = min(column, len(doc.get_line(row)))
    area.move_cursor((row, column))
    area.scroll_to(scroll_x, scroll_y, animate=False, immediate=True)


class TicketHost(Protocol):
    """What the ticket screen uses of the app (MailtriageApp provides it)."""

    ticket: Ticket | None
    kinds: Sequence[tuple[str, str]]

    def change_ticket(self, ticket: Ticket) -> None: ...

    def save_ticket(self) -> bool: ...

    def now(self) -> datetime: ...


Advice = Callable[[Ticket], Sequence[tuple[str, str]]]
"""Given the ticket as typed, ``(kind, line)`` pairs to show: kind is ``warn``,
``escalate``, ``propose`` or ``muted``."""

STYLE = {
    "warn": "$warning bold",
    "escalate": "$error",
    "propose": "$success",
    "muted": "$text-muted",
}


def _verified(t: Ticket) -> str:
    return "" if t.verified_ok is None else ("yes" if t.verified_ok else "no")


class TicketScreen(Screen[None]):
    """The ticket form with its live escalation triggers and guard rails."""

    BINDINGS = [
        Binding("escape", "close", "Close", tooltip="Save the ticket and go back to the dashboard"),
        Binding(
            "ctrl+e",
            "app.refused_edits",
            "Refused edits",
            priority=True,  # before the focused field's own ctrl+e (end of line)
            tooltip="Show your ticket edits another session's save refused (keep, take, retype)",
        ),
    ]

    DEFAULT_CSS = """
    TicketScreen #form { height: 1fr; padding: 0 1; }
    TicketScreen #head { color: $text-muted; height: auto; }
    TicketScreen .row { height: auto; }
    TicketScreen .row Label { width: 14; color: $text-muted; padding: 0 1 0 0; }
    TicketScreen .row Input, TicketScreen .row Select { width: 1fr; }
    TicketScreen #notes { height: 6; border: round $panel; }
    TicketScreen #notes:focus { border: round $accent; }
    TicketScreen #advice-box {
        dock: bottom; height: auto; max-height: 40%; padding: 0 1;
        background: $surface;
    }
    TicketScreen #advice-box:focus { background: $surface-lighten-1; }
    TicketScreen #advice { height: auto; }
    TicketScreen .held, TicketScreen #notes.held { background: $error 25%; }
    """

    def __init__(self, advice: Advice | None = None, focus: str = "customer") -> None:
        super().__init__()
        self.advice = advice
        self.first_focus = focus
        self._ready = False

    @property
    def host(self) -> TicketHost:
        """The app, as this screen uses it."""
        return cast("TicketHost", self.app)

    def compose(self) -> ComposeResult:
        """Head line, the fields, notes, live advice, footer."""
        t = self.host.ticket
        assert t is not None, "the ticket screen opens only with a ticket"
        with VerticalScroll(id="form"):
            yield Static(self._head(t), id="head", markup=False)
            kinds = list(self.host.kinds) or [("general", "General")]
            if t.kind not in {k for k, _ in kinds}:
                kinds.append((t.kind, f"{t.kind} (no such playbook)"))
            with Horizontal(classes="row"):
                yield Label("Ticket type", markup=False)
                yield Select(
                    [(title, kind) for kind, title in kinds],
                    value=t.kind,
                    allow_blank=False,
                    compact=True,
                    id="kind",
                )
            with Horizontal(classes="row"):
                yield Label("State", markup=False)
                yield Select(
                    [(s, s) for s in STATES], value=t.state, allow_blank=False, compact=True,
                    id="state",
                )  # fmt: skip
            for key, label, hint in FIELDS:
                value = getattr(t.affected, key) if key in AFFECTED else getattr(t, key)
                with Horizontal(classes="row"):
                    yield Label(label, markup=False)
                    yield Input(value, placeholder=hint, compact=True, id=key)
            with Horizontal(classes="row"):
                yield Label("Verified", markup=False)
                current = "" if t.verified_ok is None else ("yes" if t.verified_ok else "no")
                yield Select(
                    VERIFIED, value=current, allow_blank=False, compact=True, id="verified"
                )
            area = TextArea(t.notes, id="notes", soft_wrap=True, show_line_numbers=False)
            area.border_title = "Notes"
            area.cursor_blink = False  # a blinking cursor repaints forever over a slow link
            yield area
        advice = VerticalScroll(id="advice-box")
        advice.border_title = "Advice"
        with advice:
            yield Static("", id="advice", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        """Focus the first field and show the advice for the ticket as it is."""
        self.query_one(f"#{self.first_focus}").focus()
        self._show_advice(self._typed())
        self._ready = True

    @staticmethod
    def _head(t: Ticket) -> str:
        made = t.created.strftime("%Y-%m-%d %H:%M UTC")
        lines = [f"Ticket {t.id} · opened {made} · saved as you type · Esc returns"]
        for s in t.samples:
            role = "blocked" if s.slot == "A" else "delivered"
            if s.path:
                flag = sample_changed(s)
                note = {"changed": " (changed on disk since added)", "missing": " (missing)"}
                lines.append(f"{s.slot} ({role}): {s.path}{note.get(flag, '')}")
            else:
                when = s.added.strftime(", added %H:%M UTC") if s.added else ""
                size = f"{len(s.pasted):,} characters"
                lines.append(f"{s.slot} ({role}): text kept in the ticket, {size}{when}")
        return "\n".join(printable(line, 300) for line in lines)

    def _typed(self) -> Ticket:
        """The ticket with the form's values."""
        t = self.host.ticket
        assert t is not None
        values = {key: self.query_one(f"#{key}", Input).value for key, _, _ in FIELDS}
        verified = self.query_one("#verified", Select).value
        return replace(
            t,
            kind=str(self.query_one("#kind", Select).value),
            state=str(self.query_one("#state", Select).value),
            affected=Affected(*(values.pop(k) for k in AFFECTED)),
            notes=self.query_one("#notes", TextArea).text,
            verified_ok=None if verified == "" else verified == "yes",
            symptom=values["symptom"],
            scope=values["scope"],
            logs_checked=values["logs_checked"],
            changes=values["changes"],
            volume=values["volume"],
            fix=values["fix"],
            verification=values["verification"],
        )

    def ticket_reloaded(self, before: Ticket, after: Ticket, refused: set[str]) -> None:
        """Show another session's changes in the form (``mailtriage serve``).

        A field is updated when it changed there and was not edited here, or when
        this session's edit of it was refused (the app keeps that text to show).
        """

        def take(name: str, was: object, now: object, widget_value: object) -> bool:
            return was != now and (widget_value == was or name in refused)

        for key, _, _ in FIELDS:
            name = f"affected.{key}" if key in AFFECTED else key
            holder_before = before.affected if key in AFFECTED else before
            holder_after = after.affected if key in AFFECTED else after
            was, now = getattr(holder_before, key), getattr(holder_after, key)
            box = self.query_one(f"#{key}", Input)
            if take(name, was, now, box.value):
                box.value = now
                box.cursor_position = len(now)
        area = self.query_one("#notes", TextArea)
        if take("notes", before.notes, after.notes, area.text):
            _reload_keeping_place(area, after.notes)
        for key, was, now in (
            ("kind", before.kind, after.kind),
            ("state", before.state, after.state),
            ("verified", _verified(before), _verified(after)),
        ):
            select = self.query_one(f"#{key}", Select)
            field = "verified_ok" if key == "verified" else key
            if take(field, was, now, select.value):
                with contextlib.suppress(InvalidSelectValueError):  # a type unknown here
                    select.value = now
        self.query_one("#head", Static).update(self._head(after))
        held: frozenset[str] = getattr(self.app, "held", frozenset())
        for widget_id, field in WIDGET_FIELDS.items():
            self.query_one(f"#{widget_id}").set_class(field in held, "held")

    def field_in_edit(self) -> str | None:
        """The ticket field whose widget has the focus (named as the merge names it)."""
        focused = self.focused
        return WIDGET_FIELDS.get(focused.id or "") if focused is not None else None

    def _show_advice(self, ticket: Ticket) -> None:
        """Show the advice; the field being typed in stays in view above it."""
        lines = list(self.advice(ticket)) if self.advice else []
        if not lines:
            lines = [("muted", "No escalation trigger or guard rail applies yet.")]
        body = Content("\n").join(
            Content.styled(printable(text, 2000), STYLE.get(kind, "")) for kind, text in lines
        )
        self.query_one("#advice", Static).update(body)
        focused = self.focused
        if focused is not None and focused.parent is not None and focused.id != "advice-box":
            form = self.query_one("#form")
            self.call_after_refresh(form.scroll_to_widget, focused, animate=False)

    def _changed(self) -> None:
        if not self._ready:
            return
        typed = self._typed()
        self._show_advice(typed)
        if typed != self.host.ticket:
            self.host.change_ticket(typed)

    def on_input_changed(self, _event: Input.Changed) -> None:
        """A field was typed in: keep it."""
        self._changed()

    def on_select_changed(self, _event: Select.Changed) -> None:
        """The type, state or verification changed: keep it."""
        self._changed()

    def on_text_area_changed(self, _event: TextArea.Changed) -> None:
        """The notes changed: keep them."""
        self._changed()

    def action_close(self) -> None:
        """Back to the dashboard (the ticket is already saved)."""
        self.dismiss(None)
