"""Findings that mean what they say (issue 9, item 2).

Each sample is written from the vendor's documentation named beside it, with
documentation names and addresses (example.com/.org, 192.0.2.x, 198.51.100.x,
203.0.113.x); the pair fixtures in ``tests/fixtures/pairs`` carry their sources
in ``case.toml``. Every test here failed before the fix it covers.
"""

from __future__ import annotations

from pathlib import Path

from mailtriage.checks.analysis import Analysis, analyse
from mailtriage.checks.findings import Finding, likely_layer
from mailtriage.checks.message.addresses import rewritten_sender
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.route.hops import parse_received
from mailtriage.checks.route.release import reinjection

PAIRS = Path(__file__).resolve().parent / "fixtures" / "pairs"
DEMO = Path(__file__).resolve().parents[1] / "tui" / "demo"

# Microsoft Learn, "Anti-spam message headers in Microsoft 365"
# (https://learn.microsoft.com/en-us/defender-office-365/message-headers-eop-mdo):
# SFV:SPM, SFV:SKS (marked as spam before filtering, e.g. by a mail flow rule),
# SFV:SKB (matched a blocked sender or domain list), SFV:SKQ (released from the
# quarantine), SCL, CIP; X-Microsoft-Antispam-Mailbox-Delivery dest:I / dest:J / dest:C.
MS_DOC = "Microsoft Learn: Anti-spam message headers in Microsoft 365"

_TAIL = (
    "From: Ann <ann@example.com>\r\nTo: bob@example.org\r\nSubject: Invoice 1123\r\n"
    "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\nMessage-ID: <inv1123@example.com>\r\n"
)
_EOP_HOPS = (
    "Received: from BN8PR12MB1234.namprd12.prod.outlook.com (2001:db8:806:25b::12) by\r\n"
    " CH3PR12MB7654.namprd12.prod.outlook.com with HTTPS; Mon, 23 Nov 2026 09:00:05 +0000\r\n"
    "Received: from mail.example.com (203.0.113.10) by\r\n"
    " BN8NAM12FT061.mail.protection.outlook.com (192.0.2.50) with Microsoft SMTP Server\r\n"
    " id 15.20.8093.25 via Frontend Transport; Mon, 23 Nov 2026 09:00:02 +0000\r\n"
)
_EOP_AUTH = (
    "Authentication-Results: spf=pass (sender IP is 203.0.113.10)\r\n"
    " smtp.mailfrom=example.com; dkim=pass (signature was verified)\r\n"
    " header.d=example.com;dmarc=pass action=none\r\n"
    " header.from=example.com;compauth=pass reason=100\r\n"
)


def _eop(ff: str, box: str | None, extra: str = "", auth: str = _EOP_AUTH) -> Analysis:
    """A message Exchange Online received directly, with the given Forefront and placement."""
    head = _EOP_HOPS + auth + extra
    head += f"X-Forefront-Antispam-Report: CIP:203.0.113.10;CTRY:US;LANG:en;{ff};DIR:INB;\r\n"
    if box is not None:
        head += f"X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;{box};ENG:(910001)(944506478);\r\n"
    return analyse(load_bytes((head + _TAIL + "\r\nbody\r\n").encode(), "eop.eml"))


def _pair(name: str, copy: str) -> Analysis:
    return analyse(load_path(next(PAIRS.glob(f"{name}*")) / f"{copy}.eml"))


def _layers(a: Analysis) -> set[str]:
    return {f.layer for f in a.findings}


def _titled(a: Analysis, start: str) -> Finding:
    return next(f for f in a.findings if f.title.startswith(start))


def _says_quarantined(f: Finding) -> bool:
    words = f"{f.title} {f.next_step}".lower().replace("not quarantined", "")
    return "quarantined" in words or "held" in words


# --- Junk (verdict), rule or list (policy), mailbox (downstream), hold (quarantine) ---


def test_filter_junk_is_a_delivered_verdict_not_a_quarantine() -> None:
    """SFV:SPM with dest:J: the filter's verdict put it in Junk Email; it was delivered."""
    a = _eop("SCL:6;SRV:;IPV:NLI;SFV:SPM;CAT:SPM", "jmr:0;auth:0;dest:J")  # MS_DOC
    assert "quarantine/release" not in _layers(a)
    junk = _titled(a, "Microsoft's filter sent it to Junk Email")
    assert junk.layer == "verdict" and "dest:J" in junk.evidence
    assert not any(_says_quarantined(f) for f in a.findings)
    assert likely_layer(a.findings) == "verdict"


def test_mail_flow_rule_sks_is_policy_with_the_rules_that_ran() -> None:
    """SFV:SKS: a mail flow rule marked it spam before filtering (Microsoft Learn, as above;
    "Mail flow rules (transport rules) in Exchange Online")."""
    rules = "X-MS-Exchange-Organization-Rules-Execution-History: 3f0b9e51-7c2a%%%c7d4a1e2-0b59\r\n"
    a = _eop("SCL:9;SRV:;IPV:NLI;SFV:SKS;CAT:NONE", "jmr:0;auth:0;dest:J", rules)
    assert likely_layer(a.findings) == "policy"
    top = _titled(a, "A mail flow rule marked it spam")
    assert top.layer == "policy" and "Rules-Execution-History" in top.evidence
    assert "delivered to Junk Email" in top.title
    # The filter did not judge it: no verdict finding, no quarantine claim.
    assert not any(f.layer in ("verdict", "quarantine/release") for f in a.findings)


def test_blocked_senders_skb_is_policy() -> None:
    a = _eop("SCL:6;SRV:;IPV:NLI;SFV:SKB;CAT:NONE", "jmr:0;auth:0;dest:J")
    top = _titled(a, "A blocked senders or domains list marked it spam (SFV:SKB)")
    assert top.layer == "policy" and likely_layer(a.findings) == "policy"
    assert "verdict" not in _layers(a) and "quarantine/release" not in _layers(a)


def test_mailbox_junk_with_a_clean_verdict_is_downstream() -> None:
    """Pair 13 (jmr:1, dest:J, SFV:NSPM): the user's junk settings, not the filter."""
    a = _pair("13", "a")
    assert likely_layer(a.findings) == "downstream/mailbox"
    assert "quarantine/release" not in _layers(a)
    f = _titled(a, "The mailbox moved it to Junk Email")
    assert "dest:J" in f.evidence and f.next_step[0].isupper()


def test_inbox_rule_folder_is_downstream_and_spf_fail_is_not_blamed_on_the_gateway() -> None:
    """Pair 03 (dest:C, OFR:CustomRules): an inbox rule filed it. Microsoft checked SPF
    against the sender's own new IP 203.0.113.144, not Mimecast's 198.51.100.162, so the
    Enhanced Filtering advice does not apply ("Enhanced Filtering for Connectors in
    Exchange Online", https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/
    use-connectors-to-configure-mail-flow/enhanced-filtering-for-connectors)."""
    a = _pair("03", "a")
    assert likely_layer(a.findings) == "downstream/mailbox"
    assert not any("checked SPF against" in f.title for f in a.findings)
    assert "routing/connector" not in _layers(a)


def test_gateway_hold_is_quarantine_and_not_a_delivery() -> None:
    """Pair 08: Proofpoint rule=spam and no hop after pphosted.com (its case.toml cites the
    Proofpoint allowlist and support guides it was written from)."""
    a = _pair("08", "a")
    held = _titled(a, "Held by Proofpoint")
    assert held.layer == "quarantine/release" and held.severity == "high"
    assert not any(f.title.startswith("Delivery took") for f in a.findings)


# Mimecast, "Held Messages - Monitoring"
# (https://mimecastsupport.zendesk.com/hc/en-us/articles/34000774230547-Held-Messages-Monitoring):
# a policy hold keeps the message in the held queue until it is released; on release
# Mimecast delivers it to the organisation's server.
_MC_FIRST = (
    "X-Mimecast-Spam-Score: 9\r\n"
    "Received: from smtp.example.com (smtp.example.com [203.0.113.77]) by relay.mimecast.com\r\n"
    " with ESMTP id us-mta-1-AbCdEf-1; Mon, 23 Nov 2026 09:00:10 +0000\r\n"
)


def test_mimecast_hold_then_redelivery_is_a_release_with_a_downstream_hop() -> None:
    held = analyse(load_bytes((_MC_FIRST + _TAIL + "\r\nbody\r\n").encode(), "held.eml"))
    assert _titled(held, "Held by Mimecast").severity == "high"
    eop = (
        "X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:I;ENG:(910001);\r\n"
        "X-Forefront-Antispam-Report: CIP:198.51.100.162;SCL:1;SFV:NSPM;DIR:INB;\r\n"
        "Received: from us-smtp-delivery-162.mimecast.com (198.51.100.162) by\r\n"
        " CH1PEPF0000AD7B.mail.protection.outlook.com (192.0.2.123) with Microsoft SMTP\r\n"
        " Server id 15.20.1 via Frontend Transport; Mon, 23 Nov 2026 09:45:10 +0000\r\n"
    )
    a = analyse(load_bytes((eop + _MC_FIRST + _TAIL + "\r\nbody\r\n").encode(), "rel.eml"))
    release = _titled(a, "Held by Mimecast for 45m 00s, then handed on to Microsoft EOP")
    assert release.layer == "quarantine/release" and release.severity == "info"
    slow = _titled(a, "Delivery took 45 min")
    assert slow.layer == "quarantine/release" and "held until the release" in slow.title
    assert not any(f.severity == "high" for f in a.findings)
    assert likely_layer(a.findings) == "verdict"  # the spam score that caused the hold


# --- release and re-injection hops ---


def test_proofpoint_release_with_no_hop_after_it() -> None:
    """Pair 11 A: re-injected from pps.reinject hours later, nothing follows it. Written from
    "Trouble-shooting possible email delivery problems using the Proofpoint Essentials
    Interface" (statuses quarantined / "Cleared (released from quarantine)") and the
    Proofpoint allowlist guide (release hand-off), as its case.toml records."""
    a = _pair("11", "a")
    top = _titled(a, "Released by Proofpoint, but no later hop")
    assert top.severity == "high" and "pps.reinject" in top.evidence
    assert likely_layer(a.findings) == "quarantine/release"
    assert not any(f.title.startswith("Delivery took") for f in a.findings)
    # The delivered copy: released, then handed on to Microsoft.
    b = _pair("11", "b")
    ok = _titled(b, "Released from Proofpoint's quarantine and handed on to Microsoft EOP")
    assert ok.severity == "info"
    assert _titled(b, "Delivery took 76 min").layer == "quarantine/release"


def test_eop_quarantine_release_skq() -> None:
    """Pair 12 B: SFV:SKQ, then dest:I; the six-hour wait is the time in quarantine."""
    b = _pair("12", "b")
    rel = _titled(b, "Released from the Microsoft 365 quarantine, then delivered to Inbox")
    assert rel.layer == "quarantine/release" and rel.severity == "info"
    slow = _titled(b, "Delivery took 405 min")
    assert slow.layer == "quarantine/release" and "downstream/mailbox" not in _layers(b)
    # The copy still held: a spam verdict with no placement, not a delivery.
    a = _pair("12", "a")
    assert _titled(a, "Microsoft marked it spam and no mailbox placement").layer == (
        "quarantine/release"
    )


def test_reinjection_reader() -> None:
    hops = (
        parse_received("from pps.filterd (mx0a-1.pphosted.com [127.0.0.1]) by mx0a-1.pphosted.com"),
        parse_received("from pps.reinject (localhost [127.0.0.1]) by mx0a-1.pphosted.com (PPS)"),
    )
    found = reinjection(hops, ("Proofpoint", "Proofpoint"))
    assert found is not None and found.vendor == "Proofpoint" and not found.handed_on
    nxt = parse_received(
        "from mx0a-1.pphosted.com (198.51.100.58) by x.mail.protection.outlook.com"
    )
    found = reinjection((*hops, nxt), ("Proofpoint", "Proofpoint", "Microsoft EOP"))
    assert found is not None and found.handed_on and found.next_system == "Microsoft EOP"
    assert reinjection(hops[:1], ("Proofpoint",)) is None


# --- Enhanced Filtering only when the IP Microsoft checked is the gateway's ---


def test_enhanced_filtering_advice_needs_the_gateways_ip() -> None:
    a = _pair("10", "a")  # sender IP is 198.51.100.214 = the Mimecast hop's IP
    f = _titled(a, "Microsoft 365 failed SPF and DMARC against Mimecast's IP 198.51.100.214")
    assert f.layer == "routing/connector" and "Enhanced Filtering" in f.next_step
    assert "Mimecast recorded dmarc=pass at the boundary" in f.title
    # Microsoft's DMARC failure is a consequence of the IP it checked, not the sender's DNS.
    assert not any(x.layer == "authentication" for x in a.findings)
    assert likely_layer(a.findings) == "routing/connector"
    demo = analyse(load_path(DEMO / "delivered.eml"))
    note = _titled(demo, "Microsoft 365 checked SPF against Proofpoint's IP 192.0.2.18")
    assert note.severity == "info" and likely_layer(demo.findings) is None


# --- DMARC: which identifier, which mode (RFC 7489 section 3.1) ---


def test_dmarc_strict_spf_alignment_subdomain() -> None:
    """Pair 02 A (RFC 7489 3.1.2, aspf=s): the subdomain passes SPF but does not align."""
    f = _titled(_pair("02", "a"), "DMARC failed for northgate-supply.example")
    assert "mail.northgate-supply.example" in f.title and "aspf=s" in f.title
    assert "relax" in f.next_step and "own domain (DKIM d=)" not in f.next_step


def test_dmarc_third_party_signature() -> None:
    """Pair 01 A: an ESP's d= and bounce domain, neither aligned even relaxed."""
    f = _titled(_pair("01", "a"), "DMARC failed for brightline-payroll.example")
    assert "DKIM d=postboxmail.example.net" in f.title and "relaxed" in f.title


def test_dmarc_strict_dkim_alignment_and_nothing_passed() -> None:
    strict = (
        "Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=x@esp.example.net;"
        " dkim=pass header.d=mail.example.com; dmarc=fail header.from=example.com\r\n"
    )
    f = _titled(_eop("SCL:1;SFV:NSPM", "dest:I", auth=strict), "DMARC failed for example.com")
    assert "d=mail.example.com" in f.title and "adkim=s" in f.title
    none = (
        "Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=example.com;"
        " dkim=none; dmarc=fail header.from=example.com\r\n"
    )
    f = _titled(_eop("SCL:1;SFV:NSPM", "dest:I", auth=none), "DMARC failed for example.com")
    assert "neither SPF nor DKIM passed (SPF fail, DKIM none)" in f.title


# RFC 8617 (ARC) section 4.1.1 / 5.2: a receiver that validates the chain records arc=pass,
# and the ARC-Authentication-Results of a sealer say what it saw on arrival. SRS (Shevek,
# "Sender Rewriting Scheme"): SRS0=HHH=TT=domain=local@forwarder.
_FORWARDED = (
    "Authentication-Results: mx.example.org; spf=pass\r\n"
    " smtp.mailfrom=SRS0=Hq3k=TT=example.com=ann@lists.example.net;\r\n"
    " dkim=fail header.d=example.com; dmarc=fail header.from=example.com; arc=pass (i=1)\r\n"
    "ARC-Authentication-Results: i=1; lists.example.net; spf=pass\r\n"
    " smtp.mailfrom=ann@example.com; dkim=pass header.d=example.com;\r\n"
    " dmarc=pass header.from=example.com\r\n"
)


def test_dmarc_failure_after_a_forward_cites_arc_and_the_srs_sender() -> None:
    a = _eop("SCL:1;SFV:NSPM", "dest:I", auth=_FORWARDED)
    f = _titled(a, "DMARC failed for example.com")
    assert "forwarded by lists.example.net (SRS for example.com)" in f.title
    assert "ARC shows it passed upstream at lists.example.net" in f.title
    assert "arc=pass" in f.next_step and f.severity == "medium"
    spf = _titled(a, "Forwarded: lists.example.net rewrote the envelope sender (SRS)")
    assert "example.com" in spf.title and "SRS0=" not in spf.title


def test_batv_sender_is_named_by_its_address() -> None:
    """draft-levine-smtp-batv: prvs=tag-val=loc-core@domain."""
    batv = (
        "Authentication-Results: mx.example.org; spf=pass\r\n"
        " smtp.mailfrom=prvs=1234abcdef=billing@invoices.example.net;\r\n"
        " dkim=pass header.d=example.com; dmarc=pass header.from=example.com\r\n"
    )
    a = _eop("SCL:1;SFV:NSPM", "dest:I", auth=batv)
    f = _titled(a, "SPF passed for billing@invoices.example.net, not example.com")
    assert "prvs=" not in f.title


def test_rewritten_sender() -> None:
    srs = rewritten_sender("<SRS0=Hq3k=TT=example.com=ann@lists.example.net>")
    assert srs is not None and (srs.kind, srs.domain, srs.via) == (
        "SRS", "example.com", "lists.example.net")  # fmt: skip
    srs1 = rewritten_sender("SRS1=Xy=fwd1.example.org==Hq3k=TT=example.com=ann@fwd2.example.net")
    assert srs1 is not None and srs1.address == "ann@example.com"
    batv = rewritten_sender("prvs=1234abcdef=billing@example.com")
    assert batv is not None and (batv.kind, batv.address) == ("BATV", "billing@example.com")
    assert rewritten_sender("ann@example.com") is None
    assert rewritten_sender("") is None


# --- a delivered copy without Authentication-Results is not blamed ---


def test_delivered_copy_without_results_is_not_an_authentication_failure() -> None:
    raw = _EOP_HOPS + (
        "X-Forefront-Antispam-Report: CIP:203.0.113.10;SCL:1;SFV:NSPM;DIR:INB;\r\n"
        "X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:I;ENG:(910001);\r\n"
    )
    a = analyse(load_bytes((raw + _TAIL + "\r\nbody\r\n").encode(), "no-ar.eml"))
    auth = [f for f in a.findings if f.layer == "authentication"]
    assert [f.title for f in auth] == ["Authentication not recorded in this copy"]
    assert auth[0].severity == "info" and "fail" not in auth[0].title.lower()
    assert likely_layer(a.findings) is None


def test_timeline_words_a_release_hop_and_what_followed_it() -> None:
    """The route pane's line for pair 11: the wait ends at the re-injection (the release)."""
    a = _pair("11", "a").timeline.verdict
    assert "re-sent at hop 4 (a release)" in a and "no hop after it" in a
    b = _pair("11", "b").timeline.verdict
    assert "held until it was re-sent at hop 4 (a release), then handed to Microsoft EOP" in b


def test_trace_does_not_call_a_junked_copy_held_upstream() -> None:
    """Pair 13 A went through Proofpoint Essentials and was filed in Junk Email by the
    mailbox: a trace without its row must not say the gateway held it."""
    from mailtriage.checks.msgtrace.load import load_trace, match

    head = '"Date (UTC)","Sender address","Recipient address","Subject","Status","Message ID"\r\n'
    row = '"2025-04-08 14:22:19","a@example.com","b@example.org","x","Delivered","<x@example.com>"'
    trace = load_trace((head + row + "\r\n").encode(), "t.csv")
    (junked,) = match(trace, [_pair("13", "a")])
    assert "held it upstream" not in (junked.disagreement or "")
    assert junked.layer != "quarantine/release"
    (held,) = match(trace, [_pair("08", "a")])  # stopped at Proofpoint: held upstream
    assert "Proofpoint held it upstream" in (held.disagreement or "")


def test_diff_does_not_file_a_junked_copy_under_quarantine() -> None:
    """Pair 13: the Junk Email copy differs in the mailbox folder, not in a quarantine row."""
    from mailtriage.checks.diff import diff_samples

    rows = {r.field: r for r in diff_samples(_pair("13", "a"), _pair("13", "b"))}
    assert not rows["Quarantine"].differs
    assert rows["Mailbox folder"].differs and rows["Mailbox folder"].layer == "downstream/mailbox"
    held = {r.field: r for r in diff_samples(_pair("08", "a"), _pair("08", "b"))}
    assert held["Quarantine"].differs and "Proofpoint rule spam held" in held["Quarantine"].a


def test_sample_pane_shows_a_junked_copy_as_placed_not_quarantined() -> None:
    from mailtriage.widgets.sample_pane import _hold_row

    label, value, _ = _hold_row(_pair("13", "a"))
    assert label == "Placement" and "Junk Email" in value
    assert _hold_row(_pair("08", "a"))[0] == "Quarantine"


def test_ticket_notes_call_a_junked_copy_placed() -> None:
    from mailtriage.checks.notes import ticket_notes

    text = ticket_notes([_pair("13", "a"), _pair("08", "a")], [None, None], [], [], frozenset())
    assert "Placement: Microsoft delivered it to the Junk Email folder" in text
    assert "Quarantine signal: Proofpoint rule spam held the message" in text
    assert "Quarantine signal: Microsoft delivered" not in text


def test_dmarc_failure_next_to_an_exactly_aligned_pass_is_not_blamed_on_a_third_party() -> None:
    """RFC 7489 section 3.1: an identical domain aligns in strict and relaxed mode alike, so
    a recorded dmarc=fail beside it is a contradiction to resolve, not a third-party d=."""
    odd = (
        "Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=example.com;"
        " dkim=pass header.d=example.com; dmarc=fail header.from=example.com\r\n"
    )
    f = _titled(_eop("SCL:1;SFV:NSPM", "dest:I", auth=odd), "DMARC failed for example.com")
    assert "DKIM d=example.com passed and aligns in any mode" in f.title
    assert "only another domain" not in f.title and "sign with their own domain" not in f.next_step


def test_users_blocked_senders_blk_is_downstream() -> None:
    """SFV:BLK (Microsoft Learn, as above: the sender is on the user's Blocked Senders list):
    the user's own list moved it, a mailbox fact, not the filter's verdict."""
    a = _eop("SCL:6;SRV:;IPV:NLI;SFV:BLK;CAT:NONE", "jmr:1;auth:0;dest:J")
    top = _titled(a, "The recipient's Blocked Senders list junked it (SFV:BLK)")
    assert top.layer == "downstream/mailbox" and likely_layer(a.findings) == "downstream/mailbox"
    assert not any(f.layer in ("verdict", "quarantine/release") for f in a.findings)
    assert "by the anti-spam policy" not in (a.placement or "")


def test_timeline_names_the_wait_before_an_eop_release() -> None:
    """Pair 12 B (SFV:SKQ): the six-hour wait is the quarantine hold, not downstream queues."""
    line = _pair("12", "b").timeline.verdict
    assert "held in quarantine before its release" in line
    assert "look downstream" not in line
