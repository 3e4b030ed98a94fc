"""Known-motif matching: Tomtom (memelite) of learned motifs against JASPAR or a motif file."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from motifnet.motifs.jaspar import DEFAULT_RELEASE, _database, _to_motif
from motifnet.motifs.motif import Motif


@dataclass(frozen=True)
class Match:
    """One query-target pair: Tomtom p-value, Benjamini-Hochberg q-value over all the query's
    targets, the target strand, the offset of the target relative to the query, and the
    target's TF family where known (JASPAR)."""

    query: str
    target_id: str
    target_name: str
    p: float
    q: float
    strand: str
    offset: int
    target_family: str = ""


def jaspar_collection(
    release: str = DEFAULT_RELEASE, collection: str = "CORE", tax_group: str | None = "vertebrates"
) -> list[Motif]:
    """Every (latest-version) matrix of a JASPAR collection, e.g. CORE vertebrates."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = _database(release).fetch_motifs(
            collection=collection, tax_group=[tax_group] if tax_group else None
        )
    return [_to_motif(m) for m in found]


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


def match_motifs(queries: list[Motif], targets: list[Motif], *, top: int = 3) -> list[Match]:
    """The ``top`` best targets of every query by Tomtom p-value (memelite, both strands)."""
    from memelite import tomtom

    if not queries:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, _, offsets, _, strands = tomtom(
            [q.ppm for q in queries], [t.ppm for t in targets], n_jobs=1
        )
    p = np.asarray(p, dtype=np.float64)
    q = benjamini_hochberg(p)
    matches = []
    for i, query in enumerate(queries):
        for j in np.argsort(p[i])[:top]:
            matches.append(
                Match(
                    query.id,
                    targets[j].id,
                    targets[j].name,
                    float(p[i, j]),
                    float(q[i, j]),
                    "-" if strands[i, j] else "+",
                    int(offsets[i, j]),
                    targets[j].family,
                )
            )
    return matches
