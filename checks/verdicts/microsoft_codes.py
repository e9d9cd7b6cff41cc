"""Microsoft 365 / Exchange anti-spam codes, as tables.

Sources: Microsoft Learn "Anti-spam message headers in cloud organizations",
"Spam confidence level (SCL)", "Bulk complaint level (BCL)", "Advanced Spam
Filter (ASF) settings", "Troubleshoot anti-spam policies" and, for on-premises
Exchange, "Anti-spam stamps". ``X-Microsoft-Antispam-Mailbox-Delivery`` is not
documented by Microsoft: its labels give the usual community reading and say so.
"""

from __future__ import annotations

from mailtriage.checks.verdicts.model import NOT_DOCUMENTED, as_int

#: SFV code -> (plain words, decision word).
SFV = {
    "NSPM": ("not spam", "not spam"),
    "SPM": ("marked spam by spam filtering", "spam"),
    "SKS": ("marked spam before filtering (mail flow rule, or on-premises Exchange)", "spam"),
    "SKB": ("marked spam: sender on the policy's blocked senders/domains", "spam"),
    "BLK": ("junked: sender on the user's Blocked Senders list", "blocked"),
    "SKN": ("filtering skipped: a mail flow rule set SCL -1 (bypass)", "allowed"),
    "SKA": ("filtering skipped: sender on the policy's allowed senders/domains", "allowed"),
    "SFE": ("filtering skipped: sender on the user's Safe Senders list", "allowed"),
    "SKI": ("filtering skipped for another reason (internal mail, or IP Allow List)", "allowed"),
    "SKQ": ("released from quarantine", "released"),
}
SPAM_SFV = frozenset({"SPM", "SKS", "SKB", "BLK"})
BYPASS_SFV = frozenset({"SKN", "SKA", "SFE", "SKI"})
#: SFV codes where Microsoft says spam filtering was skipped: the SCL that goes with them
#: was set by a rule or a sender list, not by the filter's own judgement.
FILTER_SKIPPED_SFV = frozenset({"SKS", "SKB", "BLK"}) | BYPASS_SFV
#: SFV codes set by the recipient's own sender lists (Blocked / Safe Senders).
USER_LIST_SFV = frozenset({"BLK", "SFE"})

#: CAT code -> (plain words, decision word).
CAT = {
    "NONE": ("no threat", "clean"),
    "SPM": ("spam", "spam"),
    "HSPM": ("high confidence spam", "spam"),
    "OSPM": ("outbound spam", "spam"),
    "BULK": ("bulk", "bulk"),
    "PHSH": ("phishing", "phish"),
    "HPHSH": ("high confidence phishing", "phish"),
    "HPHISH": ("high confidence phishing", "phish"),
    "INTOS": ("intra-organisation phishing", "phish"),
    "SPOOF": ("spoofing", "spoof"),
    "DIMP": ("domain impersonation", "impersonation"),
    "UIMP": ("user impersonation", "impersonation"),
    "GIMP": ("mailbox-intelligence impersonation", "impersonation"),
    "BIMP": ("brand impersonation", "impersonation"),
    "MALW": ("malware", "malware"),
    "AMP": ("anti-malware policy", "malware"),
    "FTBP": ("blocked attachment file type", "malware"),
    "SAP": ("Safe Attachments", "malware"),
}
DEST = {"I": "Inbox", "J": "Junk Email", "C": "custom folder"}

FOREFRONT = {
    "ARC": "ARC details the filter recorded",
    "CAT": "threat policy category applied",
    "CIP": "connecting IP address (usable in the IP Allow/Block List)",
    "CTRY": "country/region of the connecting IP",
    "DIR": "message direction",
    "H": "HELO/EHLO name the connecting server gave",
    "IPV": "IP (connection filter) verdict",
    "LANG": "language the message is written in",
    "PTR": "reverse DNS (PTR) of the connecting IP",
    "SCL": "spam confidence level",
    "PCL": "phishing confidence level",
    "SFTY": "safety tip / phishing marker",
    "SFV": "spam filtering verdict",
    "SRV": "bulk mail verdict",
    "X-CustomSpam": "Advanced Spam Filter (ASF) setting that matched",
    "SFS": "IDs of spam-filter rules that matched (readable only by Microsoft)",
    "SRVR": "Microsoft server that filtered it (diagnostic)",
    "EFV": NOT_DOCUMENTED + " (Microsoft diagnostic value)",
    "SFP": NOT_DOCUMENTED + " (Microsoft diagnostic value)",
}
FOREFRONT_VALUES = {
    "IPV": {"CAL": "IP on the IP Allow List: spam filtering skipped", "NLI": "IP on no list"},
    "DIR": {"INB": "inbound", "OUT": "outbound", "INT": "internal"},
    "SRV": {"BULK": "identified as bulk by the BCL threshold"},
    "SFTY": {
        "9.19": "domain impersonation",
        "9.20": "user impersonation",
        "9.25": "first-contact safety tip",
    },
    "SFV": {k: v[0] for k, v in SFV.items()},
    "CAT": {k: v[0] for k, v in CAT.items()},
}
ANTISPAM = {
    "BCL": "bulk complaint level",
    "PCL": "phishing confidence level",
    "RULEID": "rule IDs (readable only by Microsoft)",
    "ARA": "rule IDs (readable only by Microsoft)",
    "SRVR": "Microsoft server that filtered it (diagnostic)",
    "UriScan": "URL scan data (readable only by Microsoft)",
}
MAILBOX = {
    "dest": "folder the mailbox delivered it to",
    "ucf": "user custom filter flag (undocumented; 1 usually means an inbox rule acted)",
    "jmr": "junk mail rule flag (undocumented; 1 usually means the user's junk "
    "settings or blocked senders junked it)",
    "auth": "sender authentication flag (undocumented; 1 usually means it authenticated)",
    "OFR": "the mailbox-level filter that decided the folder (undocumented)",
    "RF": "mailbox rule folder action (undocumented)",
    "abwl": "allow/block list flag (undocumented)",
    "wl": "allow-list flag (undocumented)",
    "dwl": "domain allow-list flag (undocumented)",
    "ENG": "engine rule IDs (readable only by Microsoft)",
}
MAILBOX_VALUES = {
    "dest": {"I": "Inbox", "J": "Junk Email", "C": "a custom folder (an inbox rule moved it)"},
    "OFR": {
        "CustomRules": "an inbox rule moved it",
        "ExclusiveSettings": "the mailbox trusts only its safe lists (safe-lists-only junk "
        "option), so other senders go to Junk",
        "TrustedListBlocked": "the user's junk e-mail lists (blocked senders) sent it to Junk",
        "SpamFilterAuthJ": "the service's spam verdict sent it to Junk",
    },
    "RF": {"JunkEmail": "moved to Junk Email"},
}
AUTH_AS = {
    "Anonymous": "unauthenticated sender (ordinary mail from the internet)",
    "Internal": "sender inside the organisation",
    "External": "authenticated external sender",
    "Partner": "partner connection secured by a connector (domain security)",
}
FROM_ENTITY = {
    "Internet": "arrived from the internet",
    "Hosted": "sent from a cloud mailbox in a Microsoft 365 tenant",
    "HybridOnPrem": "arrived from the tenant's on-premises (hybrid) Exchange",
}
ONPREM_REPORT = {
    "DV": "content filter data version",
    "CW": "custom word list matched",
    "PCL": "phishing verdict",
    "P100": "phishing block list matched",
    "PP": "decided early (presolve)",
    "SID": "Sender ID result",
    "TIME": "time-based features used",
    "MIME": "MIME compliance problem found",
    "OrigIP": "original sending IP",
    "Service": "filtering service (EHS = Exchange Hosted Services)",
}


def scl_words(scl: str | None) -> str:
    """Describe a spam confidence level, e.g. ``"6 (spam)"``."""
    n = as_int(scl)
    if n is None:
        return "not given"
    if n < 0:
        return f"{n} (spam filtering skipped)"
    if n >= 7:
        return f"{n} (high confidence spam)"
    return f"{n} ({'spam' if n >= 5 else 'not spam'})"


def bcl_words(bcl: str | None) -> str:
    """Describe a bulk complaint level, e.g. ``"6 (bulk, mixed complaints)"``."""
    n = as_int(bcl)
    if n is None:
        return "not given"
    if n <= 0:
        return f"{n} (not from a bulk sender)"
    if n <= 3:
        return f"{n} (bulk sender, few complaints)"
    return f"{n} (bulk sender, {'many' if n >= 8 else 'mixed'} complaints)"


def pcl_words(pcl: str | None) -> str:
    """Describe a phishing confidence level."""
    n = as_int(pcl)
    if n is None:
        return "not given"
    return f"{n} ({'likely phishing' if n >= 4 else 'not likely phishing'})"
