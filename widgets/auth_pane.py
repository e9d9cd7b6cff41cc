"""AuthPane: what was recorded when the message arrived, beside what DNS says now."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mailtriage.checks.analysis import Analysis
from mailtriage.checks.live.run import LiveRun, unanswered
from mailtriage.checks.model import AuthMethod, AuthResults
from mailtriage.checks.text import plural
from mailtriage.widgets._auth_eval import around_rows, evaluation_rows
from mailtriage.widgets._render import Cell, grid, heading, join_lines, safe, style_for
from mailtriage.widgets.pane import Pane
from textual.content import Content

if TYPE_CHECKING:
    from mailtriage.checks.live.agreement import Agreement
    from mailtriage.checks.live.plan import LiveSpec


SLOTS = ("A", "B")
AGREE = {
    True: ("=", "$success"),
    False: ("≠", "$warning bold"),
    None: ("?", "$text-muted"),
}
KIND_LABEL = {"spf": "SPF", "dmarc": "DMARC", "mx": "MX", "dkim": "DKIM key"}


def _group_key(r: AuthResults) -> str:
    where = r.authserv_id or "(no authserv-id)"
    if r.header == "ARC-Authentication-Results":
        return f"ARC i={r.instance} at {where}"
    if r.header == "Received-SPF":
        return f"Received-SPF at {where}"
    return f"at {where}"


IDENTITY = {
    "spf": ("smtp.mailfrom", ""),
    "dkim": ("header.d", "d="),
    "dmarc": ("header.from", "from "),
    "compauth": ("reason", "reason "),
}


def _method_text(m: AuthMethod) -> str:
    key, prefix = IDENTITY.get(m.method, ("", ""))
    value = m.prop(key) if key else None
    text = m.result + (f" · {prefix}{value}" if value else "")
    return text + (f" ({m.reason})" if m.reason else "")


def _key(spec: LiveSpec) -> tuple[str, str, str | None]:
    return (spec.kind, spec.domain, spec.selector)


def _spec_text(run: LiveRun, spec: LiveSpec, timings: bool) -> Cell:
    state = run.state_of(spec)
    where = spec.domain if spec.selector is None else f"{spec.selector}._domainkey.{spec.domain}"
    if spec not in run.results:
        words = f"{state}…" if state == "pending" else unanswered(state, short=True)
        return (safe(f"{where}: {words}"), style_for(state))
    res = run.results[spec]
    text = res.summary
    if res.status == "found" and spec.kind in ("spf", "dmarc") and res.records:
        text = "; ".join(res.records)
    elif res.status != "found":
        text = f"{res.status} · {res.summary}"
    rtt = f" ({sum(a.rtt_ms for a in res.answers):.0f} ms)" if timings else ""
    return (safe(f"{where}: {text}{rtt}"), style_for(res.status))


class AuthPane(Pane):
    """Recorded authentication per authserv-id, then the live DNS re-check per sample."""

    BORDER_TITLE = "Authentication"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.analyses: tuple[Analysis | None, ...] = (None, None)
        self.runs: tuple[LiveRun, ...] = (LiveRun(), LiveRun())
        self.timings = True
        self.labels: tuple[str, ...] = ("blocked", "delivered")
        self.agreements: tuple[tuple[Agreement, ...], ...] = ((), ())

    def show(
        self,
        analyses: Sequence[Analysis | None],
        runs: Sequence[LiveRun],
        timings: bool = True,
        labels: Sequence[str] = ("blocked", "delivered"),
        agreements: Sequence[Sequence[Agreement]] = ((), ()),
    ) -> None:
        """Display recorded results and live runs for slots A and B (rtt when ``timings``)."""
        self.labels = tuple(labels)
        self.agreements = tuple(tuple(a) for a in agreements)
        self.analyses = tuple(analyses)
        self.runs = tuple(runs)
        self.timings = timings
        self.refresh_body()

    def _recorded(self, loaded: list[tuple[int, Analysis]], width: int) -> list[Content]:
        bounds = [a.boundary for _, a in loaded]
        # Microsoft 365 writes Authentication-Results without an authserv-id.
        where = (
            " / ".join(
                dict.fromkeys(
                    b.authserv_id or "unnamed receiver (no authserv-id)" for b in bounds if b
                )
            )
            or "none"
        )
        lines = [heading(f"Recorded then · boundary check at {where}", width)]
        if not any(bounds):
            lines.append(Content.styled("  no Authentication-Results in the sample(s)", "$warning"))
        names: list[str] = []
        for b in bounds:
            names += [m.method for m in (b.methods if b else ()) if m.method not in names]
        rows: list[tuple[Cell, list[Cell]]] = []
        for name in names:
            cells: list[Cell] = []
            for b in bounds:
                found = b.method(name) if b else None
                cells.append(
                    (safe(_method_text(found)), style_for(found.result)) if found else ("—", "")
                )
            rows.append(((name, "bold"), cells))
        lines += grid(rows, width, label_width=9, max_lines=2)
        return lines

    def _evaluation(self, loaded: list[tuple[int, Analysis]], width: int) -> list[Content]:
        auths = [self.runs[i].auth for i, _ in loaded]
        status = [self.runs[i].status for i, _ in loaded]
        head = heading("Evaluated now · SPF against the sample's IP, DKIM, DMARC, ARC", width)
        rows = evaluation_rows(auths, status)
        around = around_rows([self.runs[i].around for i, _ in loaded], status)
        head2 = heading("Around it now · reverse DNS, recipient MX vs gateway, DNSBL", width)
        return [
            Content(""), head, *grid(rows, width, label_width=9, max_lines=3),
            Content(""), head2, *grid(around, width, label_width=9, max_lines=3),
        ]  # fmt: skip

    def _then_vs_now(self, loaded: list[tuple[int, Analysis]], width: int) -> list[Content]:
        methods: list[str] = []
        for i, _ in loaded:
            methods += [g.method for g in self.agreements[i] if g.method not in methods]
        # A run with nothing to compare yet says why (running, cancelled, offline).
        quiet = {
            i: self.runs[i].status
            for i, _ in loaded
            if not self.agreements[i] and self.runs[i].status in ("running", "cancelled", "offline")
        }
        if not methods and not quiet:
            return []
        rows: list[tuple[Cell, list[Cell]]] = []
        notes: list[Content] = []
        for name in methods:
            cells: list[Cell] = []
            for i, _ in loaded:
                g = next((g for g in self.agreements[i] if g.method == name), None)
                if g is None:
                    status = self.runs[i].status
                    quiet_cell = (unanswered(status), style_for(status))
                    cells.append(quiet_cell if i in quiet else ("—", ""))
                    continue
                mark, style = AGREE[g.agrees]
                then = g.recorded.split(" ", 1)[0]
                cells.append((safe(f"{mark} then {then} · now {g.live}"), style))
                if g.agrees is False:
                    notes.append(Content.styled(safe(f"{SLOTS[i]} {name}: {g.note}"), "$warning"))
            rows.append(((name, "bold"), cells))
        if not methods:
            cells = [
                (unanswered(quiet[i]), style_for(quiet[i])) if i in quiet else ("—", "")
                for i, _ in loaded
            ]
            rows.append((("now", "bold"), cells))
        for i, _ in loaded:
            if self.runs[i].status == "cancelled":
                notes.append(
                    Content.styled(
                        f"{SLOTS[i]}: the re-check was cancelled; r runs it again", "$text-muted"
                    )
                )
        head = heading("Then vs now · = consistent  ≠ disagree  ? cannot tell", width)
        return [Content(""), head, *grid(rows, width, label_width=9, max_lines=2), *notes]

    def _others(self, loaded: list[tuple[int, Analysis]], width: int) -> list[Content]:
        lines: list[Content] = []
        for i, a in loaded:
            b = a.boundary
            for r in a.recorded:
                if r is b:
                    continue
                methods = ", ".join(f"{m.method}={m.result}" for m in r.methods) or "nothing parsed"
                lines.append(
                    Content.styled(safe(f"  {SLOTS[i]} {_group_key(r)}: {methods}"), "$text-muted")
                )
        if lines:
            lines.insert(
                0, heading("Other recorded headers (inside the tenant, upstream hops)", width)
            )
            lines.insert(0, Content(""))
        return lines

    def _live(self, loaded: list[tuple[int, Analysis]], width: int) -> list[Content]:
        lines: list[Content] = [Content("")]
        status = " · ".join(
            f"{SLOTS[i]}: {self.runs[i].status}, {len(self.runs[i].results)}/"
            f"{len(self.runs[i].specs)} done, {plural(self.runs[i].queries, 'query', 'queries')}"
            if self.runs[i].status != "offline"
            else f"{SLOTS[i]}: {unanswered('offline')}"
            for i, _ in loaded
        )
        resolver = next((self.runs[i].resolver for i, _ in loaded if self.runs[i].resolver), "")
        lines.append(heading(f"Live now · DNS {resolver or ''}".rstrip(), width))
        if any(self.runs[i].status == "running" for i, _ in loaded):
            status += " · esc cancels"
        lines.append(Content.styled(safe(status), "$text-muted"))
        # One row per thing looked up, whichever sample asked (the "why" may differ).
        keys: list[tuple[str, str, str | None]] = []
        for i, _ in loaded:
            keys += [_key(s) for s in self.runs[i].specs if _key(s) not in keys]
        rows: list[tuple[Cell, list[Cell]]] = []
        for key in keys:
            cells: list[Cell] = []
            for i, _ in loaded:
                spec = next((s for s in self.runs[i].specs if _key(s) == key), None)
                cells.append(_spec_text(self.runs[i], spec, self.timings) if spec else ("—", ""))
            rows.append(((KIND_LABEL.get(key[0], key[0].upper()), "bold"), cells))
        return lines + grid(rows, width, label_width=9, max_lines=3)

    def build(self, width: int) -> Content:
        """Render recorded results then live lookups."""
        loaded = [(i, a) for i, a in enumerate(self.analyses) if a is not None]
        if not loaded:
            return Content.styled("Load a sample to see its authentication.", "$text-muted")
        labels = (
            (" ", ""),
            [(f"{SLOTS[i]} · {self.labels[i]}", "$accent bold") for i, _ in loaded],
        )
        head = grid([labels], width, label_width=9)
        return join_lines(
            head
            + self._recorded(loaded, width)
            + self._evaluation(loaded, width)
            + self._then_vs_now(loaded, width)
            + self._live(loaded, width)
            + self._others(loaded, width)
        )
