"""`motifnet variants`: the predicted effect of each variant of a VCF on every task."""

from __future__ import annotations

import argparse

from motifnet.cli._parser import add_model_run_arguments, add_subcommand

HELP = "score the effect of each variant of a VCF or ref/alt table -> TSV"
DESCRIPTION = """\
Score every variant of VARIANTS with a trained checkpoint: the model's probability for the
reference and the alternative allele, in a window of the model's input length centred on the
variant (cut from GENOME), their difference (alt - ref) and log2 odds ratio, per task.

VARIANTS is a VCF (plain, .gz or bgzip; SNVs and short indels; a multi-allelic record gives
one row per ALT allele) or a table with the columns chrom, pos, ref, alt (and optionally id),
tab- or comma-separated, 1-based positions as in VCF.

Every variant gives one row, in input order. A variant that cannot be scored keeps its row
with empty scores and a status saying why: ref_mismatch (REF is not what the genome has; the
genome_ref column shows it), unknown_chrom, outside_chrom, symbolic_allele (<DEL>, *, breakends)
or too_long (an allele longer than half the window). stderr says how many and the first of each.

With --sites (the sites.bed of `motifnet motifs`, or any BED with names), the sites column
names the motif sites each variant's REF overlaps ('.' for none).
"""
EPILOG = """\
output columns:
  chrom pos id ref alt status genome_ref [sites]
  then per task: TASK_ref TASK_alt TASK_diff TASK_log2_odds_ratio [TASK_diff_fwd TASK_diff_rc]
  ref/alt: probabilities; diff: alt - ref; log2_odds_ratio: log2 of the alt allele's odds
  p/(1-p) over the ref allele's (DeepSEA's log fold change of odds; it does not saturate
  where probabilities are close to 0 or 1)

examples:
  motifnet variants runs/ctcf/model.ckpt gwas.vcf.gz -g hg38.fa -o effects.tsv
  motifnet variants runs/ctcf/model.ckpt snps.tsv -g hg38.fa --sites motifs/sites.bed
"""


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = add_subcommand(commands, "variants", help=HELP, description=DESCRIPTION, epilog=EPILOG)
    p.add_argument("checkpoint", metavar="CKPT", help="model.ckpt written by motifnet train")
    p.add_argument("variants", metavar="VARIANTS", help="VCF(.gz) or a chrom/pos/ref/alt table")
    p.add_argument(
        "-g",
        "--genome",
        required=True,
        help="genome FASTA the variants refer to (indexed with pyfaidx; .fai built if missing)",
    )
    p.add_argument(
        "-o", "--output", default="effects.tsv", help="TSV to write (default: %(default)s)"
    )
    p.add_argument(
        "--sites",
        dest="site_bed",
        metavar="BED",
        help="motif sites (BED with names, e.g. sites.bed of motifnet motifs) to report",
    )
    p.add_argument(
        "--strands",
        action="store_true",
        help="add each strand's difference (TASK_diff_fwd, TASK_diff_rc); they are equal for "
        "the RC-invariant architectures",
    )
    add_model_run_arguments(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from motifnet.checkpoint import load_trained
    from motifnet.errors import ConfigError
    from motifnet.experiments.variants import (
        EffectSettings,
        SiteIndex,
        variant_effects,
        write_effects,
    )
    from motifnet.io.bed import open_genome
    from motifnet.io.variants import read_variants
    from motifnet.nn.runtime import resolve_device, retain_freed_memory, use_threads

    if args.batch_size < 1:
        raise ConfigError("--batch-size must be positive")
    use_threads(args.threads)
    retain_freed_memory()
    trained = load_trained(args.checkpoint)
    genome = open_genome(args.genome)
    sites = SiteIndex(args.site_bed, genome, args.genome) if args.site_bed else None
    settings = EffectSettings(
        batch_size=args.batch_size,
        device=resolve_device(args.device),
        precision=args.precision,
        strands=args.strands,
    )
    effects = variant_effects(trained, read_variants(args.variants), genome, settings, sites=sites)
    summary = write_effects(
        effects,
        trained,
        args.output,
        strands=args.strands,
        sites=sites is not None,
        progress=not args.quiet,
    )
    for line in summary.lines(args.variants):
        print(f"motifnet variants: {line}", file=sys.stderr)
    print(f"-> {args.output}", file=sys.stderr)
    return 0
