"""What every subcommand's parser shares."""

from __future__ import annotations

import argparse


def add_subcommand(
    commands: argparse._SubParsersAction, name: str, *, help: str, description: str, epilog: str
) -> argparse.ArgumentParser:
    """A subcommand parser that keeps the layout of its description and examples."""
    return commands.add_parser(
        name,
        help=help,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
