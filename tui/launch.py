"""The ``mailtriage`` console script: :func:`mailtriage.tui.cli.main` with a quick start.

Before the command's modules load, the collector is paused (see
:mod:`mailtriage.tui.gc_pause`) and the code generated for mailtriage's dataclasses
is served from a cache (see :mod:`mailtriage.tui.dataclass_cache`); the command
settles both once it has what it needs.
"""

from __future__ import annotations

from mailtriage.tui import dataclass_cache
from mailtriage.tui.gc_pause import pause, settle


def main() -> int:
    """Entry point of the ``mailtriage`` console script."""
    pause()
    dataclass_cache.install()
    try:
        from mailtriage.tui.cli import main as run

        return run()
    finally:
        settle()
        dataclass_cache.finish()


if __name__ == "__main__":  # ``python -m mailtriage.tui.launch``: each served session
    import sys

    sys.exit(main())
