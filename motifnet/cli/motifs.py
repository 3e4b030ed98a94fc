"""`motifnet motifs`: what a trained CNN learned, as motifs matched to JASPAR, with a report."""

from __future__ import annotations

import argparse

from motifnet.cli._parser import add_subcommand, settings_from

HELP = "what a model learned as motifs: filters, TF-MoDISco on attributions, JASPAR, report"
DESCRIPTION = """\
Two views of what a trained model learned, both matched to known motifs (Tomtom, memelite):

Filter motifs (every architecture with convolutional motif scanners: cnn, rc_cnn, hybrid,
rc_hybrid): run the first convolutional layer over DATA (FASTA, CSV or BED with --genome;
held-out sequences are best), and for every filter count the windows whose activation passes
--threshold x the filter's largest activation into a position probability matrix (pseudocounts,
low-information flanks trimmed). In an RC model a filter and its twin are one motif. Each motif's
influence is the mean change of the model's logits when the filter is silenced.

When DATA is a label table (CSV/TSV, e.g. the test.tsv of `motifnet prepare`), only the rows
labelled positive for --task are used, unless --all-sequences.

Attribution motifs (any architecture): attributions of the model's output (--task) to each base
of the first --attribution-sequences sequences, by gradient x input or in-silico mutagenesis
(--attribution), clustered into motifs by TF-MoDISco (modisco-lite). These catch motifs that
the filters hold only in part, or spread over several filters.

Writes into OUTDIR:
  motifs.meme       every motif in MEME minimal format (reads into the MEME suite and memelite)
  motifs.tsv        every motif in report order: motif, kind (filter, modisco_pos, modisco_neg),
                    width, sites (seqlets), information_bits, influence (filters)
  matches.tsv       best known matches per motif: motif, jaspar_id, tf_name, p, q, strand,
                    offset, tf_family
  logos/            NAME.png/.svg and NAME_rc.png/.svg in bits, NAME_cwm.png contributions of a
                    TF-MoDISco motif, overview.png with all filter logos
  attributions/     contribution logos of the --examples highest-scoring sequences
  attributions.npz  one_hot and hypothetical contributions, (N, 4, L) each, and ids: the inputs of
                    `modisco motifs` (transpose to (N, L, 4)) or any other attribution tool
  index.html        the report, filter motifs by influence, then TF-MoDISco motifs: open it
"""
EPILOG = """\
examples:
  motifnet motifs runs/ctcf/model.ckpt valid.fa -o runs/ctcf/motifs
  motifnet motifs runs/x/model.ckpt held_out.csv --motif-db my_motifs.meme --threshold 0.6
  motifnet motifs runs/rnn/model.ckpt peaks.fa --attribution ism --attribution-sequences 500
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
        default=0.5,
        help="fraction of a filter's largest activation a site needs (default: %(default)s)",
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
        "--all-sequences",
        action="store_true",
        help="use every row of a label table, not only the rows positive for --task",
    )
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
    from motifnet.motifs.discover import MotifSettings, discover_motifs, write_motifs

    settings = settings_from(MotifSettings, args)
    trained = load_trained(args.checkpoint)
    trained.task_index(args.task)
    records = list(read_sequences(args.data, genome=args.genome, duplicates="allow"))
    results = discover_motifs(trained, records, settings)
    if not results.motifs:
        print(
            f"motifnet motifs: warning: {args.checkpoint}: {'; '.join(results.notes)}",
            file=sys.stderr,
        )
    report = write_motifs(
        results,
        args.outdir,
        examples=args.examples,
        origin=f"from {args.checkpoint} on {args.data}",
    )
    print(f"{len(results.motifs)} motifs -> {report}", file=sys.stderr)
    return 0
