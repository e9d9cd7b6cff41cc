"""Proofpoint and Mimecast headers on real public messages.

The header blocks below are copied from messages posted to public mailing lists
(dm-devel@redhat.com, Feb 2022, a message that crossed Proofpoint at the sender
and Mimecast at Red Hat; linux-wireless@vger.kernel.org, 2026, Proofpoint
Essentials) as archived on lore.kernel.org / listman.redhat.com; the sender
address in X-MDID-O is replaced by an example one. The Mimecast spam-score
bands are checked against Mimecast's "Spam Scanning" article, and the hit case
of Impersonation Protect is built from the identifiers of its "Impersonation
Protection Definitions" article (no public sample with a hit exists).
"""

from __future__ import annotations

import pytest
from mailtriage.checks.message.loader import load_bytes
from mailtriage.checks.verdicts import VerdictHeader, decode, find_verdicts, quarantine_signal

DM_DEVEL = """\
From: a@linux.ibm.example
To: dm-devel@redhat.example
Subject: Re: [dm-devel] [PATCH v2 1/2] libmultipath
Message-ID: <33ffe0bf@linux.ibm.example>
X-TM-AS-GCONF: 00
X-Proofpoint-ORIG-GUID: SpD8WeC0Ah_A38TQ0Et0rlCrBFrrovAg
X-Proofpoint-GUID: V-ktfJBC8cEigbSmaigbVJZd8fwPNpc_
X-Proofpoint-UnRewURL: 0 URL was un-rewritten
X-Proofpoint-Virus-Version: vendor=baseguard
\tengine=ICAP:2.0.205, Aquarius:18.0.816, Hydra:6.0.425,
\tFMLib:17.11.62.513
\tdefinitions=2022-02-15_04,2022-02-14_04,2021-12-02_01
X-Proofpoint-Spam-Details: rule=outbound_notspam policy=outbound score=0
\tmlxscore=0 malwarescore=0
\tspamscore=0 mlxlogscore=999 bulkscore=0 adultscore=0 suspectscore=0
\tpriorityscore=1501 phishscore=0 clxscore=1015 lowpriorityscore=0
\timpostorscore=0 classifier=spam adjust=0 reason=mlx scancount=1
\tengine=8.12.0-2201110000 definitions=main-2202150101
X-Mimecast-Impersonation-Protect: Policy=CLT - Impersonation Protection
\tDefinition; Similar Internal Domain=false;
\tSimilar Monitored External Domain=false;
\tCustom External Domain=false; Mimecast External Domain=false;
\tNewly Observed Domain=false; Internal User Name=false;
\tCustom Display Name List=false; Reply-to Address Mismatch=false;
\tTargeted Threat Dictionary=false;
\tMimecast Threat Dictionary=false; Custom Threat Dictionary=false
X-Mimecast-Bulk-Signature: yes
X-Mimecast-Spam-Signature: bulk
X-Mimecast-Spam-Score: 0
X-Mimecast-Originator: redhat.com

body
"""
ESSENTIALS = """\
X-MDID: 1773270459-NFQt9NJDv-IG
X-PPE-STACK: {"stack":"us5"}
X-MDID-O:
 us5;at1;1773270459;NFQt9NJDv-IG;<sender@example.com>;f7146c1849a4b08a52804beb1c1cdf45
X-PPE-TRUSTED: V=1;DIR=OUT;
"""


def _load(text: str) -> dict[str, VerdictHeader]:
    return {v.name: v for v in find_verdicts(load_bytes(text.encode(), "test"))}


def test_public_proofpoint_outbound_scan() -> None:
    found = _load(DM_DEVEL)
    details = found["X-Proofpoint-Spam-Details"]
    assert details.vendor == "Proofpoint" and details.verdict == "not spam"
    assert details.get("rule") == "outbound_notspam"
    assert details.get("impostorscore") == "0" and details.get("clxscore") == "1015"
    meanings = {f.key: f.meaning for f in details.fields}
    assert meanings["impostorscore"].startswith("impostor") and meanings["impostorscore"].endswith(
        "low"
    )
    assert "Proofpoint-internal" in meanings["clxscore"]
    assert all(m != "not documented" for m in meanings.values())
    virus = found["X-Proofpoint-Virus-Version"]
    assert virus.get("engine") == (
        "ICAP:2.0.205, Aquarius:18.0.816, Hydra:6.0.425, FMLib:17.11.62.513"
    )
    assert "message log" in found["X-Proofpoint-GUID"].meaning
    assert "URL Defense" in found["X-Proofpoint-UnRewURL"].meaning
    assert found["X-TM-AS-GCONF"].vendor == "Trend Micro"


def test_public_mimecast_headers() -> None:
    found = _load(DM_DEVEL)
    imp = found["X-Mimecast-Impersonation-Protect"]
    assert imp.verdict == "clean" and len(imp.fields) == 12
    assert imp.get("Policy") == "CLT - Impersonation Protection Definition"
    assert all(
        f.meaning.startswith(("not hit (it checks whether: ", "the Impersonation"))
        for f in imp.fields
    )
    # A miss reads as a check that did not match, never as a statement about the sender.
    assert not any(f.meaning.startswith("no: ") for f in imp.fields)
    assert found["X-Mimecast-Bulk-Signature"].verdict == "bulk"
    assert found["X-Mimecast-Spam-Signature"].verdict == "bulk"
    score = found["X-Mimecast-Spam-Score"]
    assert score.verdict == "clean" and "below every hold threshold" in score.meaning
    assert quarantine_signal(find_verdicts(load_bytes(DM_DEVEL.encode(), "t"))) is None


def test_public_proofpoint_essentials() -> None:
    found = _load("From: a@b.example\nSubject: t\n" + ESSENTIALS + "\nbody\n")
    assert {v.vendor for v in found.values()} == {"Proofpoint"}
    trusted = found["X-PPE-TRUSTED"]
    assert trusted.get("DIR") == "OUT" and "Essentials" in trusted.meaning
    mdid = found["X-MDID-O"]
    assert [f.key for f in mdid.fields][:4] == [
        "region",
        "site",
        "time (Unix seconds)",
        "message ID",
    ]


@pytest.mark.parametrize(
    ("rule", "verdict", "signal"),
    [
        ("quarantine_dmarc", "quarantined", True),
        ("inbound_phish", "phish", True),
        ("impostor_block", "phish", True),
        ("malware_detected", "malware", True),
        ("bulk", "bulk", True),
        ("spam", "spam", True),
        ("inbound_notspam", "not spam", False),
        ("safe", "not spam", False),
        ("custom_route_7", None, False),
    ],
)
def test_rule_names(rule: str, verdict: str | None, signal: bool) -> None:
    got = decode("X-Proofpoint-Spam-Details", f"rule={rule} policy=inbound score=97 phishscore=88")
    assert got is not None and got.verdict == verdict
    assert "highest sub-score phishscore 88" in got.meaning
    text = f"From: a@b.example\nX-Proofpoint-Spam-Details: rule={rule} policy=p score=1\n\nb\n"
    assert (quarantine_signal(find_verdicts(load_bytes(text.encode(), "t"))) is not None) is signal


@pytest.mark.parametrize(
    ("score", "verdict", "held"),
    [("0", "clean", False), ("4", "suspicious", False), ("7", "spam", True), ("30", "spam", True)],
)
def test_mimecast_spam_score_bands(score: str, verdict: str, held: bool) -> None:
    got = decode("X-Mimecast-Spam-Score", score)
    assert got is not None and got.verdict == verdict
    text = f"From: a@b.example\nX-Mimecast-Spam-Score: {score}\n\nb\n"
    assert (quarantine_signal(find_verdicts(load_bytes(text.encode(), "t"))) is not None) is held


def test_mimecast_impersonation_hit_from_the_documented_identifiers() -> None:
    value = (
        "Policy=Exec Protection; Similar Internal Domain=true; Newly Observed Domain=true; "
        "Internal User Name=true; Reply-to Address Mismatch=false; Future Check=true"
    )
    got = decode("X-Mimecast-Impersonation-Protect", value)
    assert got is not None and got.verdict == "impersonation"
    assert "3 indicator(s) hit" in got.meaning and "Similar Internal Domain" in got.meaning
    meanings = {f.key: f.meaning for f in got.fields}
    assert meanings["Newly Observed Domain"].startswith("HIT: ")
    assert meanings["Future Check"] == "not documented"
