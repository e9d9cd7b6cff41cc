"""A small in-process authoritative DNS server for tests, benchmarks and the demo.

It serves zone files over UDP and TCP on one port of 127.0.0.1, from a daemon
thread with its own asyncio event loop. The answering itself (query counting,
test hooks, the TC bit for UDP answers over 512 bytes or the EDNS payload size)
lives in :class:`mailtriage.checks.dns.zonewire.WireResponder`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
from collections.abc import Coroutine, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from mailtriage.checks.dns.zonedata import ZoneLoadError, ZoneSet, read_zone
from mailtriage.checks.dns.zonewire import NameTypePredicate, ServedQuery, WireResponder, bind_pair

__all__ = ["ServedQuery", "ZoneLoadError", "ZoneServer"]

_TCP_IDLE = 30.0


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
            udp_t, _ = loop.run_until_complete(
                loop.create_datagram_endpoint(lambda: _Udp(self), sock=udp)
            )
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
            udp_t.close()
            tcp_s.close()
            for task in list(self._tasks):
                task.cancel()
            loop.run_until_complete(asyncio.gather(*self._tasks, return_exceptions=True))
            loop.run_until_complete(tcp_s.wait_closed())
            loop.close()

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


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: ZoneServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        self.server._spawn(self._answer(data, addr))

    async def _answer(self, data: bytes, addr: tuple[Any, ...]) -> None:
        out = await self.server.reply(data, "udp")
        if out is not None and self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(out, addr)

    def error_received(self, exc: Exception) -> None:
        """Ignore ICMP errors from clients that went away."""
