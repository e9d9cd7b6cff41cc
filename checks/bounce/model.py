"""Frozen results of bounce / SMTP-reply analysis, the draft the parsers hand over, a dialect.

:mod:`mailtriage.checks.bounce.entry` re-exports :class:`Bounce` and :class:`BounceRecipient`; the
helper modules (DSN, non-standard NDR text, ARF) only produce :class:`Draft`
records, which :mod:`mailtriage.checks.bounce.entry` turns into classified recipients.
:class:`Dialect` is one row of the table in :mod:`mailtriage.checks.bounce.dialects`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mailtriage.checks.bounce.categories import NOT_FAILURES
from mailtriage.checks.model import LAYER_PRECEDENCE, Problem

MAX_DIAGNOSTIC = 1000
#: Recipients a notice reader returns at most.
MAX_RECIPIENTS = 100


@dataclass(frozen=True)
class BounceRecipient:
    """One recipient of a bounce / DSN / reply, classified.

    Attributes:
        recipient: The failed (or reported) address; ``""`` when none could be found.
        status: Enhanced status code such as ``"5.1.1"``, or ``None``.
        reply_code: Three-digit SMTP reply code such as ``"550"``, or ``None``.
        permanent: ``True`` for a 5xx failure, ``False`` for a 4xx one, ``None``
            when the bounce does not say (feedback reports, auto-replies).
        category: One of :data:`mailtriage.checks.bounce.categories.CATEGORIES`.
        remote_mta: The server that gave the answer (host name or IP), or ``None``.
        diagnostic: The raw diagnostic text, unfolded and capped at about 1000 chars.
        action: DSN ``Action`` (``failed``, ``delayed``, ``delivered``, ``relayed``,
            ``expanded``) or ``None``.
        meaning: What the category means, in plain words (plus vendor notes).
        next_step: What to do next, in plain words (plus vendor notes).
        layer: Where the problem lives: ``policy``, ``quarantine/release``,
            ``authentication``, ``verdict``, ``routing/connector`` or
            ``downstream/mailbox``.
    """

    recipient: str
    status: str | None
    reply_code: str | None
    permanent: bool | None
    category: str
    remote_mta: str | None
    diagnostic: str
    action: str | None
    meaning: str
    next_step: str
    layer: str

    @property
    def code(self) -> str:
        """Reply code and status together, e.g. ``"550 5.1.1"`` (``""`` when neither)."""
        return " ".join(x for x in (self.reply_code, self.status) if x)

    @property
    def failed_with_reason(self) -> bool:
        """Whether this recipient failed (or was delayed) for a reason the bounce names.

        A delivery notice, an auto-reply, a complaint, a recipient whose bounce gives no
        permanence and an unstated reason (``other``) do not count.
        """
        return (
            self.permanent is not None
            and self.category != "other"
            and self.category not in NOT_FAILURES
        )


@dataclass(frozen=True)
class Bounce:
    """A parsed bounce, DSN, NDR, bare SMTP reply, feedback report or auto-reply.

    Attributes:
        kind: ``"dsn"`` (machine-readable RFC 3464 report), ``"ndr"`` (human-readable
            non-delivery text only), ``"reply"`` (a pasted SMTP reply),
            ``"feedback"`` (ARF or similar complaint / DMARC failure report) or
            ``"autoreply"``.
        format: The dialect, e.g. ``"RFC 3464"``, ``"Postfix"``, ``"Exim"``,
            ``"Exchange/Office 365 NDR"``, ``"Gmail"``, ``"ARF"``.
        reporting_mta: The host that wrote the report, or ``None``.
        recipients: Classified recipients, in the order the report lists them.
        original_message_id: Message-ID of the message that bounced, or ``None``.
        original_headers_present: Whether the report carries the original headers.
        problems: What could not be parsed, or was guessed.
        original_headers: The returned original's header block as text (from a
            ``message/rfc822`` or ``text/rfc822-headers`` part), ``""`` when absent.
    """

    kind: str
    format: str
    reporting_mta: str | None
    recipients: tuple[BounceRecipient, ...]
    original_message_id: str | None
    original_headers_present: bool
    problems: tuple[Problem, ...] = ()
    original_headers: str = field(default="", repr=False)

    @property
    def deciding(self) -> BounceRecipient | None:
        """The recipient that decides what this bounce says, or ``None``.

        One rule for every view of a bounce with several recipients (the sample pane's
        Bounce row, ``mailtriage diff``, the playbook): among the recipients that failed
        for a stated reason (:attr:`BounceRecipient.failed_with_reason`), the one whose
        reason names the layer nearest the cause (:data:`LAYER_PRECEDENCE`: authentication
        before policy, verdict, routing, quarantine and the mailbox); a tie goes to the
        one the report lists first.
        """
        failed = [r for r in self.recipients if r.failed_with_reason]
        if not failed:
            return None
        rank = {layer: i for i, layer in enumerate(LAYER_PRECEDENCE)}
        return min(failed, key=lambda r: rank.get(r.layer, len(rank)))


@dataclass(frozen=True)
class Draft:
    """One recipient as a parser found it, before classification.

    Attributes:
        recipient: The address ("" when unknown).
        diagnostic: Diagnostic text (unfolded; may be "").
        status: Status the report states (DSN ``Status``), or ``None``.
        action: DSN ``Action`` or a guess (``"failed"`` / ``"delayed"``), or ``None``.
        remote_mta: Remote host, or ``None``.
    """

    recipient: str
    diagnostic: str = ""
    status: str | None = None
    action: str | None = None
    remote_mta: str | None = None


Reader = Callable[[str], list[Draft]]
"""Reads a notice's human-readable text: the recipients it names, or ``[]``."""


@dataclass(frozen=True)
class Dialect:
    """One MTA or provider whose bounces we name: a row of :mod:`mailtriage.checks.bounce.dialects`.

    Attributes:
        name: The bounce's ``format`` when this dialect is recognised, e.g. ``"Exim"``.
        marks: Lower-case substrings of the bounce's fingerprint text (sender,
            subject, reporting MTA, DSN field names, the start of the notice, the
            last Received field, X- header names, Message-ID and X-Mailer) that
            name this dialect; any one is enough.
        readers: The readers of this dialect's own notice wording, or ``()`` when
            the generic readers serve it.
    """

    name: str
    marks: tuple[str, ...]
    readers: tuple[Reader, ...] = ()
