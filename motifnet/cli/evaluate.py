"""`motifnet evaluate`: metrics of a trained checkpoint on any labelled input."""

from __future__ import annotations

import argparse
import json
import sys

from motifnet.cli._parser import add_data_flags, add_subcommand, data_spec
from motifnet.errors import ConfigError, InputError

HELP = "metrics of a checkpoint on labelled data, as given and RC-conjoined"
DESCRIPTION = """\
Evaluate a trained checkpoint on labelled sequences: AUROC, AUPRC, accuracy and MCC, once on
the sequences as given and once with post-hoc RC conjoining (logits averaged over both
strands), plus the mean and largest gap between the logits of a sequence and of its reverse
complement. Sequences are fitted to the checkpoint's input length (centre crop or N padding).
The data must have the checkpoint's tasks; --pos without --neg is scored against dinucleotide
shuffles of the positives (seeded by --seed), as in training.
"""
EPILOG = """\
examples:
  motifnet evaluate runs/ctcf/model.ckpt --pos valid_peaks.fa --neg valid_background.fa
  motifnet evaluate runs/gue/model.ckpt --table test.csv --json
"""


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = add_subcommand(commands, "evaluate", help=HELP, description=DESCRIPTION, epilog=EPILOG)
    p.add_argument("checkpoint", metavar="CKPT", help="model.ckpt written by motifnet train")
    add_data_flags(p)
    p.add_argument("--genome", help="genome FASTA for BED inputs")
    p.add_argument("--batch-size", type=int, default=512, help="default: %(default)s")
    p.add_argument("--device", default="auto", help="cpu, cuda or auto (default: %(default)s)")
    p.add_argument(
        "--seed", type=int, default=0, help="seed for shuffled negatives (default: %(default)s)"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from motifnet.checkpoint import load_trained
    from motifnet.config import DataSpec
    from motifnet.data import encode
    from motifnet.metrics import evaluate
    from motifnet.nn.runtime import resolve_device
    from motifnet.train import read_spec

    spec = data_spec(args)
    if spec is None:
        raise ConfigError("no data: give --pos (and --neg), --class NAME=FILE or --table")
    trained = load_trained(args.checkpoint)
    try:
        data = read_spec(DataSpec(**spec), genome=args.genome, shuffles=1, seed=args.seed)
    except ValueError as err:
        raise ConfigError(str(err)) from None
    single = data.task_type == trained.task_type == "binary" and len(trained.task_names) == 1
    if single and data.task_names != list(trained.task_names):
        print(
            f"evaluate: scoring the model's task {trained.task_names[0]!r} against the data's "
            f"labels {data.task_names[0]!r}",
            file=sys.stderr,
        )
    elif (data.task_type, data.task_names) != (trained.task_type, list(trained.task_names)):
        raise InputError(
            f"the data has tasks {data.task_names} ({data.task_type}); the model was "
            f"trained on {list(trained.task_names)} ({trained.task_type})"
        )
    x, y = encode(data, trained.length)
    result = evaluate(
        trained.network,
        x,
        y,
        trained.task_type,
        batch_size=args.batch_size,
        device=resolve_device(args.device),
        task_names=list(trained.task_names),
    )
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(
        f"{args.checkpoint}: {trained.architecture} on {result['n']} sequences "
        f"({trained.task_type})"
    )
    print(f"{'metric':<10} {'as given':>10} {'RC-conjoined':>13}")
    for name in ("auroc", "auprc", "mcc", "accuracy"):
        print(
            f"{name.upper():<10} {result['plain'][name]:>10.4f} {result['conjoined'][name]:>13.4f}"
        )
    for task, values in result.get("per_task", {}).items():
        areas = (
            "undefined (one class only)"
            if values["auroc"] is None
            else f"AUROC {values['auroc']:.4f}  AUPRC {values['auprc']:.4f}"
        )
        print(f"  {task}: {areas}  ({values['positives']} positives)")
    gap = result["rc_error"]
    print(f"RC gap |logit(rc x) - logit(x)|: mean {gap['mean_abs']:.3g}, max {gap['max_abs']:.3g}")
    return 0
