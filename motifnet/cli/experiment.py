"""`motifnet experiment`: implant motifs into background sequences and measure the response."""

from __future__ import annotations

import argparse

from motifnet.cli._parser import add_model_run_arguments, add_subcommand

HELP = "marginalization: implant motifs (alone, and pairs at every spacing) -> TSV + plot"
DESCRIPTION = """\
What does the model do with a motif? Implant it into background sequences and measure the mean
change of the task's logit (marginalization). With two motifs A and B, also implant the pair
at every spacing (bases between A's end and B's start) in the four orientations (++, +-, -+,
--), the pair centred in the window, and each motif alone at the same places:

  pair effect     f(bg + A + B) - f(bg)
  cooperativity   pair effect - (A alone + B alone)    0: the model adds them (bag of motifs)

A model that learned a grammar (order, spacing, orientation) shows its rule as the strongest
pair response; a bag-of-motifs model responds alike at every spacing.

MOTIF is an id or name in --motifs FILE (a MEME or JASPAR file, e.g. motifs.meme of `motifnet
motifs`), literal bases (A, C, G, T only), or a JASPAR matrix id or TF name. A motif is
implanted as its most likely base in every column. Without MOTIF, the first --top motifs of
--motifs FILE are used (`motifnet motifs` lists them most influential first).

Backgrounds: dinucleotide shuffles of windows of --background sequences (FASTA, CSV, or BED
with --genome), or without it random sequence with --gc (the simulator's background).
"""
EPILOG = """\
outputs in OUTDIR:
  singles.tsv    each motif's effect at the centre, on each strand
  pairs.tsv      orientation, spacing, pair_effect, pair_sd, first_alone, second_alone,
                 cooperativity (logits; means over the backgrounds)
  grammar.png    pair effect and cooperativity, orientation x spacing (two motifs)
  summary.json   the strongest pair response and the spacing preference (the share of
                 it that the arrangement adds: cooperativity / pair effect)

examples:
  motifnet experiment runs/demo/model.ckpt GATA1 SOX2 --background peaks.fa -o grammar
  motifnet experiment runs/demo/model.ckpt --motifs runs/demo/motifs/motifs.meme -o grammar
  motifnet experiment runs/ctcf/model.ckpt CCGCGNGGNGGCAG -o ctcf_alone
"""


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = add_subcommand(commands, "experiment", help=HELP, description=DESCRIPTION, epilog=EPILOG)
    p.add_argument("checkpoint", metavar="CKPT", help="model.ckpt written by motifnet train")
    p.add_argument(
        "motif_queries",
        metavar="MOTIF",
        nargs="*",
        help="one motif (its effect) or two (and their pair response)",
    )
    p.add_argument("-o", "--outdir", default="experiment", help="folder (default: %(default)s)")
    p.add_argument("--motifs", dest="motif_file", metavar="FILE", help="MEME or JASPAR file")
    p.add_argument(
        "--top", type=int, default=2, help="motifs taken from FILE without MOTIF (default: 2)"
    )
    p.add_argument("--background", help="sequences whose shuffles are the backgrounds")
    p.add_argument("--genome", help="genome FASTA, when --background is a BED file")
    p.add_argument(
        "-n",
        "--backgrounds",
        type=int,
        default=100,
        help="background sequences each effect averages over (default: %(default)s)",
    )
    p.add_argument(
        "--gc", type=float, default=0.41, help="GC of random backgrounds (default: %(default)s)"
    )
    p.add_argument(
        "--max-spacing",
        type=int,
        default=100,
        help="largest spacing tried, in bp (default: %(default)s, or what fits the window)",
    )
    p.add_argument("--task", help="task whose logit is measured (default: the first)")
    p.add_argument("--seed", type=int, default=0, help="backgrounds' seed (default: 0)")
    p.add_argument("--jaspar-release", help="JASPAR release for motif names (default: 2024)")
    add_model_run_arguments(p, batch="sequences", precision=False)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run, more_positionals="motif_queries")


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from motifnet.checkpoint import load_trained
    from motifnet.errors import ConfigError
    from motifnet.experiments import marginalize as m
    from motifnet.experiments import outputs
    from motifnet.io import read_sequences
    from motifnet.nn.runtime import resolve_device, retain_freed_memory, use_threads

    if args.backgrounds < 1 or args.batch_size < 1 or args.top < 1 or args.max_spacing < 0:
        raise ConfigError(
            "--backgrounds, --batch-size and --top must be positive, --max-spacing >= 0"
        )
    if not 0 < args.gc < 1:
        raise ConfigError(f"--gc must lie between 0 and 1, got {args.gc}")
    if len(args.motif_queries) > 2 or (not args.motif_queries and args.top > 2):
        count = len(args.motif_queries) or args.top
        raise ConfigError(f"give one or two motifs, not {count}")
    implants = m.resolve_implants(
        args.motif_queries, motif_file=args.motif_file, top=args.top, release=args.jaspar_release
    )
    if not implants:
        return _nothing_to_implant(args)
    use_threads(args.threads)
    retain_freed_memory()
    trained = load_trained(args.checkpoint)
    trained.task_index(args.task)
    if args.background:
        records = read_sequences(
            args.background, genome=args.genome, duplicates="allow", labels=False
        )
        backgrounds = m.shuffled_backgrounds(
            records, args.backgrounds, trained.length, seed=args.seed, source=args.background
        )
        origin = f"dinucleotide shuffles of {args.background}"
    else:
        backgrounds = m.random_backgrounds(
            args.backgrounds, trained.length, gc=args.gc, seed=args.seed
        )
        origin = f"random, GC {args.gc}"
    run_options = {
        "task": args.task,
        "batch_size": args.batch_size,
        "device": resolve_device(args.device),
        "progress": not args.quiet,
    }
    effects = m.motif_effects(trained, backgrounds, implants, **run_options)
    grid = None
    if len(implants) == 2:
        widest = trained.length - sum(len(i.bases) for i in implants)
        last = min(args.max_spacing, widest)
        if last < 0:
            raise ConfigError(f"the two motifs do not fit side by side in {trained.length} bp")
        grid = m.pair_grid(trained, backgrounds, *implants, spacings=range(last + 1), **run_options)
    task = trained.task_names[trained.task_index(args.task)]
    document = outputs.summary(
        grid,
        effects,
        checkpoint=str(args.checkpoint),
        architecture=trained.architecture,
        task=task,
        backgrounds={"n": len(backgrounds), "source": origin, "seed": args.seed},
    )
    folder = Path(args.outdir)  # written only once the work is done, each file atomically
    folder.mkdir(parents=True, exist_ok=True)
    outputs.write_singles(effects, folder / "singles.tsv")
    if grid is not None:
        outputs.write_pairs(grid, folder / "pairs.tsv")
        title = f"{trained.architecture}, {task}"
        outputs.plot_grid(grid, folder / "grammar.png", title=title)
    outputs.write_summary(document, folder / "summary.json")
    for e in effects:
        print(
            f"{e.name} ({e.bases}): {e.forward:+.2f} (+), {e.reverse:+.2f} (-) logits",
            file=sys.stderr,
        )
    if grid is not None:
        orientation, spacing, value = grid.strongest()
        print(
            f"strongest pair: {grid.first}{orientation[0]} {grid.second}{orientation[1]} "
            f"{spacing} bp apart, {value:+.2f} logits, of which the arrangement adds "
            f"{grid.spacing_preference():.0%} (spacing preference: ~0% a bag of motifs, "
            "~100% a grammar)",
            file=sys.stderr,
        )
    print(f"-> {args.outdir}", file=sys.stderr)
    return 0


def _nothing_to_implant(args: argparse.Namespace) -> int:
    """An empty motif file: say so, and write a summary that says so (a workflow goes on)."""
    import sys
    from pathlib import Path

    from motifnet.experiments import outputs

    note = f"{args.motif_file} holds no motifs (the model learned none informative enough)"
    folder = Path(args.outdir)
    folder.mkdir(parents=True, exist_ok=True)
    document = outputs.summary(None, [], checkpoint=str(args.checkpoint), note=note)
    outputs.write_summary(document, folder / "summary.json")
    outputs.write_singles([], folder / "singles.tsv")
    print(f"motifnet experiment: nothing to implant: {note}", file=sys.stderr)
    return 0
