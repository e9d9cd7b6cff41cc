"""A small in-process authoritative DNS server for tests, benchmarks and the demo.

It serves zone files over UDP and TCP on one port of 127.0.0.1, from a daemon
thread with its own asyncio event loop. With a delay, every answer leaves that long
after its query reached the socket: the kernel's receive time stamp where there is
one (Linux), so a burst of queries is answered together, as by a distant server,
and not one answer-making time apart (the time to make the earlier answers would
otherwise be added to the later ones). The answering itself (query counting,
test hooks, the TC bit for UDP answers over 512 bytes or the EDNS payload size)
lives in :class:`mailtriage.checks.dns.zonewire.WireResponder`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import struct
import threading
import time
from collections.abc import Coroutine, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from mailtriage.checks.dns.zonedata import ZoneLoadError, ZoneSet, read_zone
from mailtriage.checks.dns.zonewire import NameTypePredicate, ServedQuery, WireResponder, bind_pair

__all__ = ["ServedQuery", "ZoneLoadError", "ZoneServer"]

_TCP_IDLE = 30.0

#: The kernel's receive time stamp of each datagram (Linux), as ``struct timespec``.
_STAMP = getattr(socket, "SO_TIMESTAMPNS", None)
_STAMP_SIZE = struct.calcsize("qq")


class ZoneServer(WireResponder):
    """Authoritative DNS server over several zones, run in a background thread.

    Args:
        zones: Origin -> zone file path (or zone text, a ``str`` holding a newline).
        zone_dir: Load every ``*.zone`` file there; the origin is a leading ``$ORIGIN``
            or else the file name without ``.zone``.
        host: Address to bind (UDP and TCP).
        port: Port to bind; 0 picks a free one shared by UDP and TCP.
        delay: Seconds to wait before every answer.
        hang: ``hang(name, rdtype)`` -> True means never answer that query. ``name`` is
            lower-case without the final dot, ``rdtype`` is text such as ``"TXT"``.
        servfail: Same arguments; True means answer SERVFAIL.

    Raises:
        ZoneLoadError: A zone file could not be loaded.
    """

    def __init__(
        self,
        zones: Mapping[str, str | os.PathLike[str]] | None = None,
        *,
        zone_dir: os.PathLike[str] | str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        delay: float = 0.0,
        hang: NameTypePredicate | None = None,
        servfail: NameTypePredicate | None = None,
    ) -> None:
        loaded = []
        if zone_dir is not None:
            loaded += [read_zone(p) for p in sorted(Path(zone_dir).glob("*.zone"))]
        loaded += [read_zone(src, origin) for origin, src in (zones or {}).items()]
        super().__init__(ZoneSet(loaded), delay, hang, servfail)
        self.host, self._port = host, port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def port(self) -> int:
        """The bound port (the requested one before :meth:`start`)."""
        return self._port

    @property
    def address(self) -> tuple[str, int]:
        """``(host, port)`` the server listens on."""
        return self.host, self._port

    def start(self) -> ZoneServer:
        """Bind UDP and TCP, start serving in a daemon thread and return once bound.

        Safe to call from inside a running event loop (the server has its own).
        """
        if self._thread is not None:
            raise RuntimeError("ZoneServer already started")
        udp, tcp = bind_pair(self.host, self._port)
        self._port = udp.getsockname()[1]
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._serve, args=(udp, tcp, ready, failure), name="ZoneServer", daemon=True
        )
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]
        return self

    def stop(self) -> None:
        """Stop serving and release the port (safe to call twice)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        self._loop = self._thread = None

    def __enter__(self) -> ZoneServer:
        """Start the server unless it is already running; ``with`` stops it on exit."""
        return self if self._thread is not None else self.start()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _serve(
        self,
        udp: socket.socket,
        tcp: socket.socket,
        ready: threading.Event,
        failure: list[BaseException],
    ) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            udp.setblocking(False)
            if _STAMP is not None:
                udp.setsockopt(socket.SOL_SOCKET, _STAMP, 1)
            loop.add_reader(udp, self._read_udp, udp)
            tcp_s = loop.run_until_complete(asyncio.start_server(self._tcp, sock=tcp))
        except BaseException as exc:
            udp.close()
            tcp.close()
            loop.close()
            failure.append(exc)
            ready.set()
            return
        self._loop = loop
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.remove_reader(udp)
            udp.close()
            tcp_s.close()
            for task in list(self._tasks):
                task.cancel()
            loop.run_until_complete(asyncio.gather(*self._tasks, return_exceptions=True))
            loop.run_until_complete(tcp_s.wait_closed())
            loop.close()

    def _read_udp(self, udp: socket.socket) -> None:
        """Take every datagram waiting on the socket, each with its arrival time.

        The socket is read directly (not through an asyncio transport, which takes one
        datagram per turn of the loop) for the kernel's time stamps.
        """
        while True:
            try:
                data, ancillary, _flags, addr = udp.recvmsg(65535, _ANCILLARY)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # an ICMP error about a client that went away
                if udp.fileno() < 0:
                    return
                continue
            self._spawn(self._answer_udp(udp, data, addr, _arrival(ancillary)))

    async def _answer_udp(
        self, udp: socket.socket, data: bytes, addr: tuple[Any, ...], came: float
    ) -> None:
        out = await self.reply(data, "udp", came)
        if out is not None:
            with contextlib.suppress(OSError):  # a full buffer or a closed socket: lost
                udp.sendto(out, addr)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            while True:
                size = await asyncio.wait_for(reader.readexactly(2), _TCP_IDLE)
                wire = await asyncio.wait_for(reader.readexactly(int.from_bytes(size)), 10)
                out = await self.reply(wire, "tcp")
                if out is not None:
                    writer.write(len(out).to_bytes(2, "big") + out)
                    await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, OSError):
            pass
        finally:
            writer.close()
            if task is not None:
                self._tasks.discard(task)


_ANCILLARY = socket.CMSG_SPACE(_STAMP_SIZE) if _STAMP is not None else 0


def _arrival(ancillary: list[tuple[int, int, bytes]]) -> float:
    """When a datagram arrived, on the ``time.monotonic()`` clock (now without a stamp)."""
    now = time.monotonic()
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == _STAMP and len(data) >= _STAMP_SIZE:
            sec, nsec = struct.unpack("qq", data[:_STAMP_SIZE])
            return now - min(max(time.time() - (sec + nsec / 1e9), 0.0), 1.0)
    return now
