"""`motifnet inspect`: validate input files and summarise what they hold."""

from __future__ import annotations

import argparse
import json

import numpy as np

from motifnet.cli._parser import add_subcommand
from motifnet.errors import MotifnetError
from motifnet.io import read_bed, read_sequences

HELP = "validate FASTA/CSV/BED inputs and print records, lengths, GC and N content"
DESCRIPTION = """\
Read every record of each input, exactly as training and prediction will, and print a summary:
record count, shortest/median/longest length, GC fraction, fraction of N or other ambiguous
bases, and soft-masked (lowercase) fraction. Any malformed record stops with an error that names
the file, the record and the problem, so a bad input fails here rather than in a cluster job.
"""
EPILOG = """\
examples:
  motifnet inspect peaks.fa background.fa.gz
  motifnet inspect train.csv --json
  motifnet inspect peaks.bed --genome hg38.fa
"""


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = add_subcommand(commands, "inspect", help=HELP, description=DESCRIPTION, epilog=EPILOG)
    p.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="FASTA(.gz), CSV/TSV(.gz) or BED files"
    )
    p.add_argument("--genome", help="genome FASTA for BED inputs (indexed with pyfaidx)")
    p.add_argument("--allow-duplicate-ids", action="store_true", help="accept repeated record ids")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=run)


def summarise(records) -> dict[str, float]:
    """Counts and base composition of an iterable of records."""
    lengths, counts = [], np.zeros(256, dtype=np.int64)
    for record in records:
        data = np.frombuffer(record.sequence.encode("ascii"), dtype=np.uint8)
        lengths.append(data.size)
        counts += np.bincount(data, minlength=256)
    total = max(int(counts.sum()), 1)
    upper = counts[ord("A") : ord("Z") + 1] + counts[ord("a") : ord("z") + 1]
    per_base = {chr(ord("A") + i): int(n) for i, n in enumerate(upper)}
    acgt = sum(per_base[b] for b in "ACGT")
    return {
        "records": len(lengths),
        "min_length": int(np.min(lengths)),
        "median_length": float(np.median(lengths)),
        "max_length": int(np.max(lengths)),
        "bases": int(counts.sum()),
        "gc_fraction": round((per_base["G"] + per_base["C"]) / max(acgt, 1), 4),
        "ambiguous_fraction": round((total - acgt) / total, 6),
        "lowercase_fraction": round(int(counts[ord("a") : ord("z") + 1].sum()) / total, 4),
    }


def run(args: argparse.Namespace) -> int:
    duplicates = "allow" if args.allow_duplicate_ids else "error"
    summaries = {}
    for path in args.inputs:
        if path.lower().endswith((".bed", ".bed.gz")):
            if not args.genome:
                raise MotifnetError(f"{path} is a BED file: give the genome with --genome")
            records = read_bed(path, args.genome, duplicates=duplicates)
        else:
            records = read_sequences(path, duplicates=duplicates)
        summaries[path] = summarise(records)
    if args.json:
        print(json.dumps(summaries, indent=1))
        return 0
    columns = list(next(iter(summaries.values())))
    width = max(len(p) for p in summaries)
    print(f"{'input':<{width}}  " + "  ".join(columns))
    for path, summary in summaries.items():
        print(f"{path:<{width}}  " + "  ".join(f"{summary[c]:>{len(c)}}" for c in columns))
    return 0
