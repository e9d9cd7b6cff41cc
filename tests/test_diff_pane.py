"""The diff pane headed by the two-copy decision, and the keys that step through its differences.

Pilot tests drive the real app over the demo samples and the documented pairs in
tests/fixtures/pairs (each case.toml names the document it was written from); they
assert on the pane's state, its text and the app's notifications.
"""

from __future__ import annotations

from pathlib import Path

from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.loader import load_path
from mailtriage.checks.suspect import Comparison, Difference, LayerDiff, suspect
from mailtriage.widgets.diff_pane import DiffPane, split_evidence
from mailtriage.widgets.pane import Pane
from textual.content import Content
from textual.widgets import Static

from tests.tui_support import ROOT, live_done, make_app, wait_for

PAIRS = ROOT / "tests" / "fixtures" / "pairs"
DEMO = ROOT / "tui" / "demo"
BOUNCE = ROOT / "tests" / "samples" / "bounce-proofpoint.eml"


def body(app) -> str:  # type: ignore[no-untyped-def]
    pane = app.screen_stack[0].query_one("#diff", Pane)
    return str(pane.query_one(".pane--body", Static).render())


def squeezed(text: str) -> str:
    """Text without any whitespace: wrapped lines compare equal to the unwrapped line."""
    return "".join(text.split())


def pane_of(app) -> DiffPane:  # type: ignore[no-untyped-def]
    return app.screen_stack[0].query_one(DiffPane)


def titles(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.title) for n in app._notifications]


def _pair(name: str) -> list[str]:
    return [str(PAIRS / name / "a.eml"), str(PAIRS / name / "b.eml")]


def _visible(pane: DiffPane) -> range:
    top = round(pane.scroll_offset.y)
    return range(top, top + pane.scrollable_content_region.height)


async def test_headline_is_the_decision_at_80x24() -> None:
    app = make_app(offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("3")
        pane = pane_of(app)
        expected = suspect(*app.screen.analyses)  # type: ignore[arg-type]
        assert pane.comparison == expected  # given by the dashboard, as the engine decided
        text = body(app)
        assert text.splitlines()[0] == "Suspect layer: authentication"
        for line in expected.evidence:  # both copies' lines, labelled, never cut
            side, said = split_evidence(line)
            assert side in ("A", "B")
            assert squeezed(said) in squeezed(text)
        assert squeezed(expected.next_step) in squeezed(text)
        assert "authentication  ◀ suspect" in text
        assert "! DMARC at the boundary  A: fail  B: pass" in text
        assert "≠ Proofpoint rule  A: quarantine_dmarc  B: —" in text  # cannot explain: not "!"
        assert "Field by field" in text and "Differs in:" in text
        assert pane.border_subtitle == "] next · [ previous · 8 differences"


async def test_keys_step_highlight_and_scroll_into_view_narrow() -> None:
    app = make_app(offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        assert app.screen.active_pane == "sample"
        await pilot.press("right_square_bracket")  # ]: brings the diff pane forward
        pane = pane_of(app)
        assert app.screen.active_pane == "diff" and pane.display
        assert pane.current == 0
        assert pane.current_difference is not None
        assert pane.current_difference[0] == "routing/connector"
        await pilot.press("right_square_bracket")
        assert pane.current_difference[1].field == "DMARC at the boundary"
        assert pane.current_difference[1].explains
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert pane.current == len(pane.differences) - 1  # wraps round
        assert pane.current_difference[0] == "downstream/mailbox"
        assert pane.border_subtitle.endswith("8/8")
        await pilot.pause(0.2)
        start, height = pane._spans[pane.current]
        assert start in _visible(pane) and start + height - 1 in _visible(pane)
        lines = body(app).splitlines()
        assert lines[start].startswith("▶ ≠ Mailbox folder")
        # The highlighted difference shows its own evidence beneath it.
        assert "X-Microsoft-Antispam-Mailbox-Delivery" in "".join(lines[start : start + height])
        await pilot.press("right_square_bracket")  # and round again to the first
        await pilot.pause(0.2)
        assert pane.current == 0
        assert pane._spans[0][0] in _visible(pane)


async def test_keys_step_at_160x45_and_a_new_pair_resets_the_cursor() -> None:
    app = make_app(offline=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("left_square_bracket")
        pane = pane_of(app)
        assert pane.current == len(pane.differences) - 1
        assert pane.has_focus
        await pilot.pause(0.2)
        assert pane._spans[pane.current][0] in _visible(pane)
        await pilot.press("s")  # swapped: a different decision, the cursor starts again
        await pilot.pause(0.2)
        assert pane.current is None
        assert pane.comparison is not None and pane.comparison.suspect_layer is None


async def test_palette_offers_the_step_actions() -> None:
    app = make_app(offline=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("ctrl+p", *"Next difference between")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert pane_of(app).current == 0
        await pilot.press("ctrl+p", *"Previous difference between")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert pane_of(app).current == len(pane_of(app).differences) - 1


async def test_one_sample_says_what_the_second_is_for() -> None:
    app = make_app([str(DEMO / "blocked.eml")], offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("3")
        text = body(app)
        assert text.startswith("One sample loaded")
        assert squeezed("Open a delivered one into slot B (key b)") in squeezed(text)
        assert "names the layer" in text and "quarantine/release" in text
        await pilot.press("right_square_bracket")
        assert pane_of(app).current is None
        assert "No differences to step through" in titles(app)
        assert any("Load a second sample" in str(n.message) for n in app._notifications)


async def test_only_slot_b_loaded_asks_for_the_blocked_copy() -> None:
    app = make_app([str(DEMO / "delivered.eml")], offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("s")  # the sample now sits in B; A is empty
        await pilot.press("3")
        await pilot.pause(0.1)
        assert pane_of(app).missing == "A"
        assert squeezed("Open the blocked one into slot A (key a)") in squeezed(body(app))


async def test_no_layer_explains_the_block() -> None:
    """Pair 14 (RFC 8601; two delivered copies): nothing to blame, say what to check."""
    app = make_app(_pair("14-google-identical-delivered"), offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("3")
        pane = pane_of(app)
        assert pane.comparison is not None and pane.comparison.suspect_layer is None
        text = body(app)
        assert text.startswith("No layer explains the block")
        assert squeezed(pane.comparison.next_step) in squeezed(text)
        await pilot.press("right_square_bracket")
        assert pane.current is None
        assert any("differ in no layer" in str(n.message) for n in app._notifications)


async def test_a_decision_with_no_layer_and_no_difference_says_both() -> None:
    a, b = (analyse(load_path(p)) for p in _pair("14-google-identical-delivered"))
    c = Comparison(None, (), suspect(a, b).next_step, (), "held", "delivered")
    pane = DiffPane()
    pane.comparison, pane.rows = c, ()
    text = pane.build(76).plain
    assert text.startswith("No layer explains the block")
    assert "The copies differ in no layer." in text


def test_the_pane_shows_the_comparison_it_is_given() -> None:
    """Data flows one way: the widget lays out the engine's decision, it does not redo it."""
    d = Difference("Proofpoint policy route", "vip", "default", True, ("A: x", "B: y"))
    c = Comparison(
        "policy",
        ("A: X-Proofpoint-Spam-Details: rule=notspam policy=vip",),
        "Review the vip route.",
        (LayerDiff("routing/connector", ()), LayerDiff("policy", (d,))),
        "held",
        "delivered to the Inbox",
    )
    pane = DiffPane()
    pane.comparison = c
    text = pane.build(76).plain
    assert text.splitlines()[0] == "Suspect layer: policy"
    assert "A  X-Proofpoint-Spam-Details: rule=notspam policy=vip" in text
    assert "Next step  Review the vip route." in text
    assert "policy  ◀ suspect" in text
    assert "! Proofpoint policy route  A: vip  B: default" in text
    assert "No difference in: routing/connector" in text


def test_narrow_layout_wraps_and_never_cuts() -> None:
    a, b = (analyse(load_path(DEMO / n)) for n in ("blocked.eml", "delivered.eml"))
    c = suspect(a, b)
    pane = DiffPane()
    pane.comparison = c
    for width in (36, 48, 76, 78):
        pane.current = None
        content = pane.build(width)
        lines = content.plain.splitlines()
        assert all(len(line) <= width for line in lines), width
        text = content.plain
        assert "…" not in text
        for line in c.evidence:
            assert squeezed(split_evidence(line)[1]) in squeezed(text)
        assert squeezed(c.next_step) in squeezed(text)
        for _, d in pane.differences:
            assert squeezed(f"{d.field}A:{d.a}B:{d.b}") in squeezed(text)
    pane.current = 0
    narrow = pane.build(36).plain.splitlines()
    assert "Next step" in narrow  # narrow: the label on its own line, the text below it
    start = pane._spans[0][0]
    assert narrow[start].startswith("▶ ≠ IP Microsoft judged")
    assert narrow[start + 1].strip() == "A: —"


def test_split_evidence() -> None:
    assert split_evidence("A: X-Header: v") == ("A", "X-Header: v")
    assert split_evidence("B: a: b") == ("B", "a: b")
    assert split_evidence("A (bounce): rcpt: 554 no") == ("A (bounce)", "rcpt: 554 no")
    assert split_evidence("plain line") == ("", "plain line")


async def test_bounce_is_decided_by_the_reply_and_says_so() -> None:
    app = make_app([str(BOUNCE), str(DEMO / "delivered.eml")], offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("3")
        text = body(app)
        assert text.splitlines()[0] == "Suspect layer: verdict"
        assert text.splitlines()[1].startswith("A (bounce) ap@northwind.example: 554 5.7.0")
        assert "! A is a bounce: compared here is the original it returned." in text


async def test_hostile_evidence_is_shown_as_text(tmp_path: Path) -> None:
    """Pair 01 (RFC 7489 section 3.1) with markup and escapes planted in the boundary's
    Authentication-Results, which the decision quotes as evidence."""
    src = PAIRS / "01-esp-dkim-unaligned-dmarc-fail"
    raw = (src / "a.eml").read_bytes()
    planted = (
        b"dis=quarantine [bold red]x[/] [link=http://evil.example]y[/link] \x1b[2J\xe2\x80\xae)"
    )
    assert b"dis=quarantine)" in raw
    (tmp_path / "a.eml").write_bytes(raw.replace(b"dis=quarantine)", planted, 1))
    app = make_app([str(tmp_path / "a.eml"), str(src / "b.eml")], offline=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        pane = pane_of(app)
        assert pane.comparison is not None and pane.comparison.suspect_layer == "authentication"
        text = squeezed(body(app))
        assert squeezed("[bold red]x[/] [link=http://evil.example]y[/link]") in text
        assert "\\x1b[2J" in text and "\\u202e" in text
        screen_text = "".join(s.text for s in app.screen._compositor.render_strips())
        assert "\x1b" not in screen_text and "\u202e" not in screen_text


def test_a_long_field_and_wide_values_wrap_within_the_pane() -> None:
    d = Difference("Proofpoint Essentials verdict of the day", "spam " * 12, "x" * 50, False)
    layers = (LayerDiff("quarantine/release", (d,)),)
    c = Comparison("quarantine/release", ("A: " + "h" * 70,), "Check.", layers, "held", "ok")
    pane = DiffPane()
    pane.comparison = c
    pane.current = 0
    for width in (20, 24, 40):
        content = pane.build(width)
        assert all(Content(line).cell_length <= width for line in content.plain.splitlines())
        assert squeezed(f"{d.field}A:{d.a}B:{d.b}") in squeezed(content.plain)
