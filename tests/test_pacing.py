"""Pacing a CPU-bound step behind the lookups on its loop (checks/dns/pacing.py, issue 11).

The DKIM and ARC verifications wait until the loop has read the answers that came
with their keys (those answers lead to the next queries). These tests look at the
order things run in and that waiting always ends; none of them times anything (the
``wait_for`` bounds only keep a broken wait from hanging the suite).
"""

from __future__ import annotations

import asyncio

from mailtriage.checks.dns.pacing import busy, pollers, when_idle


async def test_waits_until_what_is_ready_has_run() -> None:
    ran: list[str] = []
    loop = asyncio.get_running_loop()

    def answer(n: int) -> None:  # an answer read leads to more work, a turn later
        ran.append(f"answer {n}")
        if n < 20:
            loop.call_soon(answer, n + 1)

    loop.call_soon(answer, 1)
    await asyncio.wait_for(when_idle(max_wait=10.0), 5.0)
    ran.append("verify")
    assert ran[-2:] == ["answer 20", "verify"]


async def test_two_waiters_do_not_wait_for_each_other() -> None:
    """Each poller would see the other ready to run: pollers do not count as work."""
    await asyncio.wait_for(asyncio.gather(*(when_idle(max_wait=30.0) for _ in range(3))), 5.0)


async def test_a_loop_that_never_rests_still_gets_on() -> None:
    loop = asyncio.get_running_loop()
    stop = False

    def spin() -> None:
        if not stop:
            loop.call_soon(spin)

    loop.call_soon(spin)
    try:
        await asyncio.wait_for(when_idle(max_wait=0.05), 5.0)
        assert busy(loop)  # it gave up waiting, the loop was still busy
    finally:
        stop = True


async def test_an_idle_loop_is_not_busy() -> None:
    loop = asyncio.get_running_loop()
    await when_idle()
    assert not busy(loop)

    def poll() -> None: ...

    pollers.add(poll)
    handle = loop.call_soon(poll)
    assert not busy(loop)  # a poller alone does not make it busy
    handle.cancel()
