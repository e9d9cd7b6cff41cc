"""A redacted copy of a sample or of free text, for sharing outside the customer.

One :class:`Redactor` holds the mapping from each original value to its stand-in,
so the same address, host, IP or subject gets the same stand-in everywhere it is
used: in both samples of a ticket and in the packet text. Stand-ins are handed out
in order of first appearance and are deterministic for the same inputs:

- an address ``ann@fabrikam.com`` becomes ``user1@domain1.example`` (a Message-ID's
  left side becomes ``id1``);
- a domain keeps its place under its organizational domain (Public Suffix List):
  ``fabrikam.com`` becomes ``domain1.example`` and ``mail.fabrikam.com`` becomes
  ``host1.domain1.example``, so DMARC's relaxed and strict alignment come out
  the same on the copy as on the original;
- a public IPv4 address becomes one from the documentation ranges of RFC 5737
  (``192.0.2.x``, then ``198.51.100.x`` and ``203.0.113.x``), a public IPv6
  address one from RFC 3849 (``2001:db8::x``); a private, link-local or shared
  address stays private (``10.0.x.y``, ``fd00::x``), because the route reader
  tells the sender's public hop from internal ones by that;
- a subject becomes ``subject-1`` (the same stand-in for ``Thread-Topic``, for the
  returned original's ``Subject:`` inside a bounce and where a body quotes a
  subject a person wrote), keeping a leading ``Re:``/``Fw:`` and the words a
  bounce or an auto-reply is recognised by (``Undeliverable:``, ``Automatic reply:``),
  which the analysis reads; encoded words (``=?utf-8?B?...?=``) are decoded to find
  that prefix and the stand-in is written as plain ASCII (a non-ASCII prefix is
  re-encoded as one UTF-8 encoded word);
- a display name becomes ``name-1``; single-label host names after ``from``/``by`` in
  a Received field (``EXCH01``) become ``host-1``; an SRS envelope sender keeps its
  form (``SRS0=xxxx=TT=domain1.example=user2``), which the findings read;
- an organization's name where it stands as a word of its own (``fabrikam`` of
  ``fabrikam.com`` in "Hello Fabrikam", ``fabrikam-00417``) becomes its stand-in's
  first label;
- a person's local part (``j.rivera`` of ``j.rivera@contoso.com``) also where it
  stands alone as a word (a bounce's body quotes it), as its address's stand-in's
  local part; local parts shorter than :data:`LOCAL_WORD_MIN` are not hunted as words;
- a subject's numbers and IDs (a token of :data:`SUBJECT_TOKEN_MIN` characters or
  more holding a digit, not a year: ``INV-20977``, ``5512``) become ``ref-1``... in
  the body, in other header fields and in attachment file names, whose extension
  stays (``INV-20977.pdf`` -> ``ref-1.pdf``: the attachment findings read it);
- the customer-identifying part of a vendor's per-customer host (the ``tenant_hosts``
  of :mod:`mailtriage.checks.vendors`): Proofpoint's ``mx0b-00112233.pphosted.com``
  becomes ``mx0b-host1.pphosted.com`` and ``m0112233.ppops.net`` the same account's
  ``host1.ppops.net``; Microsoft's ``contoso-com.mail.protection.outlook.com``
  becomes ``domain1-example.mail.protection.outlook.com`` (its domain's stand-in);
- text parts in base64 or quoted-printable are decoded, redacted and encoded
  again (an address cut by a soft line break is found); attachments are not
  touched;
- DKIM and ARC signature values (``b=``, ``bh=``) and Authentication-Results'
  ``header.b=`` become stand-ins too (they are derived from the customer's message).
  **A redacted copy never verifies DKIM or ARC**: its headers and body have changed.

What is deliberately kept, because the vendor (or the analysis) needs it and it
names no customer:

- hosts and domains of the products in :mod:`mailtriage.checks.vendors`
  (``*.pphosted.com``, ``*.mimecast.com``, ``*.protection.outlook.com``,
  ``*.google.com``...), their reputation, help and lookup sites, and their
  re-injection names (a per-customer label in them is replaced, see above; the
  vendor case packet sent through the customer's own portal names the account);
- public blocklists and reputation services (the vendor module's ``BLOCKLISTS``:
  Spamhaus, Barracuda's BRBL, SpamCop; Cisco Talos as a vendor site): their
  names, zones and links, so the
  reader can tell which list blocked the sender (an IP inside such a link is still
  replaced, as everywhere);
- the local parts a bounce is recognised by (``MAILER-DAEMON``, ``postmaster``) and
  the system's display name beside them;
- loopback and unspecified addresses (``127.0.0.1``, ``::1``), names that are
  themselves a public suffix, version numbers written like an address
  (Sendmail's ``8.18.1.2/8.18.1.2``, and one glued to a product name by ``:`` or
  ``/``: ``FMLib:17.12.62.30``, ``Postfix/3.7.2.1``), the rest of attachment file
  names, dates, verdict headers' scores and rule names.

Pasted headers are read as the loader reads them: a line that is no header field
continues the field above (folding lost in copy-paste), so a paste and the .eml it
came from get the same stand-ins, CRLF or LF, with or without a body.

Public sender infrastructure is **redacted**, not kept: mailtriage cannot tell
reliably which side of a ticket is the customer's (inbound and outbound tickets,
senders mailing on behalf of a partner), and a sender's IP and host name name that
sender as plainly as its domain. The vendor case packet, sent through the
customer's own case portal, is the place for the real sending IP.

Limits (said here so nobody over-trusts the copy): a domain is recognised by its
last label being a real top-level domain or an internal one (``.local``,
``.corp``, ``.example``...); people's names in prose, organization names shorter
than :data:`ORG_WORD_MIN` or unlike their domain, DKIM selectors, attachment names
(beyond a subject's numbers) and contents are not found; the rest of a bounce's own
subject ("Returned mail: Host unknown") is replaced in the Subject field only, since it is often the
server's reason, which the bounce reader needs in the body. Read the copy before
sending it.

Input is hostile: each pass is one regular expression over the text, linear in
its length; the MIME walk is bounded (:data:`MAX_MIME_DEPTH`,
:data:`MAX_MIME_PARTS`) and so are the tables: mapping more than
:data:`MAX_STANDINS` distinct values of one kind raises :class:`RedactError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from mailtriage.checks.bounce.detect import AUTOREPLY_SUBJECT, BOUNCE_SUBJECT, FEEDBACK_SUBJECT
from mailtriage.checks.message.headers import HEADER_LINE
from mailtriage.checks.message.loader import MAX_READ, SampleError, is_msg, load_bytes
from mailtriage.checks.message.lostfold import continues
from mailtriage.checks.psl import org_domain, suffix_list
from mailtriage.checks.route.received_ip import is_public
from mailtriage.checks.text import decode_words, printable
from mailtriage.checks.vendors import (
    BLOCKLISTS,
    VENDORS,
    host_vendor,
    reinject_vendor,
    suffix_lookup,
    tenant_span,
)

#: Most distinct values of one kind (addresses, domains, IPs...) one Redactor maps.
MAX_STANDINS = 20_000
#: Top-level names used inside companies and in documentation, not in the PSL.
INTERNAL_TLDS = frozenset(
    [
        "example",
        "test",
        "invalid",
        "local",
        "localdomain",
        "lan",
        "corp",
        "internal",
        "intranet",
        "home",
        "private",
    ]
)
#: Local parts that name a system, not a person; bounce detection reads them.
SYSTEM_LOCALS = frozenset(
    {"mailer-daemon", "maildaemon", "mailerdaemon", "mail-daemon", "postmaster", "abuse"}
)
#: Header fields whose value is a display-name list of mailboxes.
ADDRESS_FIELDS = (
    "from|to|cc|bcc|reply-to|sender|resent-from|resent-to|resent-cc|resent-sender|"
    "disposition-notification-to|return-receipt-to"
)
#: Header fields that hold Message-IDs: their left sides become ``idN``.
ID_FIELDS = "message-id|in-reply-to|references|resent-message-id|original-message-id"
_SUBJECT_MIN = 6  # a shorter subject is not searched for in bodies
#: An organization's name (``fabrikam`` of ``fabrikam.com``) shorter than this is not
#: replaced where it stands as a word on its own (``mail``, ``info`` would hit prose).
ORG_WORD_MIN = 5
#: How deep and how many MIME parts the walk into encoded text parts goes.
MAX_MIME_DEPTH = 16
MAX_MIME_PARTS = 500
_HEADER_END = re.compile(r"\r?\n\r?\n|\A\r?\n")
_BOUNDARY = re.compile(r'boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))', re.I)
#: Fields that hold version numbers written like IPv4 addresses, never an address.
_NO_IP_FIELDS = frozenset({"x-proofpoint-virus-version"})

_LOCAL_CHARS = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~\-"
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?"
_HOST = rf"(?:{_LABEL}\.)+[A-Za-z][A-Za-z0-9-]{{0,62}}"
_TOKEN = re.compile(
    # An address (the local part may carry "key=" in front, e.g. smtp.mailfrom=).
    rf"(?<![{_LOCAL_CHARS}.])(?P<local>[{_LOCAL_CHARS}]++(?:\.[{_LOCAL_CHARS}]++)*+)"
    rf"@(?P<adomain>{_HOST})(?![A-Za-z0-9_-])"
    # An IPv6 address (also after "IPv6:" in a Received bracket).
    r"|(?:(?<=IPv6:)|(?<=ipv6:)|(?<![0-9A-Za-z:.]))"
    r"(?P<ip6>(?>[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?:\.\d{1,3}){0,3})"
    r"(?![0-9A-Za-z:])"
    # An IPv4 address (not a version such as 8.18.1.2/8.18.1.2).
    r"|(?<![0-9A-Za-z.])(?<!\d/)(?P<ip4>(?:\d{1,3}\.){3}\d{1,3})(?![0-9A-Za-z]|\.\d|/\d+\.\d)"
    # A host or domain name.
    rf"|(?<![A-Za-z0-9_.-])(?P<host>{_HOST})(?![A-Za-z0-9_-]|\.[A-Za-z0-9])"
)
#: A name glued to a dotted quad by ":" or "/" that makes it a version, not an address
#: (``FMLib:17.12.62.30``, ``Postfix/3.7.2.1``): a product name has a lower-case letter.
_VERSION_BEFORE = re.compile(r"(?<![A-Za-z0-9_.-])([A-Za-z][A-Za-z0-9_]{1,30})[:/]\Z")
#: Words before ":" that announce an address (``CIP:``, ``client-ip:``, ``addr:``).
_IP_WORDS = re.compile(r"ip|addr|host|client|peer|relay|remote|source|src|dst|inet|from", re.I)
_FILENAME_BEFORE = re.compile(r"(?:file)?name\*?=\s*\"?$", re.I)
_RECEIVED_WORD = re.compile(r"\b(from|by)(\s+)([A-Za-z0-9_-]+)(?=[\s;(]|$)", re.I)
_SIG_FIELDS = frozenset({"dkim-signature", "arc-seal", "arc-message-signature"})
_SIG_VALUE = re.compile(r"(?<![A-Za-z.])(bh|b)(\s*=\s*)([A-Za-z0-9+/=\s]+?)(\s*)(?=;|$)")
_HEADER_B = re.compile(r"(header\.b\s*=\s*)([A-Za-z0-9+/=]+)", re.I)
_REPLY_PREFIX = re.compile(r"(?:\s*(?:re|fw|fwd|aw|wg|sv|tr|vs|antw)\s*(?:\[\d+\])?\s*:)+\s*", re.I)
_WORD_END = re.compile(r"\w*")
_KEPT_TAIL = re.compile(r"[\s:.-]*(?:\([A-Za-z ]{1,30}\))?[\s.]*")
_DISPLAY = re.compile(r"(^|,)(\s*)(\"(?:[^\"\\\r\n]|\\.)*\"|[^,<>\"\r\n]*?[^,<>\"\s])(\s*<)")
_SRS = re.compile(r"(SRS[01])([=+-])(.*)", re.I)
_STANDIN_WORDS = INTERNAL_TLDS | {"domain", "host", "user", "subject", "name"}
#: What a stand-in looks like (an original of that shape must not be handed out).
_STANDIN_SHAPE = re.compile(
    r"(?<![\w.-])(?:(?:user|id)\d+(?=@)|(?:host\d+\.)?domain\d+\.example|"
    r"(?:host|name|subject|ref)-\d+|(?:192\.0\.2|198\.51\.100|203\.0\.113|10\.0\.\d+)\.\d+|"
    r"(?:2001:db8|fd00):[0-9a-f:]*)(?![\w-])",
    re.I,
)
_WORD_RUN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]++(?:-[A-Za-z0-9]++)*+")
_MAX_PIECES = 6
#: A run that may be a local part standing as a word (``j.rivera``, not inside an address).
_LOCAL_RUN = re.compile(
    rf"(?<![{_LOCAL_CHARS}.@])[{_LOCAL_CHARS}]++(?:\.[{_LOCAL_CHARS}]++)*+(?![{_LOCAL_CHARS}@])"
)
#: A local part shorter than this is not replaced where it stands as a word of its own.
LOCAL_WORD_MIN = 3
#: A subject's tokens of at least this many characters holding a digit are replaced in
#: bodies too (``INV-20977``, ``5512``).
SUBJECT_TOKEN_MIN = 4
#: Most subject tokens replaced in bodies.
MAX_SUBJECT_TOKENS = 200
_SUBJECT_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]++(?:-[A-Za-z0-9]++)*+")
_YEAR = re.compile(r"(?:19|20)\d\d")
#: Most subjects searched for in bodies (each is one pass over the text).
MAX_QUOTED_SUBJECTS = 50
_KEEP_WORDS = frozenset({"localhost", "unknown", "from", "by", "with", "id", "for", "via"})


#: Said whenever a redacted copy is shown or written: what it can no longer do.
NOT_VERIFIABLE = (
    "DKIM and ARC signatures in a redacted copy no longer verify (its headers and body "
    "changed). People's names in prose and attachments are not redacted: read the copy "
    "before you send it."
)


class RedactError(Exception):
    """The input cannot be redacted; the message is one line for the user."""


@lru_cache(maxsize=1)
def _vendor_sites() -> dict[str, bool]:
    """Vendor names kept whole or as a suffix: the vendor table's hosts and sites, and
    the public blocklists' zones and lookup sites.

    Built on first use, not at import: it reads the whole Public Suffix List, and the
    dashboard imports this module long before anything is redacted.
    """
    kept: dict[str, bool] = {}
    for v in VENDORS:
        names = (v.domain, v.reputation_site, v.submission_host, v.help_site)
        for name in (*names, *v.sites):
            if name:
                host = name.split("/")[0].lower()
                kept[host] = True
                org = org_domain(host)
                if org:
                    kept[org] = True
        for host in v.reinject_hosts:
            kept[host] = True
    for b in BLOCKLISTS:  # the public lists: their zones and lookup sites
        for name in (*b.zones, b.lookup.split("://", 1)[-1].split("/")[0]):
            host = name.lower()
            kept[host] = True
            kept[org_domain(host) or host] = True
    return kept


@lru_cache(maxsize=4096)
def _is_tld(label: str) -> bool:
    label = label.lower()
    if label in INTERNAL_TLDS:
        return True
    return bool(suffix_list().is_public(label, accept_unknown=False))


def is_kept_host(name: str) -> bool:
    """Whether a host or domain name stays as it is in a redacted copy.

    Kept: the vendors' hosts (:mod:`mailtriage.checks.vendors`), their sites and
    re-injection names, names that are a public suffix themselves (they name no
    one) and dotted names whose last label is no top-level domain (Proofpoint's
    ``pps.filterd``, ``Microsoft.Exchange.Transport``: software names, not hosts).
    Everything else that looks like a domain is customer data.
    """
    n = name.lower().rstrip(".")
    if "." in n and not _is_tld(n.rsplit(".", 1)[1]):
        return True
    if host_vendor(n) is not None or reinject_vendor(n) is not None:
        return True
    sites = _vendor_sites()
    if n in sites or suffix_lookup(n, sites):
        return True
    return org_domain(n) is None


def is_kept_ip(ip: str) -> bool:
    """Whether an IP address stays as it is: loopback and unspecified addresses only."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return True
    return addr.is_loopback or addr.is_unspecified


def _b64(text: str, size: int) -> str:
    """A valid base64 stand-in of ``size`` bytes (deterministic from ``text``)."""
    raw = (text.encode() * (size // max(len(text), 1) + 1))[:size]
    return base64.b64encode(raw).decode()


@dataclass
class _Table:
    """One kind's mapping: original (normalised) -> stand-in, in order of first use."""

    kind: str
    made: dict[str, str] = field(default_factory=dict)
    count: int = 0

    def get(self, key: str, make: Iterator[str], taken: set[str]) -> str:
        found = self.made.get(key)
        if found is not None:
            return found
        if len(self.made) >= MAX_STANDINS:
            raise RedactError(f"more than {MAX_STANDINS} different {self.kind} values to redact")
        for candidate in make:
            if candidate.lower() not in taken:
                break
        else:  # pragma: no cover - the generators below are long enough
            raise RedactError(f"ran out of stand-ins for {self.kind} values")
        self.made[key] = candidate
        taken.add(candidate.lower())
        return candidate


def _counted(fmt: str) -> Iterator[str]:
    n = 0
    while True:
        n += 1
        yield fmt.format(n=n)


def _public_v4() -> Iterator[str]:
    for net in ("192.0.2", "198.51.100", "203.0.113"):
        for n in range(1, 255):
            yield f"{net}.{n}"
    raise RedactError("more than 762 different public IPv4 addresses to redact")


def _private_v4() -> Iterator[str]:
    for n in range(1, 65_534):
        yield f"10.0.{n // 254}.{n % 254 + 1}"


class Redactor:
    """Replaces customer data with stand-ins, the same value always with the same one.

    Use one Redactor for everything shared about one ticket (both samples, then the
    packet text). Call :meth:`prepare` with every input first: a stand-in is never
    a value that one of the inputs holds as an original (fixtures and tickets often
    use the documentation ranges themselves).
    """

    def __init__(self) -> None:
        self._tables = {
            k: _Table(k)
            for k in (
                "address",
                "domain",
                "host",
                "tenant",
                "ip",
                "subject",
                "token",
                "name",
                "signature",
            )
        }
        self._makers: dict[str, Iterator[str]] = {
            "user": _counted("user{n}"),
            "id": _counted("id{n}"),
            "domain": _counted("domain{n}.example"),
            "name": _counted("name-{n}"),
            "subject": _counted("subject-{n}"),
            "label": _counted("host-{n}"),
            "tenant": _counted("host{n}"),
            "token": _counted("ref-{n}"),
            "ip4": _public_v4(),
            "ip4p": _private_v4(),
            "ip6": _counted("2001:db8::{n:x}"),
            "ip6p": _counted("fd00::{n:x}"),
            "sig": _counted("{n}"),
        }
        self._host_counters: dict[str, Iterator[str]] = {}
        self._taken: set[str] = set()
        self._ids: set[str] = set()
        self._signatures: list[str] = []
        self._quoted: dict[str, str] = {}
        self._subject_tokens: dict[str, str] = {}
        self._prepared: set[int] = set()
        self._issued: set[str] = set()

    # -- preparing -----------------------------------------------------------------

    def prepare(self, *inputs: bytes | str) -> None:
        """Read every input once so that no stand-in equals one of their originals.

        Only values shaped like a stand-in matter here (``user3``, ``domain2.example``,
        ``192.0.2.7``, ``2001:db8::5``...), so one cheap search finds them. An
        input already read is skipped.

        Also learns which left sides are Message-IDs and the signature values
        that ``header.b=`` abbreviates.
        """
        for data in inputs:
            self._prepare_one(data.decode("latin-1") if isinstance(data, bytes) else data)

    def _prepare_one(self, text: str, fields: bool = True) -> None:
        key = hash(text)
        if key in self._prepared:
            return
        self._prepared.add(key)
        for m in _STANDIN_SHAPE.finditer(text):
            found = m.group(0).lower()
            self._taken.add(_norm_ip(found) or found)
        if not fields:
            return
        end = _HEADER_END.search(text)
        cut = len(text) if end is None else end.end()
        parsed = [*_fields(text[:cut], True), *_fields(text[cut:], False)]
        for name, _, value in parsed:
            name = name.lower()
            if re.fullmatch(ID_FIELDS, name):
                for m in _TOKEN.finditer(value):
                    if _kind(m) == "local":
                        self._ids.add(_address_key(m.group("local"), m.group("adomain")))
            elif name in _SIG_FIELDS:
                for s in _SIG_VALUE.finditer(value):
                    if s.group(1) == "b":
                        self._signatures.append(re.sub(r"\s+", "", s.group(3)))
            elif name in ("subject", "thread-topic"):
                self.subject(_subject_text(value))

    # -- stand-ins -------------------------------------------------------------------

    def _standin(self, kind: str, key: str, make: Iterator[str]) -> str:
        made = self._tables[kind].get(key, make, self._taken)
        self._issued.add(made.lower())
        return made

    def _is_standin(self, value: str) -> bool:
        """Whether ``value`` is a stand-in this Redactor made (redacting it again is a no-op)."""
        return value.lower() in self._issued

    def domain(self, name: str) -> str:
        """The stand-in of a host or domain name (kept names come back as they are)."""
        n = name.lower().rstrip(".")
        if n in self._issued:
            return name
        if is_kept_host(n):
            return self._tenant(name)
        org = org_domain(n) or n
        org_stand = self._standin("domain", org, self._makers["domain"])
        if org == n:
            return org_stand
        hosts = self._host_counters.setdefault(org, _counted("host{n}." + org_stand))
        return self._standin("host", n, hosts)

    def _tenant(self, name: str) -> str:
        """A vendor host with its customer-identifying part replaced (``mx0b-host1.pphosted.com``).

        Proofpoint's ``mx0b-00112233`` and Microsoft's ``contoso-com`` tenant label name
        the customer to anyone who reads the copy; the rest names the vendor, which the
        analysis (and the vendor) needs. A label that is a domain written with hyphens
        (``contoso-com``, ``contoso-co-uk``) becomes that domain's stand-in written the
        same way (``domain1-example``), so the copy still shows which domain the MX
        serves; other labels become ``hostN`` (leading zeros do not count: Proofpoint's
        ``m0123401.ppops.net`` and ``mx0b-00123401`` are one account).
        """
        span = tenant_span(name)
        if span is None:
            return name
        start, end = span
        label = name[start:end]
        if self._is_standin(label):
            return name
        key = label.lower()
        domain = _label_domain(key)
        if domain is not None:  # Microsoft's contoso-com: the domain's stand-in, hyphenated
            return name[:start] + self.domain(domain).replace(".", "-") + name[end:]
        digits = re.fullmatch(r"m?0*(\d+)", key)
        key = digits.group(1) if digits else key
        stand = self._standin("tenant", key, self._makers["tenant"])
        return name[:start] + stand + name[end:]

    def ip(self, text: str) -> str:
        """The stand-in of an IP address (kept addresses come back as they are)."""
        norm = _norm_ip(text)
        if norm is None or is_kept_ip(norm) or norm in self._issued:
            return text
        addr = ipaddress.ip_address(norm)
        public = is_public(norm)
        maker = (
            ("ip4" if public else "ip4p") if addr.version == 4 else ("ip6" if public else "ip6p")
        )
        return self._standin("ip", norm, self._makers[maker])

    def address(self, local: str, domain: str) -> str:
        """The stand-in of an address ``local@domain``."""
        prefix = ""
        srs = _SRS.search(local)
        if srs:
            prefix = local[: srs.start()]
        elif "=" in local:
            cut = local.rindex("=") + 1
            prefix, local = local[:cut], local[cut:]
        if local.lower() in self._issued and (self._is_standin(domain) or is_kept_host(domain)):
            return f"{prefix}{local}@{domain}"
        out_domain = self.domain(domain)
        if srs:
            return prefix + self._srs(srs) + "@" + out_domain
        if not local or local.lower() in SYSTEM_LOCALS:
            return f"{prefix}{local}@{out_domain}"
        key = _address_key(local, domain)
        maker = self._makers["id" if key in self._ids else "user"]
        return f"{prefix}{self._standin('address', key, maker)}@{out_domain}"

    def _srs(self, m: re.Match[str]) -> str:
        """An SRS0/SRS1 local part with its hash hidden and its sender redacted."""
        tag, sep, rest = m.group(1), m.group(2), m.group(3)
        parts = rest.split("=")
        if len(parts) >= 4:  # hash, timestamp, domain, local (SRS0)
            *_, stamp, dom, orig = parts
            user = self.address(orig, dom).partition("@")[0] if orig else orig
            return f"{tag}{sep}xxxx={stamp}={self.domain(dom)}={user}"
        return f"{tag}{sep}" + "=".join("x" * len(p) for p in parts)

    def subject(self, text: str) -> str:
        """The stand-in of a subject (decoded text), keeping its reply and bounce prefix.

        A subject written by a person (no bounce or auto-reply prefix) is also
        replaced where the body quotes it; the rest of a bounce's own subject is
        often the server's reason ("Returned mail: Host unknown") and is not.
        """
        prefix, rest = _subject_parts(text)
        if not rest or self._is_standin(rest):
            return text
        stand = self._standin("subject", rest, self._makers["subject"])
        if not _REPLY_PREFIX.sub("", prefix).strip() and len(self._quoted) < MAX_QUOTED_SUBJECTS:
            self._quoted[rest] = stand
        self._learn_tokens(rest)
        return prefix + stand

    def _learn_tokens(self, subject: str) -> None:
        """Note a subject's distinctive tokens (and their hyphen pieces) for the body."""
        for run in _SUBJECT_TOKEN.findall(subject):
            pieces = run.split("-")
            for token in (run, *pieces) if len(pieces) > 1 else (run,):
                key = token.lower()
                if (
                    len(token) >= SUBJECT_TOKEN_MIN
                    and key not in self._subject_tokens
                    and len(self._subject_tokens) < MAX_SUBJECT_TOKENS
                    and any(c.isdigit() for c in token)
                    and not _YEAR.fullmatch(token)
                    and not self._is_standin(token)
                ):
                    stand = self._standin("token", key, self._makers["token"])
                    self._subject_tokens[key] = stand

    def name(self, display: str) -> str:
        """The stand-in of a display name."""
        return self._standin("name", display.strip(), self._makers["name"])

    def _signature(self, value: str) -> str:
        """A base64 stand-in for a signature value, as long as the original."""
        key = re.sub(r"\s+", "", value)
        n = self._standin("signature", key, self._makers["sig"])
        size = max(len(key) * 3 // 4, 3)
        return _b64(f"redacted-signature-{n}-", size)[: len(key)] if key else key

    def _header_b(self, value: str) -> str:
        full = next((s for s in self._signatures if s.startswith(value)), value)
        return self._signature(full)[: len(value)]

    def mapping(self) -> list[tuple[str, str, str]]:
        """Every ``(kind, original, stand-in)`` made so far, in order of first use.

        It holds the customer's data: it is for the technician's own records only.
        """
        rows: list[tuple[str, str, str]] = []
        for t in self._tables.values():
            for original, stand in t.made.items():
                if t.kind == "address":  # the whole stand-in address, as in the copy
                    stand = f"{stand}@{self.domain(original.rpartition('@')[2])}"
                rows.append((t.kind, original, stand))
        return rows

    # -- redacting ---------------------------------------------------------------------

    def _token(self, m: re.Match[str]) -> str:
        kind = _kind(m)
        whole = m.group(0)
        if kind == "local":
            return self.address(m.group("local"), m.group("adomain"))
        if kind == "ip4" and _is_version(m.string, m.start()):
            return whole
        if kind in ("ip4", "ip6"):
            return self.ip(whole)
        host = m.group("host")
        if not _is_tld(host.rsplit(".", 1)[1]):
            return whole
        before = m.string[max(0, m.start() - 12) : m.start()]
        if _FILENAME_BEFORE.search(before):
            return whole
        return self.domain(host)

    def _tokens(self, text: str) -> str:
        return _TOKEN.sub(self._token, text)

    def _field(self, name: str, prefix: str, value: str, raw: bool) -> str:
        """One header field redacted: ``prefix`` is its text up to the colon, kept."""
        lname = name.lower()
        if lname in ("subject", "thread-topic"):
            text = _subject_text(value) if raw else decode_words(_unfold(value).strip())[0]
            lead = value[: len(value) - len(value.lstrip(" \t"))] or " "
            return f"{prefix}{lead}{_ascii(self.subject(text))}"
        if re.fullmatch(ADDRESS_FIELDS, lname):
            value = _DISPLAY.sub(self._display, value)
        elif lname == "received":
            value = _RECEIVED_WORD.sub(self._received_word, value)
        elif lname in _SIG_FIELDS:
            value = _SIG_VALUE.sub(
                lambda s: f"{s.group(1)}{s.group(2)}{self._signature(s.group(3))}{s.group(4)}",
                value,
            )
        elif lname in ("authentication-results", "arc-authentication-results"):
            value = _HEADER_B.sub(lambda s: s.group(1) + self._header_b(s.group(2)), value)
        elif lname in _NO_IP_FIELDS:
            return prefix + value
        return prefix + self._tokens(value)

    def _display(self, m: re.Match[str]) -> str:
        display = m.group(3)
        after = m.string[m.end() : m.string.find(">", m.end())]
        local = after.partition("@")[0].strip().lower()
        if local in SYSTEM_LOCALS or not display.strip('" ') or self._is_standin(display.strip()):
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}{self.name(display)}{m.group(4)}"

    def _received_word(self, m: re.Match[str]) -> str:
        word = m.group(3)
        if (
            word.lower() in _KEEP_WORDS
            or word.isdigit()
            or _norm_ip(word)
            or self._is_standin(word)
        ):
            return m.group(0)
        stand = self._standin("host", word.lower(), self._makers["label"])
        return f"{m.group(1)}{m.group(2)}{stand}"

    def _subjects_in_body(self, text: str, raw: bool) -> str:
        for original, stand in self._quoted.items():
            if len(original) < _SUBJECT_MIN:
                continue
            needle = original.encode("utf-8").decode("latin-1") if raw else original
            if needle in text:
                text = text.replace(needle, stand)
        return text

    def _org_words(self, text: str) -> str:
        """Replace the redacted organizations' names where they stand as words.

        ``fabrikam`` of ``fabrikam.com`` also names the customer in prose ("Hello
        Fabrikam"), account headers (``fabrikam-00417``) and a tenant's MX host
        (``fabrikam-com.mail.protection.outlook.com``). Only names of at least
        :data:`ORG_WORD_MIN` characters are replaced, so short common words stay.
        """
        words: dict[str, str] = {}
        for org, stand in self._tables["domain"].made.items():
            word = org.split(".")[0]
            if len(word) >= ORG_WORD_MIN and word not in _STANDIN_WORDS:
                words.setdefault(word, stand.split(".")[0])
        if not words:
            return text
        return _WORD_RUN.sub(lambda m: _replace_pieces(m.group(0), words), text)

    def _lines(self, text: str, head: bool = False) -> str:
        """Header fields (wherever a line starts one) and the tokens between them.

        ``head``: the text is a header block (or pasted headers), where a line that
        is no field continues the field above, as the loader reads it (folding lost
        in copy-paste); elsewhere only an indented line continues a field.
        """
        pos = 0
        out: list[str] = []
        for start, colon, end, name in _field_spans(text, head):
            out.append(self._tokens(text[pos:start]))
            out.append(self._field(name, text[start:colon], text[colon:end], True))
            pos = end
        out.append(self._tokens(text[pos:]))
        return "".join(out)

    def _finish(self, text: str, raw: bool) -> str:
        text = self._org_words(self._subjects_in_body(text, raw))
        return self._local_words(self._token_words(text))

    def _token_words(self, text: str) -> str:
        """Replace the subjects' distinctive tokens (``INV-20977``, ``5512``) wherever they stand.

        A number or an ID of :data:`SUBJECT_TOKEN_MIN` characters or more from a subject
        names the customer's business (an invoice, an order) in the body and in an
        attachment's file name as plainly as in the Subject; its extension stays
        (``INV-20977.pdf`` -> ``ref-1.pdf``). Years are not replaced (dates stay readable).
        """
        if not self._subject_tokens:
            return text
        words = self._subject_tokens
        return _WORD_RUN.sub(lambda m: _replace_pieces(m.group(0), words), text)

    def _local_words(self, text: str) -> str:
        """Replace the local parts of the redacted addresses wherever they stand as a word.

        A bounce's body quotes the sender's mailbox name alone (``j.rivera`` in
        Microsoft's NDR table); every person's local part known from an address is
        replaced by its address's stand-in local part. System mailboxes
        (:data:`SYSTEM_LOCALS`) and local parts shorter than :data:`LOCAL_WORD_MIN`
        (``it``, ``hr``: they would hit prose) stay.
        """
        words: dict[str, str] = {}
        for key, stand in self._tables["address"].made.items():
            local = key.rpartition("@")[0].lower()
            if (
                len(local) >= LOCAL_WORD_MIN
                and key not in self._ids
                and local not in SYSTEM_LOCALS
                and local not in _KEEP_WORDS
                and local not in _STANDIN_WORDS
            ):
                words.setdefault(local, stand)
        if not words:
            return text
        return _LOCAL_RUN.sub(lambda m: words.get(m.group(0).lower(), m.group(0)), text)

    def _redact(self, text: str, raw: bool) -> str:
        if not raw:
            self._prepare_one(text, fields=False)
            return self._finish(self._tokens(text), raw)
        self._prepare_one(text, fields=True)
        return self._finish(self._entity(text, 0, [MAX_MIME_PARTS]), raw)

    def _entity(self, text: str, depth: int, budget: list[int]) -> str:
        """Redact one MIME entity (header block and body) in the Latin-1 view.

        The walk follows multipart boundaries and ``message/*`` parts; a ``text/*``
        or ``message/*`` leaf in base64 or quoted-printable is decoded, redacted and
        encoded again (so addresses split by a soft line break are found too);
        other base64 leaves (attachments) are left as they are. It stops at
        :data:`MAX_MIME_DEPTH` levels and :data:`MAX_MIME_PARTS` parts and stays
        linear in the input.
        """
        end = _HEADER_END.search(text)
        if end is None:
            return self._lines(text, True)
        head, body = text[: end.end()], text[end.end() :]
        fields = {name.lower(): _unfold(value) for name, _, value in _fields(head, True)}
        head = self._lines(head, True)
        ctype = fields.get("content-type", "text/plain").strip().lower()
        cte = fields.get("content-transfer-encoding", "").strip().lower()
        if depth >= MAX_MIME_DEPTH or budget[0] <= 0:
            return head + self._lines(body)
        budget[0] -= 1
        if ctype.startswith("multipart/"):
            found = _BOUNDARY.search(fields.get("content-type", ""))
            if found is None:
                return head + self._lines(body)
            return head + self._multipart(body, found.group(1) or found.group(2), depth, budget)
        if cte in ("base64", "quoted-printable"):
            if not ctype.startswith(("text/", "message/")):
                return head + body  # an attachment's bytes
            return head + self._encoded(body, cte, ctype, depth, budget)
        if ctype.startswith("message/"):
            return head + self._entity(body, depth + 1, budget)
        return head + self._lines(body)

    def _multipart(self, body: str, boundary: str, depth: int, budget: list[int]) -> str:
        delimiter = re.compile(rf"^--{re.escape(boundary)}(?:--)?[ \t]*\r?$", re.M)
        out: list[str] = []
        pos = 0
        for d in delimiter.finditer(body):
            piece = body[pos : d.start()]
            if pos:  # a part (the preamble before the first delimiter is prose)
                newline = piece[:2] if piece.startswith("\r\n") else piece[:1]
                out.append(newline + self._entity(piece[len(newline) :], depth + 1, budget))
            else:
                out.append(self._lines(piece))
            out.append(d.group(0))
            pos = d.end()
        out.append(self._lines(body[pos:]))
        return "".join(out)

    def _encoded(self, body: str, cte: str, ctype: str, depth: int, budget: list[int]) -> str:
        raw = body.encode("latin-1")
        try:
            decoded = (
                base64.b64decode(re.sub(rb"[^A-Za-z0-9+/]", b"", raw) + b"==")
                if cte == "base64"
                else quopri.decodestring(raw)
            )
        except (binascii.Error, ValueError):
            return self._lines(body)
        view = decoded.decode("latin-1")
        if ctype.startswith("message/"):
            done = self._entity(view, depth + 1, budget)
        else:
            done = self._lines(view)
        redacted = self._finish(done, True).encode("latin-1")
        if redacted == decoded:
            return body
        encoded = base64.encodebytes(redacted) if cte == "base64" else quopri.encodestring(redacted)
        out = encoded.decode("latin-1")
        return out.replace("\n", "\r\n") if "\r\n" in body[:4096] else out

    def redact_bytes(self, data: bytes) -> bytes:
        """Redact a raw message (headers and body) byte for byte.

        Bytes that are not part of a replaced value are kept exactly (the message is
        read as Latin-1, so any encoding survives); every stand-in is ASCII.

        Raises:
            RedactError: Too many different values of one kind to map.
        """
        return self._redact(data.decode("latin-1"), raw=True).encode("latin-1")

    def redact_text(self, text: str) -> str:
        """Redact free text (a packet body, notes) with the same mapping as the samples.

        Addresses, hosts, IPs and organization names are replaced wherever they
        stand, and the samples' subjects where the text quotes them. Lines are not
        read as header fields: a packet's own ``Subject:`` line names the failure
        mode, which the vendor needs, so only the values in it are replaced.
        Redact the samples first, so their subjects and names are known.

        Raises:
            RedactError: Too many different values of one kind to map.
        """
        return self._redact(text, raw=False)


def _kind(m: re.Match[str]) -> str:
    """Which alternative of ``_TOKEN`` matched: local (an address), ip4, ip6 or host."""
    return next(k for k in ("local", "ip6", "ip4", "host") if m.group(k) is not None)


def _label_domain(label: str) -> str | None:
    """The domain a label writes with hyphens for dots (``contoso-co-uk``), or ``None``.

    The leftmost reading that is a registrable domain wins, as a domain's own hyphens
    stay on the left (``my-company-com`` is ``my-company.com``).
    """
    if label.count("-") > _MAX_PIECES:
        return None
    for i, c in enumerate(label):
        if c == "-":
            candidate = label[:i] + "." + label[i + 1 :].replace("-", ".")
            if _is_tld(candidate.rsplit(".", 1)[1]) and org_domain(candidate) == candidate:
                return candidate
    return None


def _is_version(text: str, start: int) -> bool:
    """Whether the dotted quad at ``start`` is a version glued to a product name.

    ``FMLib:17.12.62.30`` in Proofpoint's engine list and ``Postfix/3.7.2.1`` are
    versions; ``CIP:93.184.216.34`` (upper case) and ``client-ip:...`` name an address.
    """
    m = _VERSION_BEFORE.search(text, max(0, start - 40), start)
    if m is None:
        return False
    word = m.group(1)
    return any(c.islower() for c in word) and _IP_WORDS.search(word) is None


def _field_spans(text: str, head: bool) -> Iterator[tuple[int, int, int, str]]:
    """``(start, colon end, end, name)`` of each header field in ``text``.

    A field starts at a line the loader reads as one (``Name:``, not a tag that
    continues a Microsoft tag list or a signature's ``h=`` list, see
    :mod:`mailtriage.checks.message.lostfold`); an indented line continues it, and so,
    in a header block (``head``), does any other non-blank line (folding lost in
    copy-paste), as :func:`mailtriage.checks.message.headers.parse_lines` reads it.
    ``end`` is before the last line's line break, so CRLF, LF and CR all survive.
    """
    cur: _Open | None = None
    pos, size = 0, len(text)
    sep = "\r" if "\n" not in text else "\n"  # CR-only text (an old Mac, a terminal paste)
    while pos < size:
        nl = text.find(sep, pos)
        stop = size if nl < 0 else nl + 1
        line = text[pos:stop].rstrip("\r\n")
        lend = pos + len(line)
        m = HEADER_LINE.match(line)
        if cur is not None and (
            line[:1] in (" ", "\t")
            or (m is not None and continues(cur.name, cur.lines, line))
            or (m is None and head and line.strip())
        ):
            cur.end = lend
            cur.lines.append(line)
        elif m is not None:
            if cur is not None:
                yield cur.start, cur.colon, cur.end, cur.name
            cur = _Open(pos, pos + m.end(), lend, m.group(1), [line[m.end() :]])
        elif cur is not None:
            yield cur.start, cur.colon, cur.end, cur.name
            cur = None
        pos = stop
    if cur is not None:
        yield cur.start, cur.colon, cur.end, cur.name


@dataclass
class _Open:
    """The header field being read by :func:`_field_spans`."""

    start: int
    colon: int
    end: int
    name: str
    lines: list[str]


def _fields(text: str, head: bool) -> list[tuple[str, int, str]]:
    """``(name, start, raw value)`` of each header field in ``text`` (see :func:`_field_spans`)."""
    return [(name, start, text[colon:end]) for start, colon, end, name in _field_spans(text, head)]


def _norm_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _address_key(local: str, domain: str) -> str:
    return f"{local}@{domain.lower()}"


def _replace_pieces(run: str, words: dict[str, str]) -> str:
    """Replace the pieces of a hyphenated run (``fabrikam-00417``) that are org names.

    The longest run of pieces that is a name wins, left to right; a run of more
    than :data:`_MAX_PIECES` pieces is only looked at piece by piece (bounded work).
    """
    whole = words.get(run.lower())
    if whole is not None:
        return whole
    pieces = run.split("-")
    if len(pieces) == 1:
        return run
    span = min(len(pieces), _MAX_PIECES)
    out: list[str] = []
    i = 0
    while i < len(pieces):
        for j in range(min(len(pieces), i + span), i, -1):
            found = words.get("-".join(pieces[i:j]).lower())
            if found is not None:
                out.append(found)
                i = j
                break
        else:
            out.append(pieces[i])
            i += 1
    return "-".join(out)


def _subject_text(value: str) -> str:
    """The decoded text of a Subject value given in the Latin-1 view of its bytes."""
    text = _unfold(value.encode("latin-1").decode("utf-8", "replace")).strip()
    return decode_words(text)[0]


def _unfold(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", value)


def _subject_parts(text: str) -> tuple[str, str]:
    """``(prefix kept, rest to replace)`` of a decoded subject."""
    s = text.strip()
    pos = 0
    if m := _REPLY_PREFIX.match(s):
        pos = m.end()
    for pattern in (BOUNCE_SUBJECT, AUTOREPLY_SUBJECT, FEEDBACK_SUBJECT):
        if found := pattern.match(s, pos):
            pos = _WORD_END.match(s, found.end()).end()  # type: ignore[union-attr]
            tail = _KEPT_TAIL.match(s, pos)
            pos = tail.end() if tail else pos
            if m := _REPLY_PREFIX.match(s, pos):
                pos = m.end()
            break
    prefix, rest = s[:pos], s[pos:].strip()
    if prefix and not prefix.endswith(" ") and rest:
        prefix += " "
    return prefix, rest


def _ascii(text: str) -> str:
    """``text`` as header-safe ASCII: one UTF-8 encoded word when it is not ASCII."""
    if text.isascii() and "\n" not in text and "\r" not in text:
        return text
    encoded = base64.b64encode(text.encode("utf-8")).decode()
    return f"=?utf-8?b?{encoded}?="


def check_redactable(data: bytes, source: str, size: int | None = None) -> None:
    """Make sure ``data`` is an email message this module can redact as text.

    Args:
        data: The sample's bytes as read.
        source: Its label for the error message (a path, ``"-"``).
        size: Its size on disk when ``data`` may have been cut short.

    Raises:
        SampleError: Too large, an Outlook .msg (its strings are UTF-16 inside a
            binary container: redacting its bytes would miss them), empty, binary,
            or not an email (one line).
    """
    label = printable(source, 200)
    if len(data) > MAX_READ or (size or 0) > MAX_READ:
        raise SampleError(f"{label}: larger than {MAX_READ >> 20} MB; not redacted")
    if is_msg(data):
        raise SampleError(
            f"{label}: an Outlook .msg is not redacted in place; save the message as .eml "
            "(or paste its headers into a text file) and redact that"
        )
    load_bytes(data, source)


def digest(data: bytes) -> str:
    """SHA-256 of ``data`` in hex (to say in a mapping file which input it came from)."""
    return hashlib.sha256(data).hexdigest()
