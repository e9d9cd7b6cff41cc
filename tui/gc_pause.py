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

Later loads are frozen the same way: the dashboard's live checks import dnspython
and read the Public Suffix List in a thread before their first run, then call
:func:`freeze_loaded`, so that a full collection (about 50 ms with all of that
loaded, holding the interpreter lock) no longer lands in a live run.
"""

from __future__ import annotations

import gc
import threading

_paused = False
_frozen = False
_lock = threading.Lock()


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


def freeze_loaded() -> None:
    """Leave every object alive now out of later full collections (once per process).

    For what loads after start-up and lives as long as the process (the live
    modules, the Public Suffix List). Once: a second app in the same process
    (tests) does not freeze its own objects.
    """
    global _frozen
    with _lock:
        if not _frozen:
            _frozen = True
            gc.freeze()
