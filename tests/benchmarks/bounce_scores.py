"""Print parse_bounce's agreement with the Sisimai corpus as a Markdown table (for the README).

Run: ``.venv/bin/python tests/benchmarks/bounce_scores.py [--misses]``. Needs
``shared/corpora/sisimai-dev`` beside the repository.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bounce_support import SISIMAI, markdown, score


def main() -> int:
    """Score the corpus and print the table (and the disagreements with --misses)."""
    if not (SISIMAI / "expected.tsv").is_file():
        print(f"corpus not found: {SISIMAI}", file=sys.stderr)
        return 1
    scores = score()
    print(markdown(scores))
    per_message = scores.seconds / max(scores.messages, 1)
    print(f"\nparse_bounce: {per_message * 1e3:.2f} ms per message over {scores.messages} messages")
    if "--misses" in sys.argv:
        print("\n" + "\n".join(scores.misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
