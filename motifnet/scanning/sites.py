"""Called sites from a scan: the local maxima of the score that reach a threshold.

A window's score stays high over every window that holds the motif, so one motif gives a
plateau about a window long; a site is its summit: a local maximum whose score reaches
``threshold``, with maxima closer than ``merge`` bp (default: the window) merged into the
higher one, placed in the middle of the stretch around it that scores at least halfway from
the threshold to the maximum (a shift-invariant model's plateau has small ups and downs; its
middle, not its highest point, is the site). The site's interval is the window centred on the
summit, the bases the model saw.

Sites are written as narrowPeak (BED6+4, as MACS2 and ENCODE write peaks): chrom, start, end
(0-based, half-open, the summit's window clipped to the sequence), name (``site<N>``), score
(0-1000: 1000 x the probability, or x the logistic of a logit), strand (``.``: the score
covers both strands), signalValue (the summit's score), pValue and qValue (-1: not computed),
peak (summit - start). The caller takes values as the track writers do,
``add(chrom, first, values, step, end)``, so a scan and a merge of scan parts feed it alike.
A score saturated over a long stretch (probabilities of exactly 1) gives one summit in its
middle; ``--logits`` ranks by the raw score instead.
"""

from __future__ import annotations

import bisect
from typing import IO

import numpy as np


class SiteCaller:
    """Calls sites from values streamed in genome order and writes them to ``handle``.

    ``window``: the model's input length (a site's interval); ``sizes``: sequence lengths
    (intervals are clipped to them).
    """

    def __init__(
        self,
        handle: IO[str],
        threshold: float,
        merge: int,
        *,
        window: int,
        sizes: dict[str, int],
        logits: bool = False,
    ):
        if merge < 0:
            raise ValueError("merge distance must not be negative")
        self.handle, self.threshold, self.merge, self.logits = handle, threshold, merge, logits
        self.window, self.sizes = window, sizes
        self.chrom: str | None = None
        self.positions: list[np.ndarray] = []  # the group of passing centres being collected
        self.values: list[np.ndarray] = []
        self.last = 0
        self.step = 1
        self.count = 0

    def add(self, chrom: str, first: int, values: np.ndarray, step: int, end: int) -> None:
        """Take the scores of the windows centred at first, first + step, ... (below end)."""
        values = np.asarray(values)
        self.step = step
        passing = np.flatnonzero(values >= self.threshold)
        if not len(passing):
            return
        positions = first + step * passing
        breaks = np.flatnonzero(np.diff(positions) > self.merge) + 1
        for group in np.split(np.arange(len(passing)), breaks):
            where = positions[group]
            if chrom != self.chrom or where[0] - self.last > self.merge:
                self.finish()
                self.chrom = chrom
            self.positions.append(where)
            self.values.append(values[passing[group]])
            self.last = int(where[-1])

    def finish(self) -> None:
        """Call the sites of the group being collected and write them (call at the end)."""
        if not self.positions:
            return
        positions, values = np.concatenate(self.positions), np.concatenate(self.values)
        self.positions, self.values = [], []
        for summit, score in _summits(positions, values, self.step, self.merge, self.threshold):
            self._write(summit, score)

    def _write(self, summit: int, score: float) -> None:
        self.count += 1
        start = max(0, summit - self.window // 2)
        end = min(self.sizes[self.chrom], summit - self.window // 2 + self.window)
        share = 1 / (1 + np.exp(-score)) if self.logits else score
        bed_score = round(1000 * min(max(float(share), 0.0), 1.0))
        self.handle.write(
            f"{self.chrom}\t{start}\t{end}\tsite{self.count}\t{bed_score}\t.\t"
            f"{score:.5g}\t-1\t-1\t{summit - start}\n"
        )


def _summits(
    positions: np.ndarray, values: np.ndarray, step: int, merge: int, threshold: float
) -> list[tuple[int, float]]:
    """(summit, score) of the local maxima of one group, maxima within ``merge`` bp of a
    higher one dropped, in genome order; each summit centred on its near-top stretch (see
    ``_centre``). Positions more than ``step`` apart have a score below the threshold between
    them: a valley."""
    gap = np.diff(positions) > step
    change = np.flatnonzero((values[1:] != values[:-1]) | gap) + 1  # plateaus, gaps
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [len(values)]]) - 1
    level = values[starts]
    joined = np.concatenate([[False], ~gap[starts[1:] - 1]])  # run i touches run i - 1
    before = np.where(joined, np.concatenate([[-np.inf], level[:-1]]), -np.inf)
    after = np.where(np.concatenate([joined[1:], [False]]), np.append(level[1:], 0), -np.inf)
    peaks = np.flatnonzero((level > before) & (level > after))
    summits = (positions[starts[peaks]] + positions[stops[peaks]]) // 2
    kept: list[int] = []
    chosen: list[tuple[int, float]] = []
    for i in sorted(range(len(peaks)), key=lambda i: (-level[peaks[i]], summits[i])):
        summit = int(summits[i])
        at = bisect.bisect_left(kept, summit)
        near = [kept[j] for j in (at - 1, at) if 0 <= j < len(kept)]
        if all(abs(summit - other) > merge for other in near):
            kept.insert(at, summit)
            run = (starts[peaks[i]], stops[peaks[i]])
            centre = _centre(positions, values, gap, run, merge, threshold)
            chosen.append((centre, float(level[peaks[i]])))
    return sorted(chosen)


def _centre(
    positions: np.ndarray,
    values: np.ndarray,
    gap: np.ndarray,
    run: tuple[int, int],
    merge: int,
    threshold: float,
) -> int:
    """The middle of the stretch around a maximum (its plateau, indices ``run``) that scores
    at least halfway from the threshold to the maximum, without a valley and within ``merge``
    bp of the plateau. A shift-invariant model scores every window that holds a site about
    alike, with small ups and downs; the middle of those windows is the site, wherever the
    highest of them happens to be."""
    left, right = run
    cut = values[left] - (values[left] - threshold) / 2
    while (
        left > 0
        and not gap[left - 1]
        and values[left - 1] >= cut
        and positions[run[0]] - positions[left - 1] <= merge
    ):
        left -= 1
    while (
        right < len(values) - 1
        and not gap[right]
        and values[right + 1] >= cut
        and positions[right + 1] - positions[run[1]] <= merge
    ):
        right += 1
    return int((positions[left] + positions[right]) // 2)
