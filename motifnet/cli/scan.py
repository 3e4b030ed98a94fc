"""`motifnet scan`: a per-base track of a trained model along whole chromosomes."""

from __future__ import annotations

import argparse

from motifnet.cli._parser import add_precision_argument, add_subcommand

HELP = "score every position of genome sequences in one dense pass -> bedGraph or bigWig"
DESCRIPTION = """\
Slide the model's input window along every sequence of GENOME (or the --regions of a BED file;
their windows use the real flanking sequence) and write the score of the window centred on each
base as a bedGraph or bigWig track (by the suffix of --output).

CNN models are evaluated in one dense pass per chunk instead of one forward pass per window:
the strided pooling is run at stride 1 with the later kernels dilated, and the global pooling
becomes a sliding pooling (exactly equal to per-window predictions). Chunks overlap by the
window, so the track has no seams; memory stays bounded by --chunk (bases per pass). Windows
that reach past a sequence end see N there. Recurrent models fall back to batched windows.
"""
EPILOG = """\
output: bedGraph (text), one line per --step bases: chrom, start (0-based), end, score; the
score is the probability (or logit, --logits) of --task for the window centred at start. An
output ending in .bw or .bigWig gets the same intervals as an indexed bigWig (pyBigWig), the
format genome browsers stream; its regions are written in genome order and must not overlap.

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


def _intervals(args: argparse.Namespace, genome) -> list[tuple[str, int, int]]:
    from motifnet.errors import InputError
    from motifnet.io.fasta import open_binary

    if not args.regions:
        return [(name, 0, len(genome[name])) for name in genome.keys()]  # noqa: SIM118 (a Fasta iterates records)
    intervals = []
    with open_binary(args.regions) as handle:
        for number, raw in enumerate(handle, 1):
            fields = raw.decode("utf-8", "replace").split()
            if not fields or fields[0].startswith(("#", "track", "browser")):
                continue
            try:
                chrom, start, end = fields[0], int(fields[1]), int(fields[2])
            except (IndexError, ValueError):
                raise InputError(
                    "a BED line needs chrom, start and end",
                    path=args.regions,
                    record=f"line {number}",
                ) from None
            if chrom not in genome or not 0 <= start < end <= len(genome[chrom]):
                raise InputError(
                    f"{chrom}:{start}-{end} is not inside the genome",
                    path=args.regions,
                    record=f"line {number}",
                )
            intervals.append((chrom, start, end))
    return intervals


def _sorted_without_overlaps(
    intervals: list[tuple[str, int, int]], order: list[str], regions: str | None
) -> list[tuple[str, int, int]]:
    """Intervals in genome order, as bigWig needs them; overlapping ones are refused."""
    from itertools import pairwise

    from motifnet.errors import InputError

    rank = {name: i for i, name in enumerate(order)}
    ordered = sorted(intervals, key=lambda r: (rank[r[0]], r[1]))
    for (chrom, _, end), (next_chrom, next_start, _) in pairwise(ordered):
        if chrom == next_chrom and next_start < end:
            raise InputError(
                f"regions overlap at {chrom}:{next_start}-{end}; a bigWig track needs disjoint "
                "regions (merge them, e.g. bedtools merge, or write a .bedGraph)",
                path=regions,
            )
    return ordered


def run(args: argparse.Namespace) -> int:
    import sys

    import torch
    from tqdm.auto import tqdm

    from motifnet.errors import ConfigError
    from motifnet.io.bed import open_genome
    from motifnet.io.tracks import is_bigwig, open_track
    from motifnet.metrics import probabilities
    from motifnet.nn.inference import retain_freed_memory
    from motifnet.scanning import scan_sequence
    from motifnet.task import load_task

    if args.step < 1 or args.chunk < 1:
        raise ConfigError("--step and --chunk must be positive")
    retain_freed_memory()
    task = load_task(args.checkpoint)
    hp = task.hparams
    names = list(hp.task_names)
    if args.task is not None and args.task not in names:
        raise ConfigError(f"no task {args.task!r}; the model has {names}")
    column = names.index(args.task) if args.task else 0
    device = (
        ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    )
    genome = open_genome(args.genome)
    sizes = [(name, len(genome[name])) for name in genome.keys()]  # noqa: SIM118
    intervals = _intervals(args, genome)
    if is_bigwig(args.output):
        intervals = _sorted_without_overlaps(intervals, [name for name, _ in sizes], args.regions)
    lines = 0
    with open_track(args.output, sizes) as track:
        for chrom, start, end in intervals:
            sequence = genome[chrom]
            bar = tqdm(
                total=end - start,
                desc=chrom,
                unit="bp",
                unit_scale=True,
                disable=args.quiet or None,
                file=sys.stderr,
            )

            def fetch(a: int, b: int, s=sequence) -> str:
                return s[a:b]

            for first, logits in scan_sequence(
                task.model,
                fetch,
                len(sequence),
                hp.length,
                start=start,
                end=end,
                chunk=args.chunk,
                device=device,
                precision=args.precision,
            ):
                values = (
                    logits
                    if args.logits
                    else probabilities(torch.from_numpy(logits), hp.task_type).numpy()
                )
                skip = (start - first) % args.step
                lines += track.add(
                    chrom, first + skip, values[skip :: args.step, column], args.step, end
                )
                bar.update(len(values))
            bar.close()
    print(f"{lines} intervals -> {args.output}", file=sys.stderr)
    return 0
