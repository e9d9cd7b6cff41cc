"""Start-up with the cyclic garbage collector paused while modules load.

Starting the dashboard loads a few hundred modules (Textual's and the engine's
classes, tables and compiled patterns), which live as long as the process. The
collector would walk that growing heap again and again while it loads: measured
with ``tests/benchmarks/startup.py``, about 40 ms of a 300 ms start went to
collections that found nothing to free. So the console script pauses the
collector (:func:`pause`, from :mod:`mailtriage.tui.launch`) and, once the
command has imported what it needs (:func:`settle`), what exists then is frozen
(moved out of the collector's sight, see :func:`gc.freeze`) and collection resumes
for everything made afterwards.

Code that calls :func:`mailtriage.tui.cli.main` itself (tests, embedding) never
pauses, and :func:`settle` does nothing there.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Pause the collector for start-up (if it runs)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def settle() -> None:
    """End the start-up pause (once): freeze what is loaded, collect from here on."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
