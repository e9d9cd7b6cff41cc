"""``mailtriage report`` over many samples: one process, lazy loading, ``--jobs N``.

Real processes and real files throughout; live DNS goes to a real server on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.loader import load_path
from mailtriage.checks.report.build import offline_report
from mailtriage.checks.text import json_text
from mailtriage.tui.report_jobs import MAX_CHUNK, chunk_size

from tests.tui_support import ROOT, demo_server

DEMO = ROOT / "tui" / "demo"
SISIMAI = ROOT.parent / "shared" / "corpora" / "sisimai-dev" / "emails"
#: Top-level packages and engine modules that only live DNS checks need.
HEAVY_PACKAGES = ("dns", "dkim", "nacl")
HEAVY_MODULES = (
    "mailtriage.checks.dns.resolver",
    "mailtriage.checks.live.plan",
    "mailtriage.checks.auth.dkim",
    "mailtriage.checks.auth.spf.check",
    "mailtriage.checks.auth.arc",
)


def run(*args: str, stdin: bytes | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ, MAILTRIAGE_CONFIG=str(ROOT / "tests" / "no-such-config.toml"))
    return subprocess.run(
        [sys.executable, "-m", "mailtriage.tui.cli", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        timeout=120,
        env=env,
    )


def corpus() -> list[Path]:
    files = sorted(SISIMAI.glob("*.eml"))
    if not files:
        pytest.skip(f"sisimai corpus not found under {SISIMAI}")
    return files


def lines(out: bytes) -> list[dict[str, Any]]:
    return [json.loads(x) for x in out.decode().splitlines()]


def test_jobs_2_gives_the_same_lines_in_the_same_order() -> None:
    files = [str(p) for p in corpus()] * 3
    one = run("report", "--json", "--offline", *files)
    two = run("report", "--json", "--offline", "--jobs", "2", *files)
    assert one.returncode == two.returncode == 0, two.stderr
    assert one.stdout == two.stdout
    assert [r["source"] for r in lines(two.stdout)] == files


def test_jobs_1_is_the_library_report() -> None:
    path = DEMO / "blocked.eml"
    out = run("report", "--json", "--offline", "--jobs", "1", str(path))
    expected = offline_report(analyse(load_path(path)))
    assert out.returncode == 0 and lines(out.stdout) == [json.loads(json.dumps(expected))]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_bad_files_are_one_line_each_and_the_batch_goes_on(tmp_path: Path, jobs: str) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 50)
    empty = tmp_path / "empty"
    empty.mkdir()
    good = str(DEMO / "blocked.eml")
    argv = [good, str(junk), good, str(tmp_path / "missing.eml"), str(empty), good]
    out = run("report", "--json", "--offline", "--jobs", jobs, *argv)
    assert out.returncode == 2
    records = lines(out.stdout)
    assert [r["source"] for r in records] == argv  # one record per input, in its place
    assert ["error" in r for r in records] == [False, True, False, True, True, False]
    err = out.stderr.decode().splitlines()
    assert len(err) == 3 and all(e.startswith("mailtriage: error: ") for e in err)
    assert "junk.bin: not an email" in err[0] and "missing.eml" in err[1]
    assert "no .eml, .msg, .txt or .mbox files" in err[2] and b"Traceback" not in out.stderr
    said = [e.removeprefix("mailtriage: error: ") for e in err]
    assert [r["error"] for r in records if "error" in r] == said


def test_stdin_keeps_its_place_with_jobs() -> None:
    blocked = (DEMO / "blocked.eml").read_bytes()
    delivered = str(DEMO / "delivered.eml")
    out = run("report", "--json", "--offline", "-j", "2", delivered, "-", delivered, stdin=blocked)
    assert out.returncode == 0, out.stderr
    assert [r["source"] for r in lines(out.stdout)] == [delivered, "-", delivered]
    twice = run("report", "--offline", "-", "-", stdin=blocked)
    assert twice.returncode == 2 and b"only once" in twice.stderr


@pytest.mark.parametrize("value", ["0", "-1", "x", "65"])
def test_bad_jobs_value_is_a_usage_error(value: str) -> None:
    out = run("report", "--offline", "--jobs", value, str(DEMO / "blocked.eml"))
    assert out.returncode == 2 and b"--jobs" in out.stderr and b"Traceback" not in out.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_offline_never_loads_dns_or_dkim(jobs: str) -> None:
    code = (
        "import contextlib, io, sys\n"
        "from mailtriage.tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main(['report', '--json', '--offline', '--jobs', '{jobs}', *sys.argv[1:]])\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY_PACKAGES!r}\n"
        f"               or m in {HEAVY_MODULES!r})\n"
        "print(rc, ','.join(heavy))\n"
    )
    demo = [str(DEMO / "blocked.eml"), str(DEMO / "delivered.eml")]
    out = subprocess.run(
        [sys.executable, "-c", code, *demo], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert out.stdout.split() == ["0"], out.stdout + out.stderr


def test_live_dns_runs_in_each_worker() -> None:
    """With --jobs 2 and a resolver, every sample gets its own live checks, in order."""
    files = [str(DEMO / "blocked.eml"), str(DEMO / "delivered.eml")] * 2
    srv = demo_server()
    try:
        res = ["--resolver", f"127.0.0.1:{srv.port}"]
        one = run("report", "--json", "--jobs", "1", *res, *files)
        two = run("report", "--json", "--jobs", "2", *res, *files)
    finally:
        srv.stop()
    assert one.returncode == two.returncode == 0, two.stderr
    a, b = lines(one.stdout), lines(two.stdout)
    assert [r["source"] for r in b] == files
    for x, y in zip(a, b, strict=True):
        assert y["auth"]["live"]["dmarc"][0]["status"] == "found"
        assert [e["name"] for e in x["dns_log"]] == [e["name"] for e in y["dns_log"]]
        assert x["auth"]["agreement"] == y["auth"]["agreement"]


def test_chunk_size() -> None:
    from mailtriage.tui.report_jobs import _batches

    assert chunk_size(offline=True) == MAX_CHUNK
    assert chunk_size(offline=False) == 1  # live checks wait on the network
    # Chunks grow from one item, so a short list is still spread over every worker.
    sizes = [len(b) for b in _batches(map(str, range(100)), MAX_CHUNK)]
    assert sizes == [1, 2, 4, 8, 16, 32, 32, 5]


# The generator tests fork workers, so they run in a fresh interpreter, not in pytest's.
_STREAMING = """
import multiprocessing, sys, time
from mailtriage.tui.report_jobs import Settings, run_parallel, run_serial
files = sys.argv[1:]
pulled = []
def items():
    for f in files:
        pulled.append(f)
        yield f
s = Settings(as_json=True, offline=True)
first = next(run_serial(items(), s))
assert len(first) == 1 and first[0][0] and len(pulled) == 1, pulled
pulled.clear()
gen = run_parallel(items(), s, jobs=2, chunk=2)
first = next(gen) + next(gen)  # chunks of 1, then 2
assert len(first) == 3 and all(line for line, _, _ in first)
assert len(pulled) <= 2 * 2 * 3 + 3 < len(files), len(pulled)  # bounded read-ahead
started = time.monotonic()
gen.close()  # as on a closed pipe or Ctrl-C: the workers go at once
assert time.monotonic() - started < 5
time.sleep(0.2)
assert not multiprocessing.active_children(), multiprocessing.active_children()
print("ok")
"""


def test_output_streams_and_read_ahead_is_bounded() -> None:
    files = [str(p) for p in corpus()] * 4
    out = subprocess.run(
        [sys.executable, "-c", _STREAMING, *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.stdout.strip() == "ok", out.stderr[-2000:]


def test_closed_pipe_ends_quietly() -> None:
    files = [str(p) for p in corpus()] * 10
    cli = [sys.executable, "-m", "mailtriage.tui.cli", "report", "--json", "--offline", "-j", "2"]
    cli += files
    with subprocess.Popen(cli, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT) as p:
        assert p.stdout is not None and p.stderr is not None
        first = p.stdout.readline()
        p.stdout.close()
        err = p.stderr.read()
        rc = p.wait(timeout=60)
    assert json.loads(first)["source"] == files[0]
    assert rc == 0 and err == b""


def test_json_lines_never_break_inside_a_record() -> None:
    rep = {"subject": "a\x85b\u2028c\u2029d\ne\r\x1cf"}
    line = json_text(rep)
    assert line.splitlines() == [line] and json.loads(line) == rep


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_killed_worker_is_one_line_not_a_hang() -> None:
    import signal

    files = [str(p) for p in corpus()] * 40
    cli = [sys.executable, "-m", "mailtriage.tui.cli", "report", "--json", "--offline", "-j", "2"]
    cli += files
    with subprocess.Popen(cli, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT) as p:
        assert p.stdout is not None
        p.stdout.readline()  # workers are running
        children = Path(f"/proc/{p.pid}/task/{p.pid}/children").read_text().split()
        os.kill(int(children[0]), signal.SIGKILL)  # as the kernel's OOM killer would
        out, err = p.communicate(timeout=60)
    assert p.returncode == 2 and err.count(b"\n") == 1 and b"worker process stopped" in err
    assert out.count(b"\n") < len(files) - 1
