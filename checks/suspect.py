"""Which layer the two copies point at: the decision on top of the blocked-vs-delivered diff.

:func:`suspect` reads the facts only two copies can show, layer by layer, in
the order one layer causes the next: how each copy was routed (the gateway and
connector it came through, and the IP Microsoft judged it by), how it
authenticated at the boundary, which policy path it took, what the filters
scored, whether a hold was released and followed by a delivery, and where the
mailbox put it. Every difference says whether it can explain why copy A fared
worse than copy B. The suspect layer is the first layer, in that order, with a
difference that can; when none can, the answer is ``None`` and the next step
says what two copies cannot show.

It takes the two analyses (for a bounce, see :func:`mailtriage.checks.diff.compared`)
and never reads the raw samples again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mailtriage.checks.analysis import Analysis
from mailtriage.checks.bounce.categories import NOT_FAILURES
from mailtriage.checks.findings import HELD_SECONDS, judged_by_gateway_ip, microsoft_checked_ip
from mailtriage.checks.message.mime import attachments
from mailtriage.checks.model import AuthResults, Finding
from mailtriage.checks.route.gateways import gateway_at
from mailtriage.checks.route.release import reinjection
from mailtriage.checks.text import duration, printable
from mailtriage.checks.vendors import with_role
from mailtriage.checks.verdicts import VerdictHeader, microsoft_mailbox
from mailtriage.checks.verdicts.microsoft_codes import DEST, FILTER_SKIPPED_SFV, USER_LIST_SFV
from mailtriage.checks.verdicts.model import SEVERITY
from mailtriage.checks.verdicts.proofpoint import rule_verdict

if TYPE_CHECKING:  # a parsed bounce's types load with the bounce parser, for bounces only
    from mailtriage.checks.bounce.model import BounceRecipient

#: The six layers, in causal order: a difference in an earlier layer explains
#: differences in later ones (a copy routed around the gateway is judged
#: differently; a copy that failed DMARC is quarantined), not the reverse.
LAYERS = (
    "routing/connector",
    "authentication",
    "policy",
    "verdict",
    "quarantine/release",
    "downstream/mailbox",
)
_PLATFORM = frozenset(
    v.name
    for v in with_role("gateway", "filter", "mailbox")
    if v.key in ("microsoft-eop", "exchange-online", "google")
)
_MAILBOXES = frozenset(v.name for v in with_role("mailbox")) | _PLATFORM
_RISKY = (
    ".html",
    ".htm",
    ".shtml",
    ".svg",
    ".iso",
    ".img",
    ".vhd",
    ".exe",
    ".scr",
    ".js",
    ".jse",
    ".vbs",
    ".wsf",
    ".hta",
    ".lnk",
    ".cab",
    ".msi",
    ".one",
    ".xlsm",
    ".docm",
    ".xlam",
    ".zip",
    ".rar",
    ".7z",
    ".ace",
    ".jar",
)
_SCORE_GAP = 10  # Proofpoint scores (0-100) closer than this count as the same score


@dataclass(frozen=True)
class Difference:
    """One fact that differs between the copies.

    Attributes:
        field: What differs, e.g. ``"DMARC at the boundary"``.
        a: Copy A's value (``"—"`` when absent).
        b: Copy B's value.
        explains: Whether this difference can explain why A fared worse than B.
        evidence: The header lines (prefixed ``A:`` or ``B:``) that show it.
    """

    field: str
    a: str
    b: str
    explains: bool
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayerDiff:
    """The differences found in one layer."""

    layer: str
    differences: tuple[Difference, ...]

    @property
    def explains(self) -> bool:
        """Whether any difference in this layer can explain the block."""
        return any(d.explains for d in self.differences)


@dataclass(frozen=True)
class Comparison:
    """The decision on a pair of copies.

    Attributes:
        suspect_layer: One of :data:`LAYERS`, or ``None`` when no difference explains a block.
        evidence: Header lines from both copies that show it.
        next_step: What to do next (for ``None``: what to check that two copies cannot show).
        layers: Per layer, in :data:`LAYERS` order, the differences found.
        outcome_a: What happened to copy A, in a few words.
        outcome_b: What happened to copy B.
    """

    suspect_layer: str | None
    evidence: tuple[str, ...]
    next_step: str
    layers: tuple[LayerDiff, ...]
    outcome_a: str
    outcome_b: str


@dataclass(frozen=True)
class _Copy:
    """The facts of one copy that the comparison reads."""

    systems: tuple[str, ...]  # distinct systems on the route, oldest first
    gateway: str | None  # third-party filtering gateway passed
    gateway_line: str
    mailbox: bool  # a mailbox system wrote a hop after the gateway (or at all)
    released: str  # the line showing a release, or ""
    after_release: bool  # a mailbox hop follows the release
    cip: str | None  # the IP Microsoft's filter judged the copy by
    handoff_ip: str | None  # the IP the gateway handed the copy to Microsoft from
    cip_line: str  # the Microsoft header that names the CIP
    entry_line: str  # the hop where the mailbox system took the copy in
    worst_line: str  # the filter header with the worst verdict
    handoff_line: str  # the hop where Microsoft received the copy from the gateway
    judged_gw: bool  # Microsoft judged the copy by the gateway's own IP
    auth: dict[str, tuple[str, str]]  # method -> (result, line) at the boundary
    compauth: tuple[str, str] | None  # Microsoft's composite result and its line
    verdicts: dict[str, tuple[int, str, str]]  # vendor -> (rank, word, line)
    scores: dict[str, tuple[int, str]]  # "Proofpoint score" -> (value, line)
    policy: dict[str, tuple[str, str]]  # fact -> (value, line)
    attachments: tuple[str, ...]
    risky: tuple[str, ...]
    handed_on: bool  # a later hop by another system follows the gateway's
    inside: float | None  # seconds from the gateway's receipt to the hand-off, when handed on
    sfv: str  # Microsoft's SFV code (upper case), or ""
    next_line: str  # the hop where the next system took the copy from the gateway
    folder: str  # Microsoft dest code ("" when not said)
    folder_line: str
    filter_spam: bool  # Microsoft's filter itself called it spam
    held: str  # the gateway's hold, or ""
    user_list: str  # the line where the recipient's own sender list decided (SFV:BLK/SFE), or ""
    disposition: str  # the DMARC disposition the boundary applied (quarantine, reject), or ""


#: Evidence keeps a whole header line: RFC 5322's 998-character line limit, so a
#: long filter line is not cut, while a hostile sample cannot make it unbounded.
EVIDENCE_LIMIT = 998


def _line(name: str, raw: str, limit: int = EVIDENCE_LIMIT) -> str:
    return printable(f"{name}: {raw}", limit)


def _hop_line(a: Analysis, i: int) -> str:
    return _line("Received", a.hops[i].raw)


def _facts(a: Analysis) -> _Copy:
    tl, hops = a.timeline, a.hops
    systems = tuple(dict.fromkeys(s for s in tl.systems if s))
    found = gateway_at(hops, third_party=True)
    gw_at = found[0] if found is not None else None
    gateway = found[1].name if found is not None else None
    start = gw_at if gw_at is not None else -1
    mailbox_at = next((i for i in range(start + 1, len(hops)) if tl.systems[i] in _MAILBOXES), None)
    again = reinjection(hops, tl.systems)  # a gateway re-sending a released message
    release_at = again.index if again is not None else None
    after_release = again is not None and any(
        tl.systems[i] in _MAILBOXES and tl.systems[i] != gateway
        for i in range(again.index + 1, len(hops))
    )
    handoff = None
    if gw_at is not None and mailbox_at is not None:
        handoff = hops[mailbox_at].from_ip
    checked = microsoft_checked_ip(a.recorded, a.verdicts)  # the one reader of it
    folder, _scl = microsoft_mailbox(a.verdicts)
    box = next(
        (v for v in a.verdicts if v.name.lower() == "x-microsoft-antispam-mailbox-delivery"), None
    )
    released = _line("Received", hops[release_at].raw) if release_at is not None else ""
    policy: dict[str, tuple[str, str]] = {}
    verdicts: dict[str, tuple[int, str, str]] = {}
    scores: dict[str, tuple[int, str]] = {}
    filter_spam = skipped = False
    user_list = ""
    for v in a.verdicts:
        _read_verdict(v, verdicts, scores, policy)
        if v.name.lower() == "x-forefront-antispam-report":
            sfv = (v.get("SFV") or "").upper()
            if sfv == "SKQ" and not released:
                released = _line(v.name, v.raw)
                after_release = bool(box)
            if sfv in USER_LIST_SFV and not user_list:
                user_list = _line(v.name, v.raw)
            skipped = skipped or sfv in FILTER_SKIPPED_SFV
            filter_spam = filter_spam or v.verdict in ("spam", "phish", "spoof", "malware", "bulk")
    if skipped:
        # Microsoft: with these SFV codes filtering was skipped, so its SCL is the rule's
        # or the sender list's, not a filter verdict to compare.
        filter_spam = False
        verdicts.pop("Microsoft", None)
    attached = attachments(a.sample.parts)
    files = tuple(f"{p.filename or '(no name)'} ({p.content_type})" for p in attached)
    # A copy the mailbox filed (Inbox, Junk, a folder) was delivered, not held,
    # whatever the filter thought of it.
    held = "" if folder else (a.quarantine or "")
    disposition = _dmarc_disposition(a.recorded)
    handed_on = gw_at is not None and (tl.handoff_index is not None or mailbox_at is not None)
    return _Copy(
        systems=systems,
        gateway=gateway,
        gateway_line=_hop_line(a, gw_at) if gw_at is not None else "",
        mailbox=mailbox_at is not None,
        released=released,
        after_release=after_release,
        judged_gw=judged_by_gateway_ip(a.hops, a.recorded, a.verdicts, a.timeline) is not None,
        cip=checked[0] if checked else None,
        handoff_ip=handoff,
        cip_line=printable(checked[1], EVIDENCE_LIMIT) if checked else "",
        handoff_line=_hop_line(a, mailbox_at) if handoff and mailbox_at is not None else "",
        entry_line=_hop_line(a, mailbox_at) if mailbox_at is not None else "",
        worst_line=max(verdicts.values(), default=(0, "", ""))[2],
        auth=_boundary_auth(a.recorded),
        compauth=_compauth(a.recorded),
        verdicts=verdicts,
        scores=scores,
        policy=policy,
        attachments=files,
        risky=tuple(
            p.filename for p in attached if p.filename and p.filename.lower().endswith(_RISKY)
        ),
        handed_on=handed_on,
        inside=tl.inside_seconds if handed_on else None,
        sfv=a.fate.sfv,
        next_line=_hop_line(a, tl.handoff_index) if tl.handoff_index is not None else "",
        folder=folder.upper(),
        folder_line=_line(box.name, box.raw) if box else "",
        filter_spam=filter_spam,
        held=held,
        user_list=user_list,
        disposition=disposition,
    )


def _read_verdict(
    v: VerdictHeader,
    verdicts: dict[str, tuple[int, str, str]],
    scores: dict[str, tuple[int, str]],
    policy: dict[str, tuple[str, str]],
) -> None:
    name = v.name.lower()
    line = _line(v.name, v.raw)
    if name == "x-microsoft-antispam-mailbox-delivery":
        return  # placement, read as the folder
    if name == "x-proofpoint-spam-details":
        rule = v.get("rule") or ""
        if v.get("policy"):
            policy["Proofpoint policy route"] = (v.get("policy") or "", line)
        word = rule_verdict(rule)
        if word in SEVERITY:
            verdicts["Proofpoint"] = (SEVERITY[word or ""], word or "", line)
        elif rule:
            policy["Proofpoint rule"] = (rule, line)
        for key in ("score", "phishscore", "malwarescore"):
            n = _int(v.get(key))
            if n is not None:
                scores[f"Proofpoint {key}"] = (n, line)
        return
    if name == "x-forefront-antispam-report":
        sfv = (v.get("SFV") or "").upper()
        if sfv in ("SKS", "SKB", "SKN", "SKA"):
            policy["Microsoft SFV"] = (sfv, line)  # set by a rule or list, not by the filter
            return
        if sfv == "SKQ":
            return  # a release marker
    # A vendor writing several headers (Microsoft: the organisation SCL, the Forefront
    # report, X-Microsoft-Antispam) is judged by its worst word, as the findings are.
    rank = SEVERITY.get(v.verdict or "")
    if rank is not None and (v.vendor not in verdicts or rank > verdicts[v.vendor][0]):
        verdicts[v.vendor] = (rank, v.verdict or "", line)


def _int(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def _boundary_auth(recorded: Sequence[AuthResults]) -> dict[str, tuple[str, str]]:
    ars = [r for r in recorded if r.header == "Authentication-Results"]
    if not ars:
        return {}
    edge = max(ars, key=lambda r: r.index)
    return {
        m.method: (m.result.lower(), _said(edge, m.raw))
        for m in edge.methods
        if m.method in ("spf", "dkim", "dmarc")
    }


def _said(r: AuthResults, text: str) -> str:
    return printable(f"{r.authserv_id or r.header}: {text}", 200)


_DISPOSITION = re.compile(r"\b(?:dis|action)=(quarantine|reject|oreject)\b", re.I)


def _dmarc_disposition(recorded: Sequence[AuthResults]) -> str:
    """The disposition a receiver recorded for a DMARC failure (``dis=`` or Microsoft's
    ``action=``), which says the copy was quarantined or rejected (RFC 7489 section 6.6.4)."""
    ars = [r for r in recorded if r.header == "Authentication-Results"]
    for r in sorted(ars, key=lambda r: -r.index):
        m = r.method("dmarc")
        if m is not None and m.result.lower() == "fail" and (hit := _DISPOSITION.search(m.raw)):
            return hit.group(1).lower()
    return ""


def _compauth(recorded: Sequence[AuthResults]) -> tuple[str, str] | None:
    for r in recorded:
        for m in r.methods:
            if m.method == "compauth":
                return m.result.lower(), _said(r, m.raw)
    return None


def _outcome(c: _Copy) -> tuple[str, bool]:
    """Plain words for what happened to a copy, and whether that is worse than an inbox."""
    if c.held and not c.released:
        return "held: " + c.held, True
    if c.released and not c.after_release:
        return "released, but no delivery after the release", True
    if c.gateway and not c.mailbox and not c.handed_on:
        return f"stopped at {c.gateway} (no later hop)", True
    if c.folder and c.folder != "I":
        where = DEST.get(c.folder, f"folder {c.folder}")
        return f"delivered to {where}", True
    if c.filter_spam:
        return "marked as spam by Microsoft's filter", True
    if c.disposition:
        return f"DMARC policy applied: {c.disposition}", True
    if c.released:
        return "released and delivered", False
    if _delayed(c):
        return f"handed on after {duration(c.inside or 0.0)} inside {c.gateway}", True
    return (
        "delivered to the Inbox" if c.folder == "I" else "delivered, as far as the headers show"
    ), False


ABSENT = "—"
#: Verdict words after which a release is never the first advice.
_DANGEROUS = frozenset(
    {"phish", "malware", "impersonation", "spoof", "virus", "high confidence phish"}
)


def _delayed(c: _Copy) -> bool:
    """The gateway kept a copy it then handed on for a hold's length (not a release)."""
    return bool(c.handed_on and not c.released and (c.inside or 0.0) >= HELD_SECONDS)


def _worse_verdict(a: _Copy, b: _Copy) -> bool:
    """Some filter judged copy A worse than copy B."""
    return any(rank > b.verdicts.get(v, (0, "", ""))[0] for v, (rank, _w, _l) in a.verdicts.items())


def _routing(a: _Copy, b: _Copy, worse: bool) -> list[Difference]:
    out = []
    if a.gateway != b.gateway:
        ev = tuple(
            x
            for x in (
                f"A: {a.gateway_line}" if a.gateway_line else "",
                f"B: {b.gateway_line}" if b.gateway_line else "",
            )
            if x
        )
        bypass = b.gateway is not None and a.gateway is None and a.mailbox
        if bypass and a.entry_line:
            ev = (f"A: {a.entry_line}", *ev)
        out.append(
            Difference(
                "Gateway passed",
                a.gateway or ABSENT,
                b.gateway or ABSENT,
                worse and (bypass or a.gateway is not None),
                ev,
            )
        )
    a_gw_ip, b_gw_ip = a.judged_gw, b.judged_gw
    if a.gateway and a.gateway == b.gateway and a_gw_ip != b_gw_ip:
        out.append(
            Difference(
                "IP Microsoft judged",
                f"{a.cip} (the gateway's)" if a_gw_ip else str(a.cip or ABSENT),
                f"{b.cip} (the gateway's)" if b_gw_ip else str(b.cip or ABSENT),
                worse and a_gw_ip,
                tuple(
                    x
                    for x in (
                        f"A: {a.cip_line}",
                        f"A: {a.handoff_line}",
                        f"B: {b.cip_line}",
                        f"B: {b.handoff_line}",
                    )
                    if len(x) > 3
                ),
            )
        )
    return out


_FAILS = ("fail", "softfail", "permerror", "temperror", "none")


def _authentication(a: _Copy, b: _Copy, worse: bool) -> list[Difference]:
    out = []
    recorded = bool(a.auth) and bool(b.auth)
    for method in ("dmarc", "spf", "dkim"):
        ra, la = a.auth.get(method, (ABSENT, ""))
        rb, lb = b.auth.get(method, (ABSENT, ""))
        if ra == rb:
            continue
        if method == "dmarc":
            can = recorded and ra in _FAILS and rb == "pass"
        else:  # SPF or DKIM alone explains only when DMARC is not there to decide
            can = (
                recorded
                and "dmarc" not in a.auth
                and ra in _FAILS
                and rb == "pass"
                and all(a.auth.get(m, ("",))[0] != "pass" for m in ("spf", "dkim"))
            )
        ev = tuple(x for x in (f"A: {la}" if la else "", f"B: {lb}" if lb else "") if x)
        out.append(Difference(f"{method.upper()} at the boundary", ra, rb, worse and can, ev))
    if a.compauth and b.compauth and a.compauth[0] != b.compauth[0]:
        can = a.compauth[0] in _FAILS and b.compauth[0] == "pass"
        out.append(
            Difference(
                "Microsoft compauth",
                a.compauth[0],
                b.compauth[0],
                worse and can,
                (f"A: {a.compauth[1]}", f"B: {b.compauth[1]}"),
            )
        )
    return out


def _close_scores(a: _Copy, b: _Copy) -> bool:
    keys = set(a.scores) & set(b.scores)
    return bool(keys) and all(abs(a.scores[k][0] - b.scores[k][0]) < _SCORE_GAP for k in keys)


def _policy(a: _Copy, b: _Copy, worse: bool) -> list[Difference]:
    out = []
    if _delayed(a) != _delayed(b) and a.gateway and a.gateway == b.gateway:
        # No hold signal, no worse verdict, yet the gateway kept A: a policy that holds
        # mail while it works on it (attachment sandboxing, a delay or review rule).
        can = _delayed(a) and not a.held and not _worse_verdict(a, b)
        out.append(
            Difference(
                f"Time inside {a.gateway}",
                duration(a.inside or 0.0) if a.inside is not None else ABSENT,
                duration(b.inside or 0.0) if b.inside is not None else ABSENT,
                worse and can,
                tuple(
                    x
                    for x in (
                        f"A: {a.gateway_line}" if a.gateway_line else "",
                        f"A: {a.next_line}" if a.next_line else "",
                        f"B: {b.gateway_line}" if b.gateway_line else "",
                        f"B: {b.next_line}" if b.next_line else "",
                    )
                    if x
                ),
            )
        )
    for key in sorted(set(a.policy) | set(b.policy)):
        va, la = a.policy.get(key, (ABSENT, ""))
        vb, lb = b.policy.get(key, (ABSENT, ""))
        if key == "Microsoft SFV":  # the other copy's own SFV, not a dash, beside a rule's
            va, vb = (
                (va if va != ABSENT else a.sfv or ABSENT),
                (vb if vb != ABSENT else b.sfv or ABSENT),
            )
        if va == vb:
            continue
        ev = tuple(x for x in (f"A: {la}" if la else "", f"B: {lb}" if lb else "") if x)
        if key == "Microsoft SFV":
            can = va in ("SKS", "SKB")  # a rule or blocked-senders list marked A as spam
        else:  # a different route or rule with the same classifier scores; a copy that
            # never met the policy (A has no such fact) cannot be explained by it
            can = va != ABSENT and (not a.scores or not b.scores or _close_scores(a, b))
        out.append(Difference(key, va, vb, worse and can, ev))
    if a.risky != b.risky and (a.risky or b.risky):
        ev = tuple(f"A: attachment {printable(f, 120)}" for f in a.attachments[:3]) + tuple(
            f"B: attachment {printable(f, 120)}" for f in b.attachments[:3]
        )
        can = bool(a.risky) and not b.risky and (not a.mailbox or _delayed(a))
        out.append(
            Difference(
                "Risky attachment types", _names(a.risky), _names(b.risky), worse and can, ev
            )
        )
    return out


def _names(files: Sequence[str]) -> str:
    return ", ".join(printable(f, 80) for f in files) or ABSENT


def _verdict(a: _Copy, b: _Copy, worse: bool) -> list[Difference]:
    out = []
    for vendor in sorted(set(a.verdicts) | set(b.verdicts)):
        ra, wa, la = a.verdicts.get(vendor, (-1, ABSENT, ""))
        rb, wb, lb = b.verdicts.get(vendor, (-1, ABSENT, ""))
        if wa == wb:
            continue
        same_scores = vendor == "Proofpoint" and _close_scores(a, b)
        can = ra > rb >= 0 and ra >= 1 and not same_scores
        ev = tuple(x for x in (f"A: {la}" if la else "", f"B: {lb}" if lb else "") if x)
        out.append(Difference(f"{vendor} verdict", wa, wb, worse and can, ev))
    for key in sorted(set(a.scores) & set(b.scores)):
        (na, la), (nb, lb) = a.scores[key], b.scores[key]
        if abs(na - nb) >= _SCORE_GAP:
            out.append(
                Difference(
                    key, str(na), str(nb), worse and na > nb and na >= 50, (f"A: {la}", f"B: {lb}")
                )
            )
    return out


def _quarantine(a: _Copy, b: _Copy, worse: bool) -> list[Difference]:
    out = []
    if bool(a.released) != bool(b.released) or (a.released and a.after_release != b.after_release):

        def said(c: _Copy) -> str:
            if not c.released:
                return "held, not released" if c.held else "no release"
            return "released, then delivered" if c.after_release else "released, no delivery after"

        can = (
            bool(b.released)
            and b.after_release
            and not a.after_release
            and (bool(a.held) or bool(a.released))
        )
        ev = tuple(
            x
            for x in (
                f"A: {a.released or a.worst_line}" if a.released or a.worst_line else "",
                f"B: {b.released}" if b.released else "",
            )
            if x
        )
        out.append(Difference("Release", said(a), said(b), worse and can, ev))
    if bool(a.held) != bool(b.held):
        out.append(Difference("Held by a filter", a.held or ABSENT, b.held or ABSENT, False))
    return out


def _list_word(line: str) -> str:
    if not line:
        return ABSENT
    return "Blocked Senders (SFV:BLK)" if "SFV:BLK" in line.upper() else "Safe Senders (SFV:SFE)"


def _downstream(a: _Copy, b: _Copy, worse: bool) -> list[Difference]:
    out = []
    if a.user_list and a.user_list != b.user_list:
        out.append(
            Difference(
                "Recipient's own sender list",
                _list_word(a.user_list),
                _list_word(b.user_list),
                worse and "SFV:BLK" in a.user_list.upper(),
                tuple(
                    x
                    for x in (f"A: {a.user_list}", f"B: {b.user_list}" if b.user_list else "")
                    if x
                ),
            )
        )
    if a.folder == b.folder or not (a.folder or b.folder):
        return out
    user = a.folder in ("J", "C", "D") and not a.filter_spam and b.folder in ("I", "")
    return [
        *out,
        Difference(
            "Mailbox folder",
            DEST.get(a.folder, a.folder or ABSENT),
            DEST.get(b.folder, b.folder or ABSENT),
            worse and user,
            tuple(
                x
                for x in (
                    f"A: {a.folder_line}" if a.folder_line else "",
                    f"B: {b.folder_line}" if b.folder_line else "",
                )
                if x
            ),
        ),
    ]


_READERS = {
    "routing/connector": _routing,
    "authentication": _authentication,
    "policy": _policy,
    "verdict": _verdict,
    "quarantine/release": _quarantine,
    "downstream/mailbox": _downstream,
}


def _auth_step(found: Sequence[Finding], d: Difference) -> str:
    step = next((f.next_step for f in found if f.layer == "authentication" and f.next_step), "")
    return step or (
        f"Fix {d.field} for the sender's domain: copy B passed, copy A did not. Ask "
        "the sender which system sent A and align its SPF or DKIM with the From domain."
    )


def _next_step(layer: str, d: Difference, a: _Copy, b: _Copy, found: Sequence[Finding]) -> str:
    if layer == "routing/connector" and d.field == "IP Microsoft judged":
        return (
            f"Microsoft judged copy A by the gateway's own IP ({a.cip}). Add the {a.gateway} "
            "IPs to Enhanced Filtering for Connectors (skip listing) on the inbound connector, "
            "so Microsoft evaluates the sender's IP, then test again."
        )
    if layer == "routing/connector" and a.gateway and not b.gateway:
        return (
            f"Copy B reached the mailbox without passing {a.gateway}, which copy A went "
            "through: B came in another way (a direct connection to the tenant, another MX or "
            f"connector), so it does not show what {a.gateway} would have done with it. Find "
            f"copy A in {a.gateway}'s log for the rule or verdict that stopped it, and close "
            f"the path B took so mail is accepted only from {a.gateway}."
        )
    if layer == "routing/connector":
        via = b.gateway or "the gateway"
        return (
            f"Copy A did not come through {via} the way copy B did. Find how it reached the "
            "mailbox (a direct connection to the tenant, another MX or connector) and restrict "
            f"the inbound connector so mail is accepted only from {via}."
        )
    if layer == "authentication":
        return _auth_step(found, d)
    if layer == "policy" and d.field.startswith("Time inside"):
        files = f" with an attachment type copy B lacked ({_names(a.risky)})" if a.risky else ""
        return (
            f"{a.gateway} kept copy A for {d.a} before handing it on{files}, with no hold "
            f"verdict; copy B passed in {d.b}. A policy that holds mail while it works on "
            "it (attachment sandboxing, a delay or review rule) is the likely cause: find "
            f"A in {a.gateway}'s message log, note the policy that acted, and narrow that "
            "policy (file type, sender and recipient) rather than allowlisting the sender."
        )
    if layer == "policy":
        return (
            f"The copies took different policy paths ({d.field}: {d.a} vs {d.b}). Review "
            "that rule or route and who it applies to; narrow it rather than allowlisting "
            "the sender."
        )
    if layer == "verdict" and d.a in _DANGEROUS:
        return (
            f"The filter judged copy A {d.a} ({d.field}; copy B: {d.b}). Treat A as possibly "
            "malicious: do not release it on the customer's word. Confirm with the sender "
            "through a known contact (not the message's own), check the links and "
            "attachments, and only if it is genuine release that one message and report it "
            "to the vendor as a false positive. Never allowlist the sender's domain for it."
        )
    if layer == "verdict":
        return (
            f"The filter judged copy A worse ({d.field}: {d.a} vs {d.b}) with the same "
            "route, authentication and policy. Find A where the filter put it (quarantine or "
            "Junk Email); once its content is checked, release or move that one message and "
            "submit it to the vendor as a false positive. Do not allowlist the whole domain."
        )
    if layer == "quarantine/release":
        if a.released and not a.after_release:
            return (
                "Copy A was released but no mailbox hop follows the release. Trace it in the "
                "tenant's message trace from the release time; check the connector the "
                "gateway re-sends released mail through."
            )
        return (
            "Both were held alike; only copy B was released. Find copy A in the quarantine, "
            "check why it was held and release it if it is safe."
        )
    if a.user_list and "SFV:BLK" in a.user_list.upper():
        return (
            "Microsoft skipped filtering copy A because the sender is on the recipient's own "
            "Blocked Senders list. Have the user (or an admin for that mailbox) remove the "
            "sender from Blocked Senders in Outlook's junk settings; no tenant change is needed."
        )
    return (
        "The filter passed copy A; the mailbox moved it. Check the user's inbox rules, "
        "blocked and safe senders and junk settings, and transport rules that set a folder."
    )


def _failed(a: Analysis) -> BounceRecipient | None:
    """The recipient that decides a bounce (:attr:`Bounce.deciding`), or ``None``."""
    return a.bounce.deciding if a.bounce is not None else None


def _unexplained(worse: bool, bad_a: bool, bad_b: bool, layers: tuple[LayerDiff, ...]) -> str:
    """The next step when no difference explains a block: what the pair cannot show."""
    if bad_b and not bad_a:
        return (
            "Copy A arrived and copy B did not: the two look swapped. Swap them (s in the "
            "dashboard, or give the blocked copy first) and compare again."
        )
    if bad_b:
        return (
            "Copy B did not arrive either, so it cannot show what a delivered copy passed. "
            "Compare A with a copy from the same sender that reached the mailbox."
        )
    if not worse:
        return (
            "Copy A did not fare worse than copy B by what the headers show. Check that "
            "A is really the problem copy; if it is missing, search the message trace "
            "and the quarantine for it by Message-ID."
        )
    found = [d for x in layers for d in x.differences]
    if any(d.b == ABSENT for d in found):
        return (
            "Where A failed or was judged, B has no record to set against it (— in B's "
            "column): B may have come another way or be another kind of message. Compare A "
            "with a delivered copy from the same sender and path, and search the message "
            "trace for copy A."
        )
    if found:
        return (
            "The copies differ (listed by layer), but in nothing that shows why A was "
            "stopped and B was not. Check the policy's change history and the user's "
            "rules, and search the message trace for copy A."
        )
    return (
        "Both copies passed the same route, authentication and filters; what decided "
        "is not in the headers. Check the policy's change history and the user's "
        "rules, and search the message trace for copy A."
    )


def suspect(a: Analysis, b: Analysis) -> Comparison:
    """Decide which layer explains why copy A fared worse than copy B.

    A bounce is compared through the original it returned (its header block);
    the remote server's reply in the bounce, when it names a specific reason,
    decides the layer, and the differences between the copies are listed beside it.

    Args:
        a: The blocked, held, missing or bounced copy.
        b: The delivered copy.

    Returns:
        The comparison: the suspect layer (or ``None``), its evidence and next step,
        and every difference per layer.
    """
    bounced = _failed(a)
    returned = _failed(b)
    pa, pb = a.original or a, b.original or b
    ca, cb = _facts(pa), _facts(pb)
    out_a, bad_a = _outcome(ca)
    out_b, bad_b = _outcome(cb)
    if bounced is not None:
        out_a, bad_a = (
            f"bounced: {bounced.status or bounced.reply_code or ''} {bounced.category}",
            True,
        )
    if returned is not None and returned.category not in NOT_FAILURES:
        # The "delivered" copy is a bounce: its original did not arrive either.
        code = returned.status or returned.reply_code or ""
        out_b, bad_b = f"bounced: {code} {returned.category}".replace("  ", " "), True
    worse = bad_a and not bad_b
    layers = tuple(LayerDiff(name, tuple(_READERS[name](ca, cb, worse))) for name in LAYERS)
    if bounced is not None and worse:
        said = printable(f"{bounced.recipient}: {bounced.diagnostic}", 300)
        return Comparison(
            bounced.layer, (f"A (bounce): {said}",), bounced.next_step, layers, out_a.strip(), out_b
        )
    chosen = next((x for x in layers if x.explains), None)
    if chosen is None:
        return Comparison(None, (), _unexplained(worse, bad_a, bad_b, layers), layers, out_a, out_b)
    first = next(d for d in chosen.differences if d.explains)
    step = _next_step(chosen.layer, first, ca, cb, pa.findings)
    return Comparison(chosen.layer, first.evidence, step, layers, out_a, out_b)
