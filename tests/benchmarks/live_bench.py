"""Whole-sample live benchmark: every live row of the demo samples over a slow server.

The demo zones (``tui/demo/zones``) are served by one local ZoneServer that
delays every answer by ``--delay`` (50 ms by default), plus a small DNSBL zone
of this benchmark's own (``bl.bench.example`` lists the blocked sample's
sending IP, with a reason in TXT) so the DNSBL row runs too. For each demo
sample, the clock starts when the live run starts (the resolver is made inside
the timed part, as the dashboard's worker makes it) and stops when the last live
row is final: every planned lookup (SPF record, DMARC, DKIM keys, MX), the auth
re-check (SPF evaluated for the connecting IP, DKIM, ARC, DMARC) and the checks
around the message (reverse DNS, MX against the gateway, DNSBL).

The floor is the sample's critical path: the longest chain of lookups that each
need the previous answer, counted from what the run had to ask (an SPF tree
costs 1 per record plus its costliest evaluated term, ``mx`` 2; reverse DNS 2
when a PTR name has to be confirmed; a DNSBL listing 2 with its reason; every
other row 1), times the delay. Two orchestrations run interleaved, round by
round: ``run_sample`` (what the dashboard and the report use) and "previous"
(the order the dashboard used before: the planned lookups, then the auth
re-check and the checks around posted together when both were done). Reported:
median wall time, its ratio to the floor, queries the server answered per run,
and the speculative SPF queries of the run (the SPF look-ahead's count).

``--app`` also times the real dashboard (headless, 160x45) on both demo samples,
in fresh processes: from ``start_live`` to the moment the UI thread sees the slot's
run done, for a fresh app's first run and for a re-check (``r``). The first run's
clock starts when the run itself starts, after the live modules were imported in a
thread (that import starts after the first paint); "first run, import included" is
timed from the slot's first ``start_live`` call instead. ``--before DIR`` adds
another build (DIR holds a ``mailtriage/`` folder with its ``checks``, ``tui`` and
``widgets``, e.g. an older commit unpacked with ``git archive``) to the same
interleaved app rounds.

Run: ``.venv/bin/python tests/benchmarks/live_bench.py [--rounds N] [--delay S] [--app]
[--before DIR]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable

from mailtriage.checks.analysis import Analysis, analyse
from mailtriage.checks.auth.spf import prefetch
from mailtriage.checks.auth.spf.check import SpfNode
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer
from mailtriage.checks.live.around import Around, live_around
from mailtriage.checks.live.auth import LiveAuth, live_auth
from mailtriage.checks.live.model import LiveResult
from mailtriage.checks.live.plan import plan, run_all
from mailtriage.checks.live.session import LiveEvent, run_sample
from mailtriage.tui.demo.runtime import DEMO_SAMPLES, demo_samples

DNSBL_ZONE = "bl.bench.example"
_DNSBL_TEXT = f"""$ORIGIN {DNSBL_ZONE}.
$TTL 300
@ IN SOA ns hostmaster 1 3600 600 86400 60
45.113.0.203 IN A 127.0.0.2
45.113.0.203 IN TXT "listed in this benchmark's own test list"
"""

#: Speculative SPF queries sent, summed over the Speculators of one run.
_SPECULATED = [0]
_stop = prefetch.Speculator.stop


async def _counting_stop(self: prefetch.Speculator) -> None:
    _SPECULATED[0] += self.sent
    await _stop(self)


prefetch.Speculator.stop = _counting_stop  # type: ignore[method-assign]

Orchestration = Callable[[Analysis, Resolver], AsyncIterator[LiveEvent]]


def current(analysis: Analysis, resolver: Resolver) -> AsyncIterator[LiveEvent]:
    """The live run as the dashboard and the report run it now."""
    return run_sample(analysis, resolver, dnsbl_zones=[DNSBL_ZONE])


async def previous(analysis: Analysis, resolver: Resolver) -> AsyncIterator[LiveEvent]:
    """The dashboard's order before: auth and around posted together once both were done."""

    async def evaluate() -> tuple[LiveAuth, Around]:
        auth, around = await asyncio.gather(
            live_auth(analysis, resolver), live_around(analysis, resolver, [DNSBL_ZONE])
        )
        return auth, around

    task = asyncio.create_task(evaluate())
    async for result in run_all(plan(analysis.sample), resolver):
        yield result
    auth, around = await task
    yield auth
    yield around


def _term_name(term: str) -> str:
    return re.split("[:/=]", term.lstrip("+-~?"), maxsplit=1)[0].lower()


def spf_floor(node: SpfNode) -> int:
    """Dependent round trips of an evaluated SPF tree (record: 1 + its costliest term)."""
    steps = []
    for child in node.children:
        name = _term_name(child.term)
        if name in ("include", "redirect"):
            steps += [spf_floor(c) for c in child.children if c.kind == "record"]
        elif name in ("mx", "ptr"):
            steps.append(2)
        elif name in ("a", "exists"):
            steps.append(1)
    return 1 + max(steps, default=0)


def row_floors(events: list[LiveEvent]) -> dict[str, int]:
    """Each row's critical path in round trips, from what the run found."""
    floors: dict[str, int] = {}
    for event in events:
        if isinstance(event, LiveResult):
            floors[f"{event.spec.kind} {event.spec.selector or event.spec.domain}"] = 1
        elif isinstance(event, LiveAuth):
            parts = [1 if event.dmarc_record is not None else 0, 1 if event.dkim else 0]
            parts.append(1 if event.arc is not None and event.arc.instances else 0)
            parts.append(spf_floor(event.spf.tree) if event.spf is not None else 0)
            floors["auth re-check"] = max(parts)
        elif isinstance(event, Around):
            reverse = event.reverse
            parts = [2 if reverse is not None and reverse.ptr_names else 1]
            parts += [2 if b.status == "listed" else 1 for b in event.dnsbl]
            floors["around"] = max(parts)
    return floors


def timed(port: int, analysis: Analysis, how: Orchestration) -> tuple[float, list[LiveEvent]]:
    """Seconds from the start of the live run to its last final row, and the rows."""

    async def go() -> tuple[float, list[LiveEvent]]:
        started = time.perf_counter()
        resolver = Resolver(["127.0.0.1"], port=port, timeout=2.0, deadline=10.0)
        events = [event async for event in how(analysis, resolver)]
        return time.perf_counter() - started, events

    return asyncio.run(go())


def _server(delay: float) -> ZoneServer:
    """The demo zones and the benchmark's DNSBL zone, every answer delayed by ``delay``."""
    from mailtriage.tui.demo.runtime import DEMO_DIR  # (only this build serves: --before runs)

    return ZoneServer({DNSBL_ZONE: _DNSBL_TEXT}, zone_dir=DEMO_DIR / "zones", delay=delay)


def app_once(port: int) -> dict[str, list[float]]:
    """One fresh app: seconds from each slot's live run start to the UI seeing it done.

    ``port``: the benchmark's zone server, in a process of its own (see ``app_rounds``).

    The real dashboard, headless, on the demo samples: the first run and then a
    re-check (``r``) of both samples. The first run is also timed from the slot's
    first ``start_live`` call, which waits for the live modules' import.
    """
    from mailtriage.tui.app import MailtriageApp
    from mailtriage.tui.config import Config
    from mailtriage.tui.messages import LiveMessage
    from mailtriage.tui.screens.dashboard import DashboardScreen

    started: dict[int, float] = {}
    first_call: dict[int, float] = {}
    finished: dict[int, list[float]] = {0: [], 1: []}
    with_import: list[float] = []
    start_live, on_live_event = DashboardScreen.start_live, DashboardScreen.on_live_event

    def timed_start(screen: DashboardScreen, slot: int) -> None:
        started[slot] = time.perf_counter()
        first_call.setdefault(slot, started[slot])
        start_live(screen, slot)

    def timed_event(screen: DashboardScreen, msg: LiveMessage) -> None:
        slot = next((i for i, r in enumerate(screen.runs) if r.run_id == msg.run_id), None)
        was = screen.runs[slot].status if slot is not None else None
        on_live_event(screen, msg)
        if slot is not None and was == "running" and screen.runs[slot].status == "done":
            now = time.perf_counter()
            finished[slot].append(now - started[slot])
            if len(finished[slot]) == 1:
                with_import.append(now - first_call[slot])

    DashboardScreen.start_live = timed_start  # type: ignore[method-assign]
    DashboardScreen.on_live_event = timed_event  # type: ignore[method-assign]

    async def go(port: int) -> None:
        config = Config(timeout=2.0, deadline=10.0, dnsbl_zones=(DNSBL_ZONE,))
        app = MailtriageApp(demo_samples(), config=config, nameserver=("127.0.0.1", port))
        async with app.run_test(size=(160, 45)) as pilot:
            for want in (1, 2):
                while min(len(f) for f in finished.values()) < want:
                    await pilot.pause(0.01)
                if want == 1:
                    app.screen.action_recheck()  # type: ignore[attr-defined]

    asyncio.run(go(port))
    return {
        "first run": [finished[0][0], finished[1][0]],
        "first run, import included": with_import,
        "re-check": [finished[0][1], finished[1][1]],
    }


def app_rounds(rounds: int, delay: float, depth: int, before: str | None) -> None:
    """Fresh app processes, interleaved round by round: this build, then ``before``."""
    builds = {"now": [sys.executable, __file__, "--app-once"]}
    if before:
        code = (
            f"import sys; sys.path.insert(0, {before!r}); sys.argv = sys.argv[:1] + "
            f"['--app-once'] + sys.argv[1:]; import runpy; "
            f"runpy.run_path({__file__!r}, run_name='__main__')"
        )
        builds["before"] = [sys.executable, "-c", code]
    out: dict[str, dict[str, list[float]]] = {}
    # The zone server answers from a process of its own, as a real one does from
    # another machine: in the app's process its replies (about 25 within a
    # millisecond, one per query, all delayed alike) would share the app's
    # interpreter lock with the very answers they time.
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--delay", str(delay)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = server.stdout.readline().strip()
        for _ in range(rounds):
            for label, cmd in builds.items():
                run = subprocess.run([*cmd, "--port", port], check=True, capture_output=True)
                for phase, walls in json.loads(run.stdout).items():
                    out.setdefault(phase, {}).setdefault(label, []).extend(walls)
    finally:
        server.terminate()
        server.wait()
    floor = depth * delay
    print(
        f"\nThe dashboard (headless, 160x45), both demo samples, "
        f"floor {depth} x {delay * 1000:.0f} ms, median of {rounds} fresh apps x 2 samples:"
    )
    for phase, by_build in out.items():
        cells = [
            f"{label} {statistics.median(walls) * 1000:4.0f} ms "
            f"{statistics.median(walls) / floor:.2f}x floor"
            for label, walls in by_build.items()
        ]
        print(f"  {phase:<27} " + "   ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--app", action="store_true", help="also time the real dashboard")
    parser.add_argument("--before", metavar="DIR", help="also time the dashboard build in DIR")
    parser.add_argument("--app-once", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)  # of --serve, for --app-once
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.app_once:
        print(json.dumps(app_once(args.port)))
        return
    if args.serve:  # the zone server of the app rounds: prints its port, serves until stdin ends
        with _server(args.delay) as server:
            print(server.port, flush=True)
            sys.stdin.read()
        return
    analyses = [analyse(sample) for sample in demo_samples()]
    how: dict[str, Orchestration] = {"run_sample": current, "previous": previous}
    deepest = 0
    with _server(args.delay) as server:
        for name, analysis in zip(DEMO_SAMPLES, analyses, strict=True):
            walls: dict[str, list[float]] = {label: [] for label in how}
            served: dict[str, int] = dict.fromkeys(how, 0)
            speculated: dict[str, int] = dict.fromkeys(how, 0)
            floors: dict[str, int] = {}
            for _ in range(args.rounds):  # interleaved: one of each per round
                for label, orchestration in how.items():
                    before, _SPECULATED[0] = server.queries, 0
                    wall, events = timed(server.port, analysis, orchestration)
                    walls[label].append(wall)
                    served[label] += server.queries - before
                    speculated[label] += _SPECULATED[0]
                    floors = row_floors(events)
            depth = max(floors.values())
            deepest = max(deepest, depth)
            floor = depth * args.delay
            rows = ", ".join(f"{row} {n}" for row, n in floors.items())
            print(f"{name}: critical path {depth} x {args.delay * 1000:.0f} ms ({rows})")
            for label in how:
                wall = statistics.median(walls[label])
                print(
                    f"  {label:<10} {wall * 1000:6.0f} ms  {wall / floor:.2f}x floor"
                    f"  {served[label] / args.rounds:.0f} q"
                    f"  {speculated[label] / args.rounds:.0f} speculative SPF q"
                )
    print(f"\nMedian of {args.rounds} interleaved runs per orchestration and sample.")
    if args.app:
        app_rounds(args.rounds, args.delay, deepest, args.before)


if __name__ == "__main__":
    main()
