"""One line on where Microsoft 365 put a message and why.

The filter verdict (``SFV``/``SCL``/``CAT`` from ``X-Forefront-Antispam-Report``,
or ``X-MS-Exchange-Organization-SCL``) and the mailbox placement
(``X-Microsoft-Antispam-Mailbox-Delivery``: ``dest``, ``jmr``, ``ucf``, ``OFR``,
``RF``) often disagree: a message marked spam can land in the Inbox because of
an allow entry, and a clean one in Junk because of the user's own lists. This
module says which case the headers show.
"""

from __future__ import annotations

from collections.abc import Mapping

from mailtriage.checks.verdicts.microsoft_codes import (
    BYPASS_SFV,
    CAT,
    DEST,
    FILTER_SKIPPED_SFV,
    SFV,
    SPAM_SFV,
)
from mailtriage.checks.verdicts.model import as_int, show

# Spam verdicts a rule or a list set before the filter ran (SFV:SKS, SKB, BLK).
_LISTED = FILTER_SKIPPED_SFV - BYPASS_SFV
_INBOX_OVERRIDE = "an allow entry, transport rule or safe-sender override is the usual reason"


def filter_scl(ff: Mapping[str, str], org_scl: str | None) -> int | None:
    """The spam confidence level of the filter verdict.

    The ``SCL`` field of ``X-Forefront-Antispam-Report`` is the filter's own
    record ("Anti-spam message headers in Microsoft 365" documents it there,
    next to ``SFV`` and ``CAT``); ``X-MS-Exchange-Organization-SCL`` is read only
    when the report has none. The organisation header carries a message property
    that any transport agent may set ([MS-OXCMAIL] 2.1.3.2.24), so it does not
    override the filter's report.

    Args:
        ff: ``X-Forefront-Antispam-Report`` fields, keys in lower case (may be empty).
        org_scl: ``X-MS-Exchange-Organization-SCL`` value, or ``None``.
    """
    scl = as_int(ff.get("scl"))
    return as_int(org_scl) if scl is None else scl


def dest_code(box: Mapping[str, str]) -> str:
    """The folder code (``dest``, e.g. ``"J"``) of mailbox-delivery fields, ``""`` if none."""
    return box.get("dest", "").strip().upper()


def _filter_state(ff: Mapping[str, str], org_scl: str | None) -> tuple[str, str]:
    """Classify the filter verdict: ``(state, words)``."""
    sfv = ff.get("sfv", "").upper()
    cat = ff.get("cat", "").upper()
    scl = filter_scl(ff, org_scl)
    shown = [f"SFV:{show(sfv, 12)}" if sfv else "", f"SCL {scl}" if scl is not None else ""]
    if cat and cat != "NONE":
        shown.append(f"CAT:{show(cat, 12)}")
    evidence = ", ".join(s for s in shown if s) or "no codes"
    cat_word = CAT.get(cat, ("", ""))[1]
    if sfv == "SKQ":
        return "released", "released from quarantine"
    if sfv in _LISTED:
        # A mail flow rule or a blocked senders list marked it, not the spam filter.
        return "spam", f"{SFV[sfv][0]} ({evidence})"
    if sfv in SPAM_SFV or (scl is not None and scl >= 5) or cat_word in ("phish", "malware"):
        kind = CAT[cat][0] if cat in CAT and cat != "NONE" else "spam"
        return "spam", f"marked {kind} ({evidence})"
    if sfv in BYPASS_SFV or scl == -1:
        words = SFV[sfv][0] if sfv in SFV else "spam filtering skipped (SCL -1)"
        return "bypassed", f"{words} ({evidence})"
    if sfv == "NSPM" or (scl is not None and 0 <= scl < 5):
        return "clean", f"not spam ({evidence})"
    return "unknown", "no filter verdict recorded"


def _junk_reason(box: Mapping[str, str]) -> str:
    """Why the mailbox itself junked a message that the filter did not call spam."""
    ofr = box.get("ofr", "")
    if "ExclusiveSettings" in ofr:
        return "because the mailbox accepts only its safe senders (safe-lists-only option)"
    if "TrustedListBlocked" in ofr or box.get("jmr") == "1" or box.get("rf") == "JunkEmail":
        return "by the user's junk rule / blocked senders"
    if "CustomRules" in ofr or box.get("ucf") == "1":
        return "by an inbox rule"
    if "SpamFilterAuthJ" in ofr:
        return "by the service's junk filtering"
    return (
        "by the mailbox's own junk handling (check blocked senders, the safe-lists-only "
        "option and inbox rules)"
    )


def placement(
    ff: Mapping[str, str], org_scl: str | None, box: Mapping[str, str]
) -> tuple[str, str | None]:
    """Combine the filter verdict with the mailbox placement.

    Args:
        ff: ``X-Forefront-Antispam-Report`` fields, keys in lower case (may be empty).
        org_scl: ``X-MS-Exchange-Organization-SCL`` value, or ``None``.
        box: ``X-Microsoft-Antispam-Mailbox-Delivery`` fields, lower-case keys
            (may be empty when the message never reached a mailbox).

    Returns:
        One plain line starting ``"Microsoft 365: "`` and a decision word.
    """
    state, words = _filter_state(ff, org_scl)
    dest = dest_code(box)
    where = DEST.get(dest)
    if where is None:
        if state == "spam":
            line = f"{words}; the anti-spam policy action decides where it went (Junk by "
            line += "default, quarantine under the strict presets)"
            return "Microsoft 365: " + line, "spam"
        return "Microsoft 365: " + words, {"clean": "not spam", "bypassed": "allowed"}.get(state)
    if dest == "C":
        lead = "" if state == "unknown" else f"{words} and "
        return f"Microsoft 365: {lead}moved to a custom folder by an inbox rule", None
    if state == "released":
        return f"Microsoft 365: released from quarantine and delivered to {where}", "released"
    if dest == "I":
        if state == "spam":
            line = f"{words} but delivered to the Inbox ({_INBOX_OVERRIDE})"
            return "Microsoft 365: " + line, "inbox"
        if state == "unknown":
            return "Microsoft 365: delivered to the Inbox", "inbox"
        return f"Microsoft 365: {words} and delivered to the Inbox", "inbox"
    if state == "spam":
        # jmr:1 / RF:JunkEmail are also what the spam policy's Junk action stamps, so the
        # user-rule reading below is kept for clean and bypassed verdicts only.
        by = "" if ff.get("sfv", "").upper() in _LISTED else " by the anti-spam policy"
        return f"Microsoft 365: {words} and delivered to Junk Email{by}", "junk"
    reason = _junk_reason(box)
    if state == "clean":
        return f"Microsoft 365: {words} but moved to Junk {reason}", "junk"
    if state == "bypassed":
        return f"Microsoft 365: {words}, yet it landed in Junk {reason}", "junk"
    return f"Microsoft 365: delivered to Junk Email {reason}", "junk"
