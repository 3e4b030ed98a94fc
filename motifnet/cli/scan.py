"""`motifnet scan`: a per-base track of a trained model along whole chromosomes."""

from __future__ import annotations

import argparse

from motifnet.cli._parser import add_precision_argument, add_subcommand, settings_from

HELP = "score every position of genome sequences in one dense pass -> bedGraph or bigWig"
DESCRIPTION = """\
Slide the model's input window along every sequence of GENOME (or the --regions of a BED file;
their windows use the real flanking sequence) and write the score of the window centred on each
base as a bedGraph or bigWig track (by the suffix of --output).

Models are evaluated in one dense pass per chunk instead of one forward pass per window: the
map after the first pooling layer is dealt into phases so that every window's pooling grid is
computed once, the later layers run on them undilated, and a global-pooling head becomes a
sliding pooling (exactly equal to per-window predictions). A model with another head (the
recurrent and position-aware ones) runs its convolutions in that dense pass and its head per
window; the first line on stderr says which mode the model runs in. --step computes only the
windows it reports: with a step the model's total stride divides (motifnet check shows it),
about stride-times less work after the pooling. Chunks overlap by the window, so the
track has no seams; memory stays bounded by --chunk (bases per pass). Windows that reach past
a sequence end see N there.
"""
EPILOG = """\
output: bedGraph (text), one line per --step bases: chrom, start (0-based), end, score; the
score is the probability (or logit, --logits) of --task for the window centred at start. An
output ending in .bw or .bigWig gets the same intervals as an indexed bigWig (pyBigWig), the
format genome browsers stream. Regions are written in genome order and must not overlap.

examples:
  motifnet scan runs/ctcf/model.ckpt hg38.fa --regions chr21.bed -o ctcf_chr21.bedGraph
  motifnet scan runs/ctcf/model.ckpt contigs.fa --step 10 -o contigs.bedGraph
  motifnet scan runs/ctcf/model.ckpt hg38.fa --precision bf16 -o ctcf_hg38.bw
"""


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = add_subcommand(commands, "scan", help=HELP, description=DESCRIPTION, epilog=EPILOG)
    p.add_argument("checkpoint", metavar="CKPT", help="model.ckpt written by motifnet train")
    p.add_argument(
        "genome", metavar="GENOME", help="FASTA (indexed with pyfaidx; .fai built if missing)"
    )
    p.add_argument(
        "--regions", help="BED file: scan only these intervals (default: every sequence)"
    )
    p.add_argument(
        "-o",
        "--output",
        default="scan.bedGraph",
        help=".bedGraph, or .bw/.bigWig for bigWig (default: %(default)s)",
    )
    p.add_argument("--task", help="task to report (default: the first)")
    p.add_argument(
        "--step", type=int, default=1, help="report every STEP bases (default: %(default)s)"
    )
    p.add_argument(
        "--chunk", type=int, default=200_000, help="bases per dense pass (default: %(default)s)"
    )
    p.add_argument("--logits", action="store_true", help="raw scores instead of probabilities")
    p.add_argument("--device", default="auto", help="cpu, cuda or auto (default: %(default)s)")
    add_precision_argument(p)
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from motifnet.checkpoint import load_trained
    from motifnet.nn.runtime import retain_freed_memory
    from motifnet.scanning import ScanSettings, dense_mode, scan_genome

    settings = settings_from(ScanSettings, args)
    retain_freed_memory()
    trained = load_trained(args.checkpoint)
    trained.task_index(args.task)
    if not args.quiet:
        mode = dense_mode(trained.network).describe()
        print(f"scan: {trained.architecture} runs {mode}", file=sys.stderr)
    result = scan_genome(
        trained,
        args.genome,
        args.output,
        regions=args.regions,
        settings=settings,
        progress=not args.quiet,
    )
    print(f"{result.intervals} intervals -> {result.output}", file=sys.stderr)
    return 0
