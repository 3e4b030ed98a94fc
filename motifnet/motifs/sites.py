"""Where the motifs are: sites of learned motifs in sequences, as TSV and BED.

Sites come from two sources: scanning the (clustered) learned motifs over the sequences with
FIMO (memelite; log-odds against a uniform background), and the seqlets TF-MoDISco clustered
into its patterns. FIMO sites are called at an estimated false discovery rate: each motif's
p-value threshold is the loosest (up to ``LOOSEST_P``) at which the same motif finds at most
``fdr`` as many sites in dinucleotide shuffles of the sequences as in the sequences themselves
(a short motif's sites cannot all be told from chance matches: its threshold is strict).
Positions are 0-based, end exclusive, within the record; in the BED they become genome
coordinates when a record's id is
``chrom:start-end`` (``(-)`` appended: a minus-strand interval, reverse-complemented), the
form BED + genome inputs and many peak files give. ``site_recall`` compares sites with
planted ones (the simulator's truth).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motifnet.io import Record
from motifnet.io.atomic import atomic_write
from motifnet.motifs.motif import Motif

_REGION = re.compile(r"^(?P<chrom>[^:\s]+):(?P<start>\d+)-(?P<end>\d+)(?P<minus>\(-\))?$")


@dataclass(frozen=True)
class Site:
    """One motif site in one record: 0-based start, exclusive end, strand, FIMO log-odds score
    and p-value (seqlets: summed contribution, no p-value), and the source."""

    record: str
    motif: str
    start: int
    end: int
    strand: str
    score: float
    p: float | None
    source: str  # "fimo" or "seqlet"


def _fimo_input(records: list[Record]) -> np.ndarray:
    """Records as (N, 4, longest) int8 one-hot for memelite's FIMO: ambiguous bases and the
    padding are all-zero columns, which FIMO reads as N."""
    longest = max(len(r.sequence) for r in records)
    codes = np.full((len(records), longest), 255, dtype=np.uint8)
    lookup = np.full(256, 255, dtype=np.uint8)
    for i, base in enumerate(b"ACGT"):
        lookup[base] = lookup[base + 32] = i
    for n, record in enumerate(records):
        codes[n, : len(record.sequence)] = lookup[np.frombuffer(record.sequence.encode(), np.uint8)]
    one_hot = np.zeros((len(records), 4, longest), dtype=np.int8)
    for channel in range(4):
        one_hot[:, channel] = codes == channel
    return one_hot


LOOSEST_P = 1e-3


def scan_sites(
    motifs: list[Motif], records: list[Record], *, threshold: float = 1e-4
) -> list[Site]:
    """FIMO sites of ``motifs`` in ``records`` with p below ``threshold``, both strands."""
    from memelite import fimo

    if not motifs or not records:
        return []
    hits = fimo({m.id: m.ppm for m in motifs}, _fimo_input(records), threshold=threshold)
    sites = []
    for frame in hits:
        columns = zip(
            frame["sequence_name"].tolist(),
            frame["motif_name"].tolist(),
            frame["start"].tolist(),
            frame["end"].tolist(),
            frame["strand"].tolist(),
            frame["score"].tolist(),
            frame["p-value"].tolist(),
            strict=True,
        )
        sites += [
            Site(records[int(n)].id, str(m), int(a), int(b), str(s), float(sc), float(p), "fimo")
            for n, m, a, b, s, sc, p in columns
        ]
    return sorted(sites, key=lambda s: (s.record, s.start, s.motif))


def call_sites(
    motifs: list[Motif], records: list[Record], *, fdr: float = 0.1, seed: int = 0
) -> tuple[list[Site], dict[str, float]]:
    """FIMO sites at an estimated false discovery rate (see the module docstring), and each
    motif's p-value threshold (0 where no threshold reaches ``fdr``)."""
    from motifnet.sequence.shuffle import dinucleotide_shuffle

    rng = np.random.default_rng(seed)
    shuffled = [Record(r.id, dinucleotide_shuffle(r.sequence, rng=rng)) for r in records]
    found = scan_sites(motifs, records, threshold=LOOSEST_P)
    chance = scan_sites(motifs, shuffled, threshold=LOOSEST_P)
    thresholds, kept = {}, []
    for motif in motifs:
        real = np.sort([s.p for s in found if s.motif == motif.id])
        null = np.sort([s.p for s in chance if s.motif == motif.id])
        passing = [
            p for k, p in enumerate(real, 1) if np.searchsorted(null, p, side="right") <= fdr * k
        ]
        thresholds[motif.id] = max(passing, default=0.0)
        kept += [s for s in found if s.motif == motif.id and s.p <= thresholds[motif.id]]
    return sorted(kept, key=lambda s: (s.record, s.start, s.motif)), thresholds


def seqlet_sites(
    seqlets: Iterable[tuple[str, int, int, int, str]],
    records: list[Record],
    contributions: np.ndarray,
    cluster_of: dict[str, str],
) -> list[Site]:
    """TF-MoDISco seqlets as sites of their pattern's cluster, scored by their summed
    contribution (``contributions``: (N, 4, L) actual contributions)."""
    sites = []
    for pattern, index, start, end, strand in seqlets:
        score = float(contributions[index, :, start:end].sum())
        motif = cluster_of.get(pattern, pattern)
        sites.append(Site(records[index].id, motif, start, end, strand, score, None, "seqlet"))
    return sorted(sites, key=lambda s: (s.record, s.start, s.motif))


def genome_interval(site: Site) -> tuple[str, int, int, str]:
    """(chrom, start, end, strand) of a site in the genome when its record id is a region,
    else the record id with record coordinates."""
    found = _REGION.match(site.record)
    if not found:
        return site.record, site.start, site.end, site.strand
    origin, region_end = int(found["start"]), int(found["end"])
    if found["minus"]:
        flipped = {"+": "-", "-": "+"}.get(site.strand, site.strand)
        return found["chrom"], region_end - site.end, region_end - site.start, flipped
    return found["chrom"], origin + site.start, origin + site.end, site.strand


def write_sites(sites: list[Site], tsv: str | Path, bed: str | Path) -> None:
    """sites.tsv (record coordinates, with scores and p-values) and sites.bed (genome
    coordinates where the ids allow; BED6 with -10 log10 p, capped at 1000, as the score)."""
    with atomic_write(tsv) as out:
        out.write("record\tmotif\tstart\tend\tstrand\tscore\tp_value\tsource\n")
        for s in sites:
            p = "" if s.p is None else f"{s.p:.3g}"
            out.write(
                f"{s.record}\t{s.motif}\t{s.start}\t{s.end}\t{s.strand}\t{s.score:.4g}\t{p}\t"
                f"{s.source}\n"
            )
    with atomic_write(bed) as out:
        for s in sites:
            chrom, start, end, strand = genome_interval(s)
            score = 0 if s.p is None else min(1000, round(-10 * math.log10(max(s.p, 1e-100))))
            out.write(f"{chrom}\t{start}\t{end}\t{s.motif}:{s.source}\t{score}\t{strand}\n")


def site_recall(
    found: list[tuple[str, int, int]], planted: list[tuple[str, int, int]], *, overlap: int = 1
) -> tuple[float, float]:
    """(recall of planted sites, false discovery among found ones): a found and a planted site
    match when they share ``overlap`` bases in the same record."""

    def hits(a: list[tuple[str, int, int]], b: list[tuple[str, int, int]]) -> int:
        by_record: dict[str, list[tuple[int, int]]] = {}
        for record, start, end in b:
            by_record.setdefault(record, []).append((start, end))
        return sum(
            any(min(end, e) - max(start, s) >= overlap for s, e in by_record.get(record, []))
            for record, start, end in a
        )

    recall = hits(planted, found) / len(planted) if planted else 1.0
    false = 1 - hits(found, planted) / len(found) if found else 0.0
    return recall, false
