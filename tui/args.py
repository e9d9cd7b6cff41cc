"""Command-line pieces shared by the dashboard and the ``report``, ``spf`` and ``dns`` commands.

The common options, ``--version``, ``--resolver`` parsing and the one-line usage
error. :mod:`mailtriage.tui.cli` and the command modules it dispatches to all
import them from here (so no command module imports the CLI back).
"""

from __future__ import annotations

import argparse
import sys

from mailtriage.checks.dns.spec import parse_spec

EXIT_USAGE = 2
EXIT_DNS = 1
"""``spf`` and ``dns``: a DNS lookup failed (timeout, SERVFAIL...), so the answer is not final."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mailtriage")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


class VersionAction(argparse.Action):
    """``--version`` that reads package metadata only when asked (it is slow to import)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"mailtriage {_version()}")
        parser.exit()


def add_common(p: argparse.ArgumentParser) -> None:
    """Options shared by the dashboard and ``report``."""
    p.add_argument(
        "--resolver",
        metavar="HOST[:PORT]",
        help="DNS server for live checks (default: config, then the system's)",
    )
    p.add_argument("--offline", action="store_true", help="make no DNS queries at all")
    p.add_argument(
        "--demo",
        action="store_true",
        help="use the bundled samples and a local DNS server (no internet needed)",
    )


def nameserver_for(spec: str | None, config_resolver: str) -> tuple[str, int] | None:
    """Resolve --resolver (or the config's resolver) into ``(host, port)``."""
    chosen = spec or config_resolver
    return parse_spec(chosen) if chosen else None


def fail(message: str) -> int:
    """Print a one-line error and return the usage exit status."""
    from mailtriage.checks.text import printable

    print(f"mailtriage: error: {printable(message, 500)}", file=sys.stderr)
    return EXIT_USAGE
