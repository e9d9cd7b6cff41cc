"""The command line as a user runs it: real processes, real files, real DNS server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tui_support import ROOT, demo_server

DEMO = ROOT / "tui" / "demo"
REPORT_KEYS = {
    "source",
    "message_id",
    "subject",
    "from",
    "to",
    "date",
    "auth",
    "dns_log",
    "findings",
    "problems",
}


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "mailtriage.tui.cli", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        env=env,
    )


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["MAILTRIAGE_CONFIG"] = str(tmp_path / "config.toml")
    return env


def test_report_demo_json_lines(isolated_env) -> None:  # type: ignore[no-untyped-def]
    out = run("report", "--demo", "--json", env=isolated_env)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.decode().splitlines()
    assert len(lines) == 2
    for line in lines:
        obj = json.loads(line)
        assert obj.keys() >= REPORT_KEYS
        assert obj["auth"]["live"]["dmarc"][0]["status"] == "found"
        assert obj["dns_log"] and all(e["rcode"] == "NOERROR" for e in obj["dns_log"])
        assert obj["auth"]["recorded"]


def test_report_offline_files_and_stdin(isolated_env) -> None:  # type: ignore[no-untyped-def]
    blocked = (DEMO / "blocked.eml").read_bytes()
    out = run(
        "report",
        "--json",
        "--offline",
        "-",
        str(DEMO / "delivered.eml"),
        stdin=blocked,
        env=isolated_env,
    )
    assert out.returncode == 0, out.stderr
    a, b = (json.loads(x) for x in out.stdout.decode().splitlines())
    assert a["source"] == "-" and a["auth"]["live"] is None and a["dns_log"] == []
    assert b["source"].endswith("delivered.eml")
    assert a["date"].startswith("2026-11-23T")


def test_report_against_resolver_option(isolated_env) -> None:  # type: ignore[no-untyped-def]
    srv = demo_server()
    try:
        out = run(
            "report",
            "--json",
            "--resolver",
            f"127.0.0.1:{srv.port}",
            str(DEMO / "blocked.eml"),
            env=isolated_env,
        )
    finally:
        srv.stop()
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert obj["auth"]["live"]["mx"][0]["records"]


def test_report_text_mode_neutralises_controls(tmp_path: Path, isolated_env) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "x.eml"
    p.write_bytes(b"From: a@b.example\nSubject: hi \x1b[31mred\x07\nMessage-ID: <1@b>\n\nbody\n")
    out = run("report", "--offline", str(p), env=isolated_env)
    assert out.returncode == 0, out.stderr
    assert b"\x1b" not in out.stdout and b"\x07" not in out.stdout
    assert b"\\x1b[31mred" in out.stdout


@pytest.mark.parametrize("cmd", [[], ["report"]], ids=["dashboard", "report"])
def test_bad_input_one_line_exit_2(tmp_path: Path, cmd, isolated_env) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 100)
    folder = tmp_path / "folder"  # report: a folder without samples; the dashboard: a folder
    folder.mkdir()
    for target in (str(junk), str(tmp_path / "missing.eml"), str(folder)):
        out = run(*cmd, target, env=isolated_env)
        assert out.returncode == 2
        err = out.stderr.decode()
        assert err.count("\n") == 1 and err.startswith("mailtriage: error:")
        assert "Traceback" not in err


def test_version_and_help(isolated_env) -> None:  # type: ignore[no-untyped-def]
    v = run("--version", env=isolated_env)
    assert v.returncode == 0 and v.stdout.decode().startswith("mailtriage ")
    h = run("--help", env=isolated_env)
    assert h.returncode == 0 and b"--offline" in h.stdout and b"report" in h.stdout
    r = run("report", "--help", env=isolated_env)
    assert r.returncode == 0 and b"--json" in r.stdout


def test_too_many_samples_and_bad_config(tmp_path: Path, isolated_env) -> None:  # type: ignore[no-untyped-def]
    d = str(DEMO / "blocked.eml")
    out = run(d, d, d, env=isolated_env)
    assert out.returncode == 2 and b"at most two" in out.stderr
    Path(isolated_env["MAILTRIAGE_CONFIG"]).write_text("timeout = 'soon'\n")
    out = run("report", "--offline", d, env=isolated_env)
    assert out.returncode == 2 and b"timeout" in out.stderr and b"Traceback" not in out.stderr


def test_dashboard_without_a_terminal_says_so(isolated_env) -> None:  # type: ignore[no-untyped-def]
    """Keys come from the terminal; with stdin a pipe and no terminal, refuse, don't spin."""
    out = subprocess.run(
        [sys.executable, "-m", "mailtriage.tui.cli", "-", "--offline"],
        input=(DEMO / "blocked.eml").read_bytes(),
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        env=isolated_env,
        start_new_session=True,
    )
    assert out.returncode == 2
    assert b"needs a terminal" in out.stderr and b"Traceback" not in out.stderr


def test_spf_and_dns_commands_against_a_real_server(isolated_env) -> None:  # type: ignore[no-untyped-def]
    srv = demo_server()
    try:
        where = f"127.0.0.1:{srv.port}"
        out = run(
            "spf",
            "198.51.100.90",
            "fabrikam.example",
            "--sender",
            "invoices@fabrikam.example",
            "--resolver",
            where,
            env=isolated_env,
        )
        assert out.returncode == 0, out.stderr
        text = out.stdout.decode()
        assert text.startswith("SPF pass for 198.51.100.90")
        assert "include:spf.protection.outlook.com  matched => pass" in text
        out = run(
            "spf",
            "203.0.113.45",
            "fabrikam.example",
            "--json",
            "--resolver",
            where,
            env=isolated_env,
        )
        obj = json.loads(out.stdout)
        assert obj["result"] == "fail" and obj["lookups"] == 1
        assert obj["tree"]["children"][0]["term"] == "include:spf.protection.outlook.com"
        out = run(
            "dns",
            "fabrikam.example",
            "--selector",
            "selector1",
            "--json",
            "--resolver",
            where,
            env=isolated_env,
        )
        obj = json.loads(out.stdout)
        assert [c["status"] for c in obj["checks"]] == ["found", "found", "found"]
        assert obj["spf"]["walked_with"] == "0.0.0.0" and obj["dns_log"]
    finally:
        srv.stop()
    bad = run("spf", "not-an-ip", "x.example", "--resolver", "127.0.0.1:9", env=isolated_env)
    assert bad.returncode == 2 and bad.stderr.count(b"\n") == 1


def test_one_unreadable_sample_of_two_is_reported_not_fatal(tmp_path: Path) -> None:
    from mailtriage.tui.cli import load_some

    good = Path(__file__).resolve().parents[1] / "tui" / "demo" / "delivered.eml"
    samples, errors = load_some([str(tmp_path / "missing.eml"), str(good)])
    # The delivered copy stays in slot B: slot A is left empty, not filled by B.
    assert samples[0] is None and samples[1] is not None and samples[1].source == str(good)
    assert len(errors) == 1 and "missing.eml" in errors[0]


def test_spf_and_dns_exit_non_zero_when_dns_fails(isolated_env) -> None:  # type: ignore[no-untyped-def]
    """A dead resolver gives temperror: not an answer, so not exit 0 (issue 9)."""
    dead = ("--resolver", "127.0.0.1:9")
    out = run("spf", "203.0.113.45", "fabrikam.example", *dead, env=isolated_env)
    assert out.returncode == 1, out.stdout
    assert b"temperror" in out.stdout
    assert b"DNS lookups failed" in out.stderr and b"TIMEOUT" in out.stderr
    assert out.stderr.count(b"\n") == 1
    out = run("spf", "203.0.113.45", "fabrikam.example", "--json", *dead, env=isolated_env)
    assert out.returncode == 1 and json.loads(out.stdout)["result"] == "temperror"
    out = run("dns", "fabrikam.example", *dead, env=isolated_env)
    assert out.returncode == 1 and b"DNS lookups failed" in out.stderr


def test_spf_says_one_dns_lookup_in_the_singular(isolated_env) -> None:  # type: ignore[no-untyped-def]
    srv = demo_server()
    try:
        where = ("--resolver", f"127.0.0.1:{srv.port}")
        out = run("spf", "198.51.100.90", "fabrikam.example", *where, env=isolated_env)
        assert out.returncode == 0, out.stderr
        first = out.stdout.decode().splitlines()[0]
        assert "1 DNS lookup (limit 10)" in first, first
        out = run("spf", "203.0.113.45", "fabrikam.example", *where, env=isolated_env)
        assert out.returncode == 0  # fail is an answer: the command worked
        assert out.stdout.startswith(b"SPF fail")
    finally:
        srv.stop()


@pytest.mark.parametrize(
    ("n", "text"), [(0, "0 DNS lookups"), (1, "1 DNS lookup"), (2, "2 DNS lookups")]
)
def test_plural(n: int, text: str) -> None:
    from mailtriage.checks.text import plural

    assert plural(n, "DNS lookup") == text
    assert plural(n, "query", "queries") == text.replace("DNS lookups", "queries").replace(
        "DNS lookup", "query"
    )
