"""Blocked versus delivered: the fields of two samples side by side, tagged by layer.

The comparison is what usually finds the cause of an email-security ticket: the
delivered copy shows what "normal" looks like, and every field that differs points
at a layer (identity, authentication, policy, verdict, routing, quarantine,
mailbox). Values are plain display strings; ``"—"`` means absent.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailtriage.checks.analysis import Analysis
from mailtriage.checks.findings import org_domain
from mailtriage.checks.message.authres import boundary, summary
from mailtriage.checks.message.mime import attachment_count
from mailtriage.checks.route.gateways import find_gateway
from mailtriage.checks.text import printable
from mailtriage.checks.verdicts import DEST, key_first, microsoft_mailbox

ABSENT = "—"
_METHOD_ORDER = ("spf", "dkim", "dmarc", "arc", "compauth")


@dataclass(frozen=True)
class DiffRow:
    """One compared field.

    Attributes:
        field: Short label, e.g. ``"Envelope From"``.
        a: Value in sample A (``"—"`` when absent).
        b: Value in sample B.
        differs: Whether the two values differ.
        layer: ``"identity"``, ``"authentication"``, ``"policy"``, ``"verdict"``,
            ``"quarantine/release"``, ``"routing/connector"`` or ``"downstream/mailbox"``.
    """

    field: str
    a: str
    b: str
    differs: bool
    layer: str


def _show(value: str | None) -> str:
    """The value display-safe and whole (views cut it to their width; notes never do)."""
    return printable(value) if value else ABSENT


def _domain(addr: str | None) -> str | None:
    if not addr:
        return None
    return addr.rpartition("@")[2].strip().strip("<>").lower() or None


def _dkim_domains(x: Analysis) -> str | None:
    out = [f"{sig.domain} (s={sig.selector or '?'})" for sig in x.signatures[:10] if sig.domain]
    return ", ".join(out) or None


def _facts(x: Analysis) -> dict[str, str]:
    s, hops, verdicts = x.sample, x.hops, x.verdicts
    gw = find_gateway(hops)
    names = key_first([v.name for v in verdicts])
    shown = ", ".join(names[:6]) + (f" +{len(names) - 6}" if len(names) > 6 else "")
    rule = next((v for v in verdicts if v.name.lower() == "x-proofpoint-spam-details"), None)
    report = next((v for v in verdicts if v.name.lower() == "x-forefront-antispam-report"), None)
    if rule is not None:
        policy = f"Proofpoint rule={rule.get('rule')} policy={rule.get('policy')}"
    elif report is not None:
        policy = f"Microsoft SFV:{report.get('SFV')} SCL:{report.get('SCL')}"
    else:
        policy = None
    dest = microsoft_mailbox(verdicts)[0]
    attachments = attachment_count(s)
    facts = {
        "Sending IP": _show(x.connecting_ip),
        "Envelope From": _show(_domain(s.envelope_from)),
        "Header From": _show(s.from_[0].addr if s.from_ else None),
        "Return-Path": _show(s.return_path),
        "DKIM d=": _show(_dkim_domains(x)),
        "Hop count": str(len(hops)),
        "Gateway": _show(gw[0] if gw else None),
        "Gateway rule": _show(policy),
        "Verdict headers": _show(shown),
        # A held copy only: one a mailbox filed (Junk Email included) was delivered.
        "Quarantine": _show(x.quarantine if x.fate.delivered is not True else None),
        "Mailbox folder": _show(DEST.get(dest, dest)),
        "Last hop": _show(hops[-1].by_host if hops else None),
        "Size": f"{s.size:,} bytes",
        "Attachments": str(attachments) if attachments is not None else ABSENT,
    }
    # Compare like with like: what each sample's boundary gateway recorded. Results
    # written later, inside the tenant (behind the gateway), are a different check.
    recorded = x.recorded
    edge = boundary(recorded)
    for m in edge.methods if edge else ():
        facts.setdefault(f"Auth {m.method}", _show(m.result))
    for method, result in summary(tuple(r for r in recorded if r is not edge)).items():
        facts.setdefault(f"Auth {method}" if edge is None else f"Tenant {method}", _show(result))
    return facts


TENANT_ROW = "Tenant checks"
_LAYERS = {
    "Sending IP": "identity",
    "Envelope From": "identity",
    "Header From": "identity",
    "Return-Path": "identity",
    "DKIM d=": "authentication",
    "Hop count": "routing/connector",
    "Gateway": "routing/connector",
    "Gateway rule": "policy",
    "Verdict headers": "verdict",
    "Quarantine": "quarantine/release",
    "Mailbox folder": "downstream/mailbox",
    "Last hop": "downstream/mailbox",
    TENANT_ROW: "downstream/mailbox",
    "Size": "message",
    "Attachments": "policy",
}
_ORDER = ("Sending IP", "Envelope From", "Header From", "Return-Path", "DKIM d=")


_AUTH = ("Auth ", "Tenant ")


def _tenant_summary(
    fa: dict[str, str], fb: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """When only one sample reached the tenant, its tenant-side results are one row:
    their absence on the other side is a consequence of the block, not a cause."""
    ta = {k: v for k, v in fa.items() if k.startswith("Tenant ")}
    tb = {k: v for k, v in fb.items() if k.startswith("Tenant ")}
    if bool(ta) == bool(tb):
        return fa, fb

    def fold(f: dict[str, str], t: dict[str, str]) -> dict[str, str]:
        rest = {k: v for k, v in f.items() if k not in t}
        joined = ", ".join(f"{k.removeprefix('Tenant ')}={v}" for k, v in t.items())
        rest[TENANT_ROW] = joined or f"{ABSENT} (did not reach the tenant)"
        return rest

    return fold(fa, ta), fold(fb, tb)


def _auth_key(field: str) -> tuple[int, int, str]:
    tenant = int(field.startswith("Tenant "))
    method = field.split(" ", 1)[1]
    rank = _METHOD_ORDER.index(method) if method in _METHOD_ORDER else len(_METHOD_ORDER)
    return tenant, rank, method


def compared(a: Analysis, b: Analysis) -> tuple[tuple[Analysis, Analysis], list[str]]:
    """The two analyses to diff, and notes on any substitution.

    A bounce is replaced by the original message it returned (its header block),
    since the bounce's own headers belong to the reporting server; a bounce that
    returned no headers is kept, with a warning.

    Args:
        a: Usually the blocked sample's analysis.
        b: Usually the delivered sample's analysis.

    Returns:
        ``((a', b'), notes)``: what to compare, one note per substituted slot, and a
        warning when the two come from different senders (organisational domains).
    """
    chosen: list[Analysis] = []
    notes: list[str] = []
    for slot, x in zip("AB", (a, b), strict=True):
        chosen.append(x.original or x)
        if x.original is not None:
            notes.append(f"{slot} is a bounce: compared here is the original it returned.")
        elif x.bounce is not None:
            notes.append(
                f"{slot} is a bounce without the original's headers: compared here are the "
                "bounce's own headers; its reason is in the sample pane's Bounce row."
            )
    senders = [x.sample.from_domain or "" for x in chosen]
    # One domain is one organisation: the Public Suffix List (tens of ms to read) is
    # only needed when the two domains differ.
    differ = len({d.lower().strip().strip(".") for d in senders}) > 1
    if all(senders) and differ and len({org_domain(d.lower()) for d in senders}) > 1:
        notes.append(
            f"A and B come from different senders ({printable(senders[0], 80)} and "
            f"{printable(senders[1], 80)}): some differences may be the senders' own, not "
            "the path's. Compare two messages from one sender when you can."
        )
    return (chosen[0], chosen[1]), notes


def diff_samples(a: Analysis, b: Analysis) -> tuple[DiffRow, ...]:
    """Compare two analysed samples field by field.

    Args:
        a: Usually the blocked sample (for a bounce, see :func:`compared`).
        b: Usually the delivered sample.

    Returns:
        Rows in a fixed order: identity, authentication (one row per recorded
        method), routing, policy, verdict, quarantine, mailbox, size.
    """
    fa, fb = _tenant_summary(_facts(a), _facts(b))
    auth = sorted({k for k in (*fa, *fb) if k.startswith(_AUTH)}, key=_auth_key)
    rest = [k for k in fa if k not in _ORDER and not k.startswith(_AUTH)]
    rows = []
    for key in (*_ORDER, *auth, *rest):
        va, vb = fa.get(key, ABSENT), fb.get(key, ABSENT)
        tenant = key.startswith("Tenant ")
        layer = _LAYERS.get(key, "downstream/mailbox" if tenant else "authentication")
        rows.append(DiffRow(key, va, vb, va != vb, layer))
    return tuple(rows)


def single_sample_hint(a: Analysis) -> tuple[str, ...]:
    """Say what a second (delivered) sample would let the technician compare.

    Args:
        a: The only loaded sample's analysis.

    Returns:
        Plain lines, most useful first.
    """
    f = _facts(a)
    lines = ["Load a copy of a similar message that did arrive to compare the two."]
    if f["Sending IP"] != ABSENT or f["Envelope From"] != ABSENT:
        lines.append(
            f"Did the delivered one come from the same IP ({f['Sending IP']}) "
            f"and envelope domain ({f['Envelope From']})?"
        )
    results = [f"{k.removeprefix('Auth ')}={v}" for k, v in f.items() if k.startswith("Auth ")]
    if results:
        lines.append(f"Do its recorded results match these: {', '.join(results[:5])}?")
    if f["DKIM d="] != ABSENT:
        lines.append(f"Was it signed by the same DKIM domain ({f['DKIM d=']})?")
    if f["Quarantine"] != ABSENT:
        lines.append("Did the same gateway rule let the delivered one through?")
    if f["Gateway"] != ABSENT:
        lines.append(f"Did it pass the same gateway ({f['Gateway']}) and connector?")
    if f["Mailbox folder"] == ABSENT:
        lines.append("A delivered copy also shows where the mailbox filter put it.")
    return tuple(lines)
