"""Atomic file writes: a crash leaves either the old file or the new one, never half."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically (temp file, fsync, rename).

    Args:
        path: Destination; parent directories are created.
        text: UTF-8 text to write.

    Returns:
        The destination path.
    """

    def write(fd: int) -> None:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    return _atomic_write(path, write)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, byte for byte (temp file, fsync, rename).

    Like :func:`atomic_write_text` for content that must not be re-encoded (a
    message whose parts use other charsets).

    Args:
        path: Destination; parent directories are created.
        data: The bytes to write.

    Returns:
        The destination path.
    """

    def write(fd: int) -> None:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    return _atomic_write(path, write)


def _atomic_write(path: str | os.PathLike[str], write: Callable[[int], None]) -> Path:
    """The one atomic write both public functions use: ``write`` fills (and fsyncs) the
    temporary file's descriptor; then rename over the destination and fsync the folder."""
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        write(fd)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dirfd = os.open(dest.parent, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
    return dest
