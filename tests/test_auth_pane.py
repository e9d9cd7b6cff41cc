"""The authentication pane names where the boundary check was recorded."""

from __future__ import annotations

from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.loader import load_bytes
from mailtriage.widgets.auth_pane import AuthPane


def test_an_authentication_results_without_authserv_id_is_named_not_a_question_mark() -> None:
    """Exchange Online writes Authentication-Results with no authserv-id (Microsoft Learn,
    "Anti-spam message headers in Microsoft 365", Authentication-results message header)."""
    raw = (
        b"From: a@fabrikam.example\r\nTo: b@northwind.example\r\nSubject: x\r\n"
        b"Authentication-Results: spf=pass (sender IP is 192.0.2.1)"
        b" smtp.mailfrom=fabrikam.example; dkim=none; dmarc=pass header.from=fabrikam.example\r\n"
        b"\r\nbody\r\n"
    )
    a = analyse(load_bytes(raw, "x.eml"))
    text = "\n".join(line.plain for line in AuthPane()._recorded([(0, a)], 100))
    assert "boundary check at unnamed receiver (no authserv-id)" in text
    assert "at ?" not in text
