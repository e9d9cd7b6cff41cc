"""Score the two-copy decision (checks.suspect) on the blocked/delivered pair sets.

Run: ``.venv/bin/python tests/benchmarks/pair_scores.py [-v]``. Prints one Markdown row
per set: ``tests/fixtures/pairs`` (the development set: the rules were written beside it)
and ``tests/fixtures/pairs-heldout`` (written by someone who did not see the engine and
never tuned to: it measures how the rules generalise). ``-v`` lists every pair with the
expected and the decided layer.

A pair scores when the decided layer equals ``expected_layer`` in its ``case.toml``
("none" when nothing explains a block). Each set is also scored swapped (the delivered
copy as A): the right answer then is always "none", and a layer there is a false blame.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.loader import load_path
from mailtriage.checks.suspect import suspect

ROOT = Path(__file__).resolve().parents[2]
SETS = {
    "development (tests/fixtures/pairs)": ROOT / "tests" / "fixtures" / "pairs",
    "held out (tests/fixtures/pairs-heldout)": ROOT / "tests" / "fixtures" / "pairs-heldout",
}


def score(folder: Path, verbose: bool) -> tuple[int, int, int]:
    """Return (right, total, false blames when swapped) for one set of pairs."""
    right = total = blamed = 0
    for case_dir in sorted(p for p in folder.iterdir() if (p / "case.toml").is_file()):
        case = tomllib.loads((case_dir / "case.toml").read_text(encoding="utf-8"))
        a = analyse(load_path(case_dir / "a.eml"))
        b = analyse(load_path(case_dir / "b.eml"))
        got = suspect(a, b).suspect_layer or "none"
        swapped = suspect(b, a).suspect_layer
        total += 1
        right += got == case["expected_layer"]
        blamed += swapped is not None
        if verbose:
            mark = "ok  " if got == case["expected_layer"] else "MISS"
            extra = f"  (swapped: {swapped})" if swapped else ""
            print(f"  {mark} {case_dir.name}: expected {case['expected_layer']}, got {got}{extra}")
    return right, total, blamed


def main() -> int:
    """Print the score table."""
    verbose = "-v" in sys.argv
    rows = ["| set | layer right | swapped copies blamed |", "| --- | ---: | ---: |"]
    for name, folder in SETS.items():
        if not folder.is_dir():
            rows.append(f"| {name} | not present | |")
            continue
        if verbose:
            print(name)
        right, total, blamed = score(folder, verbose)
        rows.append(f"| {name} | {right} / {total} | {blamed} / {total} |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
