"""`motifnet train`: train a model on labelled sequences with PyTorch Lightning."""

from __future__ import annotations

import argparse
import json
import sys

import yaml

from motifnet.cli._parser import add_data_flags, add_subcommand, data_spec
from motifnet.cli.check import ARCHITECTURES, parse_settings
from motifnet.errors import ConfigError

HELP = "train a model (rc_cnn by default) on FASTA, CSV or BED inputs"
DESCRIPTION = """\
Train a model on labelled sequences and write, into OUTDIR:
  model.ckpt      the best checkpoint (by validation AUPRC or loss); self-describing: it carries
                  the architecture, its settings, the alphabet, the input length and the tasks
  metrics.json    validation and test metrics (AUROC, AUPRC, accuracy, MCC), each as given and
                  with post-hoc RC conjoining, the RC gap, sizes, epochs and wall time
  roc.png pr.png  curves on the test set (validation set when there is none)
  last.ckpt       the last epoch, to continue with --resume
  config.yaml     the resolved settings (reusable with --config)
  lightning_logs/ per-epoch training and validation metrics (CSV, or TensorBoard: --logger)

Progress (bars, and a line per epoch with the time left) goes to stderr; stdout carries only the
final summary (JSON), so `motifnet train ... > result.json` works. metrics.json says why
training stopped: max_epochs, early_stopping or max_minutes.

Data, in one of three forms (the same for --valid-* and --test-*):
  --pos A.fa [--neg B.fa]        binary; without --neg, negatives are dinucleotide shuffles
  --class NAME=FILE (repeated)   multi-class, one file per class
  --table T.csv                  a sequence column and 0/1 label columns (several = multi-task)
Files may be FASTA(.gz), CSV/TSV, or BED with --genome. Without --valid-*/--test-* the training
data is split at random (--valid-fraction, --test-fraction; shuffles stay with their positive)
or by chromosome (--split chrom, ids like chr1:100-200). Sequences are centre-cropped or padded
with N to --length (default: the most common length).

Settings come from --config YAML and flags (flags win); unknown settings are refused.
"""
EPILOG = (
    ARCHITECTURES
    + """
examples:
  motifnet train --pos peaks.fa --neg background.fa --arch rc_cnn -o runs/ctcf
  motifnet train --pos peaks.fa -o runs/shuffled --max-epochs 30 --rc-augment
  motifnet train --table train.csv --valid-table dev.csv --test-table test.csv -o runs/gue
  motifnet train --pos peaks.bed --genome hg38.fa --split chrom --valid-chroms chr8 \\
      --test-chroms chr9 -o runs/bed
  motifnet train --config my.yaml --set filters=128 --set first_activation=exp
"""
)

# flag -> TrainConfig key, for the flags that are plain settings
SETTINGS = {
    "outdir": "outdir",
    "architecture": "architecture",
    "length": "length",
    "genome": "genome",
    "split": "split",
    "valid_fraction": "valid_fraction",
    "test_fraction": "test_fraction",
    "valid_chroms": "valid_chroms",
    "test_chroms": "test_chroms",
    "shuffles_per_positive": "shuffles_per_positive",
    "batch_size": "batch_size",
    "max_epochs": "max_epochs",
    "max_minutes": "max_minutes",
    "lr": "learning_rate",
    "weight_decay": "weight_decay",
    "rc_augment": "rc_augment",
    "shift_augment": "shift_augment",
    "mutate_augment": "mutate_augment",
    "label_smoothing": "label_smoothing",
    "warmup_epochs": "warmup_epochs",
    "ensemble": "ensemble",
    "class_weight": "class_weight",
    "early_stopping": "early_stopping",
    "patience": "patience",
    "seed": "seed",
    "logger": "logger",
    "accelerator": "accelerator",
    "devices": "devices",
    "num_nodes": "num_nodes",
    "strategy": "strategy",
    "resume": "resume",
}


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = add_subcommand(commands, "train", help=HELP, description=DESCRIPTION, epilog=EPILOG)
    add_data_settings(p)
    s = argparse.SUPPRESS
    p.add_argument("-o", "--outdir", default=s, help="output folder (default: motifnet-run)")
    p.add_argument(
        "--architecture",
        "--arch",
        default=s,
        help="architecture (default: rc_cnn); see below",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="model setting of the architecture, e.g. --set filters=128 (repeatable; the "
        "config key is model:)",
    )
    p.add_argument("--batch-size", type=int, default=s, help="default: 128")
    p.add_argument("--max-epochs", type=int, default=s, help="default: 20")
    p.add_argument(
        "--max-minutes", type=float, default=s, help="stop training after this many minutes"
    )
    p.add_argument("--lr", type=float, default=s, help="AdamW learning rate (default: 0.003)")
    p.add_argument("--weight-decay", type=float, default=s, help="default: 0.01")
    p.add_argument(
        "--rc-augment", action="store_true", default=s, help="reverse-complement half of each batch"
    )
    p.add_argument(
        "--shift-augment", type=int, default=s, metavar="BP", help="random shifts up to BP"
    )
    p.add_argument(
        "--mutate-augment",
        type=float,
        default=s,
        metavar="FRACTION",
        help="draw this fraction of each training sequence's positions anew as random bases "
        "(EvoAug; N-padding positions may be drawn too; default: 0.05 for rc_cnn, 0 for the "
        "others)",
    )
    p.add_argument(
        "--label-smoothing",
        type=float,
        default=s,
        metavar="EPS",
        help="train on labels moved EPS/2 towards 0.5 (binary), or EPS spread over the classes",
    )
    p.add_argument(
        "--warmup-epochs",
        type=float,
        default=s,
        metavar="EPOCHS",
        help="raise the learning rate linearly over this many epochs, then cosine decay per "
        "step (default: 1 for rc_cnn; 0 for the others: cosine decay per epoch)",
    )
    p.add_argument(
        "--ensemble",
        type=int,
        default=s,
        metavar="K",
        help="train K models with seeds SEED..SEED+K-1 on the same split and save their "
        "ensemble (logits averaged) as model.ckpt; each member in OUTDIR/member<i> (default: 1)",
    )
    p.add_argument(
        "--class-weight",
        choices=("none", "balanced"),
        default=s,
        help="balanced: weigh each task's positives (or each class) by how rare they are in "
        "the training set, for sparse multi-task labels (default: none)",
    )
    p.add_argument("--early-stopping", choices=("auprc", "loss"), default=s, help="default: auprc")
    p.add_argument(
        "--patience", type=int, default=s, help="epochs without improvement (default: 5)"
    )
    p.add_argument(
        "--logger",
        choices=("csv", "tensorboard"),
        default=s,
        help="training logs in lightning_logs/: csv, or tensorboard (needs tensorboardX) "
        "(default: csv)",
    )
    p.add_argument(
        "--accelerator", default=s, help="auto (GPU when present), cpu, gpu (default: auto)"
    )
    p.add_argument(
        "--devices", default=s, help="devices (GPUs, or CPU processes) per node (default: auto)"
    )
    p.add_argument(
        "--num-nodes", type=int, default=s, help="machines to train on (DDP; default: 1)"
    )
    p.add_argument(
        "--strategy",
        choices=("auto", "ddp"),
        default=s,
        help="auto: DDP when several devices or nodes are used, else one process (default: auto)",
    )
    p.add_argument(
        "--resume", default=s, metavar="CKPT", help="continue training from a checkpoint"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def add_data_settings(p: argparse.ArgumentParser) -> None:
    """The flags that say which data, how it is split and how long the inputs are; `train`
    and `prepare` share them (and --config, whose data keys they override)."""
    add_data_flags(p)
    add_data_flags(p, "valid-", what="validation")
    add_data_flags(p, "test-", what="test")
    s = argparse.SUPPRESS
    p.add_argument(
        "--label-columns", nargs="+", default=s, help="table label columns (default: all)"
    )
    p.add_argument("--genome", default=s, help="genome FASTA for BED inputs")
    p.add_argument("--config", help="YAML file of settings (the keys of config.yaml)")
    p.add_argument("--length", type=int, default=s, help="input length in bp")
    p.add_argument(
        "--split", choices=("random", "chrom"), default=s, help="how to split (default: random)"
    )
    p.add_argument("--valid-fraction", type=float, default=s, help="default: 0.1")
    p.add_argument("--test-fraction", type=float, default=s, help="default: 0.1")
    p.add_argument(
        "--valid-chroms", nargs="+", default=s, help="chromosomes held out for validation"
    )
    p.add_argument("--test-chroms", nargs="+", default=s, help="chromosomes held out for testing")
    p.add_argument(
        "--shuffles-per-positive",
        type=int,
        default=s,
        help="shuffled negatives per positive (default: 1)",
    )
    p.add_argument("--seed", type=int, default=s, help="default: 0")


def resolve(args: argparse.Namespace):
    """The TrainConfig from --config and the flags given (flags win)."""
    from motifnet.config import load_config, make_config

    overrides = {key: getattr(args, flag) for flag, key in SETTINGS.items() if hasattr(args, flag)}
    if getattr(args, "set", None):
        overrides["model"] = parse_settings(args.set)
    for prefix, key in (("", "train"), ("valid-", "valid"), ("test-", "test")):
        spec = data_spec(args, prefix)
        if spec is not None:
            if key == "train" and hasattr(args, "label_columns"):
                spec["label_columns"] = args.label_columns
            overrides[key] = spec
    if args.config:
        return load_config(args.config, overrides)
    if "train" not in overrides:
        raise ConfigError(
            "no training data: give --pos (and --neg), --class or --table, or --config"
        )
    return make_config(overrides, source="")


def run(args: argparse.Namespace) -> int:
    from motifnet.train import train

    config = resolve(args)
    print("# motifnet train, resolved settings", file=sys.stderr)
    print(
        yaml.safe_dump(config.model_dump(exclude_defaults=False), sort_keys=False), file=sys.stderr
    )
    report = train(config, progress=not args.quiet)
    if not report:  # a distributed run's other processes: the first one reports
        return 0
    final = report.get("test") or report["valid"]
    print(
        json.dumps(
            {
                "checkpoint": report["checkpoint"],
                "epochs": report["epochs"],
                "train_seconds": report["train_seconds"],
                "test" if "test" in report else "valid": final["plain"],
            },
            indent=1,
        )
    )
    return 0
