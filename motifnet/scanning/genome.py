"""Scanning sequences and genomes: chunks, regions and tracks, as library calls.

``scan(model, sequence, length)`` scores the window centred on every base of one sequence;
``scan_genome(trained, genome, output)`` does it for every sequence of a genome FASTA (or the
regions of a BED file) and writes a bedGraph or bigWig track and called sites (narrowPeak);
with a ``Shard`` it scans one of N parts, and ``merge_scan_parts`` joins the parts into the
same files (a genome split over cluster jobs). Scans run the model in its
dense mode (motifnet.scanning.dense), chunk by chunk: chunks overlap by length - 1 bp, so the
result does not depend on the chunk size, and memory stays bounded by the chunk.
"""

from __future__ import annotations

import contextlib
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
from motifnet.io.atomic import atomic_write
from motifnet.io.bed import open_genome, read_intervals
from motifnet.io.records import VALID_BYTES
from motifnet.io.tracks import open_track
from motifnet.metrics import probabilities
from motifnet.nn.runtime import precision_context, resolve_device
from motifnet.scanning.dense import DenseMode, DenseScanner, dense_mode
from motifnet.scanning.sites import SiteCaller
from motifnet.sequence import one_hot

# Bases per dense pass. About 10 kb keeps a pass's maps (bases x channels) in the CPU's cache:
# on 2 cores the rc_cnn scan runs ~2x faster than with 200 kb passes (BENCHMARKS.md); a GPU
# wants larger passes (--chunk 1000000).
CHUNK = 10_000


def scan_sequence(
    model: nn.Module,
    fetch: Callable[[int, int], str],
    size: int,
    length: int,
    *,
    start: int = 0,
    end: int | None = None,
    step: int = 1,
    chunk: int = CHUNK,
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
    chunk = _whole_steps(chunk, step)  # chunks hold whole steps: no seams in the grid
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
    chunk: int = CHUNK,
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
    ``task``, ``chunk`` bases per pass, on ``device`` in ``precision``; sites where the score
    reaches ``threshold`` (default 0.5, or 0 for logits), joined within ``merge`` bp (default:
    the model's window)."""

    step: int = 1
    chunk: int = CHUNK
    task: str | None = None
    logits: bool = False
    device: str = "auto"
    precision: str = "fp32"
    threshold: float | None = None
    merge: int | None = None

    def __post_init__(self) -> None:
        if self.step < 1 or self.chunk < 1:
            raise ConfigError("step and chunk must be positive")
        if self.merge is not None and self.merge < 0:
            raise ConfigError("the merge distance must not be negative")

    @property
    def chunk_bases(self) -> int:
        """Window centres per pass: ``chunk`` rounded down to whole steps (at least one)."""
        return _whole_steps(self.chunk, self.step)

    def site_threshold(self) -> float:
        """The score a site must reach."""
        if self.threshold is not None:
            return self.threshold
        return 0.0 if self.logits else 0.5


def _whole_steps(chunk: int, step: int) -> int:
    return max(step, chunk - chunk % step)


@dataclass(frozen=True)
class Shard:
    """Part ``index`` (1-based) of ``count`` near-equal parts of a scan, for one cluster job
    each; ``merge_scan_parts`` joins the parts."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"I/N"`` as a shard; a ConfigError for anything else."""
        index, _, count = text.partition("/")
        try:
            shard = cls(int(index), int(count))
        except ValueError:
            raise ConfigError(f"--shard {text!r}: expected I/N, e.g. 3/10") from None
        if not 1 <= shard.index <= shard.count:
            raise ConfigError(f"--shard {text}: I must be between 1 and N")
        return shard


def shard_regions(regions: list[Region], settings: ScanSettings, shard: Shard) -> list[Region]:
    """The stretches of ``regions`` that ``shard`` scans: whole passes (chunks) of the scan,
    dealt in genome order into ``shard.count`` near-equal parts, so that every part computes
    exactly the chunks a single-process scan computes (the merged track equals it)."""
    size = settings.chunk_bases
    pieces = [(n, r, a) for n, r in enumerate(regions) for a in range(r.start, r.end, size)]
    low = (shard.index - 1) * len(pieces) // shard.count
    high = shard.index * len(pieces) // shard.count
    chosen: list[tuple[int, Region]] = []
    for n, region, a in pieces[low:high]:
        b = min(a + size, region.end)
        if chosen and chosen[-1][0] == n:  # the next pass of the same region
            chosen[-1] = (n, Region(region.chrom, chosen[-1][1].start, b))
        else:
            chosen.append((n, Region(region.chrom, a, b)))
    return [region for _, region in chosen]


@dataclass(frozen=True)
class ScanResult:
    """What a genome scan (or a merge of scan parts) wrote: the track and the sites file
    (None if not asked for), their interval and site counts, the regions and bases scanned,
    and the mode the model ran in."""

    output: str | None
    intervals: int
    regions: int
    bases: int
    mode: DenseMode
    sites_output: str | None = None
    sites: int = 0


def genome_regions(
    genome_path: str | Path,
    regions: str | Path | None = None,
    *,
    sequences: list[str] | None = None,
    sorted_disjoint: bool = False,
) -> list[Region]:
    """Every sequence of the genome, the named ``sequences``, or the intervals of a BED file
    (validated against the genome). ``sorted_disjoint`` puts them in genome order and refuses
    overlaps (bigWig)."""
    genome = open_genome(genome_path)
    if regions is not None and sequences is not None:
        raise ConfigError("give regions or sequences, not both")
    if regions is not None:
        found = [
            Region(i.chrom, i.start, i.end)
            for i in read_intervals(regions, genome, genome_path=genome_path)
        ]
    else:
        names = list(genome.keys()) if sequences is None else list(dict.fromkeys(sequences))
        unknown = [name for name in names if name not in genome]
        if unknown:
            known = ", ".join(list(genome.keys())[:5])
            raise InputError(
                f"no sequence named {unknown[0]!r} (the first are: {known})", path=genome_path
            )
        found = [Region(name, 0, len(genome[name])) for name in names]
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


class _Outputs:
    """The track and the sites a scan writes, fed alike value run by value run."""

    def __init__(self, stack, trained, genome, output, sites, settings: ScanSettings):
        self.track = self.caller = None
        sizes = {name: len(genome[name]) for name in genome.keys()}  # noqa: SIM118
        if output is not None:
            self.track = stack.enter_context(open_track(output, list(sizes.items())))
        if sites is not None:
            self.caller = SiteCaller(
                stack.enter_context(atomic_write(sites)),
                settings.site_threshold(),
                trained.length if settings.merge is None else settings.merge,
                window=trained.length,
                sizes=sizes,
                logits=settings.logits,
            )
        self.intervals = 0

    def add(self, chrom: str, first: int, values: np.ndarray, step: int, end: int) -> None:
        if self.track is not None:
            self.intervals += self.track.add(chrom, first, values, step, end)
        if self.caller is not None:
            self.caller.add(chrom, first, values, step, end)

    def finish(self) -> int:
        """Write the last site; the number of sites written."""
        if self.caller is None:
            return 0
        self.caller.finish()
        return self.caller.count


def _bar(region: Region, progress: bool) -> tqdm:
    return tqdm(
        total=region.end - region.start,
        desc=region.chrom,
        unit="bp",
        unit_scale=True,
        disable=not progress or None,
        file=sys.stderr,
    )


def _check_outputs(output, sites) -> None:
    if output is None and sites is None:
        raise ConfigError("nothing to write: give a track output, a sites file or both")


def scan_genome(
    trained: TrainedModel,
    genome_path: str | Path,
    output: str | Path | None,
    *,
    sites: str | Path | None = None,
    regions: str | Path | None = None,
    sequences: list[str] | None = None,
    settings: ScanSettings = ScanSettings(),
    shard: Shard | None = None,
    progress: bool = True,
) -> ScanResult:
    """Score every base of the genome (or of the named ``sequences``, or of ``regions``, in
    genome order; overlapping regions are refused) with ``trained`` and write the track to
    ``output`` atomically (bedGraph, or bigWig for a .bw/.bigWig name) and the called sites
    to ``sites`` (narrowPeak; see motifnet.scanning.sites). A ``shard`` scans only its part,
    for ``merge_scan_parts``."""
    _check_outputs(output, sites)
    column = trained.task_index(settings.task)
    device = resolve_device(settings.device)
    genome = open_genome(genome_path)
    chosen = genome_regions(genome_path, regions, sequences=sequences, sorted_disjoint=True)
    if shard is not None:
        chosen = shard_regions(chosen, settings, shard)
    step = settings.step
    with contextlib.ExitStack() as stack:
        outputs = _Outputs(stack, trained, genome, output, sites, settings)
        for region in chosen:
            sequence = genome[region.chrom]
            bar = _bar(region, progress)

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
                outputs.add(region.chrom, first, values[:, column], step, region.end)
                bar.update(min(len(values) * step, region.end - first))
            bar.close()
        found = outputs.finish()
    return _result(trained, output, sites, outputs, chosen, found)


def _result(
    trained: TrainedModel,
    output: str | Path | None,
    sites: str | Path | None,
    outputs: _Outputs,
    regions: list[Region],
    found: int,
) -> ScanResult:
    """What a scan or a merge wrote, for its caller."""
    return ScanResult(
        None if output is None else str(output),
        outputs.intervals,
        len(regions),
        sum(r.end - r.start for r in regions),
        dense_mode(trained.network),
        None if sites is None else str(sites),
        found,
    )


def merge_scan_parts(
    trained: TrainedModel,
    genome_path: str | Path,
    parts: list[str | Path],
    output: str | Path | None,
    *,
    sites: str | Path | None = None,
    regions: str | Path | None = None,
    sequences: list[str] | None = None,
    settings: ScanSettings = ScanSettings(),
    progress: bool = True,
) -> ScanResult:
    """Join the bigWig parts of a sharded scan (part i made with ``Shard(i, len(parts))`` and
    the same ``regions`` or ``sequences``, step and chunk) into one track and one sites file:
    the same files a single-process ``scan_genome`` writes. A part missing a score it should
    hold is an error."""
    _check_outputs(output, sites)
    genome = open_genome(genome_path)
    sizes = {name: len(genome[name]) for name in genome.keys()}  # noqa: SIM118
    chosen = genome_regions(genome_path, regions, sequences=sequences, sorted_disjoint=True)
    step, block = settings.step, settings.chunk_bases
    with contextlib.ExitStack() as stack:
        outputs = _Outputs(stack, trained, genome, output, sites, settings)
        for index, part in enumerate(parts, start=1):
            track = _open_part(part, sizes)
            stack.callback(track.close)
            for region in shard_regions(chosen, settings, Shard(index, len(parts))):
                bar = _bar(region, progress)
                for first in range(region.start, region.end, block):
                    stop = min(first + block, region.end)
                    values = track.values(region.chrom, first, stop, numpy=True)[::step]
                    missing = np.flatnonzero(np.isnan(values))
                    if len(missing):
                        raise InputError(
                            f"no score at {region.chrom}:{first + step * missing[0] + 1}; merge "
                            "the parts of one scan, in order (part I made with --shard "
                            f"I/{len(parts)}), with its --regions or --sequences, --step and "
                            "--chunk",
                            path=part,
                        )
                    outputs.add(region.chrom, first, values, step, region.end)
                    bar.update(stop - first)
                bar.close()
        found = outputs.finish()
    return _result(trained, output, sites, outputs, chosen, found)


def _open_part(path: str | Path, sizes: dict[str, int]):
    """A scan part as an open pyBigWig reader, checked against the genome's sequences."""
    import pyBigWig

    if not Path(path).is_file():
        raise InputError("no such scan part", path=path)
    try:
        track = pyBigWig.open(str(path))
    except RuntimeError:
        track = None
    if track is None or not track.isBigWig():
        raise InputError("not a bigWig file (scan parts are written as .bw)", path=path)
    if track.chroms() != sizes:
        track.close()
        raise InputError("was not scanned over this genome (its sequences differ)", path=path)
    return track
