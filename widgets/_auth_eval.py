"""Rows of the live re-evaluation (SPF, DKIM, DMARC, ARC) for the authentication pane.

Not a widget: AuthPane renders these. Pure functions from engine results to
(label, cells) rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mailtriage.checks.live.run import unanswered
from mailtriage.checks.text import plural
from mailtriage.widgets._render import Cell, safe, style_for

if TYPE_CHECKING:
    from mailtriage.checks.live.around import Around
    from mailtriage.checks.live.auth import LiveAuth

Row = tuple[Cell, list[Cell]]


def _spf(auth: LiveAuth) -> Cell:
    if auth.spf is None:
        note = next((n for n in auth.notes if "SPF" in n), "not evaluated")
        return (safe(note), "$text-muted")
    ip, domain, _sender, _helo = auth.spf_inputs or ("?", "?", "", "")
    return (
        safe(f"{auth.spf.result} · {ip} for {domain} ({_lookups(auth.spf.lookups)})"),
        style_for(auth.spf.result),
    )


def _dkim(auth: LiveAuth) -> Cell:
    if not auth.dkim:
        return ("no signature", "$text-muted")
    text = "; ".join(f"{r.result} d={r.domain} s={r.selector} ({r.reason})" for r in auth.dkim)
    worst = "pass" if all(r.result == "pass" for r in auth.dkim) else auth.dkim[0].result
    return (safe(text), style_for(worst))


def _dmarc(auth: LiveAuth) -> Cell:
    v = auth.dmarc
    if v is None:
        return ("not evaluated", "$text-muted")
    via = f" via {', '.join(v.aligned_by)}" if v.aligned_by else ""
    policy = f" · p={v.policy}" if v.policy else ""
    return (safe(f"{v.result}{via}{policy}"), style_for(v.result))


def _arc(auth: LiveAuth) -> Cell:
    a = auth.arc
    if a is None:
        return ("not evaluated", "$text-muted")
    broke = f" (broke at i={a.broken_at})" if a.broken_at else ""
    return (safe(f"{a.result}{broke}"), style_for(a.result))


def evaluation_rows(auths: Sequence[LiveAuth | None], pending: Sequence[str]) -> list[Row]:
    """One row per method; a column per loaded sample (``pending`` = its run status)."""
    rows: list[Row] = []
    for label, fn in (("spf", _spf), ("dkim", _dkim), ("dmarc", _dmarc), ("arc", _arc)):
        cells: list[Cell] = []
        for auth, status in zip(auths, pending, strict=True):
            if auth is None:
                cells.append((unanswered(status), "$text-muted"))
            else:
                cells.append(fn(auth))
        rows.append(((label, "bold"), cells))
    return rows


def around_rows(arounds: Sequence[Around | None], pending: Sequence[str]) -> list[Row]:
    """Reverse DNS, recipient MX vs gateway and DNSBL rows, a column per sample."""
    rows: list[Row] = []
    for label in ("ptr", "mx", "dnsbl"):
        cells: list[Cell] = []
        for x, status in zip(arounds, pending, strict=True):
            if x is None:
                cells.append((unanswered(status), "$text-muted"))
            elif label == "ptr":
                rev = x.reverse
                ok = rev is not None and rev.fcrdns
                cells.append(
                    (safe(rev.summary) if rev else "not checked", "$success" if ok else "$warning")
                )
            elif label == "mx":
                mx = x.mx
                good = mx is not None and mx.matched
                cells.append(
                    (safe(mx.summary) if mx else "not checked", "$success" if good else "$warning")
                )
            else:
                listed = [d for d in x.dnsbl if d.status == "listed"]
                text = "; ".join(d.summary for d in x.dnsbl) or "no zones configured"
                cells.append((safe(text), "$error bold" if listed else "$text-muted"))
        rows.append(((label, "bold"), cells))
    return rows


def _lookups(n: int) -> str:
    return plural(n, "lookup")
