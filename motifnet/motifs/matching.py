"""Known-motif matching you can trust: Tomtom (memelite) with the guards it lacks on its own.

A learned motif and each database motif are matched by their informative *cores*: the run of
columns with the most information above ``core_bits`` per column (Koo & Eddy 2019 clip
filters at 0.5 bits). A motif whose core holds under ``min_bits`` is not matched at
all. An alignment must cover ``min_overlap`` of the *longer* core: diffuse 16-19 bp learned
motifs otherwise "matched" the 30-column cores of the long CTCF matrices MA1929/MA1930 (and
named CTCF in reports of other TFs) by summing weak similarity over many columns, at Tomtom
p-values far below those of real 7 bp motifs. q-values are Benjamini-Hochberg
over every query x target pair of the run (Tomtom's own are per query); the per-query ones
are kept as ``q_query``. A significant best match is *specific* when its p-value is at least
``margin`` orders of magnitude below that of the best target of any other TF family (JASPAR's
family annotation), else *ambiguous*.

All queries of a run go to Tomtom in one call; a JASPAR collection is loaded once per process.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from motifnet.motifs.filters import information_content
from motifnet.motifs.jaspar import DEFAULT_RELEASE, _database, _to_motif
from motifnet.motifs.motif import Motif


@dataclass(frozen=True)
class MatchSettings:
    """The guards of ``match_motifs`` (see the module docstring)."""

    core_bits: float = 0.5  # per column: the core runs from the first to the last such column
    # total information a core needs to be matched: about the least informative 1% of JASPAR
    # CORE vertebrate cores (6.5 bits); less cannot tell one known motif from another
    min_bits: float = 6.0
    min_overlap: float = 0.6  # aligned columns / width of the longer core
    margin: float = 1.0  # orders of magnitude of p between best match and any other family
    significance: float = 0.05  # q (over all pairs) below which a match is significant


@dataclass(frozen=True)
class Match:
    """One query-target pair: Tomtom p-value and E-value (p x targets x 2 strands), q-values
    over all pairs of the run and over the query's own targets, strand and offset (the target
    column aligned with the query core's first column), aligned columns, the target's TF
    family (JASPAR) and whether the best match is specific (None when not significant or not
    the best).
    ``offset`` is the target column (of the reverse complement on strand -) aligned with the
    query's first column, as in Tomtom's Optimal_offset."""

    query: str
    target_id: str
    target_name: str
    p: float
    q: float
    strand: str
    offset: int
    target_family: str = ""
    q_query: float = 1.0
    e_value: float = 1.0
    overlap: int = 0
    rank: int = 1
    specific: bool | None = None
    query_consensus: str = ""
    target_consensus: str = ""


def core(ppm: np.ndarray, bits: float = 0.5) -> tuple[np.ndarray, int]:
    """The informative core of a PPM and its start: the run of columns whose information,
    less ``bits`` per column, sums highest (a maximal scoring segment), so a lone informative
    column beyond a stretch of flat ones does not stretch the core. A PPM without a column
    above ``bits`` is its own core."""
    gain = information_content(ppm) - bits
    best, best_start, best_end = 0.0, 0, ppm.shape[1]
    total, start = 0.0, 0
    for column, value in enumerate(gain):
        if total <= 0:
            total, start = 0.0, column
        total += value
        if total > best:
            best, best_start, best_end = total, start, column + 1
    if best <= 0:
        return ppm, 0
    return ppm[:, best_start:best_end], best_start


def consensus(ppm: np.ndarray) -> str:
    """The most likely base per column; N where no base reaches a probability of 0.5."""
    bases = np.array(list("ACGT"))[ppm.argmax(axis=0)]
    weak = ppm.max(axis=0) < 0.5
    return "".join(np.where(weak, "N", bases))


@lru_cache(maxsize=8)
def jaspar_collection(
    release: str = DEFAULT_RELEASE, collection: str = "CORE", tax_group: str | None = "vertebrates"
) -> tuple[Motif, ...]:
    """Every (latest-version) matrix of a JASPAR collection, e.g. CORE vertebrates; loaded once
    per process."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = _database(release).fetch_motifs(
            collection=collection, tax_group=[tax_group] if tax_group else None
        )
    return tuple(_to_motif(m) for m in found)


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """q-values of the p-values along the last axis."""
    order = np.argsort(p, axis=-1)
    ranked = np.take_along_axis(p, order, axis=-1)
    n = p.shape[-1]
    q = ranked * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(q[..., ::-1], axis=-1)[..., ::-1].clip(max=1.0)
    out = np.empty_like(q)
    np.put_along_axis(out, order, q, axis=-1)
    return out


def _families(target: Motif) -> frozenset[str]:
    names = [f.strip() for f in target.family.split(";") if f.strip()]
    return frozenset(names or [target.name.upper()])


def tomtom(queries: list[np.ndarray], targets: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    """memelite's Tomtom on both strands: (p, offsets, overlaps, strands), each (Q, T)."""
    from memelite import tomtom as memelite_tomtom

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, _, offsets, overlaps, strands = memelite_tomtom(queries, targets, n_jobs=-1)
    return np.asarray(p, dtype=np.float64), offsets, overlaps, strands


def match_motifs(
    queries: list[Motif],
    targets: list[Motif] | tuple[Motif, ...],
    *,
    top: int = 3,
    settings: MatchSettings = MatchSettings(),
) -> list[Match]:
    """The ``top`` best targets of every query with enough information, by Tomtom p-value
    after the guards of the module docstring; one Tomtom call for all queries."""
    cores = [(query, *core(query.ppm, settings.core_bits)) for query in queries]
    cores = [
        (query, ppm, start)
        for query, ppm, start in cores
        if information_content(ppm).sum() >= settings.min_bits
    ]
    if not cores or not targets:
        return []
    target_cores = [core(t.ppm, settings.core_bits) for t in targets]
    p, offsets, overlaps, strands = tomtom(
        [ppm for _, ppm, _ in cores], [ppm for ppm, _ in target_cores]
    )
    widths = np.array([ppm.shape[1] for ppm, _ in target_cores])
    for i, (_, ppm, _) in enumerate(cores):
        needed = np.ceil(settings.min_overlap * np.maximum(ppm.shape[1], widths))
        p[i, overlaps[i] < needed] = 1.0
    q_all = benjamini_hochberg(p.reshape(-1)).reshape(p.shape)
    q_query = benjamini_hochberg(p)
    families = [_families(t) for t in targets]
    matches = []
    for i, (query, ppm, start) in enumerate(cores):
        order = np.argsort(p[i], kind="stable")
        best = order[0]
        other = next((j for j in order if families[j].isdisjoint(families[best])), None)
        ambiguous = (
            other is not None and _orders(p[i, best]) - _orders(p[i, other]) < settings.margin
        )
        for rank, j in enumerate(order[:top], 1):
            target = targets[j]
            target_ppm, target_start = target_cores[j]
            if strands[i, j]:  # offsets count along the reverse complement of the whole target
                target_ppm = target_ppm[::-1, ::-1]
                target_start = target.width - target_start - target_ppm.shape[1]
            matches.append(
                Match(
                    query=query.id,
                    target_id=target.id,
                    target_name=target.name,
                    p=float(p[i, j]),
                    q=float(q_all[i, j]),
                    strand="-" if strands[i, j] else "+",
                    offset=int(offsets[i, j]) + target_start - start,
                    target_family=target.family,
                    q_query=float(q_query[i, j]),
                    e_value=float(p[i, j] * 2 * len(targets)),
                    overlap=int(overlaps[i, j]),
                    rank=rank,
                    specific=not ambiguous
                    if rank == 1 and q_all[i, j] < settings.significance
                    else None,
                    query_consensus=consensus(ppm),
                    target_consensus=consensus(target_ppm),
                )
            )
    return matches


def _orders(p: float) -> float:
    """-log10 p, finite for p = 0."""
    return -math.log10(max(p, 1e-300))
