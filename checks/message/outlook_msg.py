"""Turn an Outlook .msg (an OLE2 compound file) into the ``Sample`` the loader builds.

Outlook saves a message as MAPI properties in an OLE2 compound file, laid out as
described in Microsoft's "[MS-OXMSG]: Outlook Item (.msg) File Format"
(https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxmsg/).
A received message keeps its header block as it arrived in
``PR_TRANSPORT_MESSAGE_HEADERS`` (property 0x007D); that block is parsed by the same
header parser as an .eml. A copy from Sent Items or a draft has no such block: its
sample is built from the MAPI properties (sender, recipients, subject, dates,
Message-ID) and says that the received copy is needed.

The compound file is read with ``olefile`` (BSD licence), imported only when a .msg
is opened, so start-up never loads it. Sizes and counts are capped and any damage
to the file is one ``MsgError``, never a traceback.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from mailtriage.checks.message.addresses import make_address
from mailtriage.checks.message.fields import derive
from mailtriage.checks.message.headers import HEADER_LINE, parse_lines, split_lines
from mailtriage.checks.model import Address, MimePart, Problem, Sample
from mailtriage.checks.text import decode_bytes, printable

#: The first eight bytes of every OLE2 compound file (an Outlook .msg is one).
MAX_ENTRIES = 200_000
MAX_RECIPIENTS = 2_000
MAX_ATTACHMENTS = 500
MAX_STRING = 4 * 1024 * 1024
MAX_PROPERTIES = 1024 * 1024
#: Most bytes read from streams in all. A sound file's streams add up to less than its
#: size; a hostile one can point many entries at the same sectors, and this stops it.
READ_BUDGET = 160 * 1024 * 1024
_HASH_STEP = 1024 * 1024

_TOP = ""  # the root storage's prefix
_ROOT_HEADER = 32  # [MS-OXMSG] 2.4.1.1: top-level property stream header
_EMBEDDED_HEADER = 24  # 2.4.1.2: embedded message object
_SUB_HEADER = 8  # 2.4.2: recipient and attachment objects

PT_LONG = 0x0003
PT_BOOLEAN = 0x000B
PT_SYSTIME = 0x0040

PR_MESSAGE_CLASS = 0x001A
PR_SUBJECT = 0x0037
PR_CLIENT_SUBMIT_TIME = 0x0039
PR_SENT_REPRESENTING_NAME = 0x0042
PR_SENT_REPRESENTING_EMAIL = 0x0065
PR_TRANSPORT_MESSAGE_HEADERS = 0x007D
PR_SENDER_NAME = 0x0C1A
PR_SENDER_ADDRTYPE = 0x0C1E
PR_SENDER_EMAIL = 0x0C1F
PR_RECIPIENT_TYPE = 0x0C15
PR_MESSAGE_DELIVERY_TIME = 0x0E06
PR_MESSAGE_FLAGS = 0x0E07
PR_ATTACH_SIZE = 0x0E20
PR_BODY = 0x1000
PR_HTML = 0x1013
PR_INTERNET_MESSAGE_ID = 0x1035
PR_DISPLAY_NAME = 0x3001
PR_EMAIL_ADDRESS = 0x3003
PR_ATTACH_DATA = 0x3701
PR_ATTACH_FILENAME = 0x3704
PR_ATTACH_METHOD = 0x3705
PR_ATTACH_LONG_FILENAME = 0x3707
PR_ATTACH_MIME_TAG = 0x370E
PR_ATTACH_FLAGS = 0x3714
PR_SMTP_ADDRESS = 0x39FE
PR_INTERNET_CPID = 0x3FDE
PR_MESSAGE_CODEPAGE = 0x3FFD
PR_SENDER_SMTP_ADDRESS = 0x5D01
PR_SENT_REPRESENTING_SMTP = 0x5D02
PR_ATTACHMENT_HIDDEN = 0x7FFE

MSGFLAG_UNSENT = 0x08
ATTACH_OLE = 6
ATT_MHTML_REF = 0x04
_RECIPIENT_KINDS = {1: "To", 2: "Cc", 3: "Bcc"}

#: Message classes that are email messages (case-insensitive prefixes): notes and
#: their variants (signed, encrypted, archive stubs), posts, meeting mail and reports.
MESSAGE_CLASSES = ("ipm.note", "ipm.post", "ipm.schedule.meeting", "report.", "ipm.outlook.recall")
#: What the other common Outlook item classes are, for the error line.
ITEM_KINDS = {
    "ipm.appointment": "a calendar item",
    "ipm.contact": "a contact",
    "ipm.distlist": "a contact group",
    "ipm.task": "a task",
    "ipm.taskrequest": "a task request",
    "ipm.stickynote": "a note",
    "ipm.activity": "a journal entry",
}

#: The first line of the header block Exchange kept for mail that stayed inside it.
EXCHANGE_INTERNAL = "Microsoft Mail Internet Headers Version 2.0"
_WHERE = "Outlook .msg"
_RECIP = re.compile(r"__recip_version1\.0_#[0-9A-Fa-f]{8}")
_ATTACH = re.compile(r"__attach_version1\.0_#[0-9A-Fa-f]{8}")
_HEADER_END = re.compile(r"\n\r*\n")
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


class MsgError(Exception):
    """The .msg cannot be used as a sample; the message is one line for the user."""


@dataclass(frozen=True)
class MsgRecipient:
    """One row of the recipient table.

    Attributes:
        display: Display name ("" when absent).
        addr: SMTP address ("" when only an Exchange address was stored).
        kind: ``"To"``, ``"Cc"`` or ``"Bcc"``.
    """

    display: str
    addr: str
    kind: str


@dataclass(frozen=True)
class MsgAttachment:
    """One row of the attachment table.

    Attributes:
        filename: Long file name, else the short one, else the display name, or ``None``.
        size: Bytes of the attachment's data (for an attached message: PR_ATTACH_SIZE).
        sha256: Hex digest of the data ("" for an attached message: it has no one stream).
        content_type: The MIME type Outlook recorded, else ``application/octet-stream``
            (``message/rfc822`` for an attached message).
        embedded: Whether the attachment is itself a message (forwarded as an attachment).
        inline: Whether Outlook shows it inside the HTML body (a logo) rather than attached.
    """

    filename: str | None
    size: int
    sha256: str
    content_type: str
    embedded: bool
    inline: bool


@dataclass(frozen=True)
class OutlookMessage:
    """What a .msg holds that a sample needs.

    Attributes:
        message_class: PR_MESSAGE_CLASS, e.g. ``"IPM.Note"``.
        transport_headers: The header block as received, or ``None`` (sent items, drafts).
        sender: The sender (display name and SMTP address when recorded), or ``None``.
        recipients: The recipient table, in order.
        subject: PR_SUBJECT, or ``None``.
        submitted: When the sender's client submitted it, or ``None``.
        delivered: When it was delivered to this mailbox, or ``None``.
        message_id: PR_INTERNET_MESSAGE_ID without angle brackets, or ``None``.
        attachments: The attachment table, in order.
        has_text: Whether a plain or HTML body is stored.
        unsent: Whether Outlook marks it unsent (a draft).
        problems: What could not be read.
    """

    message_class: str
    transport_headers: str | None
    sender: Address | None
    recipients: tuple[MsgRecipient, ...]
    subject: str | None
    submitted: datetime | None
    delivered: datetime | None
    message_id: str | None
    attachments: tuple[MsgAttachment, ...]
    has_text: bool
    unsent: bool
    problems: tuple[Problem, ...]

    @property
    def header_block(self) -> str | None:
        """The transport headers when they are a header block as received, else ``None``.

        Exchange 2003 and older wrote, for mail passed from mailbox to mailbox inside
        the organisation, a block headed ``Microsoft Mail Internet Headers Version
        2.0``: the headers it composed, no Received. That message never crossed SMTP,
        so it has no transport headers; neither has a block whose first line is not a
        header field.
        """
        if self.transport_headers is None:
            return None
        text = self.transport_headers.lstrip("\r\n")
        if not HEADER_LINE.match(text):
            return None
        end = _HEADER_END.search(text)
        return text[: end.start() + 1] if end else text

    @property
    def exchange_internal(self) -> bool:
        """Whether the headers are Exchange's internal (never over SMTP) form."""
        text = (self.transport_headers or "").lstrip()
        return text.lower().startswith(EXCHANGE_INTERNAL.lower())

    @property
    def has_embedded_message(self) -> bool:
        """Whether one of the attachments is itself a message."""
        return any(a.embedded for a in self.attachments)


def _filetime(raw: int) -> datetime | None:
    if raw <= 0:
        return None
    try:
        return _FILETIME_EPOCH + timedelta(seconds=raw // 10_000_000)
    except OverflowError:
        return None


def _strip_nul(text: str) -> str:
    return text.split("\x00", 1)[0] if "\x00" in text else text


_CUT_SHORT = "truncated Outlook .msg: a stream ends before its recorded size"


class _Budget:
    """Bytes read so far from one file's streams, against ``READ_BUDGET``."""

    def __init__(self) -> None:
        self.spent = 0

    def charge(self, size: int) -> None:
        self.spent += size
        if self.spent > READ_BUDGET:
            raise MsgError(
                f"damaged Outlook .msg: its streams add up to more than {READ_BUDGET >> 20} MB"
            )


def _whole(ole: Any, path: str, cap: int, budget: _Budget) -> bytes:
    """A stream's bytes (at most ``cap``); one shorter than its recorded size means damage."""
    want = min(ole.get_size(path), cap)
    budget.charge(want)
    data: bytes = ole.openstream(path).read(want)
    if len(data) < want:
        raise MsgError(_CUT_SHORT)
    return data


class _Reader:
    """Reads properties of one storage (the message, a recipient, an attachment)."""

    def __init__(
        self, ole: Any, prefix: str, header: int, budget: _Budget, codepage: str | None = None
    ) -> None:
        self.ole = ole
        self.prefix = prefix
        self.budget = budget
        self.codepage = codepage
        self.fixed: dict[int, tuple[int, bytes]] = {}
        path = prefix + "__properties_version1.0"
        if ole.exists(path) and ole.get_size(path) <= MAX_PROPERTIES:
            data = _whole(ole, path, MAX_PROPERTIES, budget)
            for off in range(header, len(data) - 15, 16):
                ptype, pid, _flags = struct.unpack_from("<HHI", data, off)
                self.fixed.setdefault(pid, (ptype, data[off + 8 : off + 16]))

    def has_properties(self) -> bool:
        return self.ole.exists(self.prefix + "__properties_version1.0")

    def long(self, pid: int) -> int | None:
        found = self.fixed.get(pid)
        if found is None or found[0] not in (PT_LONG, PT_BOOLEAN):
            return None
        return int(struct.unpack_from("<i", found[1])[0])

    def time(self, pid: int) -> datetime | None:
        found = self.fixed.get(pid)
        if found is None or found[0] != PT_SYSTIME:
            return None
        return _filetime(int(struct.unpack_from("<Q", found[1])[0]))

    def _stream(self, name: str, cap: int) -> bytes | None:
        path = self.prefix + name
        if not self.ole.exists(path) or self.ole.get_type(path) != 2:
            return None
        return _whole(self.ole, path, cap, self.budget)

    def string(self, pid: int) -> str | None:
        """A string property, Unicode (001F) or 8-bit (001E) in the message's code page."""
        data = self._stream(f"__substg1.0_{pid:04X}001F", MAX_STRING)
        if data is not None:
            return _strip_nul(data[: len(data) & ~1].decode("utf-16-le", errors="replace"))
        data = self._stream(f"__substg1.0_{pid:04X}001E", MAX_STRING)
        if data is None:
            return None
        if self.codepage is not None:
            return _strip_nul(data.decode(self.codepage, errors="replace"))
        return _strip_nul(decode_bytes(data))

    def has(self, pid: int) -> bool:
        return (
            any(
                self.ole.exists(f"{self.prefix}__substg1.0_{pid:04X}{t}")
                for t in ("001F", "001E", "0102")
            )
            or pid in self.fixed
        )

    def sha256(self, pid: int) -> tuple[int, str] | None:
        """Size and hex digest of a binary property's stream, read in 1 MB steps."""
        path = f"{self.prefix}__substg1.0_{pid:04X}0102"
        if not self.ole.exists(path) or self.ole.get_type(path) != 2:
            return None
        self.budget.charge(self.ole.get_size(path))
        stream = self.ole.openstream(path)
        digest = hashlib.sha256()
        size = 0
        while chunk := stream.read(_HASH_STEP):
            digest.update(chunk)
            size += len(chunk)
        if size < self.ole.get_size(path):
            raise MsgError(_CUT_SHORT)
        return size, digest.hexdigest()

    def children(self, pattern: re.Pattern[str]) -> list[str]:
        """Names of the sub-storages of this storage matching ``pattern``, sorted."""
        node = self.ole.root
        for part in (p for p in self.prefix.split("/") if p):
            node = next(k for k in node.kids if k.name.lower() == part.lower())
        found = {k.name for k in node.kids if k.entry_type == 1 and pattern.fullmatch(k.name)}
        return sorted(found)


def _codepage(reader: _Reader) -> str | None:
    for pid in (PR_MESSAGE_CODEPAGE, PR_INTERNET_CPID):
        number = reader.long(pid)
        if number is None or number <= 0:
            continue
        try:
            return codecs.lookup(f"cp{number}").name
        except LookupError:
            continue
    return None


def _smtp(*candidates: str | None) -> str:
    for value in candidates:
        if value and "@" in value and not value.startswith("/"):
            return value.strip()
    return ""


def _sender(msg: _Reader) -> Address | None:
    name = msg.string(PR_SENDER_NAME) or msg.string(PR_SENT_REPRESENTING_NAME) or ""
    addr = _smtp(
        msg.string(PR_SENDER_SMTP_ADDRESS),
        msg.string(PR_SENDER_EMAIL),
        msg.string(PR_SENT_REPRESENTING_SMTP),
        msg.string(PR_SENT_REPRESENTING_EMAIL),
    )
    if not name and not addr:
        return None
    return make_address(name, addr)


def _recipients(ole: Any, msg: _Reader, problems: list[Problem]) -> tuple[MsgRecipient, ...]:
    names = msg.children(_RECIP)
    if len(names) > MAX_RECIPIENTS:
        problems.append(Problem(_WHERE, f"more than {MAX_RECIPIENTS} recipients; the rest ignored"))
        names = names[:MAX_RECIPIENTS]
    found = []
    for name in names:
        row = _Reader(ole, f"{msg.prefix}{name}/", _SUB_HEADER, msg.budget, msg.codepage)
        kind = _RECIPIENT_KINDS.get(row.long(PR_RECIPIENT_TYPE) or 1, "To")
        addr = _smtp(row.string(PR_SMTP_ADDRESS), row.string(PR_EMAIL_ADDRESS))
        found.append(MsgRecipient(row.string(PR_DISPLAY_NAME) or "", addr, kind))
    return tuple(found)


def _attachments(ole: Any, msg: _Reader, problems: list[Problem]) -> tuple[MsgAttachment, ...]:
    names = msg.children(_ATTACH)
    if len(names) > MAX_ATTACHMENTS:
        more = f"more than {MAX_ATTACHMENTS} attachments; the rest ignored"
        problems.append(Problem(_WHERE, more))
        names = names[:MAX_ATTACHMENTS]
    found = []
    for name in names:
        row = _Reader(ole, f"{msg.prefix}{name}/", _SUB_HEADER, msg.budget, msg.codepage)
        filename = (
            row.string(PR_ATTACH_LONG_FILENAME)
            or row.string(PR_ATTACH_FILENAME)
            or row.string(PR_DISPLAY_NAME)
            or None
        )
        hidden = bool(row.long(PR_ATTACHMENT_HIDDEN))
        inline = hidden or bool((row.long(PR_ATTACH_FLAGS) or 0) & ATT_MHTML_REF)
        embedded_path = f"{row.prefix}__substg1.0_{PR_ATTACH_DATA:04X}000D"
        is_storage = ole.exists(embedded_path) and ole.get_type(embedded_path) == 1
        if is_storage and row.long(PR_ATTACH_METHOD) != ATTACH_OLE:
            size = max(row.long(PR_ATTACH_SIZE) or 0, 0)
            found.append(MsgAttachment(filename, size, "", "message/rfc822", True, inline))
            continue
        data = row.sha256(PR_ATTACH_DATA)
        size, digest = data if data is not None else (max(row.long(PR_ATTACH_SIZE) or 0, 0), "")
        content_type = (row.string(PR_ATTACH_MIME_TAG) or "").strip().lower()
        if not content_type or "/" not in content_type:
            content_type = "application/octet-stream"
        found.append(MsgAttachment(filename, size, digest, content_type, False, inline))
    return tuple(found)


def _item_kind(message_class: str) -> str:
    lowered = message_class.lower()
    for prefix, kind in ITEM_KINDS.items():
        if lowered == prefix or lowered.startswith(prefix + "."):
            return kind
    return "not a message"


def _read(ole: Any) -> OutlookMessage:
    if len(ole.direntries) > MAX_ENTRIES:
        raise MsgError(f"damaged Outlook .msg: more than {MAX_ENTRIES} storage entries")
    msg = _Reader(ole, _TOP, _ROOT_HEADER, _Budget())
    if not msg.has_properties():
        raise MsgError("an OLE2 file (Office document?) without Outlook message properties")
    msg.codepage = _codepage(msg)
    problems: list[Problem] = []
    message_class = (msg.string(PR_MESSAGE_CLASS) or "").strip()
    if not message_class:
        problems.append(Problem(_WHERE, "no message class recorded; read as an email message"))
    elif not message_class.lower().startswith(MESSAGE_CLASSES) and message_class.upper() != "IPM":
        kind = _item_kind(message_class)
        raise MsgError(f"an Outlook {printable(message_class, 60)} item ({kind}), not an email")
    headers = msg.string(PR_TRANSPORT_MESSAGE_HEADERS)
    if headers is not None and not headers.strip():
        headers = None
    message_id = (msg.string(PR_INTERNET_MESSAGE_ID) or "").strip().strip("<>").strip()
    return OutlookMessage(
        message_class=message_class or "IPM.Note",
        transport_headers=headers,
        sender=_sender(msg),
        recipients=_recipients(ole, msg, problems),
        subject=msg.string(PR_SUBJECT),
        submitted=msg.time(PR_CLIENT_SUBMIT_TIME),
        delivered=msg.time(PR_MESSAGE_DELIVERY_TIME),
        message_id=message_id or None,
        attachments=_attachments(ole, msg, problems),
        has_text=msg.has(PR_BODY) or msg.has(PR_HTML),
        unsent=bool((msg.long(PR_MESSAGE_FLAGS) or 0) & MSGFLAG_UNSENT),
        problems=tuple(problems),
    )


def read_message(data: bytes) -> OutlookMessage:
    """Read the MAPI properties a sample needs from a .msg file's bytes.

    Args:
        data: The whole file (an OLE2 compound file).

    Returns:
        The message's header block (when it was received), sender, recipients,
        subject, dates, Message-ID and attachment table.

    Raises:
        MsgError: The file is not an OLE2 file, is damaged or cut short, or holds an
            Outlook item that is not an email (a calendar item, a contact, a task...).
    """
    import olefile  # lazily: only a .msg needs it

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return _read(ole)
    except MsgError:
        raise
    except Exception as exc:  # any damage olefile meets is one line, never a traceback
        why = printable(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 100)
        raise MsgError(f"damaged or truncated Outlook .msg (OLE2) file: {why}") from None


def _parts(msg: OutlookMessage) -> tuple[MimePart, ...]:
    return tuple(
        MimePart(
            content_type=a.content_type,
            filename=a.filename,
            size=a.size,
            sha256=a.sha256,
            disposition="inline" if a.inline else "attachment",
        )
        for a in msg.attachments
    )


def _mapi_fields(msg: OutlookMessage, problems: list[Problem]) -> dict[str, Any]:
    """The Sample fields of a message without a header block, from MAPI properties."""
    date = msg.submitted or msg.delivered
    if date is None:
        problems.append(Problem("Date", "no submit or delivery time recorded"))
    if msg.sender is None:
        problems.append(Problem("From", "no sender recorded"))
    elif not msg.sender.addr:
        problems.append(
            Problem("From", "the sender has no SMTP address (an Exchange address only)")
        )
    if msg.message_id is None:
        problems.append(Problem("Message-ID", "no Message-ID"))
    if msg.exchange_internal:
        why = (
            "the header block Outlook kept is Exchange's internal form "
            f"('{EXCHANGE_INTERNAL}'): the message went from mailbox to mailbox inside "
            "Exchange and never crossed SMTP, so there is no Received or "
            "Authentication-Results to read."
        )
    else:
        what = "a draft (never sent)" if msg.unsent else "a copy from Sent Items or a draft"
        why = (
            f"no transport headers: this looks like {what}, so there is no Received or "
            "Authentication-Results to read."
        )
    problems.append(
        Problem(
            _WHERE,
            f"{why} Ask for the received copy (saved from the recipient's mailbox) to check "
            "routing and authentication.",
        )
    )

    def people(kind: str) -> tuple[Address, ...]:
        return tuple(make_address(r.display, r.addr) for r in msg.recipients if r.kind == kind)

    return {
        "from_": (msg.sender,) if msg.sender is not None else (),
        "to": people("To"),
        "cc": people("Cc"),
        "subject": msg.subject,
        "date": date,
        "date_raw": format_datetime(date) if date is not None else None,
        "message_id": msg.message_id,
        "return_path": None,
        "envelope_from": None,
        "envelope_to": (),
    }


def to_sample(msg: OutlookMessage, source: str, size: int) -> Sample:
    """Build the sample of a read .msg.

    With transport headers, the header fields and everything derived from them are
    what an .eml with the same header block gives; without, the MAPI properties stand
    in and a problem says the received copy is needed. Either way the attachments come
    from the attachment table, and the bytes as sent are not available (Outlook keeps
    a re-encoded body), so DKIM and ARC are not verified.

    Args:
        msg: What :func:`read_message` read.
        source: Label for the sample (the path).
        size: The file's size in bytes.
    """
    problems: list[Problem] = list(msg.problems)
    headers: tuple = ()
    fields: dict[str, Any]
    block_text = msg.header_block
    if block_text is not None:
        block = parse_lines(split_lines(block_text))
        headers = tuple(block.headers)
        problems.extend(block.problems)
    if headers:
        fields = derive(list(headers))
        problems.extend(fields.pop("problems"))
    else:
        fields = _mapi_fields(msg, problems)
    problems.append(
        Problem(
            _WHERE,
            f"read from an Outlook .msg ({printable(msg.message_class, 60)}): Outlook does not "
            "keep the message bytes as sent, so DKIM and ARC signatures cannot be verified",
        )
    )
    return Sample(
        source=source,
        headers=headers,
        size=size,
        has_body=msg.has_text or bool(msg.attachments),
        parts=_parts(msg),
        problems=tuple(problems),
        raw=b"",
        **fields,
    )


def load_msg(data: bytes, source: str, size: int | None = None) -> Sample:
    """Read a .msg file's bytes into a sample.

    Raises:
        MsgError: See :func:`read_message`.
    """
    return to_sample(read_message(data), source, len(data) if size is None else size)
