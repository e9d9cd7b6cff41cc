"""Playbooks per ticket type (checks.playbook): packaged types, MSP overrides, suggestions.

The packaged playbooks are written from the troubleshooting guides in shared/seeds:
"Proofpoint allowlist fixes one recipient but not a shared mailbox workflow"
(seeds/000; its "Ticket Notes to Capture" and "Escalate When" lists), "Trouble-shooting
possible email delivery problems using the Proofpoint Essentials Interface" and
"Mimecast login protection challenge loops for one executive assistant" (seeds/001),
"Troubleshooting Mail Flow & Delivery" for Proofpoint Essentials (seeds/002: SMTP
fixup on Cisco firewalls, propagation after onboarding, the sandbox delay) and
"How can I contact ProofPoint support to resolve email delivery issues?" (Suped,
seeds/004: the case path, the evidence packet).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.playbook import (
    GENERAL,
    PACKAGED,
    RULES,
    PlaybookError,
    Playbooks,
    evaluate,
    load_playbook,
    load_playbooks,
    locate,
    suggest,
    suggest_kind,
)
from mailtriage.checks.suspect import suspect

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "fixtures" / "pairs"
DEMO = ROOT / "tui" / "demo"
BOUNCES = ROOT / "tests" / "fixtures" / "bounces"

GOOD = """\
id = "{id}"
title = "{title}"
description = "One line for the picker"

[[sections]]
id = "s"
title = "Only"

[[sections.items]]
id = "a"
text = "Write down the Message-IDs"
auto = "message_ids"
"""


def _override(config: Path, name: str, text: str) -> Path:
    folder = config / "playbooks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# The packaged types.


def test_packaged_types_in_picker_order() -> None:
    books = load_playbooks()
    assert isinstance(books, Playbooks)
    assert (
        list(books)
        == list(PACKAGED)
        == [
            "general",
            "gateway-trace",
            "allowlist-scope",
            "login-loop",
            "reputation",
            "onboarding",
            "delay",
        ]
    )
    assert books.problems == ()
    for kind, pb in books.items():
        assert pb.id == kind and pb.source == "packaged"
        assert pb.title and len(pb.title) <= 30
        assert pb.description and len(pb.description) <= 80 and "\n" not in pb.description


def test_every_packaged_playbook_has_the_guides_shape() -> None:
    """Each type ends with the guides' escalation list and ticket notes (seeds/000)."""
    for pb in load_playbooks().values():
        titles = [s.title for s in pb.sections]
        assert titles[-2:] == ["Escalate when", "Ticket notes to capture"], pb.id
        assert "Verification" in titles, pb.id
        ids = [i.id for s in pb.sections for i in s.items]
        assert len(ids) == len(set(ids)), pb.id
        for sec in pb.sections:
            assert sec.items
            for item in sec.items:
                assert len(item.text) <= 70, item.text
                assert item.hint is None or len(item.hint) <= 70


def test_every_rule_ticks_an_item_of_some_packaged_playbook() -> None:
    used = {i.auto for pb in load_playbooks().values() for s in pb.sections for i in s.items}
    assert set(RULES) <= used


def test_general_is_the_single_playbook_of_before() -> None:
    assert load_playbook() == load_playbooks()[GENERAL]
    assert load_playbook().title == "General"


def test_type_specific_steps_from_the_guides() -> None:
    books = load_playbooks()

    def texts(kind: str) -> str:
        return " ".join(i.text for s in books[kind].sections for i in s.items)

    # seeds/002: firewall lockdown to the gateway's ranges, SMTP fixup, propagation.
    assert "Cisco SMTP fixup" in texts("onboarding")
    assert "IP ranges" in texts("onboarding") and "MX" in texts("onboarding")
    # seeds/000: envelope vs header recipient, aliases, shared mailbox.
    assert "envelope recipient" in texts("allowlist-scope")
    # seeds/004: the customer portal vs the postmaster path, one case per IP.
    assert "postmaster" in texts("reputation") and "support portal" in texts("reputation")
    # seeds/002: "5 - 10 minutes on average with a maximum delay of 15 minutes".
    assert "5 to 15 min" in texts("delay")
    assert "login protection" in texts("login-loop")


def test_packaged_playbooks_load_outside_the_repository() -> None:
    code = (
        "from mailtriage.checks.playbook import load_playbooks\n"
        "b = load_playbooks()\n"
        "print(len(b), len(b.problems))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd="/", check=False
    )
    assert out.returncode == 0 and out.stdout.split() == ["7", "0"], out.stderr


# MSP overrides.


def test_override_adds_a_type_and_replaces_one_in_place(tmp_path: Path) -> None:
    added = _override(tmp_path, "b-new.toml", GOOD.format(id="fax-relay", title="Fax relay"))
    replaced = _override(tmp_path, "a-delay.toml", GOOD.format(id="delay", title="Our delay"))
    books = load_playbooks(tmp_path)
    assert books.problems == ()
    assert list(books) == [*PACKAGED, "fax-relay"]
    assert books["delay"].title == "Our delay" and books["delay"].source == str(replaced)
    assert books["fax-relay"].source == str(added)
    assert books["general"].source == "packaged"


def test_no_config_dir_or_no_folder_means_packaged_only(tmp_path: Path) -> None:
    assert list(load_playbooks(None)) == list(PACKAGED)
    assert load_playbooks(tmp_path).problems == ()


def test_for_kind_falls_back_to_general() -> None:
    books = load_playbooks()
    assert books.for_kind("delay").id == "delay"
    assert books.for_kind("removed-by-msp").id == GENERAL


def test_a_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    text = GOOD.format(id="x", title="X").replace("[[sections]]", "[[sections]")
    path = _override(tmp_path, "broken.toml", text)
    (problem,) = load_playbooks(tmp_path).problems
    assert problem.file == str(path)
    assert problem.line == 5 and problem.column is not None
    assert str(problem).startswith(f"{path}:5:")


def test_a_value_defined_twice_is_located_although_tomllib_gives_no_position(
    tmp_path: Path,
) -> None:
    text = GOOD.format(id="x", title="X").replace('auto = "message_ids"', 'text = "again"')
    _override(tmp_path, "twice.toml", text)
    (problem,) = load_playbooks(tmp_path).problems
    assert problem.line == 12
    assert "at end of document" not in problem.message


def test_an_unknown_rule_is_reported_at_its_key(tmp_path: Path) -> None:
    text = GOOD.format(id="x", title="X").replace("message_ids", "nope")
    _override(tmp_path, "rule.toml", text)
    (problem,) = load_playbooks(tmp_path).problems
    assert problem.line == 12 and problem.column is None
    assert "unknown auto rule 'nope'" in problem.message


def test_schema_errors_point_at_the_offending_table_or_key(tmp_path: Path) -> None:
    # The second item of the second section lacks its text: the line of that item's table.
    text = GOOD.format(id="x", title="X") + (
        '\n[[sections]]\nid = "t"\ntitle = "Two"\n\n'
        '[[sections.items]]\nid = "b"\ntext = "fine"\n\n'
        '[[sections.items]]\nid = "c"\nhint = """a\n[[sections]]\nstill the hint"""\n'
    )
    _override(tmp_path, "schema.toml", text)
    (problem,) = load_playbooks(tmp_path).problems
    assert "'text' must be a non-empty string" in problem.message
    assert text.splitlines()[problem.line - 1] == "[[sections.items]]"
    assert problem.line == 22


def test_a_missing_header_key_is_reported(tmp_path: Path) -> None:
    text = GOOD.format(id="x", title="X").replace('description = "One line for the picker"\n', "")
    _override(tmp_path, "nodesc.toml", text)
    (problem,) = load_playbooks(tmp_path).problems
    assert "'description'" in problem.message and problem.line == 1


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    _override(tmp_path, "a-bad.toml", "id = [")
    _override(tmp_path, "b-good.toml", GOOD.format(id="good", title="Good"))
    _override(tmp_path, "c-binary.toml", "")
    (tmp_path / "playbooks" / "c-binary.toml").write_bytes(b"\xff\xfe junk")
    _override(tmp_path, "notes.txt", "not a playbook, not read")
    books = load_playbooks(tmp_path)
    assert "good" in books
    assert [Path(p.file).name for p in books.problems] == ["a-bad.toml", "c-binary.toml"]
    assert "UTF-8" in books.problems[1].message
    assert all("\n" not in str(p) for p in books.problems)


def test_a_broken_replacement_keeps_the_packaged_type(tmp_path: Path) -> None:
    _override(tmp_path, "delay.toml", GOOD.format(id="delay", title="Ours").replace("[[", "[[["))
    books = load_playbooks(tmp_path)
    assert books["delay"].source == "packaged" and len(books.problems) == 1


def test_the_same_id_twice_reports_the_second_file_at_its_id(tmp_path: Path) -> None:
    _override(tmp_path, "a.toml", GOOD.format(id="same", title="First"))
    _override(tmp_path, "b.toml", "# comment\n" + GOOD.format(id="same", title="Second"))
    books = load_playbooks(tmp_path)
    assert books["same"].title == "First"
    (problem,) = books.problems
    assert Path(problem.file).name == "b.toml" and problem.line == 2
    assert "a.toml" in problem.message


def test_a_bad_id_is_refused(tmp_path: Path) -> None:
    _override(tmp_path, "id.toml", GOOD.format(id="Has Spaces", title="X"))
    (problem,) = load_playbooks(tmp_path).problems
    assert problem.line == 1 and "'id'" in problem.message


def test_playbooks_folder_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "playbooks").write_text("x")
    books = load_playbooks(tmp_path)
    assert list(books) == list(PACKAGED) and len(books.problems) == 1


def test_load_playbook_of_one_file_still_raises_one_line_with_the_line(tmp_path: Path) -> None:
    p = tmp_path / "pb.toml"
    p.write_text(GOOD.format(id="x", title="X").replace("message_ids", "nope"))
    with pytest.raises(PlaybookError) as err:
        load_playbook(p)
    assert str(err.value).startswith(f"{p}:12: ")


def test_locate_skips_multiline_strings_and_falls_back_to_the_table() -> None:
    text = 'id = "x"\n[[sections]]\nid = """\n[[sections]]\n"""\n[[sections.items]]\nid = "a"\n'
    assert locate(text, ("sections", 0, "items", 0, "id")) == 7
    assert locate(text, ("sections", 0, "items", 0, "auto")) == 6
    assert locate(text, ("sections", 1)) == 1  # only one [[sections]]: the document
    assert locate(text, ("id",)) == 1


# Suggested ticket type.


def _pair(name: str) -> tuple:  # type: ignore[type-arg]
    a = analyse(load_path(PAIRS / name / "a.eml"))
    b = analyse(load_path(PAIRS / name / "b.eml"))
    return [a, b], suspect(a, b)


def test_suggest_reputation_from_a_reputation_rejection() -> None:
    """A Proofpoint "554 5.7.0 Blocked" with the IP lookup (seeds/004's bounce example)."""
    a = analyse(load_path(ROOT / "tests" / "samples" / "bounce-proofpoint.eml"))
    found = suggest([a])
    assert found.kind == "reputation" and "554 5.7.0" in found.reason


def test_suggest_onboarding_from_relay_denied() -> None:
    a = analyse(load_path(BOUNCES / "postfix-plain-two-recipients.eml"))
    assert suggest_kind([a]) == "onboarding"


def test_suggest_allowlist_scope_for_the_shared_mailbox_pair() -> None:
    """Pair 04 is written from seeds/000: the shared mailbox sits in a stricter policy."""
    analyses, comparison = _pair("04-proofpoint-policy-route-shared-mailbox")
    found = suggest(analyses, comparison)
    assert found.kind == "allowlist-scope"
    assert "ap@alderfinch.example" in found.reason


def test_suggest_gateway_trace_for_a_release_without_hand_off() -> None:
    analyses, comparison = _pair("11-proofpoint-release-no-handoff")
    assert suggest_kind(analyses, comparison) == "gateway-trace"


def test_suggest_general_when_unsure() -> None:
    analyses, comparison = _pair("14-google-identical-delivered")
    assert suggest_kind(analyses, comparison) == GENERAL
    assert suggest_kind([]) == GENERAL


def _slow(minutes: int) -> bytes:
    """A message that waited inside Proofpoint (route as in tests/test_timeline.py)."""
    return (
        "Received: from mx0a-001234.pphosted.com (148.163.1.1) by "
        "BN8NAM12FT041.mail.protection.outlook.com (10.13.182.150) with Microsoft SMTP "
        f"Server id 15.20.7362.20; Mon, 1 Jan 2024 10:{minutes:02d}:10 +0000\n"
        "Received: from mail.sender.example (mail.sender.example [203.0.113.9]) by "
        "mx0a-001234.pphosted.com (PPS) with ESMTPS id 401A0abc-1 for <u@corp.example>; "
        "Mon, 1 Jan 2024 10:00:03 +0000\n"
        "From: a@sender.example\nTo: u@corp.example\nSubject: t\n"
        "Date: Mon, 1 Jan 2024 10:00:00 +0000\nMessage-ID: <slow@sender.example>\n\nbody\n"
    ).encode()


def test_suggest_delay_from_a_slow_delivered_route() -> None:
    slow = analyse(load_bytes(_slow(40), "slow"))
    found = suggest([slow])
    assert found.kind == "delay" and found.reason == "delivery took 40m 07s"
    assert suggest_kind([analyse(load_bytes(_slow(2), "quick"))]) == GENERAL


# The rules added for the new types.


def _auto(kind: str, analyses: list) -> dict:  # type: ignore[type-arg]
    states = evaluate(load_playbooks()[kind], analyses)
    return {s.item.auto: s for s in states if s.item.auto}


def test_gateway_hop_and_delay_split_rules() -> None:
    auto = _auto("delay", [analyse(load_bytes(_slow(40), "slow"))])
    assert auto["delay_split"].auto_done
    assert "inside Proofpoint" in (auto["delay_split"].evidence or "")
    gw = _auto("gateway-trace", [analyse(load_path(DEMO / "blocked.eml"))])["gateway_hop"]
    assert gw.auto_done
    assert (gw.evidence or "").startswith("Proofpoint (mx0b-00123401.pphosted.com) at ")
    none = _auto("gateway-trace", [analyse(load_bytes(b"Subject: x\n\n", "p"))])["gateway_hop"]
    assert not none.auto_done and none.evidence == "no known gateway in the Received chain"


def test_recipient_scope_rule_shows_an_alias_delivery() -> None:
    """Envelope vs header recipient (seeds/000: confirm aliases and recipient address)."""
    raw = (
        b"Delivered-To: ap-team@corp.example\nFrom: v@vendor.example\n"
        b"To: Accounts <ap@corp.example>\nSubject: inv\n\nx\n"
    )
    state = _auto("allowlist-scope", [analyse(load_bytes(raw, "alias"))])["recipient_scope"]
    assert state.auto_done
    assert state.evidence == "envelope ap-team@corp.example is not in To/Cc (ap@corp.example)"
    bare = _auto("allowlist-scope", [analyse(load_bytes(b"To: a@b.example\n\n", "x"))])
    assert not bare["recipient_scope"].auto_done
    assert bare["recipient_scope"].evidence == "no envelope recipient recorded"


def test_sending_ip_rule_prefers_the_ip_the_rejection_quotes() -> None:
    a = analyse(load_path(ROOT / "tests" / "samples" / "bounce-proofpoint.eml"))
    state = _auto("reputation", [a])["sending_ip"]
    assert state.auto_done and state.evidence == "203.0.113.45 (quoted in the rejection)"


def test_sending_ip_rule_ignores_the_receiving_server_address() -> None:
    """Postfix writes "host mx.example.com[192.0.2.10] said:": that IP is the receiver's."""
    a = analyse(load_path(BOUNCES / "postfix-plain-two-recipients.eml"))
    state = _auto("reputation", [a])["sending_ip"]
    assert "192.0.2.10" not in (state.evidence or "")


def test_an_unclosed_string_is_located_quickly_in_a_long_file(tmp_path: Path) -> None:
    """tomllib says only "at end of document"; the line is found without parsing n times."""
    text = "".join(f"k{i} = {i}\n" for i in range(5000)) + 'hint = """never closed\nmore\n'
    _override(tmp_path, "long.toml", text)
    started = time.monotonic()
    (problem,) = load_playbooks(tmp_path).problems
    assert problem.line == 5001 and "Unterminated string" in problem.message
    assert time.monotonic() - started < 2.0
