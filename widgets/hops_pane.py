"""HopsPane: the Received chain oldest first, each hop's delay as a bar, and where the time went."""

from __future__ import annotations

from collections.abc import Sequence

from mailtriage.checks.analysis import Analysis, Hop, Timeline
from mailtriage.checks.text import duration
from mailtriage.widgets._render import fit, join_lines, safe, wrap
from mailtriage.widgets.pane import Pane
from textual.content import Content

NUM, DELAY, TLS = 3, 10, 6
SLOW, VERY_SLOW = 60.0, 1800.0


def short_host(host: str, width: int) -> str:
    """Shorten a host name to ``width`` cells, keeping its start and its last two labels."""
    if len(host) <= width:
        return host
    tail = ".".join(host.split(".")[-2:])
    head = width - len(tail) - 1
    if "." in host and head >= 4:
        return f"{host[:head]}…{tail}"
    return host[: max(width - 1, 0)] + "…"


def _columns(width: int) -> tuple[int, int, int]:
    """Widths of the system, host and bar columns for a pane ``width`` cells wide."""
    rest = max(width - NUM - DELAY - TLS - 5, 18)
    system = min(16, max(8, rest * 3 // 10))
    host = min(44, max(8, (rest - system) * 3 // 5))
    return system, host, min(max(rest - system - host, 3), 40)


def largest_delay(timelines: Sequence[Timeline | None]) -> float:
    """The largest dated, unskewed hop delay over several routes (a shared bar scale)."""
    return max(
        (
            abs(d)
            for tl in timelines
            if tl is not None
            for d, skew in zip(tl.delays, tl.skew, strict=False)
            if d is not None and not skew
        ),
        default=0.0,
    )


def _bar(hop: Hop, delay: float | None, skew: bool, largest: float, cols: int) -> Content:
    """The bar and delay cells of one hop (``cols + DELAY`` cells)."""
    span = cols + DELAY
    if delay is None:
        text = "no date" if hop.date is None else "start"
        return fit(text.rjust(span - 1), span, "$text-muted")
    if skew:
        return fit(f"skew {duration(delay)}".rjust(span - 1), span, "$warning bold")
    style = "$success" if delay < SLOW else "$warning" if delay < VERY_SLOW else "$error"
    n = round(delay / largest * cols) if largest > 0 else 0
    n = max(n, 1) if delay >= 1 else n
    return Content("").join(
        [fit("█" * n, cols, style), fit(duration(delay).rjust(DELAY - 1), DELAY, style)]
    )


def _tls(hop: Hop) -> Content:
    if hop.tls is True:
        return fit("TLS", TLS, "$success")
    if hop.tls is False:
        return fit("plain", TLS, "$warning")
    return fit("?", TLS, "$text-muted")


MAX_SHOWN = 60  # hops drawn: the oldest and newest 30 of a longer (hostile) chain


class HopsPane(Pane):
    """The route of one sample: hop, system, receiving host, delay bar, TLS, and the verdict."""

    BORDER_TITLE = "Route"
    DEFAULT_CSS = """
    HopsPane {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hops: tuple[Hop, ...] = ()
        self.timeline: Timeline | None = None
        self.gateway_ip: str | None = None
        self.scale: float = 0.0  # the delay a full bar stands for; 0: this route's largest

    def show(
        self,
        analysis: Analysis | None = None,
        *,
        hops: Sequence[Hop] = (),
        timeline: Timeline | None = None,
        scale: float = 0.0,
    ) -> None:
        """Display one analysis, or explicit ``hops`` with their ``timeline``.

        With an analysis, the connecting IP shown is ``analysis.connecting_ip`` (what
        the gateway saw); otherwise the ``from`` IP of the gateway hop. ``scale`` is the
        delay a full bar stands for, shared by the routes shown side by side (so a 3 s
        hop never draws as long as a 27 min one); 0 scales to this route's largest.
        """
        self.scale = scale
        g = timeline.gateway_index if timeline else None
        ip = hops[g].from_ip if g is not None and g < len(hops) else None
        if analysis is not None:
            hops, timeline, ip = analysis.hops, analysis.timeline, analysis.connecting_ip
        self.hops, self.timeline, self.gateway_ip = tuple(hops), timeline, ip
        self.refresh_body()

    def build(self, width: int) -> Content:
        """Render the hop table, the totals and the where-the-time-went line."""
        tl = self.timeline
        if not self.hops or tl is None or len(tl.delays) != len(self.hops):
            return Content.styled("No Received headers to show.", "$text-muted")
        system_w, host_w, bar_w = _columns(width)
        known = [abs(d) for d, s in zip(tl.delays, tl.skew, strict=True) if d is not None and not s]
        largest = max([self.scale, *known])
        gap = Content(" ")
        lines = [
            Content("").join(
                [fit("#", NUM, "$text-muted"), gap, fit("System", system_w, "$text-muted"), gap,
                 fit("Received by", host_w, "$text-muted"), gap, fit("Delay", bar_w, "$text-muted"),
                 fit("", DELAY), gap, fit("TLS", TLS, "$text-muted")]
            )
        ]  # fmt: skip
        n = len(self.hops)
        shown = (
            range(n) if n <= MAX_SHOWN else [*range(MAX_SHOWN // 2), *range(n - MAX_SHOWN // 2, n)]
        )
        for i in shown:
            if n > MAX_SHOWN and i == n - MAX_SHOWN // 2:
                lines.append(Content.styled(f"  … {n - MAX_SHOWN} hops not shown", "$warning"))
            hop = self.hops[i]
            mark = "$accent bold" if i == tl.gateway_index else ""
            number = f"{i + 1:>2}" + ("▸" if i == tl.gateway_index else "")
            system = safe(tl.systems[i] or "—")
            host = short_host(safe(hop.by_host or "—"), host_w)
            cells = [
                fit(number, NUM, mark),
                gap,
                fit(system, system_w, mark or ("" if tl.systems[i] else "$text-muted")),
                gap,
                fit(host, host_w),
                gap,
                _bar(hop, tl.delays[i], tl.skew[i], largest, bar_w),
                gap,
                _tls(hop),
            ]
            lines.append(Content("").join(cells))
        lines.extend(self._summary(tl, width))
        return join_lines(lines)

    def _summary(self, tl: Timeline, width: int) -> list[Content]:
        # The where-the-time-went line first: in a short pane it is the line that matters.
        style = "$warning" if tl.stage and not tl.sandbox else "$success" if tl.sandbox else ""
        out = [fit(line, width, style or "bold") for line in wrap(safe(tl.verdict), width, 5)]
        total = "unknown" if tl.total_seconds is None else duration(tl.total_seconds)
        parts = [f"Total {total}"]
        for label, value in (
            ("before gateway", tl.before_seconds),
            ("inside", tl.inside_seconds),
            ("after hand-off", tl.after_seconds),
        ):
            if value is not None:
                parts.append(f"{label} {duration(value)}")  # fmt: skip
        for line in wrap(" · ".join(parts), width, 2):
            out.append(fit(line, width))
        seen = f" · connecting IP {self.gateway_ip}" if self.gateway_ip else ""
        if tl.gateway is not None and tl.gateway_index is not None:
            text = f"Gateway ▸ {tl.gateway} (hop {tl.gateway_index + 1}){seen}"
        else:
            text = f"No known filtering gateway{seen}"
        out.extend(fit(line, width, "$text-muted") for line in wrap(safe(text), width, 2))
        return out
