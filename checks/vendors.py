"""What mailtriage knows about mail vendors: one row per product, one table.

Every place that names a vendor's hosts or products (mail server software too) reads this
table: the inbound-gateway lookup, the one rule for which hop is the gateway
(:mod:`mailtriage.checks.route.gateways`), the system named per Received hop
(:mod:`mailtriage.checks.route.systems`), the timeline's sandbox names
(:mod:`mailtriage.checks.route.timeline`),
the MX-versus-gateway comparison (:mod:`mailtriage.checks.live.mx`), the
bounce wording and dialect markers (:mod:`mailtriage.checks.bounce.gateways`,
:mod:`mailtriage.checks.bounce.vendors`, :mod:`mailtriage.checks.bounce.dialects`,
:mod:`mailtriage.checks.bounce.microsoft`), the Google ARC test
(:mod:`mailtriage.checks.verdicts.google`) and Microsoft's authserv-id in the
findings (:mod:`mailtriage.checks.findings`). No other module under ``checks``
spells a vendor host, domain or web address (``tests/test_vendors.py`` checks this).

Adding a gateway vendor:
    1. One :class:`Vendor` row here (role ``"gateway"``, its MX/inbound host
       suffixes in ``gateway_hosts``, its comment words, its sandbox name);
    2. its header decoder module under ``checks/verdicts/``;
    3. that module's entry in ``checks/verdicts/registry.py``.

    Nothing else changes: the gateway lookup, the hop systems, the timeline
    split and sandbox wording, and the MX comparison all derive from the row
    (``tests/test_vendors.py`` exercises every row through each of them).

This module is core: it imports only the standard library.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal, TypeVar

Role = Literal["gateway", "filter", "mailbox", "sender", "mta"]
"""What a product does with mail.

``"gateway"``: a third-party filtering service in front of the mailbox
(Proofpoint, Mimecast...); ``"filter"``: the mailbox provider's own filtering
tier (Microsoft EOP); ``"mailbox"``: a mailbox service or server;
``"sender"``: a bulk sending or mailing-list service; ``"mta"``: mail server software.
"""


@dataclass(frozen=True)
class Vendor:
    """One product a technician may meet in a route, an MX set or a bounce.

    Attributes:
        key: Stable identifier, e.g. ``"proofpoint"``.
        name: The product as shown to the user (hop system, gateway), e.g.
            ``"Proofpoint Essentials"``.
        company: The vendor the product belongs to; products of one company
            count as the same service when MX hosts are compared, e.g.
            ``"Proofpoint"`` for both Proofpoint products.
        role: See :data:`Role`.
        gateway_hosts: Host suffixes (whole labels) of the product's inbound
            gateway: its MX targets and the hosts that write the Received hop
            on receipt.
        hosts: Other host suffixes that name the product's systems in Received
            hops and MX sets, but are not its inbound gateway.
        words: Words in Received comments, protocol or ``via`` that name the
            product: a lower-case word, a lower-case phrase (has a space), or
            an exact-case word such as ``"PPS"``. Earlier rows win a tie.
        host_patterns: Regular expressions for host names no suffix captures.
        bounce_marks: Lower-case substrings that mark a bounce (or its
            diagnostic) as written by this product's servers.
        domain: The product's own domain as it signs (DKIM/ARC ``d=``), names
            itself in an authserv-id or hands out addresses (a group's
            ``name@googlegroups.com``), or ``None``. Read it with :func:`fact`.
        reputation_site: The public page (host) where a sender looks up the
            product's block of an IP and asks for its removal; the product's
            rejections quote it. ``None`` when it has none.
        help_site: The help pages (host and path) the product's SMTP replies
            link to, or ``None``.
        submission_host: The host that mail clients and devices submit to with
            SMTP AUTH, or ``None``.
        sandbox: The product's attachment sandbox, or ``None``.
        reinject_hosts: Host names the product's own Received hop comes ``from`` when
            it re-injects a message it held (a quarantine release re-sends it that
            way), e.g. Proofpoint's ``pps.reinject``.
        case_portal: Where the product's own customer (the admin of the organisation it
            filters for) opens a support case, or ``None``.
        sender_route: Where an outside sender whose mail the product rejected asks for a
            review (postmaster address, delist or sender-support form), or ``None``.
        outbound_ranges: The networks (CIDR) the product sends its customers' mail from,
            shared by many customers: a listing of one of these IPs is lifted by the
            product's own operator, asked through the customer's case with it, never by
            the customer (:func:`outbound_vendor`).
        source: The public documents the host names and ranges come from.
        tenant_hosts: Regular expressions (whole lower-case host names) of the product's
            per-customer hosts; the named group ``tenant`` is the part that identifies
            the customer (Proofpoint's ``mx0b-<id>.pphosted.com``, Microsoft's
            ``<tenant>.mail.protection.outlook.com``). A redacted copy replaces it.
        sites: Other public web hosts the product's rejections and NDRs link to (help,
            lookup and delisting pages).
    """

    key: str
    name: str
    company: str
    role: Role
    gateway_hosts: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    host_patterns: tuple[str, ...] = ()
    bounce_marks: tuple[str, ...] = ()
    domain: str | None = None
    reputation_site: str | None = None
    help_site: str | None = None
    submission_host: str | None = None
    sandbox: str | None = None
    reinject_hosts: tuple[str, ...] = ()
    source: str = ""
    case_portal: str | None = None
    sender_route: str | None = None
    outbound_ranges: tuple[str, ...] = ()
    tenant_hosts: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()

    @property
    def all_hosts(self) -> tuple[str, ...]:
        """Gateway hosts, then other hosts."""
        return (*self.gateway_hosts, *self.hosts)


EXCHANGE_ONPREM = "Exchange on-prem"
_PCSC = (
    "a Proofpoint Customer Success Center (PCSC) case, opened by a named support contact of "
    "the customer (product: the email gateway; one case per sending IP or delivery pattern)"
)
_PP_POSTMASTER = (
    "postmaster@proofpoint.com, after looking the sending IP up at "
    "https://ipcheck.proofpoint.com/?ip=<IP>"
)

# Rows with words are in priority order: an earlier row's word wins over a later one's.
VENDORS: tuple[Vendor, ...] = (
    Vendor(
        "proofpoint-essentials",
        "Proofpoint Essentials",
        "Proofpoint",
        "gateway",
        gateway_hosts=("ppe-hosted.com",),
        words=("proofpoint essentials",),
        sandbox="Proofpoint Attachment Defense",
        source="Proofpoint Essentials: MX records for your region (mx1-us1.ppe-hosted.com)",
        case_portal=_PCSC,
        sender_route=_PP_POSTMASTER,
    ),
    Vendor(
        "proofpoint",
        "Proofpoint",
        "Proofpoint",
        "gateway",
        gateway_hosts=("pphosted.com",),
        hosts=("ppops.net",),
        words=("PPS", "proofpoint"),
        bounce_marks=("pphosted.com", "ppops.net"),
        reputation_site="ipcheck.proofpoint.com",
        sandbox="Proofpoint Attachment Defense",
        reinject_hosts=("pps.reinject",),
        tenant_hosts=(
            r"^mx0[a-z]-(?P<tenant>[0-9]{5,})\.pphosted\.com$",
            r"^(?P<tenant>m[0-9]{5,})\.ppops\.net$",
        ),
        source="Proofpoint on Demand: inbound MX hosts mx0a/mx0b-<id>.pphosted.com; its "
        "filtering hosts m<id>.ppops.net (its own Received lines: 'from pps.filterd "
        "(m<id>.ppops.net [127.0.0.1]) by mx0a-<id>.pphosted.com'); Proofpoint's rejections "
        "quote the IP reputation lookup https://ipcheck.proofpoint.com/?ip=<ip>; "
        "seed: How can I contact ProofPoint support to resolve email delivery issues? "
        "(Suped, 2025: PCSC for customers, postmaster@proofpoint.com for outside senders); "
        "outbound ranges: Proofpoint's published sending networks 67.231.144.0/20 and "
        "148.163.128.0/19 (the ranges Proofpoint asks its customers to accept on an inbound "
        "connector)",
        case_portal=_PCSC,
        sender_route=_PP_POSTMASTER,
        outbound_ranges=("67.231.144.0/20", "148.163.128.0/19"),
    ),
    Vendor(
        "mimecast",
        "Mimecast",
        "Mimecast",
        "gateway",
        gateway_hosts=("mimecast.com", "mimecast-offshore.com", "mimecast.co.za"),
        words=("mimecast",),
        bounce_marks=("mimecast",),
        sandbox="Mimecast Attachment Protect",
        source="Mimecast: Inbound MX records by region (*-smtp-inbound-*.mimecast.com, "
        "mimecast-offshore.com, mimecast.co.za); Mimecast Data Centers and URLs "
        "(https://community.mimecast.com/s/article/Mimecast-Data-Centers-and-URLs: the "
        "sending ranges per region, US and UK/EU listed here)",
        outbound_ranges=(
            "205.139.110.0/24",
            "207.211.30.0/24",
            "216.205.24.0/24",
            "170.10.128.0/21",
            "195.130.217.0/24",
            "91.220.42.0/24",
            "146.101.78.0/24",
            "185.58.84.0/22",
        ),
        case_portal="a Mimecast support case raised by an administrator of the customer's "
        "Mimecast account (Mimecast support portal), quoting the message's entry in the "
        "Administration Console's message tracking",
    ),
    Vendor(
        "cisco",
        "Cisco Secure Email",
        "Cisco Secure Email",
        "gateway",
        gateway_hosts=("iphmx.com",),
        words=("ironport", "Cisco"),
        sandbox="Cisco file analysis",
        tenant_hosts=(r"^(?:[a-z0-9-]+\.)?(?P<tenant>[a-z0-9-]+)\.iphmx\.com$",),
        sites=("talosintelligence.com",),
        source="Cisco Secure Email Cloud Gateway: MX hosts mx1.<tenant>.iphmx.com; Cisco "
        "Talos reputation lookup (https://talosintelligence.com/reputation_center)",
    ),
    Vendor(
        "barracuda",
        "Barracuda",
        "Barracuda",
        "gateway",
        gateway_hosts=("barracudanetworks.com",),
        hosts=("barracuda.com",),
        words=("barracuda",),
        sandbox="Barracuda Advanced Threat Protection",
        tenant_hosts=(r"^(?P<tenant>[a-z0-9-]+)\.ess\.barracudanetworks\.com$",),
        source="Barracuda Email Security Service: MX hosts d<id>.ess.barracudanetworks.com",
    ),
    Vendor(
        "sophos",
        "Sophos",
        "Sophos",
        "gateway",
        gateway_hosts=("hydra.sophos.com",),
        hosts=("sophos.com",),
        words=("sophos",),
        sandbox="Sophos Sandstorm",
        source="Sophos Email: MX records by region under prod.hydra.sophos.com",
    ),
    Vendor(
        "trendmicro",
        "Trend Micro",
        "Trend Micro",
        "gateway",
        gateway_hosts=(
            "hes.trendmicro.com",
            "tmes.trendmicro.com",
            "tmes.trendmicro.eu",
            "tmes.trendmicro.co.jp",
            "tmes-anz.trendmicro.com",
            "tmes-sg.trendmicro.com",
            "tmes-in.trendmicro.com",
            "tmes-uae.trendmicro.com",
        ),
        hosts=("trendmicro.com", "trendmicro.eu"),
        words=("trend micro", "trendmicro", "IMSVA"),
        sandbox="Trend Micro Virtual Analyzer",
        source="Trend Micro Email Security: MX records per service region "
        "(in.tmes.trendmicro.com/.eu/.co.jp, in.tmes-anz/-sg/-in/-uae.trendmicro.com); "
        "Hosted Email Security: in.hes.trendmicro.com",
    ),
    Vendor(
        "symantec",
        "Symantec",
        "Symantec",
        "gateway",
        gateway_hosts=("messagelabs.com",),
        source="Symantec Email Security.cloud: MX records under messagelabs.com",
    ),
    Vendor(
        "forcepoint",
        "Forcepoint",
        "Forcepoint",
        "gateway",
        gateway_hosts=("mailcontrol.com",),
        source="Forcepoint Email Security Cloud: DNS records and service IP addresses "
        "(MX record DNS entries under mailcontrol.com)",
    ),
    Vendor(
        "microsoft-eop",
        "Microsoft EOP",
        "Microsoft 365",
        "filter",
        gateway_hosts=("mail.protection.outlook.com",),
        hosts=("protection.outlook.com",),
        # A tenant's MX label is its domain with hyphens for dots (contoso-com); the
        # service's own front-end servers (BN8NAM12FT045) have no hyphen.
        tenant_hosts=(r"^(?P<tenant>[a-z0-9]+(?:-[a-z0-9]+)+)\.mail\.protection\.outlook\.com$",),
        bounce_marks=("protection.outlook",),
        reputation_site="sender.office.com",
        sandbox="Microsoft Defender Safe Attachments",
        source="Microsoft: Mail flow best practices for Exchange Online, Microsoft 365 and "
        "Office 365 (MX <domain>.mail.protection.outlook.com); Microsoft 365 URLs and IP "
        "address ranges (Exchange Online: *.protection.outlook.com, "
        "*.mail.protection.outlook.com); Use the delist portal to remove yourself from the "
        "blocked senders list (https://sender.office.com, quoted by the 5.7.606-649 NDRs); "
        "Outlook.com Postmaster (https://sendersupport.olc.protection.outlook.com/pm/); "
        "Exchange Online Protection's outbound pools as its SPF record publishes them "
        "(spf.protection.outlook.com: 40.92.0.0/15, 40.107.0.0/16, 52.100.0.0/14, "
        "104.47.0.0/17, 2a01:111:f400::/48, 2a01:111:f403::/48; Microsoft Learn, Set up SPF "
        "to identify valid email sources for your Microsoft 365 domain, "
        "https://learn.microsoft.com/en-us/defender-office-365/email-authentication-spf-configure)",
        outbound_ranges=(
            "40.92.0.0/15",
            "40.107.0.0/16",
            "52.100.0.0/14",
            "104.47.0.0/17",
            "2a01:111:f400::/48",
            "2a01:111:f403::/48",
        ),
        case_portal="a Microsoft 365 service request from the customer's tenant (Microsoft 365 "
        "admin center, Support, New service request; needs an admin role in that tenant)",
        sender_route="for an IP on Microsoft 365's blocked senders list (5.7.606-649) the "
        "delist portal https://sender.office.com; for an Outlook.com / Hotmail network block "
        "(S3140, S3150) the sender support form linked from the Outlook.com Postmaster site "
        "https://sendersupport.olc.protection.outlook.com/pm/",
    ),
    Vendor(
        "exchange-online",
        "Exchange Online",
        "Microsoft 365",
        "mailbox",
        hosts=("outlook.com", "office365.com", "exchangelabs.com"),
        bounce_marks=("outlook.com", "exchangelabs"),
        domain="outlook.com",
        submission_host="smtp.office365.com",
        sites=("learn.microsoft.com", "go.microsoft.com", "aka.ms"),
        source="Microsoft 365 URLs and IP address ranges (Exchange Online: outlook.com, "
        "outlook.office365.com); Exchange Online internal hosts *.prod.exchangelabs.com; "
        "How to set up a multifunction device or application to send email using Microsoft "
        "365 or Office 365 (SMTP AUTH client submission: smtp.office365.com, port 587)",
    ),
    Vendor(
        "outlook-com",
        "Outlook.com",
        "Microsoft 365",
        "mailbox",
        hosts=("hotmail.com",),
        bounce_marks=("hotmail",),
    ),
    Vendor(
        "google",
        "Google",
        "Google",
        "mailbox",
        gateway_hosts=("mx.google.com",),
        hosts=("google.com", "googlemail.com", "gmail.com"),
        bounce_marks=("googlemail.com", "mailer-daemon@google.com"),
        domain="google.com",
        help_site="support.google.com/mail",
        sandbox="Google's attachment security sandbox",
        source="Google Workspace: MX record values (aspmx.l.google.com); Gmail's SMTP replies "
        "end with a link to https://support.google.com/mail/?p=<topic> and 'gsmtp'; Gmail Help: "
        "Email sender guidelines (https://support.google.com/mail/answer/81126); Postmaster "
        "Tools (https://postmaster.google.com); Google's sending networks as _spf.google.com "
        "publishes them (Google Workspace Admin Help, Set up SPF, "
        "https://support.google.com/a/answer/10685031; IPv4 netblocks listed here)",
        outbound_ranges=(
            "35.190.247.0/24",
            "64.233.160.0/19",
            "66.102.0.0/20",
            "66.249.80.0/20",
            "72.14.192.0/18",
            "74.125.0.0/16",
            "108.177.8.0/21",
            "173.194.0.0/16",
            "209.85.128.0/17",
            "216.58.192.0/19",
            "216.239.32.0/19",
        ),
        case_portal="a Google Workspace support case from the customer's Admin console "
        "(Help, Contact support; needs a super administrator of that Workspace)",
        sender_route="Gmail's sender guidelines and the sender troubleshooting form they link "
        "(https://support.google.com/mail/answer/81126), with the sending domain's reputation "
        "in Postmaster Tools (https://postmaster.google.com)",
    ),
    Vendor(
        "google-groups",
        "Google Groups",
        "Google",
        "sender",
        domain="googlegroups.com",
        source="Google Groups Help: a group's email address is <group>@googlegroups.com",
    ),
    Vendor(
        "amazon-ses",
        "Amazon SES",
        "Amazon SES",
        "sender",
        hosts=("amazonses.com",),
        words=("simpleemailservice",),
        host_patterns=(r"^email-smtp\.[a-z0-9-]+\.amazonaws\.com$",),
        bounce_marks=("amazonses.com", "x-ses-outgoing", "amazonaws.com"),
        source="Amazon SES: regions and endpoints (email-smtp.<region>.amazonaws.com)",
    ),
    Vendor(
        "docomo",
        "NTT docomo",
        "NTT docomo",
        "mailbox",
        hosts=("docomo.ne.jp",),
        source="NTT docomo mail: addresses and mail servers under docomo.ne.jp (MX "
        "mfsmax.docomo.ne.jp)",
    ),
    Vendor("sendgrid", "SendGrid", "SendGrid", "sender", hosts=("sendgrid.net",)),
    Vendor("mailgun", "Mailgun", "Mailgun", "sender", hosts=("mailgun.net", "postgun.com")),
    Vendor(
        "exchange-onprem",
        EXCHANGE_ONPREM,
        "Microsoft",
        "mta",
        words=(
            "microsoft smtp server",
            "microsoft exchange",
            "frontend transport",
            "mailbox transport",
            "hub transport",
            "internet mail service",
        ),
    ),
    Vendor(
        "iis-smtp", "Microsoft IIS SMTP", "Microsoft", "mta", words=("microsoft smtpsvc",)
    ),
    # Mail server software: the one place its names are spelled. The hop systems
    # (route/systems.py, from the comment an MTA writes in its Received line) and the
    # bounce dialects (bounce/dialects.py, from its notice) both name it from these rows.
    *(
        Vendor(key, name, company, "mta")
        for key, name, company in (
            ("postfix", "Postfix", "Postfix"),
            ("exim", "Exim", "Exim"),
            ("qmail", "qmail", "qmail"),
            ("powermta", "PowerMTA", "PowerMTA"),
            ("sendmail", "Sendmail", "Sendmail"),
            ("haraka", "Haraka", "Haraka"),
            ("zonemta", "ZoneMTA", "ZoneMTA"),
            ("opensmtpd", "OpenSMTPD", "OpenSMTPD"),
            ("amavisd", "amavisd", "amavisd"),
            ("oracle-messaging", "Oracle Messaging Server", "Oracle"),
            ("dragonfly", "DragonFly Mail Agent", "DragonFly BSD"),
            ("mdaemon", "MDaemon", "MDaemon"),
            ("zimbra", "Zimbra", "Zimbra"),
            ("imail", "IMail", "IMail"),
        )
    ),
)

_BY_KEY = {v.key: v for v in VENDORS}
_BY_NAME = {v.name: v for v in reversed(VENDORS)}


def _suffix_table(hosts_of: str) -> dict[str, Vendor]:
    table: dict[str, Vendor] = {}
    for v in VENDORS:
        for suffix in getattr(v, hosts_of):
            table.setdefault(suffix, v)
    return table


_GATEWAY_SUFFIXES = _suffix_table("gateway_hosts")
_OTHER_SUFFIXES = _suffix_table("hosts")
_ANY_SUFFIXES = {**_OTHER_SUFFIXES, **_GATEWAY_SUFFIXES}
_HOST_PATTERNS = tuple((re.compile(p), v) for v in VENDORS for p in v.host_patterns)
_T = TypeVar("_T")


def suffix_lookup(host: str | None, table: dict[str, _T]) -> _T | None:
    """Return the value of the longest suffix of ``host`` (whole labels) found in ``table``.

    Args:
        host: A host name (any case, a final dot allowed), or ``None``.
        table: Host suffix -> value.
    """
    name = (host or "").lower().rstrip(".")
    start = name.find(".") + 1  # a single label is never a suffix match
    if not start:
        return None
    if (found := table.get(name)) is not None:
        return found
    while dot := name.find(".", start) + 1:
        if (found := table.get(name[start:])) is not None:
            return found
        start = dot
    return None


def by_key(key: str) -> Vendor:
    """The row whose key is ``key``.

    Raises:
        KeyError: No such row.
    """
    return _BY_KEY[key]


Fact = Literal["domain", "reputation_site", "help_site", "submission_host"]


def fact(key: str, name: Fact) -> str:
    """One named host or domain of the row whose key is ``key``, e.g.
    ``fact("exchange-online", "domain") == "outlook.com"``.

    Raises:
        KeyError: No such row.
        ValueError: The row does not have that fact (a reader relying on it would
            otherwise match everything with an empty string).
    """
    value: str | None = getattr(by_key(key), name)
    if not value:
        raise ValueError(f"vendor {key!r} has no {name}")
    return value


def by_name(name: str | None) -> Vendor | None:
    """The row of the product shown as ``name`` (e.g. ``"Microsoft EOP"``), or ``None``."""
    return _BY_NAME.get(name) if name else None


def gateway_vendor(host: str | None) -> Vendor | None:
    """The product whose inbound gateway host suffix ``host`` carries, or ``None``."""
    return suffix_lookup(host, _GATEWAY_SUFFIXES)


def host_vendor(host: str | None) -> Vendor | None:
    """The product any of whose host suffixes or host patterns ``host`` carries, or ``None``.

    The longest matching suffix wins; host patterns are tried when no suffix matches.
    """
    if found := suffix_lookup(host, _ANY_SUFFIXES):
        return found
    name = (host or "").lower().rstrip(".")
    return next((v for pattern, v in _HOST_PATTERNS if pattern.match(name)), None)


_TENANT_HOSTS = tuple(re.compile(p) for v in VENDORS for p in v.tenant_hosts)


def tenant_span(host: str | None) -> tuple[int, int] | None:
    """Where the customer-identifying part of a vendor's per-customer host is, or ``None``.

    Args:
        host: A host name (any case, a final dot allowed).

    Returns:
        ``(start, end)`` of that part in ``host`` (Proofpoint's ``00112233`` in
        ``mx0b-00112233.pphosted.com``), or ``None`` for any other host.
    """
    name = (host or "").lower().rstrip(".")
    for pattern in _TENANT_HOSTS:
        if m := pattern.match(name):
            return m.span("tenant")
    return None


def reinject_vendor(host: str | None) -> Vendor | None:
    """The product whose re-injection host name is ``host`` (e.g. ``pps.reinject``), or ``None``."""
    h = (host or "").strip().rstrip(".").lower()
    return next((v for v in VENDORS if h and h in v.reinject_hosts), None)


def support_rows(company: str) -> tuple[str | None, str | None]:
    """``(case_portal, sender_route)`` of ``company``'s products: the first row with each.

    Products of one company share their support routes (Proofpoint Essentials and
    Proofpoint on Demand, Exchange Online and Microsoft EOP); either may be ``None``.
    """
    rows = [v for v in VENDORS if v.company == company]
    portal = next((v.case_portal for v in rows if v.case_portal), None)
    route = next((v.sender_route for v in rows if v.sender_route), None)
    return portal, route


def with_role(*roles: Role) -> tuple[Vendor, ...]:
    """Rows whose role is one of ``roles``, in table order."""
    return tuple(v for v in VENDORS if v.role in roles)


def bounce_marks(company: str) -> tuple[str, ...]:
    """The bounce markers of every product of ``company`` (e.g. ``"Microsoft 365"``), in order."""
    return tuple(m for v in VENDORS if v.company == company for m in v.bounce_marks)


def text_pattern(key: str) -> str:
    """A regular expression (lower-case text) naming the product: its lower-case words and hosts.

    Exact-case words (``"PPS"``) are left out: they only mean the product in
    Received comments, not in lower-cased diagnostics.
    """
    v = by_key(key)
    words = [w for w in v.words if w.islower()]
    return "|".join(re.escape(t) for t in (*v.all_hosts, *words))


def sandbox_name(name: str) -> str:
    """The attachment sandbox of the product shown as ``name``, or a generic wording."""
    v = by_name(name)
    return v.sandbox if v is not None and v.sandbox else f"{name}'s attachment sandbox"


_OUTBOUND = tuple((ipaddress.ip_network(cidr), v) for v in VENDORS for cidr in v.outbound_ranges)


def outbound_vendor(ip: str | None) -> Vendor | None:
    """The product whose shared outbound networks hold ``ip``, or ``None``.

    A provider's outbound IP sends mail for many of its customers at once: when a
    blocklist names one, the provider's operator has it delisted, asked through the
    customer's own case with the provider.
    """
    try:
        addr = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return None
    return next((v for net, v in _OUTBOUND if addr.version == net.version and addr in net), None)


@dataclass(frozen=True)
class Blocklist:
    """A public DNS blocklist that receiving servers quote when they refuse mail.

    Attributes:
        key: Stable identifier, e.g. ``"spamhaus"``.
        name: The list's operator as shown to the user.
        marks: Lower-case substrings that name the list in an SMTP reply.
        lookup: Where a sender looks an IP up and finds how its listing is lifted.
        removal: How a listing is lifted, in mailtriage's own words.
        source: The public document the route comes from.
        zones: The list's DNS zones (suffixes), which the DNSBL check reads
            (:mod:`mailtriage.checks.live.dnsblcodes`). A redacted copy keeps the list's
            name, zones and lookup site: they name no customer, and the reader needs
            to see which list refused the mail.
    """

    key: str
    name: str
    marks: tuple[str, ...]
    lookup: str
    removal: str
    source: str
    zones: tuple[str, ...] = ()


BLOCKLISTS: tuple[Blocklist, ...] = (
    Blocklist(
        "spamhaus",
        "Spamhaus",
        ("spamhaus",),
        "https://check.spamhaus.org/",
        "the lookup names the list (SBL, XBL, CSS, PBL, DBL) and the reason, and offers "
        "the removal request for that listing once its cause is fixed",
        "Spamhaus: IP and Domain Reputation Checker (https://check.spamhaus.org/); the "
        "lookup links its rejections carry (https://www.spamhaus.org/query/ip/<IP>) lead there; "
        "DNSBL zones zen.spamhaus.org and the Data Query Service's under dq.spamhaus.net",
        zones=("spamhaus.org", "spamhaus.net"),
    ),
    Blocklist(
        "barracuda",
        "Barracuda Reputation Block List",
        ("barracudacentral", "barracuda reputation", "b.barracuda"),
        "https://www.barracudacentral.org/lookups",
        "look the IP up, then file the removal request form "
        "(https://www.barracudacentral.org/rbl/removal-request) once the cause is fixed",
        "Barracuda Central: Lookups and Removal Request "
        "(https://www.barracudacentral.org/lookups, "
        "https://www.barracudacentral.org/rbl/removal-request); BRBL zone "
        "b.barracudacentral.org",
        zones=("b.barracudacentral.org",),
    ),
    Blocklist(
        "spamcop",
        "SpamCop",
        ("spamcop",),
        "https://www.spamcop.net/bl.shtml",
        "there is no removal request: the listing expires by itself about a day after the "
        "spam reports stop, so find and stop the source",
        "SpamCop Blocking List (https://www.spamcop.net/bl.shtml); zone bl.spamcop.net",
        zones=("bl.spamcop.net",),
    ),
)


def blocklist(key: str) -> Blocklist:
    """The public blocklist whose key is ``key``.

    Raises:
        KeyError: No such list.
    """
    for b in BLOCKLISTS:
        if b.key == key:
            return b
    raise KeyError(key)


def blocklist_named(text: str) -> Blocklist | None:
    """The public blocklist an SMTP reply names (the first in table order), or ``None``."""
    low = text[:4000].lower()
    return next((b for b in BLOCKLISTS if any(m in low for m in b.marks)), None)
