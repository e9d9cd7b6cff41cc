"""``mailtriage redact SAMPLE [SAMPLE_B] -o OUT``: a redacted copy to share outside the customer.

Addresses, host names, IP addresses, subjects, display names and signature
values are replaced by stand-ins (see :mod:`mailtriage.checks.redact` for what is
replaced, what is kept and why). With two samples both are redacted with one
mapping, so a value shared by the two copies gets the same stand-in in both: the
blocked copy goes to ``OUT`` and the delivered one to ``OUT`` with ``-b`` before its
extension (``out.eml`` -> ``out-b.eml``).

Files are written atomically and an input is never overwritten: an output that
is one of the inputs is refused. ``--map FILE`` writes the mapping (original ->
stand-in) as JSON for the technician's own records; it holds the customer's data
and must not travel with the copy. Errors print one line; exit status 0 when
written, 2 otherwise.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from mailtriage.checks.atomic import atomic_write_bytes, atomic_write_text
from mailtriage.checks.message.loader import SampleError, read_file, read_stdin
from mailtriage.checks.redact import (
    NOT_VERIFIABLE,
    RedactError,
    Redactor,
    check_redactable,
    digest,
)
from mailtriage.checks.text import json_text, printable
from mailtriage.tui.args import VersionAction, fail

MAP_NOTE = (
    "This mapping holds the customer's data (original values). Keep it with the ticket "
    "for your own records; never send it with the redacted copy."
)


def redact_parser() -> argparse.ArgumentParser:
    """Parser for ``mailtriage redact``."""
    p = argparse.ArgumentParser(
        prog="mailtriage redact",
        description="Write a copy of a sample with addresses, host names, IP addresses, "
        "subjects and names replaced by stand-ins (the same value always gets the same "
        "one), for sharing outside the customer.",
        epilog="With two samples, the second copy is written next to OUT with '-b' before "
        "its extension. Exit status: 0 written, 2 usage error or unreadable sample.",
    )
    p.add_argument("sample", metavar="SAMPLE", help="the sample (.eml, pasted headers; '-' stdin)")
    p.add_argument("sample_b", metavar="SAMPLE_B", nargs="?", help="a second sample of the ticket")
    p.add_argument("-o", "--output", metavar="OUT", required=True, help="where to write the copy")
    p.add_argument(
        "--map",
        metavar="FILE",
        help="also write the mapping (original -> stand-in) as JSON; it holds customer data",
    )
    p.add_argument("--version", action=VersionAction, nargs=0, help="print the version and exit")
    return p


def second_name(out: str) -> str:
    """Where the second sample's copy goes: ``out.eml`` -> ``out-b.eml``, ``out`` -> ``out-b``."""
    path = Path(out)
    if path.suffix and path.stem:
        return str(path.with_name(f"{path.stem}-b{path.suffix}"))
    return f"{out}-b"


def _read(path: str) -> bytes:
    """The sample's bytes, checked to be an email message that can be redacted as text.

    Raises:
        SampleError: Unreadable, too large, not an email, or an Outlook .msg.
    """
    if path == "-":
        data, size = read_stdin(), None
    else:
        data, size = read_file(path)
    check_redactable(data, path, size)
    return data


def _same_file(a: str, b: str) -> bool:
    if a == "-" or b == "-":
        return False
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _outputs(args: argparse.Namespace) -> list[str]:
    """The output paths, checked against the inputs and each other.

    Raises:
        SampleError: An output would overwrite an input, or two outputs coincide.
    """
    inputs = [p for p in (args.sample, args.sample_b) if p]
    outs = [args.output] + ([second_name(args.output)] if args.sample_b else [])
    for out in [*outs, *([args.map] if args.map else [])]:
        for src in inputs:
            if _same_file(out, src):
                raise SampleError(
                    f"{printable(out, 200)} is an input sample; write the copy elsewhere"
                )
    if args.map and any(_same_file(args.map, o) or args.map == o for o in outs):
        raise SampleError("--map must name a file other than the redacted copy")
    return outs


def run_redact(argv: Sequence[str]) -> int:
    """Run ``mailtriage redact``; returns the exit status."""
    args = redact_parser().parse_args(argv)
    if args.sample == "-" and args.sample_b == "-":
        return fail("stdin ('-') can be given only once")
    try:
        outs = _outputs(args)
        inputs = [p for p in (args.sample, args.sample_b) if p]
        data = [_read(p) for p in inputs]
        redactor = Redactor()
        redactor.prepare(*data)
        copies = [redactor.redact_bytes(d) for d in data]
    except (SampleError, RedactError) as exc:
        return fail(str(exc))
    try:
        for out, copy in zip(outs, copies, strict=True):
            atomic_write_bytes(out, copy)
        if args.map:
            atomic_write_text(args.map, mapping_json(redactor, inputs, data) + "\n")
    except OSError as exc:
        return fail(f"cannot write: {exc.strerror or exc}")
    for src, out in zip(inputs, outs, strict=True):
        print(f"wrote {printable(out, 200)}: redacted copy of {printable(src, 200)}")
    if args.map:
        print(f"wrote {printable(args.map, 200)}: the mapping; it holds customer data")
    print(NOT_VERIFIABLE)
    return 0


def mapping_json(redactor: Redactor, sources: Sequence[str], data: Sequence[bytes]) -> str:
    """The ``--map`` file: a note, the inputs (path, sha256) and every mapping row."""
    return json_text(
        {
            "note": MAP_NOTE,
            "inputs": [
                {"path": s, "sha256": digest(d)} for s, d in zip(sources, data, strict=True)
            ],
            "mapping": [
                {"kind": kind, "original": original, "stand_in": stand}
                for kind, original, stand in redactor.mapping()
            ],
        }
    )
