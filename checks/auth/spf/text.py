"""The SPF evaluation tree as text lines and as JSON (for the CLI, the report and the UI)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mailtriage.checks.auth.spf.tree import SpfNode, SpfResult
from mailtriage.checks.text import plural


@dataclass(frozen=True)
class TreeLine:
    """One displayable line of the evaluation tree.

    Attributes:
        depth: Nesting level (0 = the checked domain's record).
        text: Plain text (untrusted DNS content: render without markup).
        status: ``"match"``, ``"nomatch"``, ``"error"``, ``"limit"``, ``"beyond"`` or
            ``"record"``, for styling.
    """

    depth: int
    text: str
    status: str


def _node_line(node: SpfNode, depth: int) -> TreeLine:
    if node.kind == "record":
        lookups = " ".join(f"{q.rdtype} {q.name} {q.rcode}" for q in node.queries[:1])
        text = f"{node.domain}: {node.term or '(no SPF record)'}"
        if node.result:
            text += f"  => {node.result}"
        return TreeLine(depth, text + (f"  [{lookups}]" if lookups else ""), "record")
    text = node.term
    if node.target and node.target not in node.term:
        text += f"  (-> {node.target})"
    if node.beyond_limit:
        return TreeLine(depth, text + "  beyond the limit: shown, not counted", "beyond")
    if node.limit:
        return TreeLine(depth, f"{text}  {node.limit} limit exceeded: permerror", "limit")
    if node.error:
        return TreeLine(depth, f"{text}  {node.error}", "error")
    if node.matched:
        return TreeLine(
            depth, f"{text}  matched" + (f" => {node.result}" if node.result else ""), "match"
        )
    return TreeLine(depth, text + "  no match", "nomatch")


def tree_lines(result: SpfResult) -> list[TreeLine]:
    """Flatten the tree depth-first into lines with their nesting depth."""
    out: list[TreeLine] = []

    def visit(node: SpfNode, depth: int) -> None:
        out.append(_node_line(node, depth))
        for child in node.children:
            visit(child, depth + 1)

    visit(result.tree, 0)
    return out


def render_text(result: SpfResult, ip: str, sender: str) -> str:
    """The whole check as indented plain text (``mailtriage spf`` output)."""
    head = (
        f"SPF {result.result} for {ip} sending as {sender}: "
        f"{plural(result.lookups, 'DNS lookup')} (limit 10), {result.void_lookups} void (limit 2)"
    )
    lines = [head]
    if result.explanation:
        lines.append(f"explanation: {result.explanation}")
    lines += ["  " * ln.depth + ln.text for ln in tree_lines(result)]
    return "\n".join(lines)


def node_json(node: SpfNode) -> dict[str, Any]:
    """One tree node as JSON-ready data."""
    return {
        "kind": node.kind,
        "term": node.term,
        "domain": node.domain,
        "target": node.target,
        "matched": node.matched,
        "result": node.result,
        "beyond_limit": node.beyond_limit,
        "limit": node.limit,
        "error": node.error,
        "queries": [
            {"name": q.name, "type": q.rdtype, "rcode": q.rcode, "records": list(q.records)}
            for q in node.queries
        ],
        "children": [node_json(c) for c in node.children],
    }


def result_json(result: SpfResult) -> dict[str, Any]:
    """The SPF result with its tree as JSON-ready data."""
    return {
        "result": result.result,
        "explanation": result.explanation,
        "lookups": result.lookups,
        "void_lookups": result.void_lookups,
        "tree": node_json(result.tree),
    }
