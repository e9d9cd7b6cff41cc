"""Result types of the SPF check: the evaluation tree and the overall result."""

from __future__ import annotations

from dataclasses import dataclass, field

from mailtriage.checks.dns.model import DnsAnswer

#: Every value :attr:`SpfResult.result` can take.
SPF_RESULTS = ("pass", "fail", "softfail", "neutral", "none", "permerror", "temperror")


@dataclass(frozen=True)
class SpfQuery:
    """One DNS query made while evaluating a term.

    Attributes:
        name: The name asked.
        rdtype: Record type, e.g. ``"TXT"``.
        rcode: As in :class:`checks.dns.model.DnsAnswer` (``"NOERROR"``, ``"NXDOMAIN"``...).
        records: The rendered records.
    """

    name: str
    rdtype: str
    rcode: str
    records: tuple[str, ...]


@dataclass(frozen=True)
class SpfNode:
    """One node of the evaluation tree: a record or one of its terms.

    Attributes:
        kind: ``"record"``, ``"mechanism"`` or ``"modifier"``.
        term: The term text, or the record text for record nodes ("" when none was found).
        qualifier: ``"+"``, ``"-"``, ``"~"``, ``"?"``; ``""`` for records and modifiers.
        domain: The domain whose record holds the term (or the record's domain).
        target: The expanded target domain of the term, when it has one.
        queries: The DNS queries the term made, in order.
        matched: True when the mechanism matched (for records: a result was reached).
        result: The SPF result this node produced (records, include, redirect), or ``None``.
        children: The record node of an ``include``/``redirect``; the terms of a record.
        beyond_limit: True when evaluated only for display, after a limit ran out.
        limit: ``"lookups"`` or ``"void"`` on the node that exceeded that limit.
        error: Why the node produced permerror/temperror, or a display note.
    """

    kind: str
    term: str
    qualifier: str = ""
    domain: str = ""
    target: str | None = None
    queries: tuple[SpfQuery, ...] = ()
    matched: bool = False
    result: str | None = None
    children: tuple[SpfNode, ...] = ()
    beyond_limit: bool = False
    limit: str | None = None
    error: str | None = None

    def walk(self) -> list[SpfNode]:
        """This node and all its descendants, depth first."""
        nodes = [self]
        for child in self.children:
            nodes += child.walk()
        return nodes


@dataclass(frozen=True)
class SpfResult:
    """The outcome of :func:`mailtriage.checks.auth.spf.check.check_host`.

    Attributes:
        result: One of :data:`SPF_RESULTS`.
        explanation: The expanded ``exp=`` text for a ``fail``, else ``None``.
        lookups: DNS-costing terms evaluated left to right, up to and including the
            one that exceeded the limit of 10 (display-only evaluation is not counted).
        void_lookups: Terms whose lookup found nothing, counted the same way.
        tree: The evaluation tree, rooted at the checked domain's record node.
    """

    result: str
    explanation: str | None
    lookups: int
    void_lookups: int
    tree: SpfNode


@dataclass
class Draft:
    """A mutable node while evaluation runs; :meth:`freeze` makes the :class:`SpfNode`."""

    kind: str
    term: str
    qualifier: str = ""
    domain: str = ""
    target: str | None = None
    queries: list[SpfQuery] = field(default_factory=list)
    matched: bool = False
    result: str | None = None
    children: list[Draft] = field(default_factory=list)
    beyond_limit: bool = False
    limit: str | None = None
    error: str | None = None

    def add(self, answer: DnsAnswer) -> DnsAnswer:
        """Record a DNS answer on this node and return it."""
        self.queries.append(SpfQuery(answer.name, answer.rdtype, answer.rcode, answer.records))
        return answer

    def freeze(self) -> SpfNode:
        """The immutable copy of this draft and its children."""
        return SpfNode(
            self.kind, self.term, self.qualifier, self.domain, self.target, tuple(self.queries),
            self.matched, self.result, tuple(c.freeze() for c in self.children),
            self.beyond_limit, self.limit, self.error,
        )  # fmt: skip
