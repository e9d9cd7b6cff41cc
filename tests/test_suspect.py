"""The two-copy decision: which layer explains why copy A fared worse than copy B.

The pairs in tests/fixtures/pairs/ were written from vendor documentation (each
case.toml names its source: Microsoft's "Anti-spam message headers in Microsoft
365" and "Enhanced Filtering for Connectors in Exchange Online", Proofpoint's
X-Proofpoint-Spam-Details rule and policy fields, Mimecast's spam score and hold
behaviour, Google's DMARC disposition in Authentication-Results, RFC 7489). The
cases here add the rules the pairs do not pin down.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from mailtriage.checks.analysis import Analysis, analyse
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.suspect import LAYERS, suspect

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "fixtures" / "pairs"
CORPORA = ROOT.parent / "shared" / "corpora"
DEMO = ROOT / "tui" / "demo"
CASES = sorted(p for p in PAIRS.iterdir() if p.is_dir())


def _pair(folder: Path) -> tuple[Analysis, Analysis]:
    return analyse(load_path(folder / "a.eml")), analyse(load_path(folder / "b.eml"))


@pytest.mark.parametrize("folder", CASES, ids=[p.name for p in CASES])
def test_documented_pairs(folder: Path) -> None:
    case = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
    assert case["source"], "every pair names the document it is written from"
    a, b = _pair(folder)
    result = suspect(a, b)
    expected = case["expected_layer"]
    assert (result.suspect_layer or "none") == expected, result
    assert result.next_step
    if expected != "none":
        assert result.evidence and any(e.startswith("A") for e in result.evidence)
        chosen = next(x for x in result.layers if x.layer == expected)
        assert chosen.explains


@pytest.mark.parametrize("folder", CASES, ids=[p.name for p in CASES])
def test_the_delivered_copy_never_gets_the_blame(folder: Path) -> None:
    """Swapped, the problem copy is B: nothing about A (delivered) explains a block."""
    a, b = _pair(folder)
    assert suspect(b, a).suspect_layer is None
    assert suspect(a, a).suspect_layer is None


def test_every_layer_is_reported_in_order() -> None:
    a, b = _pair(PAIRS / "01-esp-dkim-unaligned-dmarc-fail")
    assert tuple(x.layer for x in suspect(a, b).layers) == LAYERS


HEAD = (
    "From: Ann <ann@fabrikam.example>\r\nTo: bob@northwind.example\r\n"
    "Subject: Invoice\r\nDate: Mon, 23 Nov 2026 09:12:30 +0000\r\n"
)


def _copy(extra: str, mid: str) -> Analysis:
    raw = HEAD + f"Message-ID: <{mid}@fabrikam.example>\r\n" + extra + "\r\nbody\r\n"
    return analyse(load_bytes(raw.encode(), f"{mid}.eml"))


def test_a_junk_placement_by_the_filter_is_a_verdict_not_the_mailbox() -> None:
    """Microsoft's filter put A in Junk (SFV:SPM, SCL 6): the filter decided, not a user rule
    ("Anti-spam message headers in Microsoft 365": SFV, SCL and dest)."""
    a = _copy(
        "X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:6;SFV:SPM;CAT:SPM;DIR:INB\r\n"
        "X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:J\r\n",
        "a",
    )
    b = _copy(
        "X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:1;SFV:NSPM;CAT:NONE;DIR:INB\r\n"
        "X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:I\r\n",
        "b",
    )
    result = suspect(a, b)
    assert result.suspect_layer == "verdict"
    assert result.outcome_a.startswith("delivered to Junk")
    folder = next(x for x in result.layers if x.layer == "downstream/mailbox").differences[0]
    assert not folder.explains


def test_the_recipients_blocked_senders_list_is_the_mailbox_not_a_filter_verdict() -> None:
    """SFV:BLK: filtering was skipped because the sender is on the recipient's own Blocked
    Senders list, so the SCL beside it is not the filter's verdict (Microsoft Learn,
    "Anti-spam message headers in Microsoft 365", SFV values:
    https://learn.microsoft.com/defender-office-365/message-headers-eop-mdo)."""
    a = _copy(
        "X-MS-Exchange-Organization-SCL: 6\r\n"
        "X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:6;SFV:BLK;CAT:NONE;DIR:INB\r\n"
        "X-Microsoft-Antispam-Mailbox-Delivery: ucf:1;jmr:0;auth:0;dest:J\r\n",
        "a",
    )
    b = _copy(
        "X-MS-Exchange-Organization-SCL: 1\r\n"
        "X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:1;SFV:NSPM;CAT:NONE;DIR:INB\r\n"
        "X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:I\r\n",
        "b",
    )
    result = suspect(a, b)
    assert result.suspect_layer == "downstream/mailbox"
    assert "Blocked Senders" in result.next_step
    assert any("SFV:BLK" in e for e in result.evidence)
    assert not next(x for x in result.layers if x.layer == "verdict").explains
    # The same SCL set by a Safe Senders entry on B is no filter verdict either.
    assert suspect(b, a).suspect_layer is None


def test_samples_without_authentication_results_are_not_blamed_for_authentication() -> None:
    a = _copy("X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:1;SFV:NSPM;DIR:INB\r\n", "a")
    b = _copy(
        "Authentication-Results: mx.northwind.example; dmarc=pass header.from=fabrikam.example\r\n"
        "X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:1;SFV:NSPM;DIR:INB\r\n",
        "b",
    )
    assert suspect(a, b).suspect_layer is None


def test_a_bounce_is_decided_by_the_remote_reply_and_compared_through_its_original() -> None:
    bounce = analyse(load_path(ROOT / "tests" / "samples" / "bounce-proofpoint.eml"))
    delivered = analyse(load_path(DEMO / "delivered.eml"))
    result = suspect(bounce, delivered)
    assert result.outcome_a.startswith("bounced: 5.7.0")
    assert result.suspect_layer is not None
    assert result.evidence[0].startswith("A (bounce): ap@northwind.example: 554 5.7.0")


def test_unrelated_corpus_pairs_never_raise() -> None:
    files = sorted((CORPORA / "sisimai-dev").rglob("*.eml"))[:40]
    files += sorted((CORPORA / "headers-mailauth").glob("*.eml"))[:20]
    if not files:
        pytest.skip(f"corpora not found under {CORPORA}")
    loaded = [analyse(load_path(p)) for p in files]
    rng = random.Random(7)
    for _ in range(300):
        result = suspect(rng.choice(loaded), rng.choice(loaded))
        assert result.suspect_layer in (None, *LAYERS)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from mailtriage.tui.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
    )


def test_diff_command_json() -> None:
    folder = PAIRS / "10-mimecast-ip-not-skiplisted"
    done = _cli("diff", "--json", str(folder / "a.eml"), str(folder / "b.eml"))
    assert done.returncode == 0, done.stderr
    rep = json.loads(done.stdout)
    assert {"suspect_layer", "evidence", "next_step", "layers", "outcome_a", "outcome_b"} <= set(
        rep
    )
    assert rep["suspect_layer"] == "routing/connector"
    assert [x["layer"] for x in rep["layers"]] == list(LAYERS)
    diff = rep["layers"][0]["differences"][0]
    assert set(diff) == {"field", "a", "b", "explains", "evidence"} and diff["explains"]


def test_diff_command_exit_status_and_errors(tmp_path: Path) -> None:
    folder = PAIRS / "14-google-identical-delivered"
    done = _cli("diff", str(folder / "a.eml"), str(folder / "b.eml"))
    assert done.returncode == 1 and "Suspect layer: none" in done.stdout
    missing = _cli("diff", str(tmp_path / "nope.eml"), str(folder / "b.eml"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert "Traceback" not in missing.stderr
    twice = _cli("diff", "-", "-")
    assert twice.returncode == 2


def test_a_comment_naming_a_gateway_is_no_gateway_passed() -> None:
    """One gateway rule (checks/route/gateways.py): only the receiving host makes a gateway.

    Copy A passed an on-premises server whose Received comment says ``(PPS)``; copy B
    did not. Before, the two-copy decision took A's hop as "Proofpoint passed" (its own
    rule read the hop system, which a comment can name) while the diff's Gateway row,
    the findings and the MX check said no gateway. Now none of them sees a gateway.
    """
    onprem = (
        "Received: from pps.corp.example (pps.corp.example [10.0.0.9]) by exch.corp.example "
        "(10.0.0.5) with Microsoft SMTP Server id 15.1.2507.6; Mon, 23 Nov 2026 09:13:00 +0000\r\n"
        "Received: from mail.sender.example (mail.sender.example [203.0.113.9]) by "
        "pps.corp.example (PPS) with ESMTPS id 1; Mon, 23 Nov 2026 09:12:40 +0000\r\n"
    )
    direct = (
        "Received: from mail.sender.example (mail.sender.example [203.0.113.9]) by "
        "exch.corp.example (10.0.0.5) with Microsoft SMTP Server id 15.1.2507.6; "
        "Mon, 23 Nov 2026 09:12:40 +0000\r\n"
    )
    a, b = _copy(onprem, "a"), _copy(direct, "b")
    assert a.timeline.systems[0] == "Proofpoint"
    routing = next(x for x in suspect(a, b).layers if x.layer == "routing/connector")
    assert [d.field for d in routing.differences if d.field == "Gateway passed"] == []


def test_evidence_keeps_whole_header_lines_up_to_the_rfc_line_limit() -> None:
    """A long filter line is evidence as a whole (the full-text view shows it), but a hostile
    header cannot make evidence unbounded (RFC 5322 §2.1.1: 998 characters a line)."""
    rules = ";".join(f"rule{i}=0" for i in range(40))
    a = _copy(f"X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:9;SFV:SPM;CAT:PHSH;{rules}\r\n", "a")
    b = _copy("X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:1;SFV:NSPM;CAT:NONE\r\n", "b")
    result = suspect(a, b)
    line = next(e for e in result.evidence if e.startswith("A"))
    assert len(line) > 300 and line.endswith("rule39=0") and "…" not in line
    spam = "X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:9;SFV:SPM;"
    huge = _copy(spam + "x" * 50_000 + "\r\n", "h")
    assert all(len(e) <= 1002 for e in suspect(huge, b).evidence)


def test_a_vendor_is_judged_by_its_worst_header_as_the_findings_are() -> None:
    """Microsoft writes several verdict headers; CAT:PHSH in the Forefront report outranks the
    organisation SCL that comes first (Microsoft Learn, "Anti-spam message headers in
    Microsoft 365": CAT values). The two-copy decision and the findings agree on "phish"."""
    a, b = _pair(PAIRS / "07-eop-phish-verdict")
    result = suspect(a, b)
    verdict = next(x for x in result.layers if x.layer == "verdict").differences[0]
    assert verdict.a == "phish"
    assert any("phish" in f.title.lower() for f in a.findings if f.layer == "verdict")


def test_a_policy_the_blocked_copy_never_met_does_not_explain_its_block() -> None:
    """Copy A reached Exchange Online around Proofpoint (no X-Proofpoint-Spam-Details): B's
    policy route is shown as a difference but cannot explain A's fate (Microsoft Learn,
    "Enhanced Filtering for Connectors in Exchange Online": mail that bypasses the gateway)."""
    a, b = _pair(PAIRS / "09-direct-to-eop-bypass")
    policy = next(x for x in suspect(a, b).layers if x.layer == "policy")
    route = next(d for d in policy.differences if d.field == "Proofpoint policy route")
    assert route.a == "—" and not route.explains
    # Beside B's rule code, A's own SFV is shown, not a dash.
    sfv = next(d for d in policy.differences if d.field == "Microsoft SFV")
    assert sfv.a != "—" and not sfv.explains


def _route(gw_in: str, handed: str, att: str = "") -> str:
    """Received hops (newest first) through Mimecast to an on-premises Postfix server."""
    return (
        "Received: from eu-smtp-inbound-1.mimecast.com (eu-smtp-inbound-1.mimecast.com"
        f" [192.0.2.61]) by mx.northwind.example (Postfix) with ESMTPS id 9C0D1; {handed}\r\n"
        "Received: from mail.fabrikam.example (mail.fabrikam.example [198.51.100.20]) by"
        f" relay.mimecast.com with ESMTP id abc-MC-1; {gw_in}\r\n"
        "X-Mimecast-Spam-Score: 0\r\n" + att
    )


def test_a_long_stay_inside_the_gateway_without_a_hold_verdict_is_policy() -> None:
    """Mimecast holds attachments while it sandboxes them (Mimecast: "Attachment Protection"
    policies, https://community.mimecast.com/s/article/Attachment-Protection): a copy handed
    on 27 minutes after arrival with a clean score is a policy delay, not a verdict, and it
    was delivered in the end (never "stopped at the gateway")."""
    a = _copy(_route("Mon, 23 Nov 2026 09:05:01 +0000", "Mon, 23 Nov 2026 09:32:10 +0000"), "a")
    b = _copy(_route("Mon, 23 Nov 2026 09:05:01 +0000", "Mon, 23 Nov 2026 09:05:04 +0000"), "b")
    result = suspect(a, b)
    assert result.outcome_a.startswith("handed on after 27m")
    assert "stopped" not in result.outcome_b
    assert result.suspect_layer == "policy"
    first = next(d for x in result.layers for d in x.differences if d.explains)
    assert first.field == "Time inside Mimecast"
    assert any("mx.northwind.example" in e for e in result.evidence)
    assert "narrow that policy" in result.next_step
    assert suspect(b, a).suspect_layer is None


def test_no_release_advice_for_a_phish_verdict() -> None:
    """CAT:PHSH / HPHISH (Microsoft Learn, "Anti-spam message headers in Microsoft 365"): the
    next step never starts from releasing the message."""
    a = _copy(
        "X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:9;SFV:SPM;CAT:HPHISH;DIR:INB\r\n", "a"
    )
    b = _copy("X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:1;SFV:NSPM;CAT:NONE;DIR:INB\r\n", "b")
    result = suspect(a, b)
    assert result.suspect_layer == "verdict"
    assert "possibly malicious" in result.next_step
    assert "Never allowlist" in result.next_step


def test_copies_from_different_senders_carry_a_warning() -> None:
    from mailtriage.checks.diff import compared

    a = _copy("", "a")
    other = HEAD.replace("ann@fabrikam.example", "ann@contoso.example")
    b = analyse(
        load_bytes((other + "Message-ID: <b@contoso.example>\r\n\r\nbody\r\n").encode(), "b")
    )
    _, notes = compared(a, b)
    assert any("different senders" in n for n in notes)
    same = _copy("", "c")
    assert not any("different senders" in n for n in compared(a, same)[1])


# --- a pair that cannot show the cause: say why, never "both passed the same filters" ----
# A: the documented pair's quarantined copy (see its case.toml for the source). B as a
# bounce: tests/fixtures/bounces/exchange-third-party-reject.eml (Microsoft Learn, Email
# non-delivery reports and SMTP errors in Exchange Online,
# https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online).
# B without any Authentication-Results: a plain RFC 5322 message (section A.1.1).
BLOCKED = PAIRS / "01-esp-dkim-unaligned-dmarc-fail" / "a.eml"
NDR = ROOT / "tests" / "fixtures" / "bounces" / "exchange-third-party-reject.eml"
PLAIN = (
    b"From: John Doe <jdoe@machine.example>\nTo: Mary Smith <mary@example.net>\n"
    b"Subject: Saying Hello\nDate: Fri, 21 Nov 1997 09:55:06 -0600\n"
    b"Message-ID: <1234@local.machine.example>\n\nThis is a message just to say hello.\n"
)


def test_a_bounce_given_as_the_delivered_copy_is_not_called_delivered() -> None:
    c = suspect(analyse(load_path(BLOCKED)), analyse(load_path(NDR)))
    assert c.outcome_b.startswith("bounced:")
    assert c.suspect_layer is None
    assert "did not arrive either" in c.next_step
    assert "passed the same" not in c.next_step


def _without_auth_results(raw: bytes) -> bytes:
    """The message with every (ARC-)Authentication-Results field removed, folds included."""
    out: list[bytes] = []
    skip = False
    for line in raw.split(b"\n"):
        if line.lower().startswith((b"authentication-results:", b"arc-authentication-results:")):
            skip = True
            continue
        if skip and line[:1] in (b" ", b"\t"):
            continue
        skip = False
        out.append(line)
    return b"\n".join(out)


def test_a_delivered_copy_with_no_records_is_not_said_to_have_passed_them() -> None:
    delivered = _without_auth_results((BLOCKED.parent / "b.eml").read_bytes())
    c = suspect(analyse(load_path(BLOCKED)), analyse(load_bytes(delivered, "b.eml")))
    assert c.suspect_layer is None
    assert "passed the same" not in c.next_step
    assert "no record to set against it" in c.next_step


def test_a_delivered_copy_that_skipped_the_gateway_is_named_as_the_one_that_came_another_way() -> (
    None
):
    """A passed Proofpoint and was stopped there; B never went through Proofpoint."""
    c = suspect(analyse(load_path(BLOCKED)), analyse(load_bytes(PLAIN, "plain.eml")))
    assert c.suspect_layer == "routing/connector"
    assert c.next_step.startswith("Copy B reached the mailbox without passing Proofpoint")
    assert "Copy A did not come through" not in c.next_step


def test_a_pair_given_the_wrong_way_round_is_called_swapped() -> None:
    """A delivered, B bounced (the documented NDR above): not "B did not arrive either"."""
    delivered = analyse(load_path(BLOCKED.parent / "b.eml"))
    c = suspect(delivered, analyse(load_path(NDR)))
    assert c.suspect_layer is None and c.outcome_b.startswith("bounced:")
    assert "look swapped" in c.next_step and "either" not in c.next_step
