"""``mailtriage diff A B``: which layer the blocked copy and the delivered copy differ in.

Offline: it reads the two samples' headers and makes no DNS queries. With
``--json`` it prints one JSON object (the keys are documented in the README);
without, a short summary for a terminal or a ticket. A bounce is compared
through the original message it returned. Exit status 0 when a suspect layer
was found, 1 when no difference explains a block, 2 for usage errors and
unreadable input.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from mailtriage.checks.analysis import analyse
from mailtriage.checks.diff import compared
from mailtriage.checks.message.loader import SampleError, load_path, load_stdin
from mailtriage.checks.report.jsonform import to_json
from mailtriage.checks.suspect import Comparison, suspect
from mailtriage.checks.text import json_text, printable
from mailtriage.tui.args import VersionAction, fail

EXIT_FOUND, EXIT_NONE = 0, 1


def diff_parser() -> argparse.ArgumentParser:
    """Parser for ``mailtriage diff``."""
    p = argparse.ArgumentParser(
        prog="mailtriage diff",
        description="Compare the blocked (or held, junked, bounced) copy A with a delivered "
        "copy B of a similar message and say which layer explains the difference.",
        epilog="Exit status: 0 a suspect layer was found, 1 nothing explains a block, "
        "2 usage error or unreadable sample.",
    )
    p.add_argument(
        "a", metavar="A", help="the problem copy (.eml, pasted headers, bounce; '-' stdin)"
    )
    p.add_argument("b", metavar="B", help="a delivered copy ('-' reads stdin)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--offline",
        action="store_true",
        help="accepted like the other commands'; diff never makes a DNS query",
    )
    p.add_argument("--version", action=VersionAction, nargs=0, help="print the version and exit")
    return p


def comparison_json(
    result: Comparison, sources: tuple[str, str], notes: Sequence[str]
) -> dict[str, Any]:
    """The JSON object of ``mailtriage diff --json``.

    Keys: ``a``, ``b`` (sources), ``suspect_layer``, ``evidence``, ``next_step``,
    ``outcome_a``, ``outcome_b``, ``layers`` (each ``{"layer", "differences": [{"field",
    "a", "b", "explains", "evidence"}]}``) and ``notes``.
    """
    body: dict[str, Any] = to_json(result)
    return {"a": sources[0], "b": sources[1], **body, "notes": list(notes)}


def summary(rep: dict[str, Any]) -> str:
    """The plain-text form, safe to print to a terminal."""
    layer = rep["suspect_layer"]
    lines = [
        f"A: {printable(rep['a'], 200)} · {printable(rep['outcome_a'], 200)}",
        f"B: {printable(rep['b'], 200)} · {printable(rep['outcome_b'], 200)}",
        f"Suspect layer: {layer or 'none: no difference explains a block'}",
    ]
    lines += [f"  {printable(e, 300)}" for e in rep["evidence"]]
    lines.append(f"Next step: {printable(rep['next_step'], 600)}")
    for x in rep["layers"]:
        for d in x["differences"]:
            mark = "!" if d["explains"] else " "
            lines.append(
                f" {mark} {x['layer']:<19} {printable(d['field'], 40)}: "
                f"{printable(d['a'], 80)} | {printable(d['b'], 80)}"
            )
    lines += [f"Note: {printable(n, 300)}" for n in rep["notes"]]
    return "\n".join(lines)


def run_diff(argv: Sequence[str]) -> int:
    """Run ``mailtriage diff``; returns the exit status."""
    args = diff_parser().parse_args(argv)
    if args.a == "-" and args.b == "-":
        return fail("stdin ('-') can be given only once")
    try:
        loaded = [load_stdin() if p == "-" else load_path(p) for p in (args.a, args.b)]
    except SampleError as exc:
        return fail(str(exc))
    a, b = analyse(loaded[0]), analyse(loaded[1])
    _, notes = compared(a, b)
    result = suspect(a, b)
    rep = comparison_json(result, (loaded[0].source, loaded[1].source), notes)
    print(json_text(rep) if args.json else summary(rep))
    return EXIT_FOUND if result.suspect_layer else EXIT_NONE
