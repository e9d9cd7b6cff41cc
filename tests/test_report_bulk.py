"""``mailtriage report`` over folders and mailboxes: expansion, order, progress, summary, errors.

Real processes, real files and a real pseudo-terminal for the progress bar.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from mailtriage.checks.message.loader import load_path
from mailtriage.checks.message.mbox import list_messages, load_message, read_span, scan_file
from mailtriage.checks.report.summary import Facts, Summary, facts
from mailtriage.tui.progress import Progress
from mailtriage.tui.report_inputs import Failed, Inputs, MboxPart, Numbered, label_of

from tests.tui_support import ROOT

DEMO = ROOT / "tui" / "demo"
BLOCKED = (DEMO / "blocked.eml").read_bytes()
DELIVERED = (DEMO / "delivered.eml").read_bytes()
SISIMAI = ROOT.parent / "shared" / "corpora" / "sisimai-dev" / "emails"


def run(*args: str, stderr: int | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, MAILTRIAGE_CONFIG=str(ROOT / "tests" / "no-such-config.toml"))
    return subprocess.run(
        [sys.executable, "-m", "mailtriage.tui.cli", *args],
        capture_output=stderr is None,
        stdout=subprocess.PIPE if stderr is not None else None,
        stderr=stderr,
        cwd=ROOT,
        timeout=120,
        env=env,
    )


def records(out: bytes) -> list[dict[str, Any]]:
    return [json.loads(x) for x in out.decode().splitlines()]


def mbox(*messages: bytes, nl: bytes = b"\n") -> bytes:
    """An mboxo file: each message after a ``From `` line, a blank line between them."""
    parts = []
    for i, m in enumerate(messages):
        body = m.replace(b"\r\n", b"\n").replace(b"\n", nl)
        parts.append(b"From sender%d@example.com Mon Jan  5 10:00:00 2026" % i + nl + body)
    return nl.join(p.rstrip(nl) + nl for p in parts)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A quarantine export as an MSP gets it: samples, a mailbox, and things that are not."""
    root = tmp_path / "export"
    (root / "b-sub" / "deeper").mkdir(parents=True)
    (root / "a.eml").write_bytes(BLOCKED)
    (root / "b-sub" / "c.TXT").write_bytes(DELIVERED)  # suffixes in any case
    (root / "b-sub" / "deeper" / "d.eml").write_bytes(BLOCKED)
    (root / "box.mbox").write_bytes(mbox(BLOCKED, DELIVERED, BLOCKED))
    (root / "e.eml").write_bytes(mbox(DELIVERED))  # an mbox of one: stays one sample
    (root / "notes.pdf").write_bytes(b"%PDF-1.4")
    (root / ".hidden.eml").write_bytes(BLOCKED)
    (root / ".cache").mkdir()
    (root / ".cache" / "x.eml").write_bytes(BLOCKED)
    (root / "b-sub" / "loop").symlink_to(root)  # a link to a folder is never followed
    return root


EXPECTED = [
    "a.eml",
    "b-sub/c.TXT",
    "b-sub/deeper/d.eml",
    "box.mbox#1",
    "box.mbox#2",
    "box.mbox#3",
    "e.eml",
]


# ---- folders ---------------------------------------------------------------------
def test_a_folder_is_walked_recursively_in_name_order(tree: Path) -> None:
    out = run("report", "--json", "--offline", str(tree))
    assert out.returncode == 0, out.stderr
    assert [r["source"] for r in records(out.stdout)] == [str(tree / x) for x in EXPECTED]
    # What was skipped is said once, on stderr, with the count and the first one.
    note = out.stderr.decode().splitlines()
    assert note == [
        f"mailtriage: note: skipped 4 folder entries that are not samples (not .eml, .msg, "
        f".txt or .mbox, hidden, or a link to a folder), first: {tree / '.cache'}"
    ]


def test_inputs_count_what_they_skip(tree: Path) -> None:
    inputs = Inputs([str(tree)])
    labels = [label_of(i) for i in inputs]
    assert labels == [str(tree / x) for x in EXPECTED]
    assert inputs.skipped == 4  # .cache, .hidden.eml, b-sub/loop, notes.pdf


def test_a_folder_without_samples_is_an_error_in_its_place(tmp_path: Path) -> None:
    (tmp_path / "only.pdf").write_bytes(b"x")
    items = list(Inputs([str(tmp_path)]))
    assert len(items) == 1 and isinstance(items[0], Failed)
    assert "no .eml, .msg, .txt or .mbox files" in items[0].error


# ---- mailboxes -------------------------------------------------------------------
def test_every_message_of_an_mbox_is_reported_and_file_hash_n_is_one(tmp_path: Path) -> None:
    box = tmp_path / "quarantine.mbox"
    box.write_bytes(mbox(BLOCKED, DELIVERED, BLOCKED))
    out = run("report", "--json", "--offline", str(box), f"{box}#2")
    assert out.returncode == 0, out.stderr
    got = records(out.stdout)
    assert [r["source"] for r in got] == [f"{box}#1", f"{box}#2", f"{box}#3", f"{box}#2"]
    alone = records(run("report", "--json", "--offline", str(DEMO / "delivered.eml")).stdout)[0]
    assert got[1]["subject"] == got[3]["subject"] == alone["subject"]
    assert got[1]["message_id"] == alone["message_id"]
    assert not any("only the first" in p["message"] for r in got for p in r["problems"])
    missing = run("report", "--json", "--offline", f"{box}#9")
    assert missing.returncode == 2 and b"no message 9 (the mbox holds 3)" in missing.stderr


@pytest.mark.parametrize("nl", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize("block", [7, 100, 4096, 1 << 20])
def test_the_streaming_scan_splits_as_the_loader_does(
    tmp_path: Path, nl: bytes, block: int
) -> None:
    """Block boundaries anywhere (inside a line break, inside "From ") change nothing."""
    quoted = BLOCKED.replace(b"\n\n", b"\n\n>From the quoted body\n\n", 1)
    data = b"\xef\xbb\xbf\n" + mbox(quoted, DELIVERED, BLOCKED, DELIVERED, nl=nl)
    box = tmp_path / "x.mbox"
    box.write_bytes(data)
    spans = list(scan_file(box, block=block))
    listed = list_messages(data).entries  # offsets past the BOM, which it drops
    assert [(s.number, s.offset - 3, s.end - 3) for s in spans] == [
        (e.index, e.offset, e.end) for e in listed
    ]
    assert len(spans) == 4
    for span in spans:
        a, b = read_span(box, span), load_message(data, span.number, str(box))
        assert a.raw == b.raw and a.source == b.source == f"{box}#{span.number}"


def test_a_file_that_is_not_an_mbox_reads_only_its_first_bytes(tmp_path: Path) -> None:
    p = tmp_path / "a.eml"
    p.write_bytes(BLOCKED)
    assert list(scan_file(p)) == []
    assert list(Inputs([str(p)])) == [str(p)]


def test_items_survive_the_trip_to_a_worker(tmp_path: Path) -> None:
    import pickle

    box = tmp_path / "x.mbox"
    box.write_bytes(mbox(BLOCKED, DELIVERED))
    items = list(Inputs([str(box), f"{box}#2"]))
    assert [type(i) for i in items] == [MboxPart, MboxPart, Numbered]
    assert pickle.loads(pickle.dumps(items)) == items


# ---- order with --jobs -----------------------------------------------------------
def test_jobs_keep_input_order_over_folders_and_mailboxes(tree: Path) -> None:
    box = tree / "box.mbox"
    argv = ["report", "--json", "--offline", str(tree), f"{box}#3", str(box)]
    files = sorted(SISIMAI.glob("*.eml"))
    if files:
        argv += [str(p) for p in files] * 2  # enough items for many chunks in flight
    one = run(*argv)
    two = run(*argv, "--jobs", "2")
    assert one.returncode == two.returncode == 0, two.stderr
    assert one.stdout == two.stdout and one.stderr == two.stderr
    sources = [r["source"] for r in records(two.stdout)]
    head = [str(tree / x) for x in EXPECTED] + [f"{box}#3"] + [f"{box}#{n}" for n in (1, 2, 3)]
    assert sources == head + [str(p) for p in files] * 2


# ---- unreadable inputs and the exit status ---------------------------------------
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_unreadable_files_never_stop_the_run(tmp_path: Path, jobs: str) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "1.eml").write_bytes(BLOCKED)
    (root / "2-dangling.eml").symlink_to(root / "gone.eml")
    os.mkfifo(root / "3-pipe.eml")  # refused at once, never waited on
    (root / "4-junk.msg").write_bytes(bytes(range(256)) * 40)
    (root / "5.eml").write_bytes(DELIVERED)
    out = run("report", "--json", "--offline", "--summary", "--jobs", jobs, str(root))
    assert out.returncode == 2 and b"Traceback" not in out.stderr
    got = records(out.stdout)
    names = ["1.eml", "2-dangling.eml", "3-pipe.eml", "4-junk.msg", "5.eml"]
    assert [r.get("source") for r in got[:-1]] == [str(root / n) for n in names]
    assert ["error" in r for r in got[:-1]] == [False, True, True, True, False]
    assert "No such file" in got[1]["error"] and "named pipe" in got[2]["error"]
    assert "not an email" in got[3]["error"]
    assert got[-1]["summary"]["messages"] == 2 and got[-1]["summary"]["errors"] == 3
    errors = [x for x in out.stderr.decode().splitlines() if x.startswith("mailtriage: error:")]
    assert len(errors) == 3


def test_exit_status_is_0_when_every_input_was_reported(tree: Path) -> None:
    assert run("report", "--offline", str(tree)).returncode == 0
    assert run("report", "--offline", str(tree), str(tree / "nope.eml")).returncode == 2


def test_text_mode_says_errors_on_stderr_only(tmp_path: Path) -> None:
    out = run("report", "--offline", str(tmp_path / "missing.eml"), str(DEMO / "blocked.eml"))
    assert out.returncode == 2
    assert out.stdout.startswith(b"== ") and b"missing.eml" not in out.stdout
    assert out.stderr.count(b"\n") == 1 and b"missing.eml" in out.stderr


# ---- progress bar: only on a terminal -------------------------------------------
def _on_a_pty(*args: str) -> tuple[subprocess.CompletedProcess, bytes]:
    """Run with stderr on a pseudo-terminal (stdout a pipe); return what the terminal got."""
    import tempfile

    master, slave = pty.openpty()
    env = dict(os.environ, MAILTRIAGE_CONFIG=str(ROOT / "tests" / "no-such-config.toml"))
    sink = tempfile.TemporaryFile()  # noqa: SIM115 (a pipe left unread would fill and stall)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mailtriage.tui.cli", *args],
        stdout=sink,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed: the process has ended
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    sink.seek(0)
    out = sink.read()
    sink.close()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, b""), seen


def test_progress_bar_is_drawn_when_stderr_is_a_terminal(tree: Path) -> None:
    done, tty = _on_a_pty("report", "--json", "--offline", str(tree))
    assert done.returncode == 0
    text = tty.decode()
    assert "\r" in text and "\x1b[K" in text
    assert "report: 7/7 samples [########################] 100%" in text
    assert len(records(done.stdout)) == 7  # stdout untouched by the bar
    quiet, tty = _on_a_pty("report", "--json", "--offline", "--no-progress", str(tree))
    assert quiet.returncode == 0 and b"report:" not in tty and b"\r\x1b[K" not in tty


def test_nothing_extra_on_stderr_when_it_is_not_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "a.eml").write_bytes(BLOCKED)
    (tmp_path / "b.mbox").write_bytes(mbox(BLOCKED, DELIVERED))
    out = run("report", "--json", "--offline", str(DEMO / "blocked.eml"), str(tmp_path))
    assert out.returncode == 0 and out.stderr == b"" and len(records(out.stdout)) == 4


def test_progress_line_counts_rate_and_time_left() -> None:
    bar = Progress(None)
    bar.done = 50
    assert "(counting...)" in bar.line(bar._started + 1)
    bar.total = 200
    line = bar.line(bar._started + 10)  # 5 per second, 150 left: 30 s
    assert line.startswith("report: 50/200 samples [######------------------]  25%")
    assert "5/s" in line and "left 0:30" in line
    bar.done = 200
    assert "in 0:40" in bar.line(bar._started + 40)


# ---- --summary ---------------------------------------------------------------------
def test_facts_of_a_bounce_and_of_a_gateway_verdict() -> None:
    rep = {
        "likely_layer": "policy",
        "timeline": {"gateway": "Proofpoint"},
        "bounce": {
            "recipients": [
                {"category": "recipient unknown", "status": "5.1.1", "reply_code": "550"},
                {"category": "mailbox full", "status": None, "reply_code": "552"},
                {"category": None, "status": None, "reply_code": None},
            ]
        },
        "verdicts": [
            {"vendor": "Proofpoint", "verdict": "quarantined"},
            {"vendor": "Microsoft", "verdict": None},
        ],
    }
    f = facts(rep)
    assert f.layer == "policy" and f.gateway == "Proofpoint"
    assert f.categories == ("recipient unknown", "mailbox full", "other")
    assert f.reasons == (
        "recipient unknown 5.1.1",
        "mailbox full 552",
        "other",
        "Proofpoint: quarantined",
    )
    assert facts({"timeline": None, "bounce": None}) == Facts(None, None)


def test_reasons_are_what_stopped_mail_never_clean_or_allowed() -> None:
    """A trial's summary was led by "Mimecast: clean" and by bounces' own "allowed" SCL -1."""
    rep = {
        "bounce": {
            "recipients": [
                {"category": "auto-reply", "status": None, "reply_code": None},
                {"category": "delivered", "status": "2.0.0", "reply_code": "250"},
                {"category": "spam block", "status": "5.7.1", "reply_code": "550"},
            ]
        },
        "verdicts": [
            {"vendor": "Mimecast", "verdict": "clean"},
            {"vendor": "Microsoft", "verdict": "allowed"},
            {"vendor": "Microsoft", "verdict": "not spam"},
            {"vendor": "Google", "verdict": "phish"},
            {"vendor": "Mimecast", "verdict": "blocked"},
        ],
    }
    f = facts(rep)
    assert f.categories == ("auto-reply", "delivered", "spam block")
    assert f.reasons == ("spam block 5.7.1", "Google: phish", "Mimecast: blocked")


def test_summary_counts_and_ranks() -> None:
    s = Summary()
    s.add(Facts("policy", "Proofpoint", ("recipient unknown",), ("recipient unknown 5.1.1",)))
    s.add(Facts("policy", None, ("recipient unknown", "mailbox full"), ("a", "b")))
    s.add(Facts(None, "Mimecast", (), ("Mimecast: spam",)))
    s.errors = 2
    s.skipped = 1
    j = s.to_json()
    assert j["messages"] == 3 and j["errors"] == 2 and j["skipped"] == 1
    assert list(j["layers"].items()) == [("policy", 2), ("none found", 1)]
    assert j["bounce_categories"] == {"recipient unknown": 2, "mailbox full": 1}
    assert j["gateways"] == {"Mimecast": 1, "Proofpoint": 1, "none recognised": 1}
    assert len(j["top_reasons"]) == 4 and j["top_reasons"][0] == {
        "reason": "Mimecast: spam",
        "count": 1,
    }
    text = s.text()
    assert text.startswith("Summary: 3 reported, 2 could not be read or analysed, 1 skipped")
    for title in ("Likely layer", "Bounce category", "Gateway", "Top reasons"):
        assert f"\n{title} " in text


def test_summary_text_is_escaped() -> None:
    s = Summary()
    s.add(Facts("policy", "Evil\x1b[31m", (), ("x\u202ey",)))
    assert "\x1b" not in s.text() and "\u202e" not in s.text()


def test_summary_with_json_is_a_last_line_and_a_table_on_stderr(tree: Path) -> None:
    out = run("report", "--json", "--offline", "--summary", str(tree), str(tree / "no.eml"))
    assert out.returncode == 2
    got = records(out.stdout)
    assert "source" not in got[-1] and set(got[-1]) == {"summary"}
    summary = got[-1]["summary"]
    reports = got[:-1]
    assert summary["messages"] == 7 and summary["errors"] == 1 and summary["skipped"] == 4
    assert sum(summary["layers"].values()) == 7 == sum(summary["gateways"].values())
    layers: dict[str, int] = {}
    for r in reports:
        if "error" not in r:
            key = r["likely_layer"] or "none found"
            layers[key] = layers.get(key, 0) + 1
    assert summary["layers"] == dict(sorted(layers.items(), key=lambda kv: (-kv[1], kv[0])))
    assert summary["gateways"] == {"Proofpoint": 7}
    assert {"reason": "Proofpoint: quarantined", "count": 4} in summary["top_reasons"]
    err = out.stderr.decode()
    assert "Summary: 7 reported, 1 could not be read or analysed, 4 skipped" in err
    assert "\nGateway " in err and "Proofpoint" in err


def test_summary_in_text_mode_ends_stdout(tree: Path) -> None:
    out = run("report", "--offline", "--summary", str(tree))
    assert out.returncode == 0
    text = out.stdout.decode()
    tail = text[text.index("\nSummary: ") :]
    assert (
        "\nLikely layer " in tail
        and "\nTop reasons " in tail
        and "Summary" not in out.stderr.decode()
    )


def test_summary_over_bounces_counts_categories() -> None:
    files = sorted(SISIMAI.glob("*.eml"))
    if not files:
        pytest.skip(f"sisimai corpus not found under {SISIMAI}")
    out = run("report", "--json", "--offline", "--summary", *map(str, files))
    got = records(out.stdout)
    summary = got[-1]["summary"]
    recipients = [
        r for rep in got[:-1] for r in ((rep.get("bounce") or {}).get("recipients") or [])
    ]
    assert sum(summary["bounce_categories"].values()) == len(recipients) > 0
    assert summary["messages"] + summary["errors"] == len(files)


def test_a_single_message_mbox_keeps_its_name(tmp_path: Path) -> None:
    p = tmp_path / "one.mbox"
    p.write_bytes(mbox(BLOCKED))
    assert list(Inputs([str(p)])) == [str(p)]
    assert load_path(p).source == str(p)
