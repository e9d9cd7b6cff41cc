"""The embedded demo: two bundled samples and a DNS server for the bundled zones.

``mailtriage --demo`` works with no network at all: the zones under
``tui/demo/zones`` are served by an authoritative server on 127.0.0.1 and the
live checks are pointed at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import as_file, files

from checks.loader import load_bytes
from checks.model import Sample
from checks.zoneserver import ZoneServer

DEMO_SAMPLES = ("blocked.eml", "delivered.eml")


@dataclass
class DemoEnv:
    """A running demo: the samples and the DNS server answering for their domains."""

    samples: tuple[Sample, ...]
    server: ZoneServer

    @property
    def nameserver(self) -> tuple[str, int]:
        """``(host, port)`` of the demo DNS server."""
        return ("127.0.0.1", self.server.port)

    def stop(self) -> None:
        """Stop the DNS server."""
        self.server.stop()


def demo_samples() -> tuple[Sample, ...]:
    """Load the bundled blocked and delivered samples."""
    pkg = files("tui.demo")
    return tuple(
        load_bytes(pkg.joinpath(name).read_bytes(), f"demo/{name}") for name in DEMO_SAMPLES
    )


def start_demo(delay: float = 0.0) -> DemoEnv:
    """Start the demo DNS server and load the demo samples.

    Args:
        delay: Seconds of added latency per DNS answer (to show pending lookups).
    """
    with as_file(files("tui.demo").joinpath("zones")) as zone_dir:
        server = ZoneServer(zone_dir=zone_dir, delay=delay)
        server.start()
    return DemoEnv(samples=demo_samples(), server=server)
