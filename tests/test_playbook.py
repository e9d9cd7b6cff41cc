"""The packaged playbook and the evidence rules that tick its items."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mailtriage.checks.analysis import analyse
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer
from mailtriage.checks.live.plan import LiveResult, plan, run
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.model import Sample
from mailtriage.checks.playbook import (
    RULES,
    ItemState,
    Playbook,
    PlaybookError,
    evaluate,
    load_playbook,
)

DEMO = Path(__file__).resolve().parents[1] / "tui" / "demo"
TITLES = [
    "Fast triage",
    "Tier 1",
    "Tier 2 / admin",
    "Verification",
    "Escalate when",
    "Ticket notes to capture",
]


@pytest.fixture(scope="module")
def demo() -> tuple[Sample, Sample]:
    return load_path(DEMO / "blocked.eml"), load_path(DEMO / "delivered.eml")


@pytest.fixture(scope="module")
def server() -> Iterator[ZoneServer]:
    with ZoneServer(zone_dir=DEMO / "zones") as srv:
        yield srv


def _by_auto(states: tuple[ItemState, ...]) -> dict[str, ItemState]:
    return {s.item.auto: s for s in states if s.item.auto}


def test_packaged_playbook_shape() -> None:
    pb = load_playbook()
    assert [s.title for s in pb.sections] == TITLES
    ids = [i.id for s in pb.sections for i in s.items]
    assert len(ids) == len(set(ids))
    autos = {i.auto for s in pb.sections for i in s.items if i.auto}
    assert autos <= set(RULES)
    for sec in pb.sections:
        assert sec.items
        for item in sec.items:
            assert len(item.text) <= 70, item.text
            assert item.hint is None or len(item.hint) <= 70


def test_no_samples_ticks_nothing() -> None:
    states = evaluate(load_playbook(), [])
    assert states and not any(s.auto_done for s in states)
    assert all(s.evidence is None for s in states)
    assert states[0].section_title == "Fast triage"


def test_two_demo_samples(demo: tuple[Sample, Sample]) -> None:
    states = evaluate(load_playbook(), [analyse(x) for x in demo])
    auto = _by_auto(states)
    assert auto["message_ids"].auto_done
    assert "A: 20261123091902" in (auto["message_ids"].evidence or "")
    # Both IDs whole, never cut: they are pasted into a message trace search.
    for x in demo:
        assert x.message_id and x.message_id in (auto["message_ids"].evidence or "")
    assert "…" not in (auto["message_ids"].evidence or "")
    assert auto["basics"].auto_done
    assert auto["basics"].evidence == "A: 2026-11-23 09:19 UTC, B: 2026-11-23 09:12 UTC"
    assert auto["full_headers"].evidence == "A: 3 hops, B: 7 hops"
    assert auto["compared"].auto_done and "fields differ" in (auto["compared"].evidence or "")
    assert auto["auth_read"].evidence == "A: dmarc=fail, B: dmarc=pass"
    assert (auto["verdicts"].evidence or "").startswith("X-Proofpoint-Spam-Details")
    assert not auto["live_dns"].auto_done and auto["live_dns"].evidence is None
    assert not auto["recipient_mx"].auto_done
    assert "mx0b-00123401.pphosted.com" in (auto["recipient_mx"].evidence or "")
    manual = [s for s in states if s.item.auto is None]
    assert manual and not any(s.auto_done for s in manual)


def test_one_sample_cannot_be_compared(demo: tuple[Sample, Sample]) -> None:
    auto = _by_auto(evaluate(load_playbook(), [analyse(x) for x in demo[:1]]))
    assert not auto["compared"].auto_done
    assert auto["auth_read"].evidence == "dmarc=fail"
    assert auto["full_headers"].evidence == "3 hops"


def test_pasted_headers_without_essentials() -> None:
    s = load_bytes(b"Subject: hi\nX-Mailer: x\n", "paste")
    auto = _by_auto(evaluate(load_playbook(), [analyse(x) for x in [s]]))
    assert not auto["message_ids"].auto_done and auto["message_ids"].evidence == "none"
    assert not auto["basics"].auto_done
    assert auto["basics"].evidence == "no sender/recipient/time"
    assert not auto["full_headers"].auto_done and auto["full_headers"].evidence == "0 hops"
    assert not auto["auth_read"].auto_done
    assert not auto["verdicts"].auto_done


async def test_live_results_tick_dns_items(server: ZoneServer, demo: tuple[Sample, Sample]) -> None:
    resolver = Resolver(["127.0.0.1"], port=server.port, timeout=2.0, deadline=10.0)
    live: list[LiveResult] = [await run(spec, resolver) for spec in plan(demo[0])]
    auto = _by_auto(evaluate(load_playbook(), [analyse(x) for x in demo], live))
    assert auto["live_dns"].auto_done
    assert auto["live_dns"].evidence == "SPF, DKIM, DMARC, MX answered"
    assert auto["recipient_mx"].auto_done
    assert auto["recipient_mx"].evidence == ("northwind.example MX mx0a-00123401.pphosted.com +1")


async def test_live_errors_do_not_tick(demo: tuple[Sample, Sample]) -> None:
    with ZoneServer(zone_dir=DEMO / "zones", servfail=lambda name, rdtype: True) as srv:
        resolver = Resolver(["127.0.0.1"], port=srv.port, timeout=1.0, deadline=5.0)
        live = [await run(spec, resolver) for spec in plan(demo[1])]
    auto = _by_auto(evaluate(load_playbook(), [analyse(x) for x in demo], live))
    assert not auto["live_dns"].auto_done
    assert auto["live_dns"].evidence == f"{len(live)} lookups, none answered"


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "pb.toml"
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[[sections]\nid = 1", "pb.toml"),
        ("title = 'x'", "no [[sections]]"),
        ("[[sections]]\ntitle = 'T'\n", "'id'"),
        ("[[sections]]\nid = 's'\ntitle = 'T'\n[[sections.items]]\nid = 'a'\n", "'text'"),
        (
            "[[sections]]\nid = 's'\ntitle = 'T'\n[[sections.items]]\nid = 'a'\ntext = 't'\n"
            "auto = 'nope'\n",
            "unknown auto rule",
        ),
        (
            "[[sections]]\nid = 's'\ntitle = 'T'\n[[sections.items]]\nid = 'a'\ntext = 't'\n"
            "[[sections.items]]\nid = 'a'\ntext = 'u'\n",
            "duplicate",
        ),
        ("[[sections]]\nid = 's'\ntitle = 'T'\nitems = 3\n", "items list"),
    ],
)
def test_malformed_playbook_raises_one_line(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(PlaybookError) as err:
        load_playbook(_write(tmp_path, text))
    assert needle in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError):
        load_playbook(tmp_path / "absent.toml")
    p = tmp_path / "bin.toml"
    p.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(PlaybookError):
        load_playbook(p)


def test_custom_playbook(tmp_path: Path, demo: tuple[Sample, Sample]) -> None:
    pb = load_playbook(
        _write(
            tmp_path,
            (
                "[[sections]]\nid = 's'\ntitle = 'Only'\n"
                "[[sections.items]]\nid = 'a'\ntext = 'IDs'\nauto = 'message_ids'\nhint = 'h'\n"
            ),
        )
    )
    assert isinstance(pb, Playbook)
    (state,) = evaluate(pb, [analyse(x) for x in demo])
    assert state.auto_done and state.item.hint == "h" and state.section_title == "Only"


@pytest.mark.parametrize(
    ("status", "mx", "live"),
    [
        ("running", "MX not checked yet", None),
        (
            "offline",
            "MX not checked (offline: live checks not run)",
            "offline: live checks not run",
        ),
        (
            "cancelled",
            "MX not checked (cancelled before it answered)",
            "cancelled before it answered",
        ),
    ],
)
def test_live_items_say_why_they_have_no_answer(demo, status, mx, live) -> None:  # type: ignore[no-untyped-def]
    """Offline or cancelled, the items live DNS would tick say so (never "not checked yet")."""
    states = evaluate(load_playbook(), [analyse(s) for s in demo], (), status)
    by_rule = {s.item.auto: s for s in states if s.item.auto}
    assert mx in (by_rule["recipient_mx"].evidence or "")
    assert by_rule["live_dns"].evidence == live


def test_verdict_headers_item_lists_no_arc_seal_or_x_received() -> None:
    """Google signs ARC-Seal / ARC-Message-Signature and adds X-Received (RFC 8617; Google
    Workspace Admin Help, "Understand email headers"): none is a filter verdict."""
    raw = (
        b"From: a@fabrikam.example\r\nTo: b@northwind.example\r\nSubject: x\r\n"
        b"X-Received: by 2002:a05:6a00:1a8e with SMTP id x; Mon, 23 Nov 2026 09:00:00 -0800\r\n"
        b"ARC-Seal: i=1; a=rsa-sha256; t=1; cv=none; d=google.com; s=arc-20160816; b=AAAA\r\n"
        b"ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=google.com;"
        b" s=arc-20160816; h=from; bh=AAAA; b=AAAA\r\n"
        b"X-Gm-Spam: 0\r\n\r\nbody\r\n"
    )
    from mailtriage.checks.message.loader import load_bytes

    states = evaluate(load_playbook(), [analyse(load_bytes(raw, "g.eml"))])
    evidence = _by_auto(states)["verdicts"].evidence or ""
    assert "ARC-Seal" not in evidence and "X-Received" not in evidence
