"""`motifnet scan`: a per-base track of a trained model along whole chromosomes."""

from __future__ import annotations

import argparse

from motifnet.cli._parser import (
    add_precision_argument,
    add_subcommand,
    add_threads_argument,
    settings_from,
)

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
outputs: -o, a track, bedGraph (text), one line per --step bases: chrom, start (0-based), end,
score; the score is the probability (or logit, --logits) of --task for the window centred at
start. An output ending in .bw or .bigWig gets the same intervals as an indexed bigWig
(pyBigWig), the format genome browsers stream. Regions are written in genome order and must
not overlap. --sites, called sites as narrowPeak (BED6+4): every stretch of window centres
whose score reaches --threshold (centres closer than --merge-distance joined), its best score
and its summit (column 10, from start). Give either or both (default: -o scan.bedGraph).

a genome on a cluster: run one job per part, then merge the parts (same flags in all):
  motifnet scan model.ckpt hg38.fa --shard 1/40 -o parts/1.bw     # ... up to --shard 40/40
  motifnet scan model.ckpt hg38.fa --merge parts/{1..40}.bw -o hg38.bw --sites hg38.bed
Parts are whole passes (--chunk) dealt in genome order, so the merged files equal a
single-process scan; the workflow's scan stage does this (README: scanning a genome).

examples:
  motifnet scan runs/ctcf/model.ckpt hg38.fa --regions chr21.bed -o ctcf_chr21.bedGraph
  motifnet scan runs/ctcf/model.ckpt contigs.fa --step 10 -o contigs.bedGraph
  motifnet scan runs/ctcf/model.ckpt hg38.fa --precision bf16 -o ctcf_hg38.bw
  motifnet scan runs/ctcf/model.ckpt chr21.fa --sites ctcf_sites.bed --threshold 0.9
"""


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = add_subcommand(commands, "scan", help=HELP, description=DESCRIPTION, epilog=EPILOG)
    p.add_argument("checkpoint", metavar="CKPT", help="model.ckpt written by motifnet train")
    p.add_argument(
        "genome", metavar="GENOME", help="FASTA (indexed with pyfaidx; .fai built if missing)"
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--regions", help="BED file: scan only these intervals (default: every sequence)"
    )
    where.add_argument(
        "--sequences", nargs="+", metavar="NAME", help="scan only these sequences (chr1 chr2 ...)"
    )
    p.add_argument(
        "-o",
        "--output",
        help="track: .bedGraph, or .bw/.bigWig for bigWig (default: scan.bedGraph unless "
        "--sites is given)",
    )
    p.add_argument("--sites", help="write called sites to this narrowPeak/BED file")
    p.add_argument(
        "--threshold",
        type=float,
        help="score a site must reach (default: 0.5, or 0 with --logits)",
    )
    p.add_argument(
        "--merge-distance",
        dest="merge",
        type=int,
        help="join passing window centres closer than this, in bp (default: the model's window)",
    )
    p.add_argument("--task", help="task to report (default: the first)")
    p.add_argument(
        "--step", type=int, default=1, help="report every STEP bases (default: %(default)s)"
    )
    p.add_argument(
        "--chunk",
        type=int,
        help="bases per dense pass (default: 10000, which keeps a pass in the CPU cache; on a "
        "GPU use ~1000000)",
    )
    p.add_argument("--logits", action="store_true", help="raw scores instead of probabilities")
    p.add_argument("--device", default="auto", help="cpu, cuda or auto (default: %(default)s)")
    add_precision_argument(p)
    add_threads_argument(p)
    parts = p.add_mutually_exclusive_group()
    parts.add_argument(
        "--shard",
        metavar="I/N",
        help="scan only part I of N (for one cluster job each; -o must be .bw)",
    )
    parts.add_argument(
        "--merge",
        dest="parts",
        nargs="+",
        metavar="PART",
        help="join the N parts of a --shard scan (in order 1..N) instead of scanning",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from motifnet.checkpoint import load_trained
    from motifnet.errors import ConfigError
    from motifnet.io.tracks import is_bigwig
    from motifnet.nn.runtime import retain_freed_memory, use_threads
    from motifnet.scanning import ScanSettings, Shard, dense_mode, merge_scan_parts, scan_genome

    settings = settings_from(ScanSettings, args)
    output = args.output or (None if args.sites else "scan.bedGraph")
    shard = Shard.parse(args.shard) if args.shard else None
    if shard and not (output and is_bigwig(output)):
        raise ConfigError("--shard writes a bigWig part: give -o PART.bw")
    if shard and args.sites:
        raise ConfigError("--shard: sites are called when the parts are merged (--merge)")
    use_threads(args.threads)
    retain_freed_memory()
    trained = load_trained(args.checkpoint)
    trained.task_index(args.task)
    where = {
        "sites": args.sites,
        "regions": args.regions,
        "sequences": args.sequences,
        "settings": settings,
        "progress": not args.quiet,
    }
    if args.parts:
        result = merge_scan_parts(trained, args.genome, args.parts, output, **where)
    else:
        if not args.quiet:
            mode = dense_mode(trained.network).describe()
            print(f"scan: {trained.architecture} runs {mode}", file=sys.stderr)
        result = scan_genome(trained, args.genome, output, shard=shard, **where)
    if result.output:
        print(f"{result.intervals} intervals -> {result.output}", file=sys.stderr)
    if result.sites_output:
        print(f"{result.sites} sites -> {result.sites_output}", file=sys.stderr)
    return 0
