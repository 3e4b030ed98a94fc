"""The ``motifnet`` command: one subcommand per workflow step."""

from __future__ import annotations

import argparse
import sys

from motifnet import __version__
from motifnet.cli import (
    check,
    evaluate,
    inspect,
    motifs,
    predict,
    prepare,
    scan,
    simulate,
    summarize,
    train,
)
from motifnet.errors import MotifnetError

SUBCOMMANDS = (
    prepare,
    train,
    evaluate,
    predict,
    scan,
    motifs,
    check,
    summarize,
    simulate,
    inspect,
)

DESCRIPTION = """\
motifnet finds the DNA motifs a neural network learns.

Each subcommand is one step of the workflow; run `motifnet SUBCOMMAND --help` for its options.
"""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand attached."""
    parser = argparse.ArgumentParser(
        prog="motifnet",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"motifnet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True)
    for module in SUBCOMMANDS:
        module.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors print one line to stderr and exit 2, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except MotifnetError as err:
        print(f"motifnet {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"motifnet {args.command}: interrupted", file=sys.stderr)
        return 130
