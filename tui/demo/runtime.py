"""The embedded demo: two bundled samples and a DNS server for the bundled zones.

``mailtriage --demo`` works with no network at all: the zones under
``tui/demo/zones`` are served by an authoritative server on 127.0.0.1 and the
live checks are pointed at it. The server starts on first use, so the dashboard
paints the samples before dnspython is even imported.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from mailtriage.checks.message.loader import load_bytes
from mailtriage.checks.model import Sample

if TYPE_CHECKING:
    from mailtriage.checks.dns.zoneserver import ZoneServer

DEMO_SAMPLES = ("blocked.eml", "delivered.eml")
DEMO_DIR = Path(__file__).resolve().parent
"""The demo's samples, zones and trace: installed as plain files beside this module
(setuptools package data; mailtriage is never run from a zip, so ``importlib.resources``
and the 2 to 3 ms its import adds to the demo's first frame are not needed)."""


class DemoDns:
    """The demo's authoritative DNS server, started on the first :meth:`nameserver` call."""

    def __init__(self, delay: float = 0.0) -> None:
        """Prepare (but do not start) the server.

        Args:
            delay: Seconds of added latency per answer (to show pending lookups).
        """
        self.delay = delay
        self._server: ZoneServer | None = None
        self._lock = threading.Lock()

    def nameserver(self) -> tuple[str, int]:
        """Start the server if needed (thread-safe) and return ``(host, port)``."""
        with self._lock:
            if self._server is None:
                from mailtriage.checks.dns.zoneserver import ZoneServer

                zones = DEMO_DIR / "zones"
                self._server = ZoneServer(zone_dir=zones, delay=self.delay).start()
            return ("127.0.0.1", self._server.port)

    def stop(self) -> None:
        """Stop the server if it was started."""
        with self._lock:
            if self._server is not None:
                self._server.stop()
                self._server = None


def demo_samples() -> tuple[Sample, ...]:
    """Load the bundled blocked and delivered samples."""
    return tuple(
        load_bytes((DEMO_DIR / name).read_bytes(), f"demo/{name}") for name in DEMO_SAMPLES
    )


def demo_trace_path() -> str:
    """Path of the demo's Microsoft 365 message trace export (installed with the package)."""
    return str(DEMO_DIR / "trace.csv")
