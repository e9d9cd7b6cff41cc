"""The ``mailtriage`` console script: :func:`mailtriage.tui.cli.main` with a quick start.

The collector is paused before the command's modules load (see
:mod:`mailtriage.tui.gc_pause`); the command settles it once it has what it needs.
"""

from __future__ import annotations

from mailtriage.tui.gc_pause import pause, settle


def main() -> int:
    """Entry point of the ``mailtriage`` console script."""
    pause()
    try:
        from mailtriage.tui.cli import main as run

        return run()
    finally:
        settle()


if __name__ == "__main__":  # ``python -m mailtriage.tui.launch``: each served session
    import sys

    sys.exit(main())
