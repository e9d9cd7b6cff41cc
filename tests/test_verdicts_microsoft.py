"""Microsoft 365 headers: field meanings and the combined filter + mailbox placement line.

Fixtures: the X-Forefront-Antispam-Report values are the examples published in
Microsoft Learn "Troubleshoot anti-spam policies" (section "Real-world header
examples") and "Anti-spam message headers"; the two
X-Microsoft-Antispam-Mailbox-Delivery values were posted in the public Microsoft
Q&A thread 416100 ("What is meanings of X-Microsoft-Antispam-Mailbox-Delivery and
OFR:CustomRules"). Combinations of the two are built from those values. The
X-Forefront-Antispam-Report-Untrusted value is from a public linux-kernel list
message sent from a Microsoft 365 tenant.
"""

from __future__ import annotations

import pytest
from mailtriage.checks.message.loader import load_bytes
from mailtriage.checks.model import Sample
from mailtriage.checks.verdicts import decode, find_verdicts, microsoft_placement, quarantine_signal

BASE = "From: a@sender.example\nTo: b@rcpt.example\nSubject: t\nMessage-ID: <1@sender.example>\n"
# Microsoft Learn, "Real-world header examples" (whitespace as published).
SPAM = (
    "CIP:198.51.100.50;CTRY:US;LANG:en; SFV:SPM;IPV:NLI;SRV:;H:mail.adatum.com;PTR:mail.adatum.com;"
)
SPAM += " CAT:SPM;SFTY:;DIR:INB;"
BYPASS_RULE = "CIP:203.0.113.10;CTRY:GB;LANG:en; SFV:SKN;IPV:NLI;SRV:;H:partner-mail.contoso.com;"
BYPASS_RULE += " CAT:NONE;DIR:INB;"
ALLOW_IP = (
    "CIP:192.0.2.25;CTRY:DE;LANG:de; SFV:SKI;IPV:CAL;SRV:;H:smtp.fabrikam.de; CAT:NONE;DIR:INB;"
)
SAFE = "CIP:203.0.113.55;CTRY:IN;LANG:en; SFV:SFE;IPV:NLI;SRV:;CAT:NONE;DIR:INB;"
SPOOF = "CIP:198.51.100.77;CTRY:US;LANG:en; SFV:SPM;IPV:NLI;SRV:;CAT:SPOOF;DIR:INB;"
CLEAN = "CIP:192.0.2.18;CTRY:US;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:mail.fabrikam.example;"
CLEAN += "PTR:mail.fabrikam.example;CAT:NONE;SFTY:;DIR:INB;"
# Microsoft Q&A thread 416100.
BOX_JMR = "ucf:0;jmr:1;auth:0;dest:J;ENG:(20160513016)(750129)(520011016)(944506458)(944626604);"
BOX_RULE = "ucf:1;jmr:0;auth:0;dest:J;OFR:CustomRules;ENG:(20160514016)(750129)(520011016);"


def _sample(*headers: tuple[str, str]) -> Sample:
    text = BASE + "".join(f"{n}: {v}\n" for n, v in headers)
    return load_bytes((text + "\nbody\n").encode(), "test")


def test_forefront_field_meanings() -> None:
    got = decode("X-Forefront-Antispam-Report", SPAM)
    assert got is not None and got.verdict == "spam"
    meanings = {f.key: f.meaning for f in got.fields}
    assert meanings["SFV"] == "spam filtering verdict: marked spam by spam filtering"
    assert meanings["IPV"].endswith("IP on no list")
    assert meanings["DIR"].endswith("inbound")
    assert meanings["CAT"].endswith(": spam")
    assert got.get("H") == "mail.adatum.com" and got.get("SRV") == ""
    assert "marked spam by spam filtering" in got.meaning and "198.51.100.50" in got.meaning


@pytest.mark.parametrize(
    ("value", "verdict", "needle"),
    [
        (BYPASS_RULE, "allowed", "mail flow rule set SCL -1"),
        (ALLOW_IP, "allowed", "IP on the IP Allow List"),
        (SAFE, "allowed", "Safe Senders"),
        (SPOOF, "spoof", "spoofing"),
        ("SFV:SKQ;SCL:1;CAT:NONE;", "released", "released from quarantine"),
        ("SFV:NSPM;SCL:1;CAT:BULK;SRV:BULK;", "bulk", "bulk"),
        ("SFV:SPM;SCL:9;CAT:HPHSH;SFTY:9.20;", "phish", "high confidence phishing"),
        ("SFV:BLK;SCL:6;", "blocked", "Blocked Senders"),
        ("EFV:NLI;", None, "without verdict fields"),
    ],
)
def test_forefront_verdicts(value: str, verdict: str | None, needle: str) -> None:
    got = decode("X-Forefront-Antispam-Report", value)
    assert got is not None
    assert got.verdict == verdict
    assert needle in got.meaning


def test_sfty_scl_and_custom_spam_meanings() -> None:
    got = decode("X-Forefront-Antispam-Report", "SCL:9;SFTY:9.25;X-CustomSpam: Web bug;PCL:5;")
    assert got is not None
    meanings = {f.key: f.meaning for f in got.fields}
    assert meanings["SCL"].endswith("9 (high confidence spam)")
    assert meanings["SFTY"].endswith("first-contact safety tip")
    assert meanings["X-CustomSpam"].startswith("Advanced Spam Filter")
    assert meanings["PCL"].endswith("5 (likely phishing)")
    asf = decode("X-CustomSpam", "Web bug")
    assert asf is not None and asf.verdict == "spam" and "Web bug" in asf.meaning
    test_mode = decode("X-CustomSpam", "This message was filtered by the custom spam filter option")
    assert test_mode is not None and test_mode.verdict is None


def test_untrusted_report_is_the_senders_tenant() -> None:
    value = "CIP:255.255.255.255; CTRY:; LANG:en; SCL:1; SRV:; IPV:NLI; SFV:NSPM; "
    value += "H:JN3P275MB2310.ZAFP275.PROD.OUTLOOK.COM; PTR:; CAT:NONE; SFS:(13230040)(366016); "
    value += "DIR:OUT; SFP:1102"
    got = decode("X-Forefront-Antispam-Report-Untrusted", value)
    assert got is not None and got.verdict is None
    assert got.meaning.startswith("Sender's own tenant") and got.get("SFP") == "1102"
    assert {f.key: f.meaning for f in got.fields}["SFP"].startswith("not documented")


def test_antispam_bcl_and_mailbox_fields() -> None:
    anti = decode("X-Microsoft-Antispam", "BCL:8;PCL:0;RULEID:(5000109);SRVR:HE1EUR01HT085;")
    assert anti is not None and anti.verdict == "bulk" and "many complaints" in anti.meaning
    box = decode("X-Microsoft-Antispam-Mailbox-Delivery", BOX_RULE)
    assert box is not None and box.verdict == "junk"
    meanings = {f.key: f.meaning for f in box.fields}
    assert meanings["OFR"].endswith("an inbox rule moved it")
    assert meanings["dest"].endswith("Junk Email") and "undocumented" in meanings["ucf"]


@pytest.mark.parametrize(
    ("forefront", "box", "verdict", "line"),
    [
        (SPAM, "ucf:0;jmr:0;auth:1;dest:I;", "inbox",
         "marked spam (SFV:SPM, CAT:SPM) but delivered to the Inbox (an allow entry, transport "
         "rule or safe-sender override is the usual reason)"),
        (CLEAN, BOX_JMR, "junk",
         "not spam (SFV:NSPM, SCL 1) but moved to Junk by the user's junk rule / blocked senders"),
        (CLEAN, BOX_RULE, "junk", "not spam (SFV:NSPM, SCL 1) but moved to Junk by an inbox rule"),
        (CLEAN, "ucf:0;jmr:0;dest:J;OFR:ExclusiveSettings;", "junk",
         "but moved to Junk because the mailbox accepts only its safe senders"),
        (CLEAN, "ucf:0;jmr:0;dest:J;OFR:TrustedListBlocked;", "junk",
         "by the user's junk rule / blocked senders"),
        (SPAM, "ucf:0;jmr:0;auth:1;dest:J;OFR:SpamFilterAuthJ;", "junk",
         "marked spam (SFV:SPM, CAT:SPM) and delivered to Junk Email by the anti-spam policy"),
        ("SFV:SPM;SCL:5;", "ucf:0;jmr:1;dest:J;", "junk",
         "marked spam (SFV:SPM, SCL 5) and delivered to Junk Email by the anti-spam policy"),
        ("SFV:SPM;SCL:5;", "ucf:0;jmr:1;dest:J;RF:JunkEmail;", "junk",
         "marked spam (SFV:SPM, SCL 5) and delivered to Junk Email by the anti-spam policy"),
        (SAFE, "ucf:0;jmr:1;dest:J;RF:JunkEmail;", "junk",
         "Safe Senders list (SFV:SFE), yet it landed in Junk by the user's junk rule"),
        (CLEAN, "ucf:0;jmr:0;dest:I;", "inbox",
         "not spam (SFV:NSPM, SCL 1) and delivered to the Inbox"),
        ("SFV:SKQ;SCL:1;", "dest:I;", "released",
         "released from quarantine and delivered to Inbox"),
        (CLEAN, "ucf:1;dest:C;", None, "moved to a custom folder by an inbox rule"),
    ],
)  # fmt: skip
def test_combined_placement(forefront: str, box: str, verdict: str | None, line: str) -> None:
    s = _sample(
        ("X-Microsoft-Antispam-Mailbox-Delivery", box),
        ("X-Forefront-Antispam-Report", forefront),
    )
    found = {v.name: v for v in find_verdicts(s)}
    placed = found["X-Microsoft-Antispam-Mailbox-Delivery"]
    assert placed.meaning.startswith("Microsoft 365: ")
    assert line in placed.meaning
    assert placed.verdict == verdict
    assert microsoft_placement(find_verdicts(s)) == placed.meaning


def test_org_scl_alone_and_forefront_without_mailbox() -> None:
    s = _sample(("X-MS-Exchange-Organization-SCL", "6"), ("X-Microsoft-Antispam-Mailbox-Delivery",
                "dest:I;"))  # fmt: skip
    assert "marked spam (SCL 6) but delivered to the Inbox" in (
        microsoft_placement(find_verdicts(s)) or ""
    )
    only = _sample(("X-Forefront-Antispam-Report", SPAM))
    line = microsoft_placement(find_verdicts(only)) or ""
    assert "the anti-spam policy action decides where it went" in line
    assert microsoft_placement(find_verdicts(_sample(("X-Mailer", "x")))) is None


def test_junk_signal_carries_the_reason() -> None:
    s = _sample(("X-Microsoft-Antispam-Mailbox-Delivery", BOX_JMR), ("X-Forefront-Antispam-Report",
                CLEAN))  # fmt: skip
    signal = quarantine_signal(find_verdicts(s)) or ""
    assert "Junk Email folder (dest:J)" in signal and "blocked senders" in signal


def test_exchange_identity_headers() -> None:
    cases = {
        "X-MS-Exchange-Organization-AuthAs": ("Internal", "inside the organisation"),
        "X-MS-Exchange-CrossTenant-AuthAs": ("Anonymous", "unauthenticated"),
        "X-MS-Exchange-CrossTenant-FromEntityHeader": ("HybridOnPrem", "on-premises"),
        "X-MS-Exchange-CrossTenant-Id": ("f3e5b271-16f7-46b9-bdb3-4271ac933ef0", "tenant ID"),
        "X-MS-Exchange-Organization-Network-Message-Id": ("c3bfc1a7", "message trace"),
        "X-MS-Exchange-Transport-CrossTenantHeadersStamped": ("PAZP264MB2750", "stamped"),
        "X-MS-Exchange-CrossTenant-SomethingNew": ("1", "not documented"),
        "X-Microsoft-Antispam-Message-Info": ("AbCd==", "encoded"),
        "X-MS-Exchange-Organization-AuthMechanism": ("04", "not publicly documented"),
    }
    for name, (value, needle) in cases.items():
        got = decode(name, value)
        assert got is not None and got.vendor == "Microsoft", name
        assert needle in got.meaning and got.raw == value, name
    onprem = decode(
        "X-MS-Exchange-Organization-Antispam-Report",
        "DV:3.1.3924.1409;SID:SenderIDStatus Fail;PCL:PhishingLevel SUSPICIOUS;CW:CustomList",
    )  # value from Microsoft's "Anti-spam stamps" article
    assert onprem is not None and onprem.get("SID") == "SenderIDStatus Fail"
    assert {f.key: f.meaning for f in onprem.fields}["DV"] == "content filter data version"
