"""Microsoft 365 message trace import and matching.

No public real export exists in /work/shared/corpora, so the fixtures in
tests/samples/trace/ are built from Microsoft's documented column sets (see the
README there: new EAC export, Get-MessageTrace | Export-Csv, historical search
enhanced summary and extended reports). Hostile rows, other encodings and the
~50 MB file are generated here. Samples are the real demo messages and, when the
corpus is present, real Office 365 mail from sisimai.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.model import Sample
from mailtriage.checks.msgtrace import read as msgtracecsv
from mailtriage.checks.msgtrace.load import (
    MAX_FIELD,
    MAX_ROWS,
    STATUS,
    TraceError,
    canonical_status,
    load_trace,
    match,
    normalise_message_id,
    parse_when,
    time_range,
)
from mailtriage.checks.pelog import LAYERS
from mailtriage.checks.verdicts import find_verdicts, microsoft_mailbox

ROOT = Path(__file__).resolve().parents[1]
TRACES = ROOT / "tests" / "samples" / "trace"
DEMO = ROOT / "tui" / "demo"
SISIMAI = ROOT.parent / "shared" / "corpora" / "sisimai-dev" / "emails"
EAC_HEAD = '"Date (UTC)","Sender address","Recipient address","Subject","Status","Message ID"\r\n'


def _fixture(name: str) -> bytes:
    return (TRACES / name).read_bytes()


def _trace(text: str, name: str = "t.csv"):  # type: ignore[no-untyped-def]
    return load_trace(text.encode(), name)


def _delivered(**swap: str) -> Sample:
    data = (DEMO / "delivered.eml").read_bytes()
    for old, new in swap.items():
        data = data.replace(old.encode(), new.encode())
    return load_bytes(data, "delivered-variant")


def test_eac_export() -> None:
    t = load_trace(_fixture("eac_export.csv"), "eac_export.csv")
    assert (t.format, t.encoding, len(t.rows), t.problems) == ("eac", "utf-8", 5, ())
    first, spam = t.rows[0], t.rows[1]
    assert first.subject == "Weekly report, part 1" and first.size == 48213
    assert first.from_ip == "203.0.113.9" and first.trace_id.startswith("0f8e3c52")
    assert spam.subject == 'Line one\nline two, with a comma and "quotes"'
    assert spam.status == "FilteredAsSpam" and t.rows[4].status == "GettingStatus"
    assert t.rows[4].to_ip == "192.0.2.77"


def test_get_messagetrace_export_with_type_line() -> None:
    t = load_trace(_fixture("get_messagetrace.csv"), "ps.csv")
    assert t.format == "get-messagetrace" and len(t.rows) == 3
    row = t.rows[0]
    assert (row.sender, row.recipient, row.status) == (
        "billing@fabrikam.example",
        "ap@northwind.example",
        "Quarantined",
    )
    assert row.received == "11/23/2026 9:41:07 AM" and row.size == 23114
    assert ("Organization", "northwind.onmicrosoft.com") in row.extra
    assert row.display("Organization") == "northwind.onmicrosoft.com"
    assert [r.status for r in t.rows] == ["Quarantined", "Failed", "Pending"]


def test_historical_summary_utf16_bom_splits_recipients() -> None:
    t = load_trace(_fixture("historical_summary_utf16.csv"), "hist.csv")
    assert (t.format, t.encoding) == ("historical-summary", "utf-16-le")
    assert [(r.recipient, r.status) for r in t.rows] == [
        ("ap@northwind.example", "Delivered"),
        ("ar@northwind.example", "Failed"),
        ("partner@fabrikam.example", "Delivered"),
    ]
    assert t.rows[0].subject == "Order 5531, confirmation" and t.rows[0].from_ip == "203.0.113.80"
    assert t.rows[0].trace_id == "9a8b7c6d-5e4f-4a3b-8c2d-08dcfb000001"
    assert ("directionality", "Incoming") in t.rows[0].extra


def test_historical_extended_utf16_without_bom() -> None:
    t = load_trace(_fixture("historical_extended_nobom.csv"), "ext.csv")
    assert (t.format, t.encoding) == ("historical-extended", "utf-16-le")
    assert [r.status for r in t.rows] == ["RECEIVE", "Delivered"]
    assert t.rows[1].recipient == "ap@northwind.example" and t.rows[1].from_ip == "203.0.113.80"


@pytest.mark.parametrize(
    ("prefix", "codec"),
    [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")],
)
def test_byte_order_marks(prefix: bytes, codec: str) -> None:
    text = _fixture("eac_export.csv").decode("utf-8")
    t = load_trace(prefix + text.encode(codec), "bom.csv")
    assert len(t.rows) == 5 and t.rows[1].status == "FilteredAsSpam"


def test_semicolon_and_sep_line_and_cp1252() -> None:
    t = _trace(
        "Received;SenderAddress;RecipientAddress;Status;MessageId\n"
        "1/2/2026 10:00;a@x;b@y;Delivered;<m@x>\n"
    )
    assert t.rows[0].message_id == "<m@x>"
    t = _trace("sep=|\nReceived|Sender|Recipient|Status|Message ID\nx|a@x|b@y|Failed|<m@x>\n")
    assert t.rows[0].status == "Failed"
    t = load_trace(EAC_HEAD.encode() + b'x,a@x,b@y,"Caf\xe9 menu",Delivered,<c@x>\r\n', "cp.csv")
    assert t.rows[0].subject == "Café menu" and t.encoding == "cp1252"


def test_lone_cr_line_endings() -> None:
    body = (
        "Received,Sender,Recipient,Subject,Status,Message ID\r"
        '1/2/2026 10:00,a@x,b@y,"two\r\nlines",Delivered,<m@x>\r'
        "1/2/2026 10:01,a@x,c@y,s,Failed,<n@x>\r"
    )
    t = _trace(body, "mac.csv")
    assert [(r.recipient, r.status) for r in t.rows] == [("b@y", "Delivered"), ("c@y", "Failed")]
    assert t.rows[0].subject == "two\r\nlines" and t.problems == ()
    utf16 = load_trace(b"\xff\xfe" + body.encode("utf-16-le"), "mac16.csv")
    assert [r.message_id for r in utf16.rows] == ["<m@x>", "<n@x>"]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01\x02\x03" * 4000,
        b"Name,Email,Phone\nAnn,ann@x.example,1\n",
        (DEMO / "blocked.eml").read_bytes(),
    ],
)
def test_not_a_trace(data: bytes) -> None:
    with pytest.raises(TraceError) as err:
        load_trace(data, "thing.csv")
    assert "\n" not in str(err.value) and "not a message trace" in str(err.value)


def test_not_a_trace_fixture() -> None:
    with pytest.raises(TraceError, match="Name, Email, Phone"):
        load_trace(_fixture("not_a_trace.csv"), "not_a_trace.csv")


def test_hostile_rows_are_stored_raw_and_displayed_safely() -> None:
    long_subject = "S" * (MAX_FIELD + 500)
    text = (
        "Received,SenderAddress,RecipientAddress,Subject,Status,MessageId\r\n"
        '1/1/2026 9:00,evil\u202e@x.example,ap@x.example,"\x1b[31mRED\x1b[0m \x07\x00",'
        "Delivered,<h@x>\r\n"
        "one stray field\r\n"
        f"1/1/2026 9:01,a@x,b@y,{long_subject},Delivered,<long@x>,extra column\r\n"
        f'1/1/2026 9:02,a@x,b@y,"{"z" * 200_000}",Delivered,<huge@x>\r\n'
        "1/1/2026 9:03,a@x,b@y,after,Delivered,<after@x>\r\n"
    )
    t = _trace(text)
    assert [r.message_id for r in t.rows] == ["<h@x>", "<long@x>", "<after@x>"]
    hostile = t.rows[0]
    assert "\x1b" in hostile.subject and "\u202e" in hostile.sender  # raw kept
    shown = hostile.display("subject") + hostile.display("sender")
    assert "\x1b" not in shown and "\u202e" not in shown and "\x00" not in shown
    assert "\\x1b" in shown and "\\u202e" in shown
    assert len(t.rows[1].subject) == MAX_FIELD
    problems = " | ".join(p.message for p in t.problems)
    assert "2 malformed row(s) skipped" in problems
    assert "1 row(s) had a different number of columns" in problems
    assert f"cut to {MAX_FIELD}" in problems


def test_fifty_megabyte_export_hits_the_row_cap() -> None:
    head = (
        '"Received","SenderAddress","RecipientAddress","Subject","Status","MessageId",'
        '"MessageTraceId"\r\n'
    )
    row = (
        '"11/23/2026 9:{m:02d}:00 AM","s{i}@f.example","ap@n.example","Subj {i}, x",'
        '"Delivered","<m{i}@f.example>","6d0c2f7a-3b1e-4c8d-a9f0-{i:012d}"\r\n'
    )
    parts, size, i = [head], len(head), 0
    while size < 50 * 1024 * 1024:
        line = row.format(i=i, m=i % 60)
        parts.append(line)
        size += len(line)
        i += 1
    assert i > MAX_ROWS
    t = load_trace("".join(parts).encode(), "big.csv")
    assert len(t.rows) == MAX_ROWS and t.truncated
    assert any(f"more than {MAX_ROWS} rows" in p.message for p in t.problems)
    assert t.find("<m199999@f.example>")[0].sender == "s199999@f.example"
    assert not t.find("<m200000@f.example>")
    (m,) = match(t, [analyse(load_path(DEMO / "delivered.eml"))])
    assert m.rows == () and m.disagreement is not None


def test_byte_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(msgtracecsv, "MAX_TRACE_BYTES", 4096)
    body = "".join(f"x,a@x,b@y,s{i},Delivered,<{i}@x>\r\n" for i in range(500))
    t = load_trace((EAC_HEAD + body).encode(), "cap.csv")
    assert t.truncated and 0 < len(t.rows) < 500
    assert t.rows[-1].message_id.endswith("@x>")  # the cut partial row was dropped
    assert "rest not read" in t.problems[0].message


def test_normalise_message_id() -> None:
    assert normalise_message_id("<ABC@Example.COM>") == "abc@example.com"
    assert normalise_message_id(" <a@b>\r\n ") == "a@b"
    assert normalise_message_id("<SA1PR12\n MB6789@x>") == "sa1pr12mb6789@x"
    assert normalise_message_id('"<a@b>"') == "a@b"
    assert normalise_message_id("{7C1E4B2A-9D3F}") == "7c1e4b2a-9d3f"
    assert normalise_message_id(None) == normalise_message_id("") == ""
    assert len(normalise_message_id("<" + "a" * 10_000 + ">")) <= 998


def test_status_table_and_spellings() -> None:
    names = {"Delivered", "Failed", "Pending", "Expanded", "Quarantined", "FilteredAsSpam",
             "GettingStatus", "Resolved", "None"}  # fmt: skip
    assert set(STATUS) == names
    for info in STATUS.values():
        assert info.layer in LAYERS and info.meaning and info.next_step
    assert canonical_status("Filtered as spam") == "FilteredAsSpam"
    assert canonical_status("Getting status") == "GettingStatus"
    assert canonical_status("delivered") == "Delivered"
    assert canonical_status("Receive, Deliver") == "Delivered"
    assert canonical_status("Receive, Send") == "Delivered"
    assert canonical_status("Receive, Fail") == "Failed"
    assert canonical_status("Something new") == "Something new"


def test_timestamps() -> None:
    utc = datetime(2026, 11, 23, 9, 13, 58, tzinfo=UTC)
    assert parse_when("2026-11-23T09:13:58.1234567Z") == utc
    assert parse_when("11/23/2026 9:13:58 AM") == utc
    assert parse_when("23/11/2026 09:13:58") == utc
    assert parse_when("11/23/2026, 9:13:58 PM") == utc.replace(hour=21)
    assert parse_when("11/23/2026 10:13:58", offset_minutes=60) == utc
    assert parse_when("not a date") is None and parse_when("13/13/2026 10:00") is None
    t = load_trace(_fixture("demo_trace.csv"), "demo")
    low, high = time_range(t)  # type: ignore[misc]
    assert (low.hour, low.minute, high.minute) == (8, 47, 19)


def test_demo_trace_matches_demo_samples() -> None:
    t = load_trace(_fixture("demo_trace.csv"), "demo_trace.csv")
    blocked, delivered = match(
        t, [analyse(load_path(DEMO / "blocked.eml")), analyse(load_path(DEMO / "delivered.eml"))]
    )
    assert blocked.status == "Quarantined" and blocked.layer == "quarantine/release"
    assert blocked.matched_by == "message-id" and blocked.disagreement is None
    assert blocked.message_id == "20261123091902.7f3c9a1e5b2d4806@mailer.billingcloud.example"
    assert delivered.status_summary == "Delivered" and delivered.disagreement is None
    assert delivered.mailbox == "Inbox (dest:I, SCL 1)"
    assert delivered.layer == "downstream/mailbox" and "rules" in delivered.next_step


def test_delivered_but_junk_is_a_disagreement() -> None:
    t = load_trace(_fixture("demo_trace.csv"), "demo")
    spam = _delivered(**{"dest:I": "dest:J", "SCL: 1": "SCL: 6", "SCL:1;": "SCL:6;"})
    user = _delivered(**{"dest:I": "dest:J"})
    folder = _delivered(**{"dest:I": "dest:C"})
    got = match(t, [analyse(spam), analyse(user), analyse(folder)])
    assert microsoft_mailbox(find_verdicts(spam)) == ("J", 6)
    assert got[0].disagreement.startswith("The trace says Delivered, but")  # type: ignore[union-attr]
    assert "Junk Email (dest:J, SCL 6)" in got[0].disagreement  # type: ignore[operator]
    assert got[0].layer == "verdict"
    assert got[1].layer == "downstream/mailbox" and "Blocked Senders" in got[1].next_step
    assert "custom folder" in got[2].disagreement and "rule" in got[2].next_step  # type: ignore[operator]


def test_quarantined_in_trace_but_in_mailbox() -> None:
    t = _trace(
        EAC_HEAD
        + "x,invoices@fabrikam.example,ap@northwind.example,s,Quarantined,"
        + "<SA1PR12MB6789C3F0A2B94D71E5C8A1B2C3D4E5F6A@SA1PR12MB6789.namprd12.prod.outlook.com>\r\n"
    )
    (m,) = match(t, [analyse(load_path(DEMO / "delivered.eml"))])
    assert m.layer == "quarantine/release" and "released" in m.disagreement  # type: ignore[operator]
    assert "ap@northwind.example" in m.disagreement  # type: ignore[operator]


@pytest.mark.parametrize(
    ("status", "agrees"),
    [("FilteredAsSpam", False), ("Failed", False), ("Pending", False), ("GettingStatus", False),
     ("Delivered", True), ("Resolved", True)],
)  # fmt: skip
def test_other_statuses_against_an_inbox_copy(status: str, agrees: bool) -> None:
    mid = "<SA1PR12MB6789C3F0A2B94D71E5C8A1B2C3D4E5F6A@SA1PR12MB6789.namprd12.prod.outlook.com>"
    trace = _trace(EAC_HEAD + f"x,a@x,ap@northwind.example,s,{status},{mid}\r\n")
    (m,) = match(trace, [analyse(load_path(DEMO / "delivered.eml"))])
    assert (m.disagreement is None) is agrees and m.status == status


def test_filtered_as_spam_in_junk_agrees() -> None:
    mid = "<SA1PR12MB6789C3F0A2B94D71E5C8A1B2C3D4E5F6A@SA1PR12MB6789.namprd12.prod.outlook.com>"
    t = _trace(EAC_HEAD + f"x,a@x,ap@northwind.example,s,Filtered as spam,{mid}\r\n")
    (m,) = match(t, [analyse(_delivered(**{"dest:I": "dest:J"}))])
    assert m.disagreement is None and m.layer == "verdict" and m.next_step.startswith("Consistent")


def test_group_expansion_and_recipient_filter() -> None:
    base = (
        "From: ceo@northwind.example\r\nSubject: Kick-off\r\n"
        "Message-ID: <kickoff@northwind.example>\r\n"
    )
    group = load_bytes((base + "To: sales@northwind.example\r\n\r\nhi\r\n").encode(), "group")
    (m,) = match(load_trace(_fixture("eac_export.csv"), "eac"), [analyse(group)])
    assert m.status_summary == "Expanded, Delivered" and m.status == "Delivered"
    hist = load_trace(_fixture("historical_summary_utf16.csv"), "hist")
    order = load_bytes(
        b"From: orders@tailspin.example\r\nTo: ar@northwind.example\r\n"
        b"Message-ID: <order5531@tailspin.example>\r\n\r\nx\r\n",
        "order",
    )
    (m,) = match(hist, [analyse(order)])
    assert m.status_summary == "Failed" and len(m.rows) == 1


def test_no_row_and_no_message_id() -> None:
    t = load_trace(_fixture("demo_trace.csv"), "demo")
    other = load_path(ROOT / "tests" / "samples" / "o365_delivered.eml")
    bare = load_bytes(b"From: a@x.example\r\nSubject: hi\r\n\r\nbody\r\n", "bare")
    missing, no_id = match(t, [analyse(other), analyse(bare)])
    assert missing.layer == "routing/connector" and missing.rows == ()
    assert missing.disagreement.startswith("Not in this trace")  # type: ignore[union-attr]
    assert "outside the trace's" in missing.disagreement  # type: ignore[operator]
    assert "gateway" in missing.next_step
    assert no_id.status_summary == "sample has no Message-ID" and no_id.disagreement is None


def test_network_message_id_and_sender_subject_fallbacks() -> None:
    t = _trace(
        '"Date (UTC)","Sender address","Recipient address","Subject","Status",'
        '"Message trace ID"\r\n'
        "x,invoices@fabrikam.example,ap@northwind.example,Invoice INV-20931 from Fabrikam,"
        "Delivered,7C1E4B2A-9D3F-4A8E-B6C5-08DD0B3F2E91\r\n"
    )
    assert any("no Message ID column" in p.message for p in t.problems)
    (m,) = match(t, [analyse(load_path(DEMO / "delivered.eml"))])
    assert m.matched_by == "network-message-id" and m.status == "Delivered"
    t = _trace(
        '"Date (UTC)","Sender address","Recipient address","Subject","Status"\r\n'
        "x,invoices@fabrikam.example,ap@northwind.example,Invoice INV-20944 from Fabrikam,"
        "Quarantined\r\n"
    )
    (m,) = match(t, [analyse(load_path(DEMO / "blocked.eml"))])
    assert m.matched_by == "sender+subject" and m.status == "Quarantined"


def test_real_office365_mail_from_sisimai() -> None:
    path = SISIMAI / "lhost-office365-09.eml"
    if not path.is_file():
        pytest.skip(f"sisimai corpus not present at {SISIMAI}")
    sample = load_path(path)
    assert microsoft_mailbox(find_verdicts(sample))[0] == "I"
    t = _trace(EAC_HEAD + f"x,a@x,b@y,s,Quarantined,<{sample.message_id}>\r\n")
    (m,) = match(t, [analyse(sample)])
    assert m.matched_by == "message-id" and m.disagreement is not None
    assert m.layer == "quarantine/release"


def test_no_row_is_expected_when_an_upstream_gateway_held_it() -> None:
    """The demo's blocked sample was quarantined by Proofpoint before Microsoft 365."""
    root = Path(__file__).resolve().parents[1]
    trace = load_trace((root / "tui" / "demo" / "trace.csv").read_bytes(), "demo")
    blocked = load_path(root / "tui" / "demo" / "blocked.eml")
    (m,) = match(trace, [analyse(blocked)])
    assert not m.rows and m.layer == "quarantine/release"
    assert m.disagreement and "Proofpoint held it upstream" in m.disagreement


@pytest.mark.parametrize(
    ("column", "when"),
    [
        ("Date (UTC)", "1/1/0001 12:00:00 AM"),
        ("Date (UTC)", "12/31/9999 11:59 PM"),
        ("Date (UTC+99:00)", "11/23/2026 9:19:05 AM"),
    ],
)
def test_placeholder_dates_and_impossible_offsets_do_not_break_matching(
    column: str, when: str
) -> None:
    data = (
        f"{column},Sender address,Recipient address,Subject,Status,Message ID\n"
        f"{when},a@example.org,b@example.com,s,Delivered,<other@example.org>\n"
    ).encode()
    trace = load_trace(data, "odd.csv")
    sample = load_path(ROOT / "tui" / "demo" / "delivered.eml")
    (m,) = match(trace, [analyse(sample)])
    assert not m.rows and m.disagreement


# --- one reader of Microsoft's placement: the decoded verdicts -----------------------------
# match.py used to read dest: and SCL from the raw sample with regular expressions of its own;
# it now reads verdicts.microsoft_mailbox(), the reader behind the verdict pane's placement
# line. Where the two readers disagreed, the tests below pin the answer kept and why.

DELIVERED_ROW = (
    EAC_HEAD + "x,a@x,ap@northwind.example,s,Delivered,"
    "<SA1PR12MB6789C3F0A2B94D71E5C8A1B2C3D4E5F6A@SA1PR12MB6789.namprd12.prod.outlook.com>\r\n"
)


def test_the_filter_report_scl_wins_over_the_organisation_header() -> None:
    """SCL: the old trace reader took X-MS-Exchange-Organization-SCL first, the verdicts the
    X-Forefront-Antispam-Report SCL field first.

    Microsoft Learn, "Anti-spam message headers in Microsoft 365", documents SCL as a field
    of X-Forefront-Antispam-Report, next to SFV and CAT: the spam filter's own record. The
    organisation header carries a message property that any transport agent may set again
    ([MS-OXCMAIL] 2.1.3.2.24), so the report wins and the header is the fallback.
    """
    sample = _delivered(**{"dest:I": "dest:J", "X-MS-Exchange-Organization-SCL: 1": (
        "X-MS-Exchange-Organization-SCL: 6")})  # fmt: skip
    a = analyse(sample)
    assert microsoft_mailbox(a.verdicts) == ("J", 1)  # before: ("J", 6)
    (m,) = match(_trace(DELIVERED_ROW), [a])
    assert m.mailbox == "Junk Email (dest:J, SCL 1)"  # before: "... SCL 6)"
    # before: layer "verdict" (spam filtering junked it); the filter said not spam (SFV:NSPM),
    # so the junk placement came from the mailbox, as the verdict pane already said.
    assert m.layer == "downstream/mailbox" and "Blocked Senders" in m.next_step
    assert "not spam (SFV:NSPM, SCL 1) but moved to Junk" in (a.placement or "")
    # The organisation header is still read when the report has no SCL.
    no_scl = _delivered(**{"dest:I": "dest:J", "SCL:1;": "", "X-MS-Exchange-Organization-SCL: 1":
                           "X-MS-Exchange-Organization-SCL: 6"})  # fmt: skip
    assert microsoft_mailbox(find_verdicts(no_scl)) == ("J", 6)


def test_folder_names_are_the_verdict_tables() -> None:
    """Folder codes: the trace reader had its own names, with a "D" (Deleted Items) that no
    public source gives; the verdicts' DEST table (I, J, C: the community reading of the
    undocumented X-Microsoft-Antispam-Mailbox-Delivery header) is now the only one."""
    custom = analyse(_delivered(**{"dest:I": "dest:C"}))
    (m,) = match(_trace(DELIVERED_ROW), [custom])
    assert m.mailbox == "custom folder (dest:C, SCL 1)"  # before: "a custom folder (...)"
    odd = analyse(_delivered(**{"dest:I": "dest:D"}))
    (m,) = match(_trace(DELIVERED_ROW), [odd])
    assert m.mailbox == "folder D (dest:D, SCL 1)"  # before: "Deleted Items (dest:D, SCL 1)"
    assert m.disagreement is None


def test_lost_folding_is_read_by_the_verdicts_too() -> None:
    """A paste that dropped the fold indent leaves X-Microsoft-Antispam-Mailbox-Delivery empty
    and its value as a "field" named after its first key. Only the trace reader joined it
    back; now the verdicts do, so the placement line and the trace agree (the real sisimai
    sample lhost-office365-09.eml has this shape)."""
    data = (
        "From: a@sender.example\r\nTo: ap@northwind.example\r\nSubject: s\r\n"
        "Message-ID: <lost@sender.example>\r\n"
        "X-Forefront-Antispam-Report: SFV:NSPM;SCL:1;CAT:NONE;\r\n"
        "X-Microsoft-Antispam-Mailbox-Delivery:\r\n"
        "ucf:0;jmr:1;auth:0;dest:J;ENG:(1)(2);\r\n\r\nbody\r\n"
    )
    a = analyse(load_bytes(data.encode(), "lost"))
    assert microsoft_mailbox(a.verdicts) == ("J", 1)
    # before: "Microsoft 365: not spam (SFV:NSPM, SCL 1)", no folder
    assert "moved to Junk by the user's junk rule" in (a.placement or "")
    # Only a "field" named like a mailbox-delivery key is joined back.
    other = data.replace("ucf:0;jmr:1;auth:0;", "X-Other: 1;")
    assert microsoft_mailbox(find_verdicts(load_bytes(other.encode(), "other"))) == ("", 1)
