"""Guard rails: the narrowest exception that would fix a false positive, and warnings on broad ones.

The guides say a false positive is fixed with an exception scoped to the sender,
the recipient and the verdict the samples show, never by allowing a whole
domain; broad bypasses, domain allows and weakened policies need security
approval and a reason backed by the samples. :func:`narrowest_exception` builds
that exception from the evidence (the blocked copy's sender and recipient, the
verdict header that fired, the comparison's evidence) and says which vendor
console and rule type it maps to. :func:`broad_allow_warnings` reads free text
(ticket notes, the fix, an action the technician picked) and warns, in words
the technician can quote to the customer, when it proposes a domain-wide allow,
an allow of a whole sending service, a transport rule that skips filtering
(SCL -1) or a policy bypass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mailtriage.checks.analysis import Analysis, VerdictHeader
from mailtriage.checks.suspect import Comparison
from mailtriage.checks.text import printable
from mailtriage.checks.vendors import VENDORS
from mailtriage.checks.verdicts.model import SEVERITY, STOPPED_OUTCOMES, STOPPING

#: Verdicts where an allow entry is dangerous: confirm with the sender out of band first.
_CONFIRM_FIRST = frozenset({"phish", "spoof", "impersonation", "malware"})
#: Layers where an exception is the wrong fix, and what to do instead.
_NOT_AN_EXCEPTION = {
    "authentication": (
        "The copies differ in authentication: fix the sender's SPF, DKIM or DMARC; "
        "an allow entry would also let forgeries of this sender through."
    ),
    "routing/connector": (
        "The copies differ in routing: fix the connector or MX path; an allow entry "
        "does not change which way the mail comes in."
    ),
    "downstream/mailbox": (
        "The filter let it through and the mailbox filed it: look at the user's rules "
        "and Junk settings, not at a gateway exception."
    ),
}
#: Microsoft SFV codes whose spam verdict a rule or a list set (Microsoft Learn, "Anti-spam
#: message headers in Microsoft 365", the SFV table): the fix is that rule or list.
_RULE_SFV = {
    "SKS": "a mail flow rule",
    "SKB": "the anti-spam policy's blocked senders or domains",
    "BLK": "the recipient's own Blocked Senders list",
}
#: Fields of a verdict header that name the rule or policy that fired.
_RULE_FIELDS = ("rule", "policy", "SFV", "CAT", "reason", "action")

#: Per vendor (as :class:`VerdictHeader` names it): the console and the rule type the
#: narrow exception maps to. Sources: Proofpoint Essentials "Sender lists" and
#: Proofpoint PPS "Safe Senders" admin guides; Mimecast "Permitted Senders policy"
#: and "Impersonation Protection bypass policy" knowledge-base articles; Microsoft
#: Learn "Allow or block email using the Tenant Allow/Block List" and "Use the
#: Submissions page to submit ... good email"; Google Workspace Admin Help
#: "Customize spam filter settings" (approved senders lists).
CONSOLES: dict[str, tuple[str, str]] = {
    "Proofpoint": (
        "Proofpoint admin console",
        "a safe-sender entry for this one address on the recipient's own sender list, "
        "or a rule matching this sender and this recipient that skips only the module "
        "that fired; never an organisation-wide safe domain",
    ),
    "Mimecast": (
        "Mimecast Administration console",
        "a Permitted Senders policy from this address to this recipient (an "
        "Impersonation Protection bypass policy scoped the same way when impersonation "
        "fired); never a policy from the whole domain",
    ),
    "Microsoft": (
        "Microsoft 365 Defender portal, Tenant Allow/Block List",
        "an allow entry for this sender address created by submitting the message as "
        "good mail on the Submissions page, with an expiry date; it applies to the whole "
        "tenant, so write the recipient and the verdict in its notes (for a spoof "
        "verdict: a spoofed-sender allow for this sender and its sending infrastructure)",
    ),
    "Google": (
        "Google Admin console, Gmail spam settings",
        "an approved-senders list holding only this address, used by a spam setting "
        "applied to the recipient's organisational unit or group, with sender "
        "authentication required",
    ),
}
_GENERIC = (
    "the filter's admin console",
    "an allow entry for this one sender address, scoped to this recipient and to "
    "the check that fired",
)


@dataclass(frozen=True)
class ExceptionProposal:
    """The narrowest exception the evidence supports.

    Attributes:
        sender: The sender address to allow (the blocked copy's From).
        envelope_sender: The envelope sender when it differs from ``sender``, else "".
        recipient: The one recipient it is for.
        verdict: The verdict or rule that fired, quoted from the header.
        evidence: The header line that shows it (``A: ...``).
        vendor: The vendor whose verdict fired (``"Proofpoint"``, ``"Microsoft"``...).
        console: Where to add it.
        rule_type: What kind of entry to add, and how to scope it.
        caveat: What to check first ("" when nothing).
    """

    sender: str
    envelope_sender: str
    recipient: str
    verdict: str
    evidence: str
    vendor: str
    console: str
    rule_type: str
    caveat: str = ""

    @property
    def text(self) -> str:
        """The proposal in one line, to paste into the ticket."""
        out = (
            f"Narrowest exception: allow {self.sender} to {self.recipient} only, for "
            f"{self.verdict}, in the {self.console}: {self.rule_type}."
        )
        return out + (f" {self.caveat}" if self.caveat else "")


@dataclass(frozen=True)
class NoException:
    """Why no exception is proposed (the evidence points elsewhere, or is missing)."""

    reason: str


#: How bad a stopping verdict is (the exception must name the worst one that fired): the
#: content severity, an outcome word as spam, a verdict to confirm with the sender first
#: above every other.
_RANK = {**SEVERITY, **dict.fromkeys(STOPPED_OUTCOMES, 2), **dict.fromkeys(_CONFIRM_FIRST, 3)}


def _worst(verdicts: Sequence[VerdictHeader]) -> VerdictHeader | None:
    """The verdict header that stopped the message: a third-party gateway's first, then
    the worst verdict, then the header that names its rule (Microsoft's report over its SCL).
    """
    stopping = [v for v in verdicts if v.verdict in STOPPING]
    gateway = [v for v in stopping if v.vendor not in ("Microsoft", "Google", "other")]
    pool = gateway or stopping
    if not pool:
        return None
    return max(
        pool,
        key=lambda v: (_RANK.get(v.verdict or "", 0), any(v.get(k) for k in _RULE_FIELDS)),
    )


def _fired(v: VerdictHeader) -> str:
    """The verdict and the fields naming the rule, e.g. ``Proofpoint spam (rule=x policy=y)``."""
    named = [f"{k}={printable(val, 80)}" for k in _RULE_FIELDS if (val := v.get(k))]
    return f"{v.vendor} {v.verdict}" + (f" ({' '.join(named)})" if named else "")


def narrowest_exception(
    analyses: Sequence[Analysis], comparison: Comparison | None = None
) -> ExceptionProposal | NoException:
    """Propose the narrowest exception for copy A, or say why none fits.

    Args:
        analyses: The samples in slot order (A = the blocked copy).
        comparison: The two-copy decision, when two samples are loaded: an
            authentication, routing or mailbox difference is fixed there, not with
            an exception.

    Returns:
        The proposal (sender address + recipient + the verdict that fired, never a
        domain), or :class:`NoException` with the reason.
    """
    if not analyses:
        return NoException("No sample loaded: an exception needs the blocked copy.")
    a = analyses[0]
    layer = comparison.suspect_layer if comparison is not None else None
    if layer in _NOT_AN_EXCEPTION:
        return NoException(_NOT_AN_EXCEPTION[layer])
    s = a.sample
    sender = next((x.addr for x in s.from_ if x.addr), None) or s.envelope_from
    recipient = (s.envelope_to or tuple(x.addr for x in s.to if x.addr) or (None,))[0]
    fired = _worst(a.verdicts)
    if not sender or not recipient:
        return NoException(
            "The blocked copy does not show both its sender and its recipient address: "
            "an exception scoped to both cannot be written from it."
        )
    if fired is None:
        return NoException(
            "No verdict header of the blocked copy shows a filter stopping it: find the "
            "rule that fired in the gateway's log before adding any exception."
        )
    sfv = (fired.get("SFV") or "").upper() if fired.vendor == "Microsoft" else ""
    if sfv in _RULE_SFV:
        return NoException(
            f"Microsoft's verdict was set by {_RULE_SFV[sfv]} (SFV:{sfv}), not by its filter: "
            "correct or narrow that rule or entry; an allow entry would only fight it."
        )
    env = s.envelope_from or ""
    envelope = env if env and env.lower() != sender.lower() else ""
    console, rule_type = CONSOLES.get(fired.vendor, _GENERIC)
    caveat = ""
    if fired.verdict in _CONFIRM_FIRST:
        caveat = (
            f"The filter called it {fired.verdict}: confirm with the sender by phone or a "
            "known contact that they sent it before allowing anything."
        )
    line = f"A: {fired.name}: {printable(fired.raw, 300)}"
    return ExceptionProposal(
        sender=printable(sender, 320),
        envelope_sender=printable(envelope, 320),
        recipient=printable(recipient, 320),
        verdict=_fired(fired),
        evidence=line,
        vendor=fired.vendor,
        console=console,
        rule_type=rule_type,
        caveat=caveat,
    )


# Warnings over free text.


@dataclass(frozen=True)
class BroadAllow:
    """A broad exception found in free text.

    Attributes:
        kind: ``"domain-allow"``, ``"service-allow"``, ``"scl-bypass"`` or ``"policy-bypass"``.
        quote: The words that matched, as written (display-safe).
        warning: What to tell the customer, in words that can be quoted.
        risk: The first part of the warning alone: what the broad exception risks
            (for a caller that knows a narrow exception is not the fix either).
    """

    kind: str
    quote: str
    warning: str
    risk: str = ""


APPROVAL = (
    "It needs approval from security and a reason backed by the blocked samples;"
)
NARROW_FIX = (
    "the narrow fix is an exception for the one sender address, the recipient and "
    "the verdict that fired."
)
RISKS = {
    "domain-allow": (
        "Allowing a whole domain lets every sender at that domain, and anyone who forges "
        "it, skip the filters."
    ),
    "service-allow": (
        "Allowing a whole sending service admits mail from every customer of that "
        "service, spammers included."
    ),
    "scl-bypass": (
        "A transport rule that sets the spam confidence level to -1 turns spam filtering "
        "off for everything the rule matches."
    ),
    "policy-bypass": (
        "Bypassing or switching off a filtering policy removes that protection for "
        "everything the policy covers."
    ),
}
"""What each broad exception risks, in words to quote to the customer."""
WARNINGS = {kind: f"{risk} {APPROVAL} {NARROW_FIX}" for kind, risk in RISKS.items()}
"""The whole warning: the risk, the approval it needs, and the narrow fix."""

_VERB = (
    r"(?:allow(?:[- ]?list(?:ed|ing|s)?|ed|ing|s)?|white[- ]?list(?:ed|ing|s)?|"
    r"safe[- ]?list(?:ed|ing|s)?|permit(?:ted|s)?|trust(?:ed|s)?|approved?|exempt(?:ed)?|"
    r"skip[- ]?list(?:ed)?|safe[- ]?senders?)"
)
#: "allow time for", "allow up to an hour": allowing time, not a sender.
_VERB = _VERB + r"(?!\s+(?:time|for\b|up\s+to|about|at\s+least|\d|some|enough|a\s+few))"
_NEAR = r"(?:[^.;!?\n]|\.(?=\S)){0,40}?"  # within one clause (a dot inside a name is no end)
_DOMAIN_NAME = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}\b"
_DOMAIN_PATTERNS = (
    # "allowlist the domain", "whitelist their domains", "add the domain to the allowed senders"
    re.compile(rf"\b{_VERB}\b{_NEAR}\bdomains?\b(?!\s*-?\s*blocked)", re.I),
    re.compile(rf"(?<!block )(?<!blocked )\bdomains?\b{_NEAR}\b{_VERB}\b", re.I),
    # "whitelist *@contoso.com", "*.contoso.com", "@contoso.com"
    re.compile(rf"\b{_VERB}\b{_NEAR}(?:\*@|\*\.|(?<![\w.+-])@){_DOMAIN_NAME}", re.I),
    re.compile(rf"(?:\*@|\*\.|(?<![\w.+-])@){_DOMAIN_NAME}{_NEAR}\b{_VERB}\b", re.I),
    # "allow contoso.com": a bare domain right after the verb (an address has a local part)
    re.compile(
        rf"\b{_VERB}\s+(?:the\s+|all\s+(?:mail\s+)?from\s+)?(?<![@\w.-]){_DOMAIN_NAME}(?!@)", re.I
    ),
)
#: Sending services, from the vendor table: bulk senders and the big mailbox platforms.
_SERVICES = sorted(
    {v.name for v in VENDORS if v.role in ("sender", "mailbox", "filter")}
    | {v.company for v in VENDORS if v.role in ("sender", "mailbox", "filter")},
    key=len,
    reverse=True,
)
_SERVICE = "(?:" + "|".join(re.escape(n) for n in _SERVICES) + ")"
_SERVICE_PATTERNS = (
    re.compile(rf"\b{_VERB}\b{_NEAR}(?<![\w@.-]){_SERVICE}(?![\w@-])", re.I),
    re.compile(
        rf"\b{_VERB}\b{_NEAR}\b(?:(?:ip|address)\s+ranges?|spf\s+include|all\s+(?:of\s+)?"
        r"(?:their|its|the\s+service'?s?)\s+(?:ips|servers|addresses))\b",
        re.I,
    ),
)
_SCL_PATTERNS = (
    re.compile(
        r"\b(?:SCL|spam\s+confidence\s+level)\b(?:\s*\(SCL\))?\s*(?:to|=|of|:|at)?\s*"
        r"(?:-|−|minus\s*)1\b",
        re.I,
    ),
    re.compile(
        r"\b(?:bypass(?:es|ing)?|skip(?:s|ping)?)\s+(?:the\s+)?spam\s+filter(?:ing|s)?\b", re.I
    ),
)
_FILTERS = (
    r"(?:(?:anti-?)?(?:spam|phish(?:ing)?|malware|virus|impersonation|spoof(?:ing)?|url|"
    r"link|attachment|sandbox|dmarc|spf|dkim|content|reputation|inbound|security)\s+)?"
    r"(?:filter(?:ing|s)?|polic(?:y|ies)|scann(?:ing|er)|protection|checks?|rules?|"
    r"inspection|defen[cs]e)"
)
_BYPASS_PATTERNS = (
    re.compile(
        rf"\b(?:bypass(?:es|ing)?|skip(?:s|ping)?|exclude\s+\w+\s+from)\s+(?:the\s+|all\s+)?{_FILTERS}\b",
        re.I,
    ),
    re.compile(
        rf"\b(?:disabl(?:e|es|ed|ing)|turn(?:s|ed|ing)?\s+off|switch(?:es|ed|ing)?\s+off|remov(?:e|es|ed|ing))\s+(?:the\s+|all\s+)?{_FILTERS}\b",
        re.I,
    ),
    re.compile(r"\bpolicy\s+bypass\b", re.I),
)
_KINDS = (
    ("scl-bypass", _SCL_PATTERNS),
    ("domain-allow", _DOMAIN_PATTERNS),
    ("service-allow", _SERVICE_PATTERNS),
    ("policy-bypass", _BYPASS_PATTERNS),
)
_MAX_TEXT = 100_000  # characters of free text read (notes are short; a paste may not be)


def broad_allow_warnings(text: str) -> tuple[BroadAllow, ...]:
    """Warn about broad exceptions the text proposes: one warning per kind found.

    Args:
        text: Free text: ticket notes, the fix applied, an action the technician picked.

    Returns:
        The warnings, in a fixed order (SCL bypass, domain allow, service allow,
        policy bypass); empty when the text proposes nothing broad. A single
        address ("allow a@b.example") or a blocked domain is not a warning.
    """
    text = text[:_MAX_TEXT]
    out: list[BroadAllow] = []
    taken: list[tuple[int, int]] = []
    for kind, patterns in _KINDS:
        found = next(
            (
                m
                for pattern in patterns
                for m in pattern.finditer(text)
                if not negated(text, m.start())
                and not any(m.start() < end and start < m.end() for start, end in taken)
            ),
            None,
        )
        if found is not None:
            taken.append(found.span())
            out.append(
                BroadAllow(kind, printable(found.group(0), 200), WARNINGS[kind], RISKS[kind])
            )
    return tuple(out)


_NEGATION = re.compile(
    r"\b(?:not|never|no|don'?t|doesn'?t|didn'?t|won'?t|avoid(?:ed|ing)?|instead\s+of|"
    r"rather\s+than|without|refused?|declined?)\b[^.;!?\n]{0,20}$",
    re.I,
)


def negated(text: str, start: int) -> bool:
    """Whether the clause before ``start`` says not to do it ("do not allow the domain").

    Args:
        text: Free text.
        start: Where a match begins.
    """
    return _NEGATION.search(text[max(0, start - 40) : start]) is not None
