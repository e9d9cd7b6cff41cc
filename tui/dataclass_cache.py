"""Start-up with the code that ``dataclasses`` generates read from a cache.

Every result of the engine is a frozen dataclass, and on Python 3.11 and 3.12 the
``@dataclass`` decorator writes the source of six small functions for each class
(``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``,
``__delattr__``) and compiles each one when the class is made. For the fifty-odd
classes the dashboard's first frame needs, compiling is about three quarters of
the cost of making them: about 20 ms of a start of about 290 ms, measured with
``tests/benchmarks/startup.py``'s in-process timing. Python caches a module's
compiled code in ``.pyc`` files but not this generated code, and no maintained
library does (Python 3.13 makes the decorator itself cheaper), so the console
script keeps its own cache: :func:`install` wraps ``dataclasses._create_fn`` so
that code compiled for a class of mailtriage's own (a module named
``mailtriage.*``) is kept, keyed by its full source text, and :func:`finish`
removes the wrapper and writes what is new, once the command has loaded what it
needs.

The cache changes no result: the key is the exact text that would be compiled,
so a hit runs the very code the decorator would have compiled from it (the
decorator's own work, reading the fields and setting the methods, is unchanged).
Textual's and other libraries' classes are left to the decorator, so the start-up
benchmark's floor (a bare Textual app) and mailtriage are measured on the same
terms. The file, ``dataclass-code-<python>.marshal`` in ``$MAILTRIAGE_CACHE``
(else ``$XDG_CACHE_HOME/mailtriage``, ``~/.cache`` when unset), is written
atomically and only when something was compiled: a header with this Python's
bytecode magic number, the SHA-256 of the rest, then the code (``marshal``). It is
run only when it is this user's own, writable by nobody else, and whole (damaged
code objects can crash the interpreter); any other file is ignored and replaced. It
holds at most ``MAX_ENTRIES`` functions: past that, only the ones used by the last
start are kept.

Only :mod:`mailtriage.tui.launch` installs it (code that calls
:func:`mailtriage.tui.cli.main` itself never does), and on a Python whose
``dataclasses`` differs from the expected one :func:`install` does nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.util
import inspect
import marshal
import os
import stat
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any

CACHE_ENV = "MAILTRIAGE_CACHE"
MAX_ENTRIES = 2000
#: A larger file is not a cache of ours (about 300 KB hold the dashboard's classes).
MAX_BYTES = 16 << 20
_DIGEST = 32  # SHA-256 of the marshalled code, after the header
_PREFIX = "mailtriage."
#: The parameters of ``dataclasses._create_fn`` on the Pythons this was written for.
_SIGNATURE = ("name", "args", "body", "globals", "locals", "return_type")

_lock = threading.Lock()
_original: Callable[..., Any] | None = None
_code: dict[str, CodeType] = {}
_used: set[str] = set()
_compiled = 0


def cache_file() -> Path:
    """Where the cache lives: ``$MAILTRIAGE_CACHE``, else the XDG cache directory.

    The file name carries the interpreter's tag (``cpython-311``): compiled code is
    only valid for the Python that compiled it.
    """
    override = os.environ.get(CACHE_ENV)
    if override:
        folder = Path(override).expanduser()
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        folder = Path(base) / "mailtriage"
    tag = sys.implementation.cache_tag or "python"
    return folder / f"dataclass-code-{tag}.marshal"


def supported() -> bool:
    """Whether this Python's ``dataclasses`` generates code the way the cache expects."""
    make = getattr(dataclasses, "_create_fn", None)
    if make is None or sys.version_info[:2] not in ((3, 11), (3, 12)):
        return False
    try:
        return tuple(inspect.signature(make).parameters) == _SIGNATURE
    except (TypeError, ValueError):
        return False


def install() -> bool:
    """Read the cache and start serving the decorator from it; ``False`` when unsupported."""
    global _original, _compiled
    with _lock:
        if _original is not None:
            return True
        if not supported():
            return False
        try:
            path = cache_file()
        except (RuntimeError, OSError):  # no home directory to keep it in
            return False
        _compiled = 0  # (finish left the tables empty)
        _code.update(_read(path))
        _original = dataclasses._create_fn  # type: ignore[attr-defined]
        dataclasses._create_fn = _create_fn  # type: ignore[attr-defined]
        return True


def finish() -> int:
    """Stop serving from the cache and write what was compiled; the number compiled.

    Does nothing (and returns 0) when :func:`install` did not run. Writing is
    best-effort: a folder that cannot be written leaves the start as it would be
    without a cache.
    """
    global _original
    with _lock:
        if _original is None:
            return 0
        dataclasses._create_fn = _original  # type: ignore[attr-defined]
        _original = None
        compiled = _compiled
        if compiled:
            keep = _code if len(_code) <= MAX_ENTRIES else {k: _code[k] for k in _used}
            with contextlib.suppress(RuntimeError, OSError):  # no home: nothing kept
                _write(cache_file(), keep)
        _code.clear()
        _used.clear()
        return compiled


def _create_fn(
    name: str,
    args: list[str],
    body: list[str],
    *,
    globals: dict[str, Any] | None = None,
    locals: dict[str, Any] | None = None,
    return_type: Any = dataclasses.MISSING,
) -> Any:
    """``dataclasses._create_fn`` with the compiled code of mailtriage's classes kept.

    The source text is built as Python 3.12's decorator builds it (3.11's differs only
    in the return annotation's local name).
    """
    global _compiled
    original = _original
    if original is None or not (globals or {}).get("__name__", "").startswith(_PREFIX):
        make = original or dataclasses._create_fn  # type: ignore[attr-defined]
        return make(name, args, body, globals=globals, locals=locals, return_type=return_type)
    if locals is None:
        locals = {}
    annotation = ""
    if return_type is not dataclasses.MISSING:  # (3.12's name: no field can take it)
        locals["__dataclass_return_type__"] = return_type
        annotation = "->__dataclass_return_type__"
    inner = f" def {name}({','.join(args)}){annotation}:\n" + "\n".join(f"  {b}" for b in body)
    text = f"def __create_fn__({', '.join(locals.keys())}):\n{inner}\n return {name}"
    code = _code.get(text)
    if code is None:
        # As the decorator's own ``exec`` compiles it: none of this module's __future__
        # flags (``annotations`` would turn the annotations of __init__ into strings).
        code = compile(text, "<string>", "exec", dont_inherit=True)
        _code[text] = code
        _compiled += 1
    _used.add(text)
    namespace: dict[str, Any] = {}
    exec(code, globals, namespace)  # the decorator's own generated code
    return namespace["__create_fn__"](**locals)


def _read(path: Path) -> dict[str, CodeType]:
    """The cached code; empty when the file is missing, unreadable, damaged or not safe.

    The file holds code this process will run, so it is read only when it is a regular
    file of this user's that nobody else may write (as a shared folder named by
    ``MAILTRIAGE_CACHE`` could allow), written for this Python's bytecode, and whole:
    its SHA-256 must match (a damaged code object can crash the interpreter).
    """
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError:
        return {}
    try:
        if not _trusted(os.fstat(fd)):
            return {}
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_BYTES + 1)  # whole: ``marshal.load`` on a file reads in pieces
    except OSError:
        return {}
    finally:
        os.close(fd)
    head = _header()
    payload = data[len(head) + _DIGEST :]
    if len(data) > MAX_BYTES or not data.startswith(head):
        return {}
    if data[len(head) : len(head) + _DIGEST] != hashlib.sha256(payload).digest():
        return {}
    try:
        loaded = marshal.loads(payload)
    except Exception:  # written whole by this module: only a foreign file gets here
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {k: v for k, v in loaded.items() if isinstance(k, str) and isinstance(v, CodeType)}


def _header() -> bytes:
    """What a cache file starts with: its kind and this Python's bytecode magic number."""
    return b"mailtriage dataclass code\n" + importlib.util.MAGIC_NUMBER


def _trusted(info: os.stat_result) -> bool:
    """A regular file owned by this user, writable by nobody else."""
    owner = info.st_uid == os.getuid() if hasattr(os, "getuid") else True
    return stat.S_ISREG(info.st_mode) and owner and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _write(path: Path, code: dict[str, CodeType]) -> None:
    """Replace the cache file at once (a temporary file renamed over it)."""
    import tempfile  # only when something new is written (``report`` never loads it otherwise)

    with contextlib.suppress(OSError, ValueError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".dataclass-code-", dir=path.parent)
        try:
            payload = marshal.dumps(code)
            with os.fdopen(fd, "wb") as fh:
                fh.write(_header() + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
