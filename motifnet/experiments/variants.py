"""Variant effects: a trained model's score of the reference and the alternative allele.

Each variant is scored in one window of the model's input length, cut from the genome so that
the variant's first base sits at the window's centre (``length // 2``). The alternative
window is the same left flank, the alternative allele, and as much right flank as fills the
length, so an indel shifts only the bases to its right. Windows that run off a chromosome
are padded with N, as in training.

Every variant gives one row, in input order. Those that cannot be scored keep their row with
a status and empty scores: ``ref_mismatch`` (REF differs from the genome, which is shown),
``unknown_chrom``, ``outside_chrom`` (REF runs past the chromosome's end),
``symbolic_allele`` (``<DEL>``, ``*``, breakends, missing alleles) and ``too_long`` (an
allele longer than half the window).
"""

from __future__ import annotations

import bisect
import math
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyfaidx
import torch
from tqdm.auto import tqdm

from motifnet.checkpoint import TrainedModel
from motifnet.io.atomic import atomic_write
from motifnet.io.bed import read_intervals
from motifnet.io.records import Record
from motifnet.io.variants import Variant
from motifnet.metrics import probabilities
from motifnet.prediction import PredictionSettings, predict_batches

STATUSES = (
    "ok",
    "ref_mismatch",
    "unknown_chrom",
    "outside_chrom",
    "symbolic_allele",
    "too_long",
)
_BLOCK = 2048  # variants scored per model call (both alleles)


@dataclass(frozen=True)
class EffectSettings:
    """How to score: batching, device, precision, and whether to add per-strand effects."""

    batch_size: int = 256
    device: str = "cpu"
    precision: str = "fp32"
    strands: bool = False


@dataclass(frozen=True)
class Effect:
    """One variant's row: its status, the genome's bases at REF's place ('.' where the
    chromosome is unknown), the motif sites it overlaps, and per task the reference and
    alternative probabilities and log odds (each (tasks,), or (3, tasks) with per-strand
    values: main, forward, reverse); None where not scored."""

    variant: Variant
    status: str
    genome_ref: str
    sites: tuple[str, ...]
    ref: np.ndarray | None = None
    alt: np.ndarray | None = None
    ref_log_odds: np.ndarray | None = None
    alt_log_odds: np.ndarray | None = None

    @property
    def log2_odds_ratio(self) -> np.ndarray | None:
        """Per task, log2 of the alternative allele's odds over the reference's (of the main
        prediction, where per-strand values were asked for too)."""
        if self.ref_log_odds is None:
            return None
        ratio = (self.alt_log_odds - self.ref_log_odds) / math.log(2)
        return ratio[0] if ratio.ndim == 2 else ratio


class SiteIndex:
    """Named intervals of a BED file (motif sites), queried by overlap."""

    def __init__(self, bed: str | Path, genome: pyfaidx.Fasta, genome_path: str | Path):
        by_chrom: dict[str, list[tuple[int, int, str]]] = {}
        for interval in read_intervals(bed, genome, genome_path=genome_path, off_chrom="pad"):
            name = interval.name or f"{interval.chrom}:{interval.start}-{interval.end}"
            by_chrom.setdefault(interval.chrom, []).append((interval.start, interval.end, name))
        self.starts, self.intervals, self.widest = {}, {}, 0
        for chrom, intervals in by_chrom.items():
            intervals.sort()
            self.intervals[chrom] = intervals
            self.starts[chrom] = [start for start, _, _ in intervals]
            self.widest = max(self.widest, max(end - start for start, end, _ in intervals))

    def overlapping(self, chrom: str, start: int, end: int) -> tuple[str, ...]:
        """Names of the intervals that overlap [start, end), in genome order."""
        starts = self.starts.get(chrom)
        if not starts:
            return ()
        first = bisect.bisect_left(starts, start - self.widest)
        last = bisect.bisect_left(starts, end)
        return tuple(
            name for s, e, name in self.intervals[chrom][first:last] if s < end and e > start
        )


def _fetch(genome: pyfaidx.Fasta, chrom: str, start: int, end: int) -> str:
    """Bases of [start, end), N outside the chromosome."""
    size = len(genome[chrom])
    low, high = max(start, 0), min(end, size)
    inside = genome[chrom][low:high] if high > low else ""
    return "N" * (min(low, end) - start) + inside + "N" * (end - max(high, start))


def allele_windows(variant: Variant, genome: pyfaidx.Fasta, length: int) -> tuple[str, str]:
    """The reference and alternative windows of ``length`` bp, the variant at ``length//2``
    (an alternative allele longer than the window's right half is cut there)."""
    half, start = length // 2, variant.start
    left = _fetch(genome, variant.chrom, start - half, start)
    ref = _fetch(genome, variant.chrom, start, start + length - half)
    after = start + len(variant.ref)
    fill = max(0, length - half - len(variant.alt))
    alt = (variant.alt + _fetch(genome, variant.chrom, after, after + fill))[: length - half]
    return left + ref, left + alt


def _check(variant: Variant, genome: pyfaidx.Fasta, length: int) -> tuple[str, str]:
    """(status, genome's bases at REF's place) of one variant."""
    if variant.chrom not in genome:
        return "unknown_chrom", "."
    size = len(genome[variant.chrom])
    end = variant.start + max(len(variant.ref), 1)
    if end > size:
        return "outside_chrom", "."
    if not variant.sequence_alleles:
        return "symbolic_allele", genome[variant.chrom][variant.start : end].upper()
    found = genome[variant.chrom][variant.start : end].upper()
    if found != variant.ref.upper():
        return "ref_mismatch", found
    if max(len(variant.ref), len(variant.alt)) > length - length // 2:
        return "too_long", found
    return "ok", found


def variant_effects(
    trained: TrainedModel,
    variants: Iterable[Variant],
    genome: pyfaidx.Fasta,
    settings: EffectSettings = EffectSettings(),
    *,
    sites: SiteIndex | None = None,
) -> Iterator[Effect]:
    """Yield one Effect per variant, in input order, scoring them a block at a time."""
    prediction = PredictionSettings.of(
        trained,
        batch_size=settings.batch_size,
        device=settings.device,
        logits=True,
        strands=settings.strands,
        precision=settings.precision,
    )
    block: list[tuple[Variant, str, str, tuple[str, ...]]] = []
    for variant in variants:
        status, found = _check(variant, genome, trained.length)
        overlaps = (
            ()
            if sites is None
            else sites.overlapping(
                variant.chrom, variant.start, variant.start + max(len(variant.ref), 1)
            )
        )
        block.append((variant, status, found, overlaps))
        if len(block) == _BLOCK:
            yield from _score_block(trained, block, genome, prediction)
            block = []
    if block:
        yield from _score_block(trained, block, genome, prediction)


def _score_block(trained, block, genome, prediction: PredictionSettings) -> Iterator[Effect]:
    records = []
    for variant, status, _, _ in block:
        if status == "ok":
            ref, alt = allele_windows(variant, genome, trained.length)
            records += [Record("ref", ref), Record("alt", alt)]
    values = [v for _, v in predict_batches(trained.network, records, prediction)]
    logits = np.concatenate(values) if values else np.empty((0, len(trained.task_names)))
    scores, log_odds = _probabilities_and_log_odds(logits, trained)
    row = 0
    for variant, status, found, overlaps in block:
        if status != "ok":
            yield Effect(variant, status, found, overlaps)
            continue
        pick = slice(row, row + 2)
        (ref, alt), (ref_odds, alt_odds) = scores[pick], log_odds[pick]
        row += 2
        yield Effect(variant, status, found, overlaps, ref, alt, ref_odds, alt_odds)


def _probabilities_and_log_odds(
    logits: np.ndarray, trained: TrainedModel
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and natural log odds, p / (1 - p), each (n, tasks) or, with per-strand
    columns, (n, 3, tasks). For sigmoid outputs the log odds are the logits themselves, so
    they stay exact where probabilities round to 0 or 1."""
    tasks = len(trained.task_names)
    groups = torch.from_numpy(logits.reshape(len(logits), -1, tasks)).double()
    converted = probabilities(groups, trained.task_type)
    if trained.task_type == "multiclass":
        log_p = groups.log_softmax(dim=-1)
        log_odds = log_p - torch.log(-torch.expm1(log_p).clamp(max=-1e-300))
    else:
        log_odds = groups
    if groups.shape[1] == 1:
        converted, log_odds = converted[:, 0], log_odds[:, 0]
    return converted.numpy(), log_odds.numpy()


def effect_columns(task_names: Iterable[str], *, strands: bool, sites: bool) -> list[str]:
    """The TSV header: the variant, its status, then per task ref, alt, diff,
    log2_odds_ratio (and diff_fwd, diff_rc with ``strands``)."""
    columns = ["chrom", "pos", "id", "ref", "alt", "status", "genome_ref"]
    if sites:
        columns.append("sites")
    for task in task_names:
        columns += [f"{task}_ref", f"{task}_alt", f"{task}_diff", f"{task}_log2_odds_ratio"]
        if strands:
            columns += [f"{task}_diff_fwd", f"{task}_diff_rc"]
    return columns


def _cells(effect: Effect, tasks: int, strands: bool) -> list[str]:
    if effect.ref is None:
        return [""] * ((6 if strands else 4) * tasks)
    main = (lambda v: v[0]) if strands else (lambda v: v)
    ref, alt = main(effect.ref), main(effect.alt)
    odds_ratio = effect.log2_odds_ratio
    cells = []
    for t in range(tasks):
        cells += [f"{ref[t]:.6g}", f"{alt[t]:.6g}", f"{alt[t] - ref[t]:.6g}"]
        cells.append(f"{odds_ratio[t]:.6g}")
        if strands:
            for strand in (1, 2):
                cells.append(f"{effect.alt[strand, t] - effect.ref[strand, t]:.6g}")
    return cells


@dataclass
class EffectSummary:
    """How many variants got each status, and the first of each."""

    counts: Counter = field(default_factory=Counter)
    firsts: dict[str, Effect] = field(default_factory=dict)

    def add(self, effect: Effect) -> None:
        self.counts[effect.status] += 1
        self.firsts.setdefault(effect.status, effect)

    def lines(self, source: str) -> list[str]:
        """Lines for stderr: how many were scored, and the first variant of each problem."""
        lines = [f"{sum(self.counts.values())} variants: {self.counts['ok']} scored"]
        for status in STATUSES[1:]:
            if self.counts[status]:
                first = self.firsts[status]
                v = first.variant
                detail = f"{source} line {v.line}: {v.chrom}:{v.pos} {v.ref}>{v.alt}"
                if status == "ref_mismatch":
                    detail += f", the genome has {first.genome_ref}"
                lines.append(
                    f"{self.counts[status]} {status} (first: {detail}); kept as rows, not scored"
                )
        return lines


def write_effects(
    effects: Iterable[Effect],
    trained: TrainedModel,
    output: str | Path,
    *,
    strands: bool = False,
    sites: bool = False,
    progress: bool = True,
) -> EffectSummary:
    """Write the effects TSV atomically (one row per variant, in order)."""
    summary = EffectSummary()
    tasks = len(trained.task_names)
    bar = tqdm(desc="variants", unit=" variants", disable=not progress or None, file=sys.stderr)
    with bar, atomic_write(output) as handle:
        handle.write("\t".join(effect_columns(trained.task_names, strands=strands, sites=sites)))
        handle.write("\n")
        for effect in effects:
            v = effect.variant
            summary.add(effect)
            row = [v.chrom, str(v.pos), v.id, v.ref, v.alt, effect.status, effect.genome_ref]
            if sites:
                row.append(",".join(effect.sites) or ".")
            handle.write("\t".join(row + _cells(effect, tasks, strands)) + "\n")
            bar.update()
    return summary
