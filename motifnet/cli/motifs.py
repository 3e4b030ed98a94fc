"""`motifnet motifs`: what a trained CNN learned, as motifs matched to JASPAR, with a report."""

from __future__ import annotations

import argparse

from motifnet.cli._parser import add_subcommand
from motifnet.errors import ConfigError
from motifnet.io.atomic import atomic_write

HELP = "what a model learned as motifs: filters, TF-MoDISco on attributions, JASPAR, report"
DESCRIPTION = """\
Two views of what a trained model learned, both matched to known motifs (Tomtom, memelite):

Filter motifs (cnn, rc_cnn): run the first convolutional layer over DATA (FASTA or CSV;
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
    p.add_argument("data", metavar="DATA", help="sequences to explain (FASTA or CSV)")
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
    from pathlib import Path

    import torch

    from motifnet.data.labelled import fit_length
    from motifnet.io import read_sequences
    from motifnet.motifs.filters import filter_motifs, is_cnn
    from motifnet.motifs.logos import save_grid, save_logo
    from motifnet.motifs.matching import jaspar_collection, match_motifs
    from motifnet.motifs.meme import read_motifs, write_meme
    from motifnet.motifs.report import write_report
    from motifnet.sequence import one_hot
    from motifnet.task import load_task

    task = load_task(args.checkpoint)
    hp = task.hparams
    task_index = _task_index(hp.task_names, args.task)
    records = list(read_sequences(args.data, duplicates="allow"))
    if not args.all_sequences:
        records = _positives(records, hp.task_type, task_index)
    records = records[: args.max_sequences]
    x = torch.from_numpy(one_hot([fit_length(r.sequence, hp.length) for r in records]))
    outdir = Path(args.outdir)
    notes = []
    found = []
    if is_cnn(task.model):
        found = filter_motifs(task.model, x, threshold=args.threshold, weighted=args.weighted)
    else:
        notes.append(f"no filter motifs: {hp.architecture} is not a CNN")
    attribution, examples = [], []
    if args.attribution != "none":
        chosen = slice(0, args.attribution_sequences)
        attribution, examples = _attribution_motifs(
            task.model, x[chosen], [r.id for r in records[chosen]], args, task_index, outdir
        )
        notes.append(
            f"{len(attribution)} TF-MoDISco motifs from {args.attribution} attributions of "
            f"{min(len(records), args.attribution_sequences)} sequences (task "
            f"{hp.task_names[task_index]})"
        )
    motifs = [item.motif for item in found] + [item.motif for item in attribution]
    if not motifs:
        notes.append("no motifs found: the report and files are empty")
        print(f"motifnet motifs: warning: {args.checkpoint}: {'; '.join(notes)}", file=sys.stderr)
    write_meme(motifs, outdir / "motifs.meme")
    if args.motif_db:
        targets = read_motifs(args.motif_db)
        source = args.motif_db
    else:
        targets = jaspar_collection(args.jaspar_release, args.collection, args.tax_group)
        source = f"{args.jaspar_release} {args.collection} {args.tax_group}"
    informative = [item.motif for item in found if item.sites > 0]
    queries = informative + [item.motif for item in attribution]
    matches = match_motifs(queries, targets, top=args.top) if queries else []
    with atomic_write(outdir / "matches.tsv") as out:
        out.write("motif\tjaspar_id\ttf_name\tp\tq\tstrand\toffset\ttf_family\n")
        for m in matches:
            out.write(
                f"{m.query}\t{m.target_id}\t{m.target_name}\t{m.p:.3g}\t{m.q:.3g}\t"
                f"{m.strand}\t{m.offset}\t{m.target_family}\n"
            )
    listed = [
        (item.motif, "filter", item.sites, item.information, f"{item.influence:.6g}")
        for item in found
    ] + [
        (item.motif, f"modisco_{item.metacluster}", item.seqlets, item.information, "")
        for item in attribution
    ]
    with atomic_write(outdir / "motifs.tsv") as out:
        out.write("motif\tkind\twidth\tsites\tinformation_bits\tinfluence\n")
        for motif, kind, sites, information, influence in listed:
            out.write(
                f"{motif.id}\t{kind}\t{motif.width}\t{sites}\t{information:.3f}\t{influence}\n"
            )
    for motif in motifs:
        save_logo(motif, outdir / "logos" / motif.id)
        save_logo(motif, outdir / "logos" / f"{motif.id}_rc", reverse=True)
    if found:
        save_grid([item.motif for item in found], outdir / "logos" / "overview.png")
    summary = (
        f"{hp.architecture} from {args.checkpoint}; {len(found)} filter motifs from "
        f"{len(records)} sequences of {args.data}; {'; '.join(notes) + '; ' if notes else ''}"
        f"matched against {source} ({len(targets)} motifs)."
    )
    write_report(
        outdir / "index.html",
        "motifnet: learned motifs",
        found,
        matches,
        summary=summary,
        attribution=attribution,
        examples=examples,
    )
    print(f"{len(motifs)} motifs -> {outdir / 'index.html'}", file=sys.stderr)
    return 0


def _positives(records: list, task_type: str, task: int) -> list:
    """The records labelled positive for ``task`` when DATA is a label table with the
    model's tasks (e.g. the workflow's test.tsv); all records otherwise."""
    if not records or not records[0].labels:
        return records
    if task_type == "multiclass":
        chosen = [r for r in records if len(r.labels) == 1 and r.labels[0] == task]
    else:
        chosen = [r for r in records if len(r.labels) > task and r.labels[task] == 1]
    return chosen or records


def _task_index(names: list[str], wanted: str | None) -> int:
    if wanted is None:
        return 0
    if wanted not in names:
        raise ConfigError(f"--task {wanted!r} is not one of the model's tasks {names}")
    return names.index(wanted)


def _attribution_motifs(model, x, ids: list[str], args, task: int, outdir):
    """TF-MoDISco motifs from attributions of ``x``, their CWM logos, the attributions saved
    as npz, and contribution logos of the highest-scoring sequences (path, caption)."""
    import numpy as np
    import torch

    from motifnet.motifs.attribution import attributions, modisco_motifs
    from motifnet.motifs.logos import save_weight_logo

    hypothetical = attributions(model, x, method=args.attribution, task=task)
    with atomic_write(outdir / "attributions.npz", "wb") as handle:
        np.savez_compressed(
            handle, one_hot=x.numpy(), hypothetical=hypothetical, ids=np.array(ids, dtype=str)
        )
    found = modisco_motifs(x.numpy(), hypothetical)
    for item in found:
        save_weight_logo(item.cwm, outdir / "logos" / f"{item.motif.id}_cwm", title=item.motif.id)
    with torch.no_grad():
        scores = model.eval()(x)[:, task].numpy()
    examples = []
    for i in np.argsort(-scores)[: args.examples]:
        stem = outdir / "attributions" / f"seq{i}"
        contributions = hypothetical[i] * x[i].numpy()
        save_weight_logo(contributions, stem, title=f"{ids[i]} (logit {scores[i]:.2f})")
        examples.append((f"attributions/seq{i}.png", f"{ids[i]}: logit {scores[i]:.2f}"))
    return found, examples
