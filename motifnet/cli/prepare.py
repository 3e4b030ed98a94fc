"""`motifnet prepare`: fixed train/valid/test tables, so several models see the same split."""

from __future__ import annotations

import argparse
import json
import sys

from motifnet.cli._parser import add_subcommand
from motifnet.cli.train import add_data_settings, resolve

HELP = "split labelled data once into train/valid/test tables (shuffled negatives included)"
DESCRIPTION = """\
Read labelled data exactly as `motifnet train` does (the same data flags and --config keys),
add dinucleotide-shuffled negatives where no negatives are given, split it (at random with
--seed, keeping each positive's shuffles with it, or by chromosome), and write the sets as
tables. Train every model you want to compare on these tables, so they all see one split and
one held-out test set (the Snakemake workflow does this).

Writes into OUTDIR:
  train.tsv valid.tsv test.tsv   id, sequence, then one 0/1 column per task (binary: 'positive'),
                                 or one 'class' column of class names (multi-class)
  summary.json                   sizes and class counts per set, tasks and task type
Read them back with: motifnet train --table train.tsv --valid-table valid.tsv --test-table test.tsv
"""
EPILOG = """\
examples:
  motifnet prepare --pos peaks.fa -o prepared/ctcf --seed 1
  motifnet prepare --pos peaks.bed --genome hg38.fa --split chrom --valid-chroms chr8 \\
      --test-chroms chr9 -o prepared/bed
"""


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = add_subcommand(commands, "prepare", help=HELP, description=DESCRIPTION, epilog=EPILOG)
    add_data_settings(p)
    p.add_argument("-o", "--outdir", required=True, help="folder for the tables")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from motifnet.data import write_labelled
    from motifnet.errors import ConfigError
    from motifnet.io.atomic import atomic_write
    from motifnet.train import prepare_data

    outdir = Path(args.outdir)
    config = resolve(args)
    train, valid, test, length = prepare_data(config)
    if test is None:
        raise ConfigError("the test set is empty: raise --test-fraction or give a test set")
    summary = {"task_type": train.task_type, "tasks": train.task_names, "length": length}
    for name, data in (("train", train), ("valid", valid), ("test", test)):
        write_labelled(data, outdir / f"{name}.tsv")
        summary[name] = {"sequences": len(data), "counts": data.class_counts()}
    with atomic_write(outdir / "summary.json") as out:
        json.dump(summary, out, indent=1)
    sizes = ", ".join(f"{name} {summary[name]['sequences']}" for name in ("train", "valid", "test"))
    print(f"{sizes} -> {outdir}", file=sys.stderr)
    return 0
