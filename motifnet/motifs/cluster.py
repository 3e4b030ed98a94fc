"""Non-redundant motifs: learned motifs grouped by similarity, merged, ranked by influence.

A model learns the same motif many times: filters and their reverse-complement twins,
TF-MoDISco patterns of the same site. Two learned motifs are the same motif when their
informative cores (motifnet.motifs.matching.core) align, on either strand and at some offset
overlapping at least ``min_overlap`` of the shorter core, with an information-weighted mean
column Pearson correlation of at least ``min_similarity`` (the column similarity of STAMP and
Tomtom's pearson distance; computed pairwise, so it does not depend on which other motifs a
run has). Clusters are formed greedily: the most influential motif not yet placed founds a
cluster and takes every unplaced motif similar to it; clusters whose motifs are alike are then
merged (a diffuse founder can leave a copy of its motif outside). A cluster's motif is its sharpest
member's core (among those with the information matching needs, the most information per
column, counted with a pseudocount of one site per base so that frequencies from a few sites do
not win on noise: often the TF-MoDISco pattern, or the filter that learned the whole motif):
averaging the members blurred it, and a blurred short motif no longer matches its known motif.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from motifnet.motifs.filters import information_content
from motifnet.motifs.matching import core
from motifnet.motifs.motif import Motif


@dataclass(frozen=True)
class LearnedMotif:
    """One learned motif: a filter's or a TF-MoDISco pattern's, with its influence (the share
    of the model's output that silencing it takes away, or its share of the attribution of all
    patterns) and its site count."""

    motif: Motif
    kind: str  # "filter", "modisco_pos" or "modisco_neg"
    influence: float
    sites: int
    filter_index: int | None = None


@dataclass(frozen=True)
class ClusterSettings:
    """When two learned motifs are one (see the module docstring)."""

    min_similarity: float = 0.8
    min_overlap: float = 0.6
    core_bits: float = 0.5
    min_bits: float = 3.0  # a motif with less information in its core founds no cluster
    match_bits: float = 6.0  # the information matching needs (MatchSettings.min_bits)


@dataclass
class MotifCluster:
    """A non-redundant motif: its motif (the core of its sharpest member, ``source``), its
    members (founder first, each aligned on the founder) and its influence."""

    motif: Motif
    members: list[LearnedMotif]
    influence: float
    alignments: list[tuple[int, bool]] = field(default_factory=list)  # (offset, reversed)
    source: str = ""

    @property
    def sites(self) -> int:
        return sum(m.sites for m in self.members)


def _columns(ppm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centred, unit-length columns (for Pearson correlation) and their information."""
    centred = ppm - ppm.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(centred, axis=0)
    return centred / np.where(norms > 0, norms, 1.0), information_content(ppm)


def similarity(a: np.ndarray, b: np.ndarray, min_overlap: float = 0.6) -> tuple[float, int, bool]:
    """(best similarity, offset, reversed): ``b`` (or its reverse complement) aligned with
    ``a`` so that column i of ``a`` meets column i + offset of ``b``."""
    best = (-1.0, 0, False)
    columns_a, bits_a = _columns(a)
    needed = max(1, int(np.ceil(min_overlap * min(a.shape[1], b.shape[1]))))
    for reverse in (False, True):
        columns_b, bits_b = _columns(b[::-1, ::-1] if reverse else b)
        correlation = columns_a.T @ columns_b  # (width a, width b)
        weight = np.minimum.outer(bits_a, bits_b) + 1e-3
        for offset in range(-(a.shape[1] - needed), b.shape[1] - needed + 1):
            i = np.arange(max(0, -offset), min(a.shape[1], b.shape[1] - offset))
            if len(i) < needed:
                continue
            w = weight[i, i + offset]
            score = float((correlation[i, i + offset] * w).sum() / w.sum())
            if score > best[0]:
                best = (score, offset, reverse)
    return best


def _sharpness(ppm: np.ndarray, sites: int, settings: ClusterSettings) -> tuple[bool, float]:
    """Motifs with enough information to be matched first, then by information per column of
    the PPM with a pseudocount of one site per base (Basset's): frequencies counted over few
    sites look sharper than they are, and a 27-seqlet pattern must not stand for a motif a
    filter saw in 343 sites."""
    bits = information_content(ppm)
    counted = (ppm * sites + 1.0) / (sites + 4.0)
    return bool(bits.sum() >= settings.match_bits), float(information_content(counted).mean())


def _source_sites(cluster: MotifCluster) -> int:
    """The site count of the member whose core is the cluster's motif."""
    return next(m.sites for m in cluster.members if m.motif.id == cluster.source)


def cluster_motifs(
    learned: list[LearnedMotif],
    settings: ClusterSettings = ClusterSettings(),
    *,
    influence: Callable[[list[LearnedMotif]], float] | None = None,
) -> tuple[list[MotifCluster], list[LearnedMotif]]:
    """(clusters most influential first, learned motifs too uninformative to place).

    ``influence(members)`` measures a cluster as a whole (e.g. silencing all its filters at
    once, which counts redundant filters once); without it a cluster's influence is its most
    influential member's. Clusters are numbered motif1, motif2, ... in that order."""
    cores = [core(m.motif.ppm, settings.core_bits)[0] for m in learned]
    informative = [
        i for i, c in enumerate(cores) if information_content(c).sum() >= settings.min_bits
    ]
    left_out = [m for i, m in enumerate(learned) if i not in set(informative)]
    unplaced = sorted(informative, key=lambda i: -learned[i].influence)
    clusters = []
    while unplaced:
        founder, *rest = unplaced
        placed = [(founder, 0, False)]
        unplaced = []
        for i in rest:
            score, offset, reverse = similarity(cores[founder], cores[i], settings.min_overlap)
            if score >= settings.min_similarity:
                placed.append((i, offset, reverse))
            else:
                unplaced.append(i)
        members = [learned[i] for i, _, _ in placed]
        sharpest = max(
            (i for i, _, _ in placed),
            key=lambda i: _sharpness(cores[i], learned[i].sites, settings),
        )
        motif = Motif("cluster", "cluster", cores[sharpest], nsites=sum(m.sites for m in members))
        clusters.append(
            MotifCluster(
                motif,
                members,
                influence(members) if influence else members[0].influence,
                [(offset, reverse) for _, offset, reverse in placed],
                learned[sharpest].motif.id,
            )
        )
    clusters = _merge_alike(clusters, settings, influence)
    clusters.sort(key=lambda c: -c.influence)
    for number, cluster in enumerate(clusters, 1):
        name = f"motif{number}"
        cluster.motif = Motif(name, name, cluster.motif.ppm, nsites=cluster.motif.nsites)
    return clusters, left_out


def _merge_alike(
    clusters: list[MotifCluster],
    settings: ClusterSettings,
    influence: Callable[[list[LearnedMotif]], float] | None,
) -> list[MotifCluster]:
    """Merge each cluster into the first, more influential one whose motif is alike."""
    kept: list[MotifCluster] = []
    for cluster in clusters:
        home = next(
            (
                k
                for k in kept
                if similarity(k.motif.ppm, cluster.motif.ppm, settings.min_overlap)[0]
                >= settings.min_similarity
            ),
            None,
        )
        if home is None:
            kept.append(cluster)
            continue
        _, offset, reverse = similarity(home.members[0].motif.ppm, cluster.members[0].motif.ppm)
        home.members += cluster.members
        home.alignments += [(offset, reverse)] * len(cluster.members)
        if influence:
            home.influence = influence(home.members)
        if _sharpness(cluster.motif.ppm, _source_sites(cluster), settings) > _sharpness(
            home.motif.ppm, _source_sites(home), settings
        ):
            home.motif, home.source = cluster.motif, cluster.source
    return kept
