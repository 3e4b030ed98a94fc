"""Marginalization: what implanting a motif, or a pair of motifs, does to a model's output.

The experiment of tangermeme's ``marginalize`` and of the grammar studies of BPNet (Avsec et
al. 2021): take background sequences the model has no reason to score (dinucleotide shuffles
of real sequences, or random sequence), implant a motif's most likely bases, and measure the
mean change of the task's logit. For a pair, implant A then B at every spacing (bases between
A's end and B's start) and in the four orientations (A's strand, B's strand: ++, +-, -+, --),
the pair centred in the window, and measure

* the pair effect  f(bg + A + B) - f(bg),
* each motif alone at the same place,  f(bg + A) - f(bg)  and  f(bg + B) - f(bg),
* cooperativity    pair effect - (A alone + B alone): zero when the model adds the two motifs'
  contributions independently (a bag of motifs), positive where the arrangement helps.

Logits, not probabilities, so that effects add rather than saturate. Reversing the whole pair
turns A+B+ into B-A-, so for an RC-invariant model the four orientations of "A first" are all
the arrangements there are.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from motifnet.checkpoint import TrainedModel
from motifnet.errors import InputError, MotifnetError
from motifnet.io.records import Record
from motifnet.motifs.motif import Motif
from motifnet.prediction import PredictionSettings, predict_batches
from motifnet.sequence.reverse import reverse_complement
from motifnet.sequence.shuffle import dinucleotide_shuffle

ORIENTATIONS = ("++", "+-", "-+", "--")
_BASES = np.frombuffer(b"ACGT", dtype=np.uint8)


@dataclass(frozen=True)
class Implant:
    """A motif to implant: its name and the bases written (on the + strand)."""

    name: str
    bases: str

    @classmethod
    def from_motif(cls, motif: Motif) -> Implant:
        """The motif's most likely base in every column."""
        return cls(motif.name, _BASES[motif.ppm.argmax(axis=0)].tobytes().decode("ascii"))

    def strand(self, strand: str) -> str:
        return self.bases if strand == "+" else reverse_complement(self.bases)


def random_backgrounds(n: int, length: int, *, gc: float = 0.41, seed: int = 0) -> list[str]:
    """``n`` i.i.d. sequences with GC content ``gc`` (the simulator's background)."""
    rng = np.random.default_rng(seed)
    probabilities = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
    codes = rng.choice(_BASES, size=(n, length), p=probabilities)
    return [row.tobytes().decode("ascii") for row in codes]


def shuffled_backgrounds(
    records: Iterable[Record], n: int, length: int, *, seed: int = 0, source: str | None = None
) -> list[str]:
    """``n`` dinucleotide shuffles of windows of ``length`` drawn from the records at least that
    long (each record in turn, a random window of it), so the backgrounds keep the real
    sequences' composition but lose their motifs' arrangement."""
    usable = [r.sequence.upper() for r in records if len(r.sequence) >= length]
    if not usable:
        raise InputError(f"no record is at least {length} bp (the model's input)", path=source)
    rng = np.random.default_rng(seed)
    windows = []
    for i in range(n):
        sequence = usable[i % len(usable)]
        start = int(rng.integers(len(sequence) - length + 1))
        windows.append(sequence[start : start + length])
    return list(dinucleotide_shuffle(windows, rng=rng))


def implant(sequences: Sequence[str], bases: str, start: int) -> list[str]:
    """The sequences with ``bases`` written over [start, start + len(bases))."""
    end = start + len(bases)
    return [s[:start] + bases + s[end:] for s in sequences]


class _Scorer:
    """One task's logits of many sequence sets, batched through the prediction path."""

    def __init__(
        self, trained: TrainedModel, task: str | None, batch_size: int, device: str, progress: bool
    ):
        self.trained, self.progress = trained, progress
        self.index = trained.task_index(task)
        self.settings = PredictionSettings.of(
            trained, batch_size=batch_size, device=device, logits=True
        )

    def __call__(self, sets: list[list[str]]) -> list[np.ndarray]:
        flat = (Record("x", s) for group in sets for s in group)
        sizes = [len(group) for group in sets]
        bar = tqdm(
            total=sum(sizes),
            desc="implant",
            unit=" seq",
            disable=not self.progress or None,
            file=sys.stderr,
        )
        values = []
        with bar:
            for _, v in predict_batches(self.trained.network, flat, self.settings):
                values.append(v[:, self.index])
                bar.update(len(v))
        return np.split(np.concatenate(values), np.cumsum(sizes)[:-1])


@dataclass(frozen=True)
class MotifEffect:
    """The mean change of the logit (and its standard deviation over backgrounds) when a motif
    is implanted at the centre, on the + strand and on the - strand."""

    name: str
    bases: str
    forward: float
    reverse: float
    sd: float
    n: int


def _check_fits(trained: TrainedModel, width: int, what: str) -> None:
    if width > trained.length:
        raise MotifnetError(f"{what} ({width} bp) does not fit the model's {trained.length} bp")


def motif_effects(
    trained: TrainedModel,
    backgrounds: list[str],
    implants: Sequence[Implant],
    *,
    task: str | None = None,
    batch_size: int = 256,
    device: str = "cpu",
    progress: bool = False,
) -> list[MotifEffect]:
    """The marginal effect of each motif implanted at the centre of every background."""
    score = _Scorer(trained, task, batch_size, device, progress)
    sets = [backgrounds]
    for motif in implants:
        _check_fits(trained, len(motif.bases), f"motif {motif.name}")
        start = (trained.length - len(motif.bases)) // 2
        sets += [implant(backgrounds, motif.strand(s), start) for s in "+-"]
    base, *scored = score(sets)
    effects = []
    for i, motif in enumerate(implants):
        forward, reverse = scored[2 * i] - base, scored[2 * i + 1] - base
        sd = float(np.concatenate([forward, reverse]).std())
        effects.append(
            MotifEffect(
                motif.name, motif.bases, float(forward.mean()), float(reverse.mean()), sd, len(base)
            )
        )
    return effects


@dataclass(frozen=True)
class PairGrid:
    """Mean logit changes over backgrounds, each (orientations, spacings): the pair, each
    motif alone at its place in the pair, and the pair's standard deviation."""

    first: str
    second: str
    spacings: np.ndarray
    pair: np.ndarray
    first_alone: np.ndarray
    second_alone: np.ndarray
    pair_sd: np.ndarray
    n: int
    orientations: tuple[str, ...] = ORIENTATIONS

    @property
    def cooperativity(self) -> np.ndarray:
        """Pair effect minus the sum of the single effects."""
        return self.pair - self.first_alone - self.second_alone

    def strongest(self) -> tuple[str, int, float]:
        """(orientation, spacing, pair effect) of the strongest pair response."""
        row, column = np.unravel_index(int(np.argmax(self.pair)), self.pair.shape)
        return self.orientations[row], int(self.spacings[column]), float(self.pair[row, column])

    def spacing_preference(self) -> float:
        """The share of the strongest pair response that the arrangement adds: its
        cooperativity over its pair effect. About 0 when the pair is the sum of its motifs
        (a bag of motifs), about 1 when the motifs count only in this arrangement; 0 when no
        arrangement raises the output."""
        row, column = np.unravel_index(int(np.argmax(self.pair)), self.pair.shape)
        effect = float(self.pair[row, column])
        return float(self.cooperativity[row, column]) / effect if effect > 0 else 0.0


def pair_grid(
    trained: TrainedModel,
    backgrounds: list[str],
    first: Implant,
    second: Implant,
    *,
    spacings: Sequence[int] | None = None,
    task: str | None = None,
    batch_size: int = 256,
    device: str = "cpu",
    progress: bool = False,
) -> PairGrid:
    """Implant ``first`` then ``second`` at every spacing and orientation (the pair centred),
    and each alone at the same places; every effect is a mean over the backgrounds."""
    width = len(first.bases) + len(second.bases)
    _check_fits(trained, width, f"the pair {first.name} + {second.name}")
    widest = trained.length - width
    spacings = np.arange(widest + 1) if spacings is None else np.asarray(list(spacings))
    if len(spacings) == 0 or spacings.min() < 0 or spacings.max() > widest:
        raise MotifnetError(f"spacings must lie in 0..{widest} for this pair and model")
    cells, singles = [], {}
    for orientation in ORIENTATIONS:
        for spacing in spacings.tolist():
            a_start = (trained.length - width - spacing) // 2
            b_start = a_start + len(first.bases) + spacing
            a, b = (first, orientation[0], a_start), (second, orientation[1], b_start)
            for key in (a, b):
                singles.setdefault(key, len(singles))
            cells.append((a, b))
    sets = [backgrounds]
    sets += [implant(backgrounds, m.strand(s), start) for m, s, start in singles]
    sets += [
        implant(implant(backgrounds, a.strand(sa), a0), b.strand(sb), b0)
        for (a, sa, a0), (b, sb, b0) in cells
    ]
    scores = _Scorer(trained, task, batch_size, device, progress)(sets)
    base = scores[0]
    alone = [s - base for s in scores[1 : 1 + len(singles)]]
    pairs = [s - base for s in scores[1 + len(singles) :]]
    shape = (len(ORIENTATIONS), len(spacings))
    return PairGrid(
        first=first.name,
        second=second.name,
        spacings=spacings,
        pair=np.array([p.mean() for p in pairs]).reshape(shape),
        first_alone=np.array([alone[singles[a]].mean() for a, _ in cells]).reshape(shape),
        second_alone=np.array([alone[singles[b]].mean() for _, b in cells]).reshape(shape),
        pair_sd=np.array([p.std() for p in pairs]).reshape(shape),
        n=len(backgrounds),
    )


_LITERAL = re.compile(r"^[ACGTacgt]+$")


def resolve_implants(
    queries: Sequence[str],
    *,
    motif_file: str | None = None,
    top: int = 2,
    release: str | None = None,
) -> list[Implant]:
    """Motifs to implant: each query is an id or name in ``motif_file`` (MEME or JASPAR
    format), literal bases (only A, C, G, T), or a JASPAR matrix id or TF name; with no
    queries, the first ``top`` motifs of ``motif_file`` (`motifnet motifs` writes them most
    influential first; none if the file is empty)."""
    from motifnet.motifs.jaspar import DEFAULT_RELEASE, fetch_jaspar
    from motifnet.motifs.meme import read_motifs

    if not queries:
        if not motif_file:
            raise MotifnetError("name the motifs to implant, or give a motif file (--motifs)")
        found = read_motifs(motif_file, allow_empty=True)  # empty: the model learned none
        return [Implant.from_motif(m) for m in found[:top]]
    known = read_motifs(motif_file) if motif_file else []
    implants = []
    for query in queries:
        found = [m for m in known if query in (m.id, m.name)]
        if found:
            implants.append(Implant.from_motif(found[0]))
        elif _LITERAL.match(query):
            implants.append(Implant(query.upper(), query.upper()))
        else:
            try:
                motif = fetch_jaspar([query], release=release or DEFAULT_RELEASE)[0]
            except MotifnetError as err:
                if not motif_file:
                    raise
                names = ", ".join(m.id for m in known[:8])
                raise InputError(
                    f"no motif {query!r} here (it has {names}); {err}", path=motif_file
                ) from None
            implants.append(Implant.from_motif(motif))
    return implants
