"""`motifnet simulate`: labelled sequences with real JASPAR motifs planted."""

from __future__ import annotations

import argparse
import sys

from motifnet.cli._parser import add_subcommand
from motifnet.simulate import DEFAULT_MOTIFS, SimulationConfig, simulate, write_simulation

HELP = "simulate labelled DNA with JASPAR motifs planted (bag-of-motifs or grammar)"
DESCRIPTION = """\
Simulate a labelled data set by planting real JASPAR motifs into background DNA.

Regimes:
  bag      positives hold 1..--max-sites instances of the motifs, anywhere, either strand;
           negatives are background only. Which motifs occur decides the class.
  grammar  every sequence holds both motifs (exactly two). Positives: A then B, gap in --gap,
           the pair on either strand. Negatives: B then A, or a gap in --far-gap.
           Order and spacing decide the class.

Outputs in OUTDIR: positive.fa + negative.fa (--format fasta), sequences.csv with a label
column and one presence column per motif (--format csv), or a small genome with the sequences
placed in it, genome.fa + peaks.bed (positives) + background.bed (negatives) + variants.vcf
(--format genome; SNVs with a known answer: in each planted site the motif's most informative
base changed to its least likely one, ID loss:SEQ:MOTIF, and in each sequence without sites
the SNV nearest its centre that moves no motif's best log-odds by a bit or more, ID
neutral:SEQ); and truth.json with every site's motif, start, end (0-based,
end exclusive within its sequence), strand and planted bases.
"""
EPILOG = """\
examples:
  motifnet simulate -o sim/bag
  motifnet simulate -o sim/grammar --regime grammar --motifs GATA1 SOX2 -n 4000
  motifnet simulate -o sim/ctcf --motifs MA0139.2 --background shuffle --background-fasta peaks.fa
"""


def add_parser(commands: argparse._SubParsersAction) -> None:
    defaults = SimulationConfig()
    p = add_subcommand(commands, "simulate", help=HELP, description=DESCRIPTION, epilog=EPILOG)
    p.add_argument("-o", "--outdir", required=True, help="folder for the FASTA/CSV and truth.json")
    p.add_argument(
        "--regime",
        choices=("bag", "grammar"),
        default=defaults.regime,
        help="what decides the class (default: %(default)s)",
    )
    p.add_argument(
        "--motifs",
        nargs="+",
        default=(),
        metavar="MOTIF",
        help="JASPAR matrix ids (MA0139.2) or TF names (default: bag "
        f"{' '.join(DEFAULT_MOTIFS['bag'])}; grammar {' '.join(DEFAULT_MOTIFS['grammar'])})",
    )
    p.add_argument(
        "-n", type=int, default=defaults.n, help="number of sequences (default: %(default)s)"
    )
    p.add_argument(
        "--length",
        type=int,
        default=defaults.length,
        help="sequence length in bp (default: %(default)s)",
    )
    p.add_argument(
        "--positive-fraction",
        type=float,
        default=defaults.positive_fraction,
        help="fraction of positives (default: %(default)s)",
    )
    p.add_argument(
        "--max-sites",
        type=int,
        default=defaults.max_sites,
        help="bag: most motif instances per positive (default: %(default)s)",
    )
    p.add_argument(
        "--gap",
        type=int,
        nargs=2,
        default=defaults.gap,
        metavar=("MIN", "MAX"),
        help="grammar: bp between A and B in positives (default: %(default)s)",
    )
    p.add_argument(
        "--far-gap",
        type=int,
        nargs=2,
        default=defaults.far_gap,
        metavar=("MIN", "MAX"),
        help="grammar: bp between A and B in too-far negatives (default: %(default)s)",
    )
    p.add_argument(
        "--background",
        choices=("random", "shuffle"),
        default=defaults.background,
        help="i.i.d. bases with --gc, or dinucleotide-shuffled windows of "
        "--background-fasta (default: %(default)s)",
    )
    p.add_argument(
        "--background-fasta",
        help="FASTA whose random windows are dinucleotide-shuffled for --background shuffle "
        "(records shorter than --length are not used)",
    )
    p.add_argument(
        "--gc",
        type=float,
        default=defaults.gc,
        help="GC fraction of random background (default: %(default)s)",
    )
    p.add_argument(
        "--jaspar-release",
        default=defaults.jaspar_release,
        help="JASPAR release bundled with pyjaspar (default: %(default)s)",
    )
    p.add_argument(
        "--format",
        choices=("fasta", "csv", "genome"),
        default="fasta",
        dest="fmt",
        help="positive.fa + negative.fa, one sequences.csv, or genome.fa + peaks.bed + "
        "background.bed + variants.vcf (default: %(default)s)",
    )
    p.add_argument(
        "--seed", type=int, default=defaults.seed, help="random seed (default: %(default)s)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = SimulationConfig(
        regime=args.regime,
        motifs=tuple(args.motifs),
        n=args.n,
        length=args.length,
        positive_fraction=args.positive_fraction,
        max_sites=args.max_sites,
        gap=tuple(args.gap),
        far_gap=tuple(args.far_gap),
        background=args.background,
        background_fasta=args.background_fasta,
        gc=args.gc,
        jaspar_release=args.jaspar_release,
        seed=args.seed,
    )
    motifs, seqs = simulate(config)
    paths = write_simulation(config, motifs, seqs, args.outdir, fmt=args.fmt)
    positives = sum(s.label for s in seqs)
    names = ", ".join(f"{m.name} ({m.id})" for m in motifs)
    print(
        f"simulated {len(seqs)} sequences ({positives} positive) of {config.length} bp, "
        f"regime {config.regime}, motifs {names}",
        file=sys.stderr,
    )
    for path in paths:
        print(path)
    return 0
