"""The console script's cache of the code ``dataclasses`` generates (issue 11, first paint).

:mod:`mailtriage.tui.dataclass_cache` serves the generated methods of mailtriage's own
dataclasses from a file written by an earlier start. These tests run fresh interpreters
(the cache works at class creation) and check that a class made from the cache is the
class the decorator makes, that other libraries' classes are left alone, that a broken
or unwritable cache never stops a start, and that only the console script uses it.
Nothing here is timed: tests/benchmarks/startup.py measures the effect.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mailtriage.tui import dataclass_cache

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = str(ROOT / "tui" / "demo" / "blocked.eml")

pytestmark = pytest.mark.skipif(
    not dataclass_cache.supported(), reason="this Python's dataclasses is not the one cached"
)

# Classes of every shape the engine uses: frozen, slots, defaults, factories, order.
CLASSES = '''
from __future__ import annotations
from dataclasses import dataclass, field

@dataclass(frozen=True)
class Finding:
    """A frozen class with defaults."""
    code: str
    layer: str
    detail: str = ""
    evidence: tuple[str, ...] = ()

@dataclass(frozen=True, slots=True)
class Span:
    """Frozen, with slots."""
    number: int
    offset: int

@dataclass(order=True)
class Mutable:
    """Mutable and ordered, with a factory."""
    rank: int
    tags: list[str] = field(default_factory=list)
'''

PROBE = (
    CLASSES
    + """
METHODS = ("__init__", "__repr__", "__eq__", "__setattr__", "__delattr__", "__hash__", "__lt__")

def probe():
    f = Finding("c", "policy", evidence=("x",))
    g = Finding("c", "policy", evidence=("x",))
    out = [repr(f), f == g, hash(f) == hash(g)]
    try:
        f.code = "d"
    except Exception as exc:
        out.append(type(exc).__name__)
    s = Span(1, 2)
    out += [repr(s), s == Span(1, 2), hasattr(s, "__dict__")]
    out += [repr(Mutable(2)), Mutable(1) < Mutable(2), Mutable(1).tags is not Mutable(1).tags]
    codes = []
    for cls in (Finding, Span, Mutable):
        for name in METHODS:
            fn = cls.__dict__.get(name)
            code = getattr(fn, "__code__", None)
            same = code and (code.co_code, code.co_names, code.co_varnames, fn.__annotations__)
            codes.append((cls.__name__, name, same))
    return out, codes
"""
)


def _python(code: str, cache: Path, *, env: dict[str, str] | None = None) -> str:
    run_env = {**os.environ, "MAILTRIAGE_CACHE": str(cache), **(env or {})}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=run_env
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def _define(module: str, *, cached: bool) -> str:
    """Code that makes the probe classes in ``module`` (with the cache or not) and prints."""
    return (
        "import sys, types\n"
        "from mailtriage.tui import dataclass_cache as dc\n"
        f"installed = dc.install() if {cached} else False\n"
        f"m = types.ModuleType({module!r}); sys.modules[{module!r}] = m\n"
        f"exec({PROBE!r}, m.__dict__)\n"
        "compiled = dc.finish()\n"
        "print(repr((installed, compiled, m.probe())))\n"
    )


def test_a_class_from_the_cache_is_the_class_the_decorator_makes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    plain = eval(_python(_define("mailtriage.probe", cached=False), cache))
    first = eval(_python(_define("mailtriage.probe", cached=True), cache))
    second = eval(_python(_define("mailtriage.probe", cached=True), cache))
    assert plain[:2] == (False, 0)
    assert first[:2] == (True, 19)  # 6 + 6 + 7 functions compiled, then written
    assert second[:2] == (True, 0)  # every one read back
    assert first[2] == second[2] == plain[2]  # same behaviour, same bytecode
    assert plain[2][0][3] == "FrozenInstanceError"
    assert dataclass_cache.cache_file().name.startswith("dataclass-code-")
    assert any(p.name.startswith("dataclass-code-") for p in cache.iterdir())


def test_other_libraries_classes_are_left_to_the_decorator(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    out = eval(_python(_define("textual.probe", cached=True), cache))
    assert out[:2] == (True, 0)
    assert not cache.exists()  # nothing compiled for mailtriage: nothing written


@pytest.mark.parametrize("content", [b"", b"\x00garbage", b"\xe3" * 100])
def test_a_broken_cache_file_is_ignored_and_replaced(tmp_path: Path, content: bytes) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / dataclass_cache.cache_file().name).write_bytes(content)
    out = eval(_python(_define("mailtriage.probe", cached=True), cache))
    assert out[:2] == (True, 19)
    again = eval(_python(_define("mailtriage.probe", cached=True), cache))
    assert again[:2] == (True, 0)


def test_a_cache_others_could_write_or_a_link_is_not_run(tmp_path: Path) -> None:
    """The file holds code: one others may write, or a symbolic link, is never loaded."""
    cache = tmp_path / "cache"
    _python(_define("mailtriage.probe", cached=True), cache)
    real = cache / dataclass_cache.cache_file().name
    real.chmod(0o666)
    assert eval(_python(_define("mailtriage.probe", cached=True), cache))[:2] == (True, 19)
    assert real.stat().st_mode & 0o777 == 0o600  # replaced by a fresh one of this user's
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / real.name).symlink_to(real)
    assert eval(_python(_define("mailtriage.probe", cached=True), linked))[:2] == (True, 19)
    assert eval(_python(_define("mailtriage.probe", cached=True), cache))[:2] == (True, 0)


@pytest.mark.parametrize("where", [0, 20, 40, 60, 1000, 5000, -200, -1])
def test_a_damaged_cache_is_never_run(tmp_path: Path, where: int) -> None:
    """One flipped bit anywhere (header, digest or code) and the file is compiled anew.

    Damaged code objects can crash the interpreter or change what a class does, so the
    file's SHA-256 is checked before anything in it is loaded.
    """
    cache = tmp_path / "cache"
    _python(_define("mailtriage.probe", cached=True), cache)
    real = cache / dataclass_cache.cache_file().name
    data = bytearray(real.read_bytes())
    data[where] ^= 0x08
    real.write_bytes(bytes(data))
    real.chmod(0o600)
    out = eval(_python(_define("mailtriage.probe", cached=True), cache))
    assert out[:2] == (True, 19)
    assert eval(_python(_define("mailtriage.probe", cached=True), cache))[:2] == (True, 0)


def test_a_cache_that_holds_something_else_is_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / dataclass_cache.cache_file().name).write_bytes(
        __import__("marshal").dumps({"def x(): pass": "not code", 3: compile("1", "", "eval")})
    )
    assert eval(_python(_define("mailtriage.probe", cached=True), cache))[:2] == (True, 19)


def test_an_unwritable_cache_folder_leaves_the_start_as_it_was(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be")
    out = eval(_python(_define("mailtriage.probe", cached=True), blocker))
    assert out[:2] == (True, 19)
    assert blocker.read_text() == "a file where the folder should be"
    assert not list(tmp_path.glob(".dataclass-code-*"))


def test_past_the_limit_only_what_this_start_used_is_kept(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _python(_define("mailtriage.probe", cached=True), cache)  # 19 in the file
    other = (
        "import sys, types\n"
        "from mailtriage.tui import dataclass_cache as dc\n"
        "dc.MAX_ENTRIES = 20\n"
        "dc.install()\n"
        "m = types.ModuleType('mailtriage.other'); sys.modules['mailtriage.other'] = m\n"
        "exec('from dataclasses import dataclass\\n@dataclass(frozen=True)\\n"
        "class Other:\\n    a: int\\n', m.__dict__)\n"
        "print(dc.finish())\n"
    )
    assert _python(other, cache) == "6"
    count = (
        "from mailtriage.tui import dataclass_cache as dc\nprint(len(dc._read(dc.cache_file())))\n"
    )
    assert _python(count, cache) == "6"  # 25 > 20: only the 6 used by the last start


def test_the_engine_gives_the_same_results_with_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    code = (
        "import os\n"
        "from mailtriage.tui import dataclass_cache as dc\n"
        "if os.environ['MODE'] == 'cached': dc.install()\n"
        "from mailtriage.checks.analysis import analyse\n"
        "from mailtriage.tui.demo.runtime import demo_samples\n"
        "dc.finish()\n"
        "print(hash(repr([analyse(s) for s in demo_samples()])))\n"
    )
    plain = _python(code, cache, env={"MODE": "plain", "PYTHONHASHSEED": "0"})
    for _ in range(2):  # filling the cache, then served from it
        cached = _python(code, cache, env={"MODE": "cached", "PYTHONHASHSEED": "0"})
        assert cached == plain
    assert len(list(cache.iterdir())) == 1


def test_only_the_console_script_uses_the_cache(tmp_path: Path) -> None:
    launched = tmp_path / "launched"
    called = tmp_path / "called"
    code = (
        "import dataclasses, io, contextlib, sys\n"
        "original = dataclasses._create_fn\n"
        f"sys.argv = ['mailtriage', 'report', '--json', '--offline', {SAMPLE!r}]\n"
        "from mailtriage.tui import launch\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = launch.main()\n"
        "print(code, dataclasses._create_fn is original)\n"
    )
    assert _python(code, launched) == "0 True"  # put back once loaded
    assert len(list(launched.iterdir())) == 1
    code = (
        "import io, contextlib\n"
        "from mailtriage.tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main(['report', '--json', '--offline', {SAMPLE!r}])\n"
        "print(code)\n"
    )
    assert _python(code, called) == "0"
    assert not called.exists()


def test_finish_without_install_does_nothing() -> None:
    before = dataclasses._create_fn  # type: ignore[attr-defined]
    assert dataclass_cache.finish() == 0
    assert dataclasses._create_fn is before  # type: ignore[attr-defined]
