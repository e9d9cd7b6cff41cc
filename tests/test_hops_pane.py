"""HopsPane in a tiny app: the chain, delay bars, skew, TLS, totals and the verdict."""

from __future__ import annotations

from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.loader import load_bytes
from mailtriage.widgets.hops_pane import HopsPane, short_host
from textual.app import App, ComposeResult
from textual.widgets import Static

SANDBOXED = (
    b"Received: from BN8PR.namprd11.prod.outlook.com (2603:10b6::1) by "
    b"BN9PR11MB1.namprd11.prod.outlook.com with HTTPS; Mon, 1 Jan 2024 10:09:15 +0000\n"
    b"Received: from mx0a-001234.pphosted.com (148.163.1.1) by "
    b"BN8NAM12FT041.mail.protection.outlook.com (10.13.182.150) with Microsoft SMTP Server "
    b"(version=TLS1_2, cipher=X) id 15.20.7362.20 via Frontend Transport; "
    b"Mon, 1 Jan 2024 10:09:12 +0000\n"
    b"Received: from mail.sender.example (mail.sender.example [203.0.113.9]) by "
    b"mx0a-001234.pphosted.com (PPS) with ESMTPS id 401A0abc-1; Mon, 1 Jan 2024 10:00:03 +0000\n"
    b"Received: from [10.1.1.5] by mail.sender.example with ESMTP id x; "
    b"Mon, 1 Jan 2024 10:00:00 +0000\n"
    b"From: a@sender.example\nX-MS-Has-Attach: yes\n\nbody\n"
)
HOSTILE = (
    b"Received: from b (b [192.0.2.2]) by [b]evil[/b]\x1b[2J\xe2\x80\xae.ex with ESMTP; "
    b"Mon, 1 Jan 2024 10:05:00 +0000\n"
    b"Received: from a (a [192.0.2.1]) by b.example with ESMTP; Mon, 1 Jan 2024 09:59:18 +0000\n"
    b"Received: from x (x [192.0.2.3]) by a.example with ESMTP; Mon, 1 Jan 2024 10:00:00 +0000\n"
    b"From: a@b.example\n\nbody\n"
)


class HopsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield HopsPane(id="hops")


def body(app: HopsApp) -> str:
    return str(app.query_one(HopsPane).query_one(".pane--body", Static).render())


async def test_sandbox_route_at_80_columns() -> None:
    app = HopsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(HopsPane)
        pane.show(analyse(load_bytes(SANDBOXED, "t")))
        await pilot.pause()
        text = body(app)
        lines = text.splitlines()
        assert max(len(line) for line in lines) <= 76
        assert lines[0].split()[:2] == ["#", "System"]
        assert " 2▸ Proofpoint" in lines[2] and "mx0a-001…pphosted.com" in lines[2]
        assert "Microsoft EOP" in lines[3] and "█" in lines[3] and "9m 09s" in lines[3]
        assert "Exchange Online" in lines[4] and lines[4].rstrip().endswith("TLS")
        assert "start" in lines[1] and "plain" in lines[1]
        assert "Total 9m 15s · before gateway 3s · inside 9m 09s · after hand-off 3s" in text
        assert "Gateway ▸ Proofpoint (hop 2) · connecting IP 203.0.113.9" in text
        assert lines[5].startswith("Nearly all of the 9m 15s")  # where the time went, first
        assert "Proofpoint Attachment" in text and "Defense" in text


async def test_skew_and_hostile_host_names_are_literal() -> None:
    app = HopsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        a = analyse(load_bytes(HOSTILE, "t"))
        app.query_one(HopsPane).show(hops=a.hops, timeline=a.timeline)
        await pilot.pause()
        text = body(app)
        assert "skew -42s" in text
        assert "[b]evil[/b]\\x1b[2J\\u…" in text  # shortened to the column, escapes visible
        assert "\x1b" not in text and "\u202e" not in text
        assert "Clock skew at hop 2" in text and "No known filtering gateway" in text


async def test_wide_and_empty() -> None:
    app = HopsApp()
    async with app.run_test(size=(160, 40)) as pilot:
        pane = app.query_one(HopsPane)
        pane.show(analyse(load_bytes(SANDBOXED, "t")))
        await pilot.pause()
        text = body(app)
        assert "BN8NAM12FT041.mail.protection.outlook.com" in text  # room for whole host names
        assert max(len(line) for line in text.splitlines()) <= 156
        pane.show(analyse(load_bytes(b"From: a@b.example\n\nbody\n", "t")))
        await pilot.pause()
        assert body(app) == "No Received headers to show."


def test_short_host():
    assert short_host("mx.example", 20) == "mx.example"
    assert short_host("BN8NAM12FT041.mail.protection.outlook.com", 22) == "BN8NAM12FT…outlook.com"
    assert short_host("averyveryverylonghostname", 10) == "averyvery…"
    assert len(short_host("a.b.c.d.e.f.g.h.example.com", 12)) == 12


async def test_a_very_long_chain_shows_its_ends() -> None:
    received = "".join(
        f"Received: from h{i}.example.net ([192.0.2.{i % 250}]) by h{i + 1}.example.net with ESMTP"
        f" id {i}; Mon, 23 Nov 2026 09:{i % 60:02d}:00 +0000\r\n"
        for i in range(150, 0, -1)
    )
    data = (received + "From: a@example.org\r\nSubject: s\r\n\r\nbody\r\n").encode()
    app = HopsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(HopsPane)
        pane.show(analyse(load_bytes(data, "long")))
        await pilot.pause()
        text = body(app)
        assert "90 hops not shown" in text and " 1 " in text and "150" in text


def test_routes_side_by_side_share_one_bar_scale() -> None:
    """A 3 s hop next to a 9 minute one draws short: the scale is shared, not per route."""
    from mailtriage.widgets.hops_pane import largest_delay

    slow = analyse(load_bytes(SANDBOXED, "slow.eml"))
    fast = analyse(load_bytes(SANDBOXED.replace(b"10:09:12", b"10:00:06").replace(
        b"10:09:15", b"10:00:07"), "fast.eml"))  # fmt: skip
    scale = largest_delay([slow.timeline, fast.timeline, None])
    assert scale == max(d for d in slow.timeline.delays if d is not None)
    pane = HopsPane()
    pane.show(fast, scale=scale)
    own = HopsPane()
    own.show(fast)
    shared_bars = pane.build(80).plain.count("█")
    own_bars = own.build(80).plain.count("█")
    assert shared_bars < own_bars
