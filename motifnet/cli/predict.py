"""`motifnet predict`: a trained model's predictions for every record of a FASTA/CSV file."""

from __future__ import annotations

import argparse

from motifnet.cli._parser import add_model_run_arguments, add_subcommand

HELP = "predict every record of a FASTA/CSV file with a trained checkpoint -> TSV"
DESCRIPTION = """\
Apply a trained checkpoint to every record of INPUT (FASTA, FASTA.gz, CSV/TSV, or BED intervals
cut from --genome) and write a TSV:
a header, then one row per record in input order: the record id and one column per task
(probabilities, or logits with --logits). With --strands, also <task>_fwd and <task>_rc columns
for each strand; with --conjoin the main columns average the two strands.

Records of another length than the model's input: shorter ones are padded with N on both sides
(as in training); longer ones are cut into windows of the input length every --window-stride bp
(the last flush with the end) and summarised by the largest score, or refused with --strict.
Duplicate ids are kept: every record gives exactly one row.
"""
EPILOG = """\
examples:
  motifnet predict runs/ctcf/model.ckpt peaks.fa -o peaks.tsv
  motifnet predict runs/ctcf/model.ckpt reads.fa.gz --strands --batch-size 1024 -o - | head
"""


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = add_subcommand(commands, "predict", help=HELP, description=DESCRIPTION, epilog=EPILOG)
    p.add_argument("checkpoint", metavar="CKPT", help="model.ckpt written by motifnet train")
    p.add_argument(
        "input",
        metavar="INPUT",
        help="FASTA(.gz), CSV/TSV with a sequence column, or BED (with --genome)",
    )
    p.add_argument("--genome", help="genome FASTA, when INPUT is a BED file")
    p.add_argument(
        "-o",
        "--output",
        default="predictions.tsv",
        help="TSV to write, or - for stdout (default: %(default)s)",
    )
    add_model_run_arguments(p)
    p.add_argument("--logits", action="store_true", help="raw scores instead of probabilities")
    p.add_argument("--strands", action="store_true", help="add per-strand columns (_fwd, _rc)")
    p.add_argument("--conjoin", action="store_true", help="main columns average both strands")
    p.add_argument(
        "--window-stride",
        type=int,
        metavar="BP",
        help="stride of windows over long records (default: half the input length)",
    )
    p.add_argument("--strict", action="store_true", help="refuse records longer than the input")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from motifnet.checkpoint import load_trained
    from motifnet.errors import ConfigError
    from motifnet.io import read_sequences
    from motifnet.nn.runtime import resolve_device, retain_freed_memory, use_threads
    from motifnet.prediction import PredictionSettings, write_predictions

    if args.batch_size < 1 or (args.window_stride is not None and args.window_stride < 1):
        raise ConfigError("--batch-size and --window-stride must be positive")
    use_threads(args.threads)
    retain_freed_memory()
    trained = load_trained(args.checkpoint)
    settings = PredictionSettings.of(
        trained,
        batch_size=args.batch_size,
        device=resolve_device(args.device),
        window_stride=args.window_stride,
        strict=args.strict,
        logits=args.logits,
        strands=args.strands,
        conjoin=args.conjoin,
        precision=args.precision,
    )
    records = read_sequences(args.input, genome=args.genome, duplicates="allow", labels=False)
    count = write_predictions(
        trained.network, records, settings, args.output, progress=not args.quiet, source=args.input
    )
    if args.output != "-":
        print(f"{count} records -> {args.output}", file=sys.stderr)
    return 0
