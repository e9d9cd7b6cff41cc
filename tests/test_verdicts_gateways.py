"""Barracuda, Cisco (IronPort), Sophos and Trend Micro headers.

Real values, copied from public mailing-list archives (lore.kernel.org):
Barracuda from linux-kernel / linux-can / git list posts (2019-2023); Cisco
X-IronPort-* from a git@vger.kernel.org post (2013); Sophos Email from
linux-kernel posts (2022-2024); Trend Micro IMSS and ScanMail from
linux-kernel / dri-devel posts (2022-2024). Where no public sample shows a
decision, fixtures follow the vendor's public documentation and say which:
Barracuda's quarantined example is the one on the UMIACS "Barracuda Spam
Firewall scoring" help page; Cisco AMP and mail-flow values come from Cisco's
technote "X-headers on the ESA" (118900) and the AsyncOS guide's predefined
mail flow policies; Trend Micro's old result layout and the base64 layout of
X-TM-AS-SMTP follow Trend Micro KB KA-0001462 (values are example.com ones).
"""

from __future__ import annotations

import base64

import pytest
from mailtriage.checks.message.loader import load_bytes
from mailtriage.checks.verdicts import VerdictHeader, decode, find_verdicts, quarantine_signal

BARRACUDA = """\
X-Barracuda-Connect: ZXSHMBX2.zhaoxin.com[10.28.252.164]
X-Barracuda-Start-Time: 1683375338
X-Barracuda-Encrypted: ECDHE-RSA-AES128-GCM-SHA256
X-Barracuda-URL: https://10.28.252.36:4443/cgi-mod/mark.cgi
X-Virus-Scanned: by bsmtpd at zhaoxin.com
X-Barracuda-Scan-Msg-Size: 2123
X-Barracuda-BRTS-Status: 1
X-Barracuda-Bayes: INNOCENT GLOBAL 0.0000 1.0000 -2.0210
X-Barracuda-Spam-Score: 1.09
X-Barracuda-Spam-Status: No, SCORE=1.09 using global scores of TAG_LEVEL=1000.0 QUARANTINE_LEVEL=1000.0 KILL_LEVEL=9.0 tests=DATE_IN_FUTURE_06_12, DATE_IN_FUTURE_06_12_2
X-Barracuda-Spam-Report: Code version 3.2, rules version 3.2.3.108401
        Rule breakdown below
         pts rule name              description
        ---- ---------------------- --------------------------------------------------
        0.01 DATE_IN_FUTURE_06_12   Date: is 6 to 12 hours after Received: date
        3.10 DATE_IN_FUTURE_06_12_2 DATE_IN_FUTURE_06_12_2
X-ASG-Orig-Subj: [RFC PATCH v2 0/6] various documentation bits
"""  # noqa: E501
IRONPORT = """\
X-IronPort-Anti-Spam-Filtered: true
X-IronPort-Anti-Spam-Result: ApAGABc5bFJOl3ep/2dsb2JhbABZgweJXbV0CoEfF3RpgSEWAQQBAQUIAQEuHgEBIQsC
X-IPAS-Result: ApAGABc5bFJOl3ep/2dsb2JhbABZgweJXbV0CoEfF3RpgSEWAQQBAQUIAQEuHgEBIQsC
X-IronPort-AV: E=Sophos;i="4.93,578,1378854000";
   d="scan'208";a="435908114"
IronPort-SDR: aSU4wRk34IlDvKyKc7hWCIt70DG4E0vATj8pAL5pa6tYsIdzNsCnaW5pGip5Tz5J4MlESEqjr9
X-SBRS: 4.0
"""
SOPHOS = """\
X-Sophos-Email: [eu-central-1] Antispam-Engine: 5.0.0,
 AntispamData: 2022.5.17.200620
X-Sophos-SenderHistory: ip=145.40.68.75, fs=0, fso=0, da=146278964, mc=0, sc=0,
 hc=0, sp=0, re=0, sd=0, hd=0
X-LASED-SpamProbability: 0.083173
X-LASED-Hits: AUTH_RES_PASS 0.000000, BODY_SIZE_4000_4999 0.000000,
 HTML_00_01 0.050000, HTML_00_10 0.050000, MULTIPLE_RCPTS 0.100000,
 __ANY_URI 0.000000
X-LASED-From-ReplyTo-Diff: From:<corscience.com>:0
X_Sophos_TLS_Connection: OPP_TLS_1_3
"""
TREND = """\
X-TM-AS-Product-Ver: SMEX-14.0.0.3152-9.1.1006-23728.005
X-TM-AS-Result: No-10--14.855500-8.000000
X-TMASE-MatchedRID: wQVy7q402w0OwH4pD14DsPHkpkyUphL9meN8m2FdGic3xO2R3boBWFbu
X-TM-AS-User-Approved-Sender: No
X-TM-AS-User-Blocked-Sender: No
X-TMASE-Result: 10--14.855500-8.000000
X-TMASE-Version: SMEX-14.0.0.3152-9.1.1006-23728.005
X-TM-AS-ERS: 104.47.7.169-0.0.0.0
X-TMASE-SNAP-Result: 1.821001.0001-0-1-22:0,33:0,34:0-0
"""


def _found(block: str) -> dict[str, VerdictHeader]:
    text = "From: a@b.example\nSubject: t\n" + block + "\nbody\n"
    return {v.name: v for v in find_verdicts(load_bytes(text.encode(), "test"))}


def test_public_barracuda_headers() -> None:
    found = _found(BARRACUDA)
    assert {v.vendor for v in found.values()} == {"Barracuda", "other"}  # + X-Virus-Scanned
    status = found["X-Barracuda-Spam-Status"]
    assert status.verdict == "not spam" and "below every level" in status.meaning
    assert (status.get("SCORE"), status.get("scores"), status.get("KILL_LEVEL")) == (
        "1.09", "global", "9.0",
    )  # fmt: skip
    assert status.get("tests") == "DATE_IN_FUTURE_06_12, DATE_IN_FUTURE_06_12_2"
    report = found["X-Barracuda-Spam-Report"]
    assert [(f.key, f.value) for f in report.fields] == [
        ("DATE_IN_FUTURE_06_12", "0.01"), ("DATE_IN_FUTURE_06_12_2", "3.10"),
    ]  # fmt: skip
    assert "Date: is 6 to 12 hours after Received: date" in report.fields[0].meaning
    assert found["X-Barracuda-Connect"].get("ip") == "10.28.252.164"
    assert "2023-05-06 12:15:38 UTC" in found["X-Barracuda-Start-Time"].meaning
    assert found["X-Barracuda-Bayes"].get("class") == "INNOCENT"
    assert "before Barracuda tagged it" in found["X-ASG-Orig-Subj"].meaning


def test_barracuda_quarantine_level_from_documented_example() -> None:
    value = (
        "Yes, SCORE=10.11 using per-user scores of TAG_LEVEL=3.5 QUARANTINE_LEVEL=9.0 "
        "KILL_LEVEL=1000.0 tests=BSF_SC0_MISMATCH_TO, URLBL_BC"
    )
    got = decode("X-Barracuda-Spam-Status", value)
    assert got is not None and got.verdict == "quarantined" and got.get("scores") == "per-user"
    text = f"From: a@b.example\nX-Barracuda-Spam-Status: {value}\n\nb\n"
    assert "quarantine" in (quarantine_signal(find_verdicts(load_bytes(text.encode(), "t"))) or "")
    tagged = decode("X-Barracuda-Spam-Status", value.replace("10.11", "3.60"))
    assert tagged is not None and tagged.verdict == "spam"


def test_public_ironport_headers() -> None:
    found = _found(IRONPORT)
    assert {v.vendor for v in found.values()} == {"Cisco"}
    av = found["X-IronPort-AV"]
    assert (av.get("E"), av.get("i"), av.get("d")) == ("Sophos", "4.93,578,1378854000", "scan'208")
    assert av.verdict is None and "engine Sophos" in av.meaning
    assert "readable only by Cisco" in found["X-IronPort-Anti-Spam-Result"].meaning
    assert "readable only by Cisco" in found["IronPort-SDR"].meaning
    assert "neutral to good" in found["X-SBRS"].meaning


@pytest.mark.parametrize(
    ("name", "value", "verdict", "signal"),
    [
        ("X-Amp-Result", "Malicious", "malware", True),
        ("X-Amp-Result", "Clean", "clean", False),
        ("X-IronPort-MailFlowPolicy", "$BLOCKED", "blocked", True),
        ("X-IronPort-MailFlowPolicy", "$ACCEPTED", None, False),
        ("X-IronPort-Reputation", "-7.5", None, False),
    ],
)
def test_cisco_documented_values(name: str, value: str, verdict: str | None, signal: bool) -> None:
    got = decode(name, value)
    assert got is not None and got.vendor == "Cisco" and got.verdict == verdict
    text = f"From: a@b.example\n{name}: {value}\n\nb\n"
    assert (quarantine_signal(find_verdicts(load_bytes(text.encode(), "t"))) is not None) is signal


def test_public_sophos_headers() -> None:
    found = _found(SOPHOS)
    assert {v.vendor for v in found.values()} == {"Sophos"}
    p = found["X-LASED-SpamProbability"]
    assert p.verdict == "clean" and "8.3%" in p.meaning
    hits = found["X-LASED-Hits"]
    assert ("MULTIPLE_RCPTS", "0.100000") in [(f.key, f.value) for f in hits.fields]
    assert "weighted: HTML_00_01, HTML_00_10, MULTIPLE_RCPTS" in hits.meaning
    history = found["X-Sophos-SenderHistory"]
    assert history.get("ip") == "145.40.68.75" and history.get("da") == "146278964"
    assert found["X-Sophos-Email"].get("region") == "eu-central-1"
    assert found["X_Sophos_TLS_Connection"].get("tls") == "OPP_TLS_1_3"
    spam = decode("X-LASED-SpamProbability", "0.95")
    assert spam is not None and spam.verdict == "spam" and "certain spam" in spam.meaning


def test_public_trend_micro_headers() -> None:
    found = _found(TREND)
    assert {v.vendor for v in found.values()} == {"Trend Micro"}
    res = found["X-TM-AS-Result"]
    assert res.verdict == "not spam"
    assert [(f.key, f.value) for f in res.fields] == [
        ("spam", "No"), ("trend type", "10"), ("spam score", "-14.855500"),
        ("spam threshold", "8.000000"),
    ]  # fmt: skip
    tmase = found["X-TMASE-Result"]
    assert tmase.verdict == "not spam" and tmase.get("spam score") == "-14.855500"
    assert found["X-TM-AS-ERS"].get("ip") == "104.47.7.169"
    assert found["X-TM-AS-Product-Ver"].get("product") == "SMEX"
    assert found["X-TM-AS-User-Blocked-Sender"].verdict is None


def test_trend_micro_documented_layouts() -> None:
    old = decode("X-TM-AS-Result", "Yes-5.339-5.0-31-1")  # KA-0001462 example
    assert old is not None and old.verdict == "spam"
    assert [f.key for f in old.fields] == [
        "spam", "spam score", "spam threshold", "category", "trend type",
    ]  # fmt: skip
    assert old.fields[-1].meaning == "trend type (spam)"
    over = decode("X-TMASE-Result", "10-12.5-4.000000")
    assert over is not None and over.verdict == "spam"
    helo, sender = (
        base64.b64encode(s.encode()).decode() for s in ("mx.example.com", "a@example.com")
    )
    smtp = decode("X-TM-AS-SMTP", f"1.0 {helo} {sender[:10]} {sender[10:]}")  # folded in two
    assert smtp is not None and "mx.example.com" in smtp.meaning and "a@example.com" in smtp.meaning
    bad = decode("X-TM-AS-SMTP", "1.0 !!! ???")
    assert bad is not None and "not base64" in bad.fields[1].meaning
    approved = decode("X-TM-AS-User-Approved-Sender", "Yes")
    assert approved is not None and approved.verdict == "allowed"
    text = "From: a@b.example\nX-TM-AS-Result: Yes-10-9.5-8.0\n\nb\n"
    assert "Trend Micro" in (quarantine_signal(find_verdicts(load_bytes(text.encode(), "t"))) or "")
