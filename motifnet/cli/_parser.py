"""What every subcommand's parser shares."""

from __future__ import annotations

import argparse
import dataclasses

from motifnet.errors import ConfigError


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


def add_data_flags(parser: argparse.ArgumentParser, prefix: str = "", *, what: str = "") -> None:
    """Flags that describe one labelled set: --pos/--neg, --class NAME=FILE, or --table."""
    label = f"{what} " if what else ""
    group = parser.add_argument_group(f"{label}data" if what else "data")
    group.add_argument(
        f"--{prefix}pos",
        nargs="+",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help=f"{label}positives: FASTA(.gz), CSV or BED (with --genome)",
    )
    group.add_argument(
        f"--{prefix}neg",
        nargs="+",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help=f"{label}negatives (default: dinucleotide shuffles of the positives)",
    )
    group.add_argument(
        f"--{prefix}neg-pattern",
        metavar="REGEX",
        default=argparse.SUPPRESS,
        help=f"{label}negatives are the records of the --{prefix}pos files whose id matches "
        "REGEX (e.g. '_shuf$' for shuffled negatives marked in the headers)",
    )
    group.add_argument(
        f"--{prefix}class",
        action="append",
        metavar="NAME=FILE",
        default=argparse.SUPPRESS,
        dest=f"{prefix.replace('-', '_')}classes",
        help=f"{label}multi-class: one file per class (repeat the flag)",
    )
    group.add_argument(
        f"--{prefix}table",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help=f"{label}CSV/TSV with a sequence column and label columns",
    )


def data_spec(args: argparse.Namespace, prefix: str = "") -> dict | None:
    """The DataSpec dict the --PREFIX data flags give, or None when none was given."""
    key = prefix.replace("-", "_")
    spec = {}
    for name in ("pos", "neg", "neg_pattern", "table"):
        if hasattr(args, key + name):
            spec[name] = getattr(args, key + name)
    if hasattr(args, key + "classes"):
        classes: dict[str, list[str]] = {}
        for pair in getattr(args, key + "classes"):
            name, sep, path = pair.partition("=")
            if not sep or not name or not path:
                raise ConfigError(f"--{prefix}class takes NAME=FILE, got {pair!r}")
            classes.setdefault(name, []).append(path)
        spec["classes"] = classes
    return spec or None


def add_precision_argument(parser: argparse.ArgumentParser) -> None:
    """--precision of the commands that run a trained model (predict, scan)."""
    parser.add_argument(
        "--precision",
        choices=("fp32", "bf16"),
        default="fp32",
        help="fp32 (exact) or bf16: bfloat16 arithmetic, several times faster on CPUs with "
        "AVX512-BF16/AMX and on recent GPUs; probabilities move by ~2e-3 on average, up to "
        "~0.03 (default: %(default)s)",
    )


def add_model_run_arguments(
    parser: argparse.ArgumentParser, *, batch: str = "windows", precision: bool = True
) -> None:
    """--batch-size, --device, --precision (unless ``precision=False``) and --threads of the
    commands that apply a trained model."""
    parser.add_argument(
        "--batch-size", type=int, default=256, help=f"{batch} per batch (default: %(default)s)"
    )
    parser.add_argument("--device", default="auto", help="cpu, cuda or auto (default: %(default)s)")
    if precision:
        add_precision_argument(parser)
    add_threads_argument(parser)


def add_threads_argument(parser: argparse.ArgumentParser) -> None:
    """--threads of the commands that run a trained model: a cluster job passes its cores."""
    parser.add_argument(
        "--threads",
        type=int,
        help="CPU threads for the model (default: every CPU this process may use)",
    )


def settings_from(settings_type: type, args: argparse.Namespace):
    """A settings dataclass filled from the flags of the same names; a flag left unset
    (None) keeps the dataclass's default, so each default is written once."""
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(settings_type)}
    return settings_type(**{name: value for name, value in given.items() if value is not None})
