"""The body of :mod:`checks.bounce.entry`: imported only once a sample looks like a bounce.

Its word lists compile many patterns; ordinary mail never needs them, so the
dashboard's first paint does not pay for them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from mailtriage.checks.bounce import arf as bouncearf
from mailtriage.checks.bounce import dialects as bouncedialects
from mailtriage.checks.bounce import dsn as bouncedsn
from mailtriage.checks.bounce import microsoft as bouncems
from mailtriage.checks.bounce import smtpreply
from mailtriage.checks.bounce import support as bouncesupport
from mailtriage.checks.bounce import text as bouncetext
from mailtriage.checks.bounce import vendors as bouncevendor
from mailtriage.checks.bounce.classify import classify
from mailtriage.checks.bounce.mime import ORIGINAL_TYPES, REPORT_TYPES, Part, walk
from mailtriage.checks.bounce.model import Bounce, Draft
from mailtriage.checks.bounce.rules import by_text
from mailtriage.checks.model import Problem, Sample

MAX_TEXT = 256 * 1024
MAX_RECIPIENTS = 100
_REPORTER = re.compile(
    r"(?:mail system at host|qmail-send program at|mail agent v[\d.]{1,20} at|generating server:)"
    r"[ \t]*([\w.-]{1,253})",
    re.I,
)
_PHRASES = re.compile(
    r"could not be delivered|undeliverable|delivery (?:has )?failed|not be delivered|"
    r"was not delivered|failed permanently|returned to sender|mailbox is full|user unknown",
    re.I,
)
_DELAY = re.compile(
    r"\(delay\)|delivery (?:has been )?delayed|will (?:keep trying|retry|continue)|"
    r"this is a warning|warning: could not send|delayed mail",
    re.I,
)


def parse_sample(sample: Sample, hint: str) -> Bounce | None:
    """Parse a sample that :func:`mailtriage.checks.bounce.detect.sniff` flagged with ``hint``."""
    try:
        parts, notes = walk(sample.headers, sample.raw) if sample.raw else ([], [])
        found = _parse(sample, hint, parts, notes)
        original = next((p.text for p in parts if p.ctype in ORIGINAL_TYPES and p.text.strip()), "")
        return replace(found, original_headers=original) if found and original else found
    except Exception as exc:  # last-resort guard: hostile input never raises
        why = Problem("Bounce", f"could not be parsed ({type(exc).__name__})")
        return None if hint == "maybe" else Bounce(hint, "unknown", None, (), None, False, (why,))


def _parse(sample: Sample, hint: str, parts: list[Part], notes: list[str]) -> Bounce | None:
    problems = [Problem("Bounce", n) for n in notes]
    full = "\n".join(p.text for p in parts if p.ctype == "text/plain")[:MAX_TEXT]
    cut = bouncetext.copy_cut(full.lower())
    notice = full[:cut]
    rich = "\n".join(p.text for p in parts if p.ctype == "text/html")[:MAX_TEXT]
    rich_notice = rich[: bouncetext.copy_cut(rich.lower())]
    msgid, present = bouncesupport.original(sample, parts, full, cut)
    if hint == "feedback" or any(p.ctype == "message/feedback-report" for p in parts):
        fmt, mta, fb = bouncearf.feedback(sample, parts)
        return Bounce("feedback", fmt, mta, fb, msgid, present, tuple(problems))
    reports = [bouncedsn.parse(p.text) for p in parts if p.ctype in REPORT_TYPES]
    if not any(r.recipients for r in reports):
        embedded = bouncedsn.find_fields(full)
        if embedded is not None:
            reports = [embedded]
            problems.append(
                Problem("Bounce", "delivery-status fields found in plain text (broken MIME)")
            )
    drafts = [d for r in reports for d in r.recipients][:MAX_RECIPIENTS]
    reporting = next((r.reporting_mta for r in reports if r.reporting_mta), None)
    fields = next((r.fields for r in reports if r.fields), {})
    failed = bouncesupport.header_list(sample, "X-Failed-Recipients")
    text_dialect, texts = bouncedialects.read(notice)
    if not texts and rich_notice.strip():  # the HTML alternative (Exchange) may carry the details
        text_dialect, texts = bouncedialects.read(rich_notice)
    kind = "dsn" if drafts else "ndr"
    if drafts:
        named = tuple(d.recipient for d in drafts)
        drafts = [
            bouncesupport.complete(d, i, failed, texts, notice, named) for i, d in enumerate(drafts)
        ]
    elif texts:
        drafts = texts[:MAX_RECIPIENTS]
    else:
        if hint == "autoreply":
            who = bouncearf.autoreply(sample, notice)
            return Bounce(
                "autoreply", "RFC 3834 auto-reply", None, (who,), msgid, present, tuple(problems)
            )
        exclude = {a.addr.lower() for a in (*sample.to, *sample.from_, *sample.cc)}
        rcpts = failed or bouncesupport.addresses(notice, exclude)
        if hint == "maybe" and not (rcpts and _PHRASES.search(notice[:20000])):
            return None
        others = tuple(rcpts)
        drafts = [
            Draft(
                r,
                bouncetext.window(notice, r, others=others) or bouncetext.window(notice, ""),
                action="failed",
            )
            for r in rcpts
        ]
    if kind == "ndr" and _DELAY.search(f"{sample.subject or ''}\n{notice[:3000]}"):
        drafts = [
            Draft(d.recipient, d.diagnostic, d.status, "delayed", d.remote_mta)
            if d.action == "failed"
            else d
            for d in drafts
        ]
    if reporting is None:
        m = _REPORTER.search(notice[:5000])
        reporting = m.group(1).rstrip(".") if m else None
    fingerprint = bouncesupport.fingerprint(sample, reporting, fields, notice)
    name = bouncedialects.dialect(fingerprint) or text_dialect
    if name is None:
        name = "RFC 3464" if kind == "dsn" else "unknown NDR"
    recipients = tuple(classify(d, name == bouncems.EXCHANGE.name, reporting) for d in drafts)
    if not recipients:
        problems.append(Problem("Bounce", "no failed recipient could be found"))
    return Bounce(kind, name, reporting, recipients, msgid, present, tuple(problems))


def parse_reply(text: str) -> Bounce | None:
    """The body of :func:`mailtriage.checks.bounce.entry.parse_reply` (see there)."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text[: smtpreply.MAX_REPLY]
    try:
        return _parse_reply(text)
    except Exception as exc:  # last-resort guard
        why = Problem("Reply", f"could not be parsed ({type(exc).__name__})")
        return Bounce("reply", "SMTP reply", None, (), None, False, (why,))


def _parse_reply(text: str) -> Bounce | None:
    report = bouncedsn.find_fields(text)
    dialect, drafts = (None, list(report.recipients)) if report else bouncedialects.read(text)
    if not drafts:
        angled = bouncesupport.ANGLED.search(text)
        drafts = [
            Draft(angled.group(1) if angled else "", text, remote_mta=bouncetext.remote_host(text))
        ]
    first = smtpreply.parse(drafts[0].diagnostic)
    reporter = report.reporting_mta if report else None
    vendors = bouncevendor.matches(first.text, drafts[0].remote_mta, None, reporter)
    microsoft = bool(
        bouncems.lookup(first.status, False)
        or bouncems.CONTEXT.search(first.text.lower())
        or "remote server returned" in text.lower()
    )
    if not (first.reply_code or first.status or vendors or by_text(first.text) or report):
        return None
    fmt = bouncems.EXCHANGE.name if microsoft else (vendors[0].vendor if vendors else dialect)
    recipients = tuple(classify(d, microsoft, reporter) for d in drafts[:MAX_RECIPIENTS])
    return Bounce(
        "reply",
        fmt or "SMTP reply",
        reporter,
        recipients,
        None,
        False,
        (),
    )
