"""The sample pane shows what a technician needs to see of a sender, escaped."""

from __future__ import annotations

from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.loader import load_bytes
from mailtriage.widgets.sample_pane import SamplePane


def _text(raw: bytes) -> str:
    pane = SamplePane()
    pane.analyses = (analyse(load_bytes(raw, "x.eml")), None)
    pane.labels = ("blocked", "delivered")
    pane.traces = (None, None)
    return pane.build(160).plain


def test_from_shows_the_display_name_beside_the_address() -> None:
    """Display-name spoofing ("Microsoft Support" from a stranger's address) is the first
    thing an impersonation ticket needs to see; invisible characters in it stay escaped."""
    raw = (
        b"From: =?utf-8?q?Micro=E2=80=8Bsoft_Support?= <help@contoso-billing.example>\r\n"
        b"To: ap@northwind.example\r\nSubject: x\r\n\r\nbody\r\n"
    )
    text = _text(raw)
    assert "Micro\\u200bsoft Support <help@contoso-billing.example>" in text
    assert "\u200b" not in text
