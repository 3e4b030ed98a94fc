"""Scanning sequences and genomes: chunks, regions and tracks, as library calls.

``scan(model, sequence, length)`` scores the window centred on every base of one sequence;
``scan_genome(trained, genome, output)`` does it for every sequence of a genome FASTA (or the
regions of a BED file) and writes a bedGraph or bigWig track. Both run the model in its
dense mode (motifnet.scanning.dense), chunk by chunk: chunks overlap by length - 1 bp, so the
result does not depend on the chunk size, and memory stays bounded by the chunk.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from motifnet.checkpoint import TrainedModel
from motifnet.errors import ConfigError, InputError
from motifnet.io.bed import open_genome, read_intervals
from motifnet.io.records import VALID_BYTES
from motifnet.io.tracks import open_track
from motifnet.metrics import probabilities
from motifnet.nn.runtime import precision_context, resolve_device
from motifnet.scanning.dense import DenseMode, DenseScanner, dense_mode
from motifnet.sequence import one_hot


def scan_sequence(
    model: nn.Module,
    fetch: Callable[[int, int], str],
    size: int,
    length: int,
    *,
    start: int = 0,
    end: int | None = None,
    step: int = 1,
    chunk: int = 100_000,
    device: str = "cpu",
    precision: str = "fp32",
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (centre of the first window, logits of the windows every ``step`` bases from
    it), chunk by chunk, for the windows centred on start, start + step, ... below ``end`` of
    a sequence of ``size`` bp.

    ``fetch(a, b)`` returns the bases of [a, b) (pyfaidx random access, so memory stays bounded
    by the chunk). Windows use the real flanks around [start, end) and see N only past the ends
    of the sequence, as a short record does in predict. Only the wanted windows are computed
    where the model's pooling allows (motifnet.scanning.dense). ``precision="bf16"`` runs
    under bfloat16 autocast.
    """
    model = model.to(device).eval()
    scanner = DenseScanner(model)
    end = size if end is None else end
    left = length // 2
    chunk = max(step, chunk - chunk % step)  # chunks hold whole steps: no seams in the grid
    with torch.inference_mode(), precision_context(precision, device):
        for centre in range(start, end, chunk):
            stop = min(centre + chunk, end)
            count = (stop - centre - 1) // step + 1
            low = centre - left  # the bases these windows cover
            high = low + (count - 1) * step + length
            bases = (
                "N" * max(0, -low) + fetch(max(low, 0), min(high, size)) + "N" * max(0, high - size)
            )
            x = torch.from_numpy(one_hot(bases))[None].to(device)
            yield centre, scanner(x, length, step)[0].float().cpu().numpy()


def scan(
    model: nn.Module,
    sequence: str,
    length: int,
    *,
    chunk: int = 100_000,
    device: str = "cpu",
    precision: str = "fp32",
) -> np.ndarray:
    """Logits (len(sequence), outputs) of the window centred on every base of ``sequence``."""
    parts = scan_sequence(
        model,
        lambda a, b: sequence[a:b],
        len(sequence),
        length,
        chunk=chunk,
        device=device,
        precision=precision,
    )
    return np.concatenate([values for _, values in parts])


@dataclass(frozen=True)
class Region:
    """A stretch of one genome sequence to scan: 0-based, half-open."""

    chrom: str
    start: int
    end: int


@dataclass(frozen=True)
class ScanSettings:
    """What to report and how to run: every ``step`` bases, the probability (or logit) of
    ``task``, ``chunk`` bases per pass, on ``device`` in ``precision``."""

    step: int = 1
    chunk: int = 200_000
    task: str | None = None
    logits: bool = False
    device: str = "auto"
    precision: str = "fp32"

    def __post_init__(self) -> None:
        if self.step < 1 or self.chunk < 1:
            raise ConfigError("step and chunk must be positive")


@dataclass(frozen=True)
class ScanResult:
    """What a genome scan wrote: the track, its interval count, the regions and bases
    scanned, and the mode the model ran in."""

    output: str
    intervals: int
    regions: int
    bases: int
    mode: DenseMode


def genome_regions(
    genome_path: str | Path, regions: str | Path | None = None, *, sorted_disjoint: bool = False
) -> list[Region]:
    """Every sequence of the genome, or the intervals of a BED file (validated against the
    genome). ``sorted_disjoint`` puts them in genome order and refuses overlaps (bigWig)."""
    genome = open_genome(genome_path)
    if regions is None:
        found = [Region(name, 0, len(genome[name])) for name in genome.keys()]  # noqa: SIM118
    else:
        found = [
            Region(i.chrom, i.start, i.end)
            for i in read_intervals(regions, genome, genome_path=genome_path)
        ]
    if not found:
        raise InputError("the genome has no sequences", path=genome_path)
    if not sorted_disjoint:
        return found
    rank = {name: i for i, name in enumerate(genome.keys())}
    ordered = sorted(found, key=lambda r: (rank[r.chrom], r.start))
    for region, following in pairwise(ordered):
        if region.chrom == following.chrom and following.start < region.end:
            raise InputError(
                f"regions overlap at {region.chrom}:{following.start}-{region.end}; a track "
                "needs disjoint regions (merge them first, e.g. with bedtools merge)",
                path=regions,
            )
    return ordered


def scan_genome(
    trained: TrainedModel,
    genome_path: str | Path,
    output: str | Path,
    *,
    regions: str | Path | None = None,
    settings: ScanSettings = ScanSettings(),
    progress: bool = True,
) -> ScanResult:
    """Score every base of the genome (or of ``regions``, in genome order; overlapping regions
    are refused) with ``trained`` and write the track to ``output`` atomically: bedGraph, or
    bigWig for a .bw/.bigWig name."""
    column = trained.task_index(settings.task)
    device = resolve_device(settings.device)
    genome = open_genome(genome_path)
    sizes = [(name, len(genome[name])) for name in genome.keys()]  # noqa: SIM118
    chosen = genome_regions(genome_path, regions, sorted_disjoint=True)
    step, lines = settings.step, 0
    with open_track(output, sizes) as track:
        for region in chosen:
            sequence = genome[region.chrom]
            bar = tqdm(
                total=region.end - region.start,
                desc=region.chrom,
                unit="bp",
                unit_scale=True,
                disable=not progress or None,
                file=sys.stderr,
            )

            def fetch(a: int, b: int, s=sequence, chrom=region.chrom) -> str:
                bases = s[a:b]
                bad = bases.encode("ascii", "replace").translate(None, VALID_BYTES)
                if bad:
                    offset = bases.encode("ascii", "replace").find(bad[:1])
                    raise InputError(
                        f"invalid character {chr(bad[0])!r} at position {a + offset + 1} "
                        "(expected A, C, G, T, N or an IUPAC code)",
                        path=genome_path,
                        record=f"sequence {chrom!r}",
                    )
                return bases

            for first, logits in scan_sequence(
                trained.network,
                fetch,
                len(sequence),
                trained.length,
                start=region.start,
                end=region.end,
                step=step,
                chunk=settings.chunk,
                device=device,
                precision=settings.precision,
            ):
                values = (
                    logits
                    if settings.logits
                    else probabilities(torch.from_numpy(logits), trained.task_type).numpy()
                )
                lines += track.add(region.chrom, first, values[:, column], step, region.end)
                bar.update(min(len(values) * step, region.end - first))
            bar.close()
    return ScanResult(
        str(output),
        lines,
        len(chosen),
        sum(r.end - r.start for r in chosen),
        dense_mode(trained.network),
    )
