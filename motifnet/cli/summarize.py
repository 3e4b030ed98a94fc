"""`motifnet summarize`: one page comparing trained runs per dataset."""

from __future__ import annotations

import argparse
import sys

from motifnet.cli._parser import add_subcommand
from motifnet.errors import ConfigError

HELP = "compare trained runs: metrics, equivariance and learned motifs per dataset (HTML)"
DESCRIPTION = """\
Collect run folders of `motifnet train` (plus, where present, evaluation.json from
`motifnet evaluate --json`, equivariance.json from `motifnet check --json` and motifs/ from
`motifnet motifs`) into one report. Folders laid out as DATASET/ARCH/seedN, as the Snakemake
workflow writes them, are grouped by DATASET. With --truth, each run says which planted motifs
of a simulated dataset it found: exactly (a learned motif matches the planted TF, q < 0.05) or
by family (a learned motif's best match is a paralog of the same JASPAR family).

Writes into OUTDIR:
  index.html     per dataset: test AUROC/AUPRC/MCC, RC-conjoined AUROC, measured RC and shift
                 errors, top known motifs, planted motifs found, ROC/PR curves, motif reports
  summary.json   the same numbers, one object per run
"""
EPILOG = """\
examples:
  motifnet summarize results/demo/*/seed0 --truth demo=results/demo/input/truth.json \\
      -o results/report
"""


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = add_subcommand(commands, "summarize", help=HELP, description=DESCRIPTION, epilog=EPILOG)
    p.add_argument("runs", nargs="+", metavar="RUN", help="run folders of motifnet train")
    p.add_argument(
        "--truth",
        action="append",
        default=[],
        metavar="DATASET=TRUTH.json",
        help="truth.json of a simulated dataset (repeatable)",
    )
    p.add_argument("-o", "--outdir", required=True, help="folder for index.html, summary.json")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from motifnet.summary import planted_motifs, read_run, write_summary

    truth = {}
    for pair in args.truth:
        dataset, sep, path = pair.partition("=")
        if not sep or not dataset or not path:
            raise ConfigError(f"--truth takes DATASET=TRUTH.json, got {pair!r}")
        truth[dataset] = planted_motifs(path)
    # `summarize runs/*/ -o runs/summary` run again sees its own output among the runs
    output = Path(args.outdir).resolve()
    folders = [folder for folder in args.runs if Path(folder).resolve() != output]
    if not folders:
        raise ConfigError("no run folders besides the output folder")
    runs = [read_run(folder, truth) for folder in folders]
    page = write_summary(runs, args.outdir)
    for item in runs:
        found = ", ".join(f"{name} {how or 'missed'}" for name, how in item.planted.items())
        planted = f"; planted motifs: {found}" if item.planted else ""
        print(
            f"{item.dataset} {item.architecture} seed {item.seed}: "
            f"test AUROC {item.test['plain']['auroc']:.3f}{planted}",
            file=sys.stderr,
        )
    print(f"report: {page}", file=sys.stderr)
    return 0
