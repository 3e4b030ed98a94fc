"""`motifnet motifs`: what a trained CNN learned, as motifs matched to JASPAR, with a report."""

from __future__ import annotations

import argparse

from motifnet.cli._parser import add_subcommand, settings_from

HELP = "what a model learned: distinct motifs ranked by influence, known matches, sites, report"
DESCRIPTION = """\
What a trained model learned, from two sources, merged into distinct motifs:

Filter motifs (every architecture with convolutional motif scanners: cnn, rc_cnn, hybrid,
rc_hybrid): the first convolutional layer runs over DATA (FASTA, CSV or BED with --genome;
held-out sequences are best), and each filter's windows whose match score (before the
activation) passes --threshold x its best score are counted into a position probability
matrix. In an RC model a filter and its twin are one motif.

Attribution motifs (any architecture): attributions of the model's output (--task) to each
base of the first --attribution-sequences sequences, by gradient x input or in-silico
mutagenesis (--attribution), clustered by TF-MoDISco (modisco-lite).

Learned motifs that are the same motif (on either strand) are merged into one, and the motifs
are ranked by influence: the share of the model's output that silencing all their filters
takes away. Each is matched to known motifs (Tomtom, memelite; JASPAR by default) by its
informative core, with q-values over all pairs, and named after a known motif only when it is
influential, learned more than once, the match significant and specific. Sites: where each
motif occurs in DATA (FIMO at an estimated --site-fdr, and TF-MoDISco's seqlets).

With labelled DATA (a table of the model's tasks, e.g. the test.tsv of `motifnet prepare`)
the records positive for --task are explained (--explain all for every record). Progress
goes to stderr, stage by stage.

Writes into OUTDIR:
  index.html        the report: the distinct motifs first, then the learned motifs behind them
  clusters.tsv      the distinct motifs, most influential first, with their known match
  motifs.tsv        every learned motif and the motif (cluster) it belongs to
  matches.tsv       known matches in Tomtom's TSV layout (plus target name, family, rank,
                    specific)
  motifs.meme       distinct motifs, then every learned motif (MEME minimal format)
  sites.tsv         motif sites per record (0-based, end exclusive), score, p-value, source
  sites.bed         the same in genome coordinates where record ids are chrom:start-end
  modisco.h5        TF-MoDISco results in modisco-lite's format (`modisco report` reads it)
  attributions.npz  one_hot and hypothetical contributions (N, 4, L) and ids
  logos/            PNG logos in bits (SVG too with --svg), contribution logos (CWMs)
  attributions/     contribution logos of the --examples highest-scoring sequences
"""
EPILOG = """\
examples:
  motifnet motifs runs/ctcf/model.ckpt valid.fa -o runs/ctcf/motifs
  motifnet motifs runs/x/model.ckpt held_out.csv --motif-db my_motifs.meme --threshold 0.8
  motifnet motifs runs/rnn/model.ckpt peaks.fa --attribution ism --attribution-sequences 500
  motifnet motifs runs/ctcf/model.ckpt peaks.bed --genome hg38.fa --svg -o motifs
"""


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = add_subcommand(commands, "motifs", help=HELP, description=DESCRIPTION, epilog=EPILOG)
    p.add_argument("checkpoint", metavar="CKPT", help="model.ckpt written by motifnet train")
    p.add_argument(
        "data", metavar="DATA", help="sequences to explain: FASTA(.gz), CSV/TSV or BED (--genome)"
    )
    p.add_argument("--genome", help="genome FASTA, when DATA is a BED file")
    p.add_argument("-o", "--outdir", default="motifs", help="output folder (default: %(default)s)")
    p.add_argument(
        "--threshold",
        type=float,
        default=0.7,
        help="fraction of a filter's best match score (before its activation) that a site "
        "needs (default: %(default)s)",
    )
    p.add_argument("--weighted", action="store_true", help="weight sites by their activation")
    p.add_argument("--max-sequences", type=int, default=5000, help="default: %(default)s")
    p.add_argument(
        "--attribution",
        choices=("gradient", "ism", "none"),
        default="gradient",
        help="attribution method for TF-MoDISco motifs, or none (default: %(default)s)",
    )
    p.add_argument(
        "--attribution-sequences",
        type=int,
        default=2000,
        metavar="N",
        help="sequences to explain (default: %(default)s)",
    )
    p.add_argument("--task", help="task (output) to explain (default: the first)")
    p.add_argument(
        "--explain",
        choices=("positives", "all"),
        default="positives",
        help="labelled DATA: explain the records positive for --task, or all "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--all-sequences",
        dest="explain",
        action="store_const",
        const="all",
        help="the same as --explain all",
    )
    p.add_argument(
        "--site-fdr",
        type=float,
        default=0.1,
        metavar="FDR",
        help="estimated false discovery rate of motif sites, from dinucleotide shuffles of "
        "DATA (default: %(default)s)",
    )
    p.add_argument("--svg", action="store_true", help="SVG logos beside the PNG ones")
    p.add_argument(
        "--member-logos",
        action="store_true",
        help="also draw a logo of every learned motif (~0.25 s each); by default the report "
        "shows them by consensus",
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument(
        "--examples", type=int, default=4, help="sequences shown with attributions (default: 4)"
    )
    p.add_argument("--motif-db", help="MEME or JASPAR file to match against (default: JASPAR)")
    p.add_argument("--jaspar-release", default="JASPAR2024", help="default: %(default)s")
    p.add_argument("--collection", default="CORE", help="JASPAR collection (default: %(default)s)")
    p.add_argument("--tax-group", default="vertebrates", help="JASPAR taxon (default: %(default)s)")
    p.add_argument("--top", type=int, default=3, help="matches per motif (default: %(default)s)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from motifnet.checkpoint import load_trained
    from motifnet.io import read_sequences
    from motifnet.motifs.discover import MotifSettings, discover_motifs
    from motifnet.motifs.outputs import write_motifs

    settings = settings_from(MotifSettings, args)
    trained = load_trained(args.checkpoint)
    trained.task_index(args.task)
    records = list(read_sequences(args.data, genome=args.genome, duplicates="allow"))
    results = discover_motifs(trained, records, settings, progress=not args.quiet)
    if not results.clusters:
        print(
            f"motifnet motifs: warning: {args.checkpoint}: {'; '.join(results.notes)}",
            file=sys.stderr,
        )
    report = write_motifs(
        results,
        args.outdir,
        examples=args.examples,
        origin=f"from {args.checkpoint} on {args.data}",
        svg=args.svg,
        member_logos=args.member_logos,
    )
    named = ", ".join(m.target_name for m in results.named.values()) or "none"
    print(f"{len(results.clusters)} distinct motifs (named: {named}) -> {report}", file=sys.stderr)
    return 0
