"""Genome tracks of per-base scores: bedGraph (text) or bigWig (indexed binary, pyBigWig).

Both writers take runs of values at evenly spaced positions, ``add(chrom, first, values, step,
end)``: value i covers [first + i*step, min(first + (i+1)*step, end)). Output is atomic: a
temporary file beside the target, renamed over it when the track is complete. bigWig needs
every chromosome's length up front and intervals in increasing order on each chromosome (the
order of the header, which lists the chromosomes as the genome does).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import numpy as np

from motifnet.io.atomic import atomic_path, atomic_write

BIGWIG_SUFFIXES = (".bw", ".bigwig")


class TrackWriter(Protocol):
    def add(self, chrom: str, first: int, values: np.ndarray, step: int, end: int) -> int:
        """Write the values; returns how many intervals were written."""


def is_bigwig(path: str | Path) -> bool:
    """Whether ``path`` names a bigWig file (by its suffix, case-insensitive)."""
    return Path(path).suffix.lower() in BIGWIG_SUFFIXES


class _BedGraph:
    def __init__(self, handle):
        self.handle = handle

    def add(self, chrom: str, first: int, values: np.ndarray, step: int, end: int) -> int:
        starts = first + step * np.arange(len(values))
        ends = np.minimum(starts + step, end)
        self.handle.writelines(
            f"{chrom}\t{s}\t{e}\t{v:.5g}\n" for s, e, v in zip(starts, ends, values, strict=True)
        )
        return len(values)


class _BigWig:
    def __init__(self, handle):
        self.handle = handle

    def add(self, chrom: str, first: int, values: np.ndarray, step: int, end: int) -> int:
        values = np.asarray(values, dtype=np.float64)
        full = len(values) if first + step * len(values) <= end else len(values) - 1
        if full:
            self.handle.addEntries(chrom, int(first), values=values[:full], span=step, step=step)
        if full < len(values):  # the last interval stops at the region's end
            start = first + step * full
            self.handle.addEntries([chrom], [int(start)], ends=[int(end)], values=[values[-1]])
        return len(values)


@contextlib.contextmanager
def open_track(path: str | Path, chrom_sizes: list[tuple[str, int]]) -> Iterator[TrackWriter]:
    """A bedGraph or bigWig writer by the suffix of ``path`` (.bw/.bigWig: bigWig)."""
    if not is_bigwig(path):
        with atomic_write(path) as handle:
            yield _BedGraph(handle)
        return
    import pyBigWig

    with atomic_path(path) as temporary:
        handle = pyBigWig.open(str(temporary), "w")
        try:
            handle.addHeader([(name, int(size)) for name, size in chrom_sizes])
            yield _BigWig(handle)
        finally:
            handle.close()
