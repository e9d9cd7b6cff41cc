"""The ``mailtriage report --summary`` counts: what a batch of samples adds up to.

Each reported sample gives a few small :class:`Facts` (taken from its report
object where it is processed, so a worker process sends back only these, never
the report again); a :class:`Summary` adds them up in input order and renders
the table as plain text or as one JSON object.

Counted per sample: its likely layer and the gateway its route names. Counted per
recipient of a bounce: the bounce category (auto-replies and feedback reports
included, as they are). Reasons are what stopped or demoted mail: each failed bounce
recipient's category with its status code (``recipient unknown 5.1.1``) and each
gateway or filter verdict that stops or demotes (``Proofpoint: quarantined``, never
``clean`` or ``allowed``); the most frequent are listed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mailtriage.checks.bounce.categories import NOT_FAILURES
from mailtriage.checks.text import printable
from mailtriage.checks.verdicts.model import STOPPING

TOP_REASONS = 10
NO_LAYER = "none found"
NO_GATEWAY = "none recognised"


@dataclass(frozen=True, slots=True)
class Facts:
    """What one reported sample adds to the summary.

    Attributes:
        layer: The likely layer (``None`` when no finding names one).
        gateway: The gateway the route names (``None`` when none is recognised).
        categories: One bounce category per failed recipient (empty unless a bounce).
        reasons: The sample's reasons (see the module docstring).
    """

    layer: str | None
    gateway: str | None
    categories: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


def facts(rep: Mapping[str, Any]) -> Facts:
    """The summary facts of one report object (as built by ``checks.report.build``)."""
    bounce = rep.get("bounce") or {}
    categories: list[str] = []
    reasons: list[str] = []
    for r in bounce.get("recipients") or ():
        category = r.get("category") or "other"
        categories.append(category)
        if category in NOT_FAILURES:
            continue
        code = r.get("status") or r.get("reply_code")
        reasons.append(f"{category} {code}" if code else category)
    for v in rep.get("verdicts") or ():
        word = v.get("verdict")
        if word in STOPPING:
            reasons.append(f"{v.get('vendor') or 'filter'}: {word}")
    gateway = (rep.get("timeline") or {}).get("gateway")
    return Facts(rep.get("likely_layer"), gateway, tuple(categories), tuple(reasons))


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass
class Summary:
    """Running counts over a batch (an accumulator, not a result).

    Attributes:
        messages: Samples reported.
        errors: Inputs that could not be read or analysed (each has its error line).
        skipped: Files in named folders that are not samples (by name).
        layers: Samples per likely layer.
        categories: Failed recipients per bounce category.
        gateways: Samples per gateway.
        reasons: Occurrences per reason.
    """

    messages: int = 0
    errors: int = 0
    skipped: int = 0
    layers: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    gateways: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, f: Facts) -> None:
        """Count one reported sample."""
        self.messages += 1
        self.layers[f.layer or NO_LAYER] += 1
        self.gateways[f.gateway or NO_GATEWAY] += 1
        self.categories.update(f.categories)
        self.reasons.update(f.reasons)

    def to_json(self) -> dict[str, Any]:
        """The summary as JSON-ready values (most frequent first in every table)."""
        return {
            "messages": self.messages,
            "errors": self.errors,
            "skipped": self.skipped,
            "layers": dict(_ranked(self.layers)),
            "bounce_categories": dict(_ranked(self.categories)),
            "gateways": dict(_ranked(self.gateways)),
            "top_reasons": [
                {"reason": k, "count": n} for k, n in _ranked(self.reasons)[:TOP_REASONS]
            ],
        }

    def text(self) -> str:
        """The summary as a plain-text table, safe to print to a terminal."""
        lines = [
            f"Summary: {self.messages:,} reported, {self.errors:,} could not be read or "
            f"analysed, {self.skipped:,} skipped in folders (not samples)"
        ]
        tables = (
            ("Likely layer", "samples", _ranked(self.layers)),
            ("Bounce category", "recipients", _ranked(self.categories)),
            ("Gateway", "samples", _ranked(self.gateways)),
            ("Top reasons", "count", _ranked(self.reasons)[:TOP_REASONS]),
        )
        for title, unit, rows in tables:
            names = [printable(k, 60) for k, _ in rows]
            width = max([len(title), *(len(n) + 2 for n in names)])
            lines.append("")
            lines.append(f"{title:<{width}}  {unit:>10}")
            if not rows:
                lines.append("  (none)")
            for name, (_, n) in zip(names, rows, strict=True):
                lines.append(f"  {name:<{width - 2}}  {n:>10,}")
        return "\n".join(lines)
