"""`motifnet motifs`: what a trained CNN learned, as motifs matched to JASPAR, with a report."""

from __future__ import annotations

import argparse

from motifnet.cli._parser import add_subcommand

HELP = "turn first-layer filters into motifs: MEME file, logos, JASPAR matches, HTML report"
DESCRIPTION = """\
Run the first convolutional layer of a trained CNN (cnn, rc_cnn) over DATA (FASTA or CSV;
held-out sequences are best), and for every filter count the windows whose activation passes
--threshold x the filter's largest activation into a position probability matrix (pseudocounts,
low-information flanks trimmed). In an RC model a filter and its twin are one motif. Each motif's
influence is the mean change of the model's logits when the filter is silenced.

Writes into OUTDIR:
  motifs.meme      every motif in MEME minimal format (reads into the MEME suite and memelite)
  matches.tsv      best known matches per motif: filter, jaspar_id, tf_name, p, q, strand, offset
  logos/           NAME.png/.svg and NAME_rc.png/.svg in bits, overview.png with all logos
  index.html       the report, motifs sorted by influence: open it in a browser
"""
EPILOG = """\
examples:
  motifnet motifs runs/ctcf/model.ckpt valid.fa -o runs/ctcf/motifs
  motifnet motifs runs/x/model.ckpt held_out.csv --motif-db my_motifs.meme --threshold 0.6
"""


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = add_subcommand(commands, "motifs", help=HELP, description=DESCRIPTION, epilog=EPILOG)
    p.add_argument("checkpoint", metavar="CKPT", help="model.ckpt of a cnn or rc_cnn")
    p.add_argument("data", metavar="DATA", help="sequences to run the filters over (FASTA or CSV)")
    p.add_argument("-o", "--outdir", default="motifs", help="output folder (default: %(default)s)")
    p.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        help="fraction of a filter's largest activation a site needs (default: %(default)s)",
    )
    p.add_argument("--weighted", action="store_true", help="weight sites by their activation")
    p.add_argument("--max-sequences", type=int, default=5000, help="default: %(default)s")
    p.add_argument("--motif-db", help="MEME or JASPAR file to match against (default: JASPAR)")
    p.add_argument("--jaspar-release", default="JASPAR2024", help="default: %(default)s")
    p.add_argument("--collection", default="CORE", help="JASPAR collection (default: %(default)s)")
    p.add_argument("--tax-group", default="vertebrates", help="JASPAR taxon (default: %(default)s)")
    p.add_argument("--top", type=int, default=3, help="matches per motif (default: %(default)s)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    import torch

    from motifnet.data.labelled import fit_length
    from motifnet.io import read_sequences
    from motifnet.io.atomic import atomic_write
    from motifnet.motifs.filters import filter_motifs
    from motifnet.motifs.logos import save_grid, save_logo
    from motifnet.motifs.matching import jaspar_collection, match_motifs
    from motifnet.motifs.meme import read_motifs, write_meme
    from motifnet.motifs.report import write_report
    from motifnet.sequence import one_hot
    from motifnet.task import load_task

    task = load_task(args.checkpoint)
    hp = task.hparams
    records = list(read_sequences(args.data, duplicates="allow"))[: args.max_sequences]
    x = torch.from_numpy(one_hot([fit_length(r.sequence, hp.length) for r in records]))
    try:
        found = filter_motifs(task.model, x, threshold=args.threshold, weighted=args.weighted)
    except TypeError as err:
        from motifnet.errors import ConfigError

        raise ConfigError(f"{args.checkpoint}: {err}") from None
    outdir = Path(args.outdir)
    motifs = [item.motif for item in found]
    write_meme(motifs, outdir / "motifs.meme")
    if args.motif_db:
        targets = read_motifs(args.motif_db)
        source = args.motif_db
    else:
        targets = jaspar_collection(args.jaspar_release, args.collection, args.tax_group)
        source = f"{args.jaspar_release} {args.collection} {args.tax_group}"
    informative = [m for m, item in zip(motifs, found, strict=True) if item.sites > 0]
    matches = match_motifs(informative, targets, top=args.top)
    with atomic_write(outdir / "matches.tsv") as out:
        out.write("filter\tjaspar_id\ttf_name\tp\tq\tstrand\toffset\n")
        for m in matches:
            out.write(
                f"{m.query}\t{m.target_id}\t{m.target_name}\t{m.p:.3g}\t{m.q:.3g}\t"
                f"{m.strand}\t{m.offset}\n"
            )
    for motif in motifs:
        save_logo(motif, outdir / "logos" / motif.id)
        save_logo(motif, outdir / "logos" / f"{motif.id}_rc", reverse=True)
    save_grid(motifs, outdir / "logos" / "overview.png")
    summary = (
        f"{hp.architecture} from {args.checkpoint}; {len(motifs)} filter motifs from "
        f"{len(records)} sequences of {args.data}; matched against {source} "
        f"({len(targets)} motifs)."
    )
    write_report(outdir / "index.html", "motifnet: learned motifs", found, matches, summary=summary)
    print(f"{len(motifs)} motifs -> {outdir / 'index.html'}", file=sys.stderr)
    return 0
