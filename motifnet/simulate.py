"""Labelled DNA with real JASPAR motifs planted, in two regimes that test different assumptions.

* ``bag`` (bag of motifs): a positive holds 1..``max_sites`` motif instances drawn from the set,
  anywhere, on either strand; a negative is background only. Presence, not place, decides.
* ``grammar``: every sequence holds motif A and motif B once. Positives have A then B with a
  gap in ``gap`` (the pair on either strand); negatives have B then A, or A and B too far apart
  (``far_gap``). Order and spacing decide, so position-agnostic pooling of motif detectors
  cannot separate the classes.

Each site is sampled from the motif's PPM. The truth (motif, start, end, strand and the planted
bases of every site) is returned with the sequences and written as JSON beside them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from tqdm.auto import tqdm

from motifnet.errors import InputError, MotifnetError
from motifnet.io.atomic import atomic_write
from motifnet.io.fasta import read_fasta, write_fasta
from motifnet.io.records import Record
from motifnet.motifs.jaspar import DEFAULT_RELEASE, fetch_jaspar
from motifnet.motifs.motif import Motif
from motifnet.sequence.encode import one_hot
from motifnet.sequence.reverse import reverse_complement
from motifnet.sequence.shuffle import dinucleotide_shuffle

REGIMES = ("bag", "grammar")
DEFAULT_MOTIFS = {"bag": ("CTCF", "GATA1", "SOX2"), "grammar": ("GATA1", "SOX2")}
BACKGROUNDS = ("random", "shuffle")
_BASES = np.frombuffer(b"ACGT", dtype=np.uint8)


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate; every field has a default that makes a laptop-sized demo set."""

    regime: str = "bag"
    motifs: tuple[str, ...] = ()  # empty: DEFAULT_MOTIFS of the regime
    n: int = 2000
    length: int = 200
    positive_fraction: float = 0.5
    max_sites: int = 2
    gap: tuple[int, int] = (2, 10)
    far_gap: tuple[int, int] = (30, 60)
    background: str = "random"
    background_fasta: str | None = None
    gc: float = 0.41
    jaspar_release: str = DEFAULT_RELEASE
    seed: int = 0

    def __post_init__(self) -> None:
        problems = []
        if self.regime not in REGIMES:
            problems.append(f"regime must be one of {REGIMES}, not {self.regime!r}")
        elif not self.motifs:
            object.__setattr__(self, "motifs", DEFAULT_MOTIFS[self.regime])
        if self.regime == "grammar" and len(self.motifs) != 2:
            problems.append(f"the grammar regime needs exactly 2 motifs, got {len(self.motifs)}")
        if self.n < 2:
            problems.append(f"n must be at least 2, got {self.n}")
        if not 0 < self.positive_fraction < 1:
            problems.append(f"positive_fraction must be in (0, 1), got {self.positive_fraction}")
        if self.max_sites < 1:
            problems.append(f"max_sites must be at least 1, got {self.max_sites}")
        for name in ("gap", "far_gap"):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                problems.append(f"{name} must be a range 0 <= min <= max, got {low}..{high}")
        if self.regime == "grammar" and self.far_gap[0] <= self.gap[1]:
            problems.append("far_gap must start above the largest positive gap")
        if self.background not in BACKGROUNDS:
            problems.append(f"background must be one of {BACKGROUNDS}, not {self.background!r}")
        if self.background == "shuffle" and not self.background_fasta:
            problems.append("background 'shuffle' needs background_fasta (sequences to shuffle)")
        if not 0 < self.gc < 1:
            problems.append(f"gc must be in (0, 1), got {self.gc}")
        if problems:
            raise MotifnetError("invalid simulation settings: " + "; ".join(problems))


@dataclass(frozen=True)
class Site:
    """One planted motif instance; ``bases`` is the sequence at [start, end) as written."""

    motif_id: str
    name: str
    start: int
    end: int
    strand: str
    bases: str


@dataclass(frozen=True)
class SimulatedSequence:
    id: str
    sequence: str
    label: int
    sites: tuple[Site, ...] = field(default=())


class _Background:
    """Background sequences: i.i.d. with a GC content, or dinucleotide-shuffled real windows."""

    def __init__(self, config: SimulationConfig, rng: np.random.Generator):
        self.config, self.rng = config, rng
        self.pool: list[str] = []
        if config.background == "shuffle":
            path = config.background_fasta
            self.pool = [r.sequence for r in read_fasta(path) if len(r.sequence) >= config.length]
            if not self.pool:
                raise InputError(f"no record is at least {config.length} bp long", path=path)

    def draw(self) -> bytearray:
        length = self.config.length
        if not self.pool:
            gc = self.config.gc
            probs = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
            return bytearray(self.rng.choice(_BASES, size=length, p=probs).tobytes())
        source = self.pool[self.rng.integers(len(self.pool))]
        start = self.rng.integers(len(source) - length + 1)
        window = source[start : start + length].upper()
        return bytearray(dinucleotide_shuffle(window, rng=self.rng).encode("ascii"))


def _sample_instance(motif: Motif, rng: np.random.Generator) -> str:
    cumulative = np.cumsum(motif.ppm, axis=0)
    draws = rng.random(motif.width)
    rows = (cumulative < draws[None, :]).sum(axis=0).clip(0, 3)
    return _BASES[rows].tobytes().decode("ascii")


def _plant(sequence: bytearray, start: int, bases: str) -> None:
    sequence[start : start + len(bases)] = bases.encode("ascii")


def _bag_sites(config, motifs, sequence, rng) -> list[Site]:
    sites: list[Site] = []
    for _ in range(int(rng.integers(1, config.max_sites + 1))):
        motif = motifs[int(rng.integers(len(motifs)))]
        strand = "+" if rng.random() < 0.5 else "-"
        instance = _sample_instance(motif, rng)
        bases = instance if strand == "+" else reverse_complement(instance)
        start = _free_start(sites, motif.width, config.length, rng)
        _plant(sequence, start, bases)
        sites.append(Site(motif.id, motif.name, start, start + motif.width, strand, bases))
    return sites


def _free_start(sites: list[Site], width: int, length: int, rng) -> int:
    for _ in range(1000):
        start = int(rng.integers(0, length - width + 1))
        if all(start + width <= s.start or start >= s.end for s in sites):
            return start
    raise MotifnetError(f"cannot fit {len(sites) + 1} non-overlapping sites in {length} bp")


def _grammar_sites(config, motifs, sequence, label, rng) -> list[Site]:
    first, second = motifs
    gap_range = config.gap
    if label == 0:
        if rng.random() < 0.5:
            first, second = second, first
        else:
            gap_range = config.far_gap
    gap = int(rng.integers(gap_range[0], gap_range[1] + 1))
    span = first.width + gap + second.width
    if span > config.length:
        raise MotifnetError(f"a {span} bp motif pair does not fit in {config.length} bp")
    a, b = _sample_instance(first, rng), _sample_instance(second, rng)
    start = int(rng.integers(0, config.length - span + 1))
    layout = [(first, a, 0), (second, b, first.width + gap)]
    strand = "+" if rng.random() < 0.5 else "-"
    sites = []
    for motif, instance, offset in layout:
        if strand == "+":
            begin, bases = start + offset, instance
        else:  # the whole pair is reverse-complemented: mirror each site within the span
            begin, bases = start + span - offset - motif.width, reverse_complement(instance)
        _plant(sequence, begin, bases)
        sites.append(Site(motif.id, motif.name, begin, begin + motif.width, strand, bases))
    return sorted(sites, key=lambda s: s.start)


def simulate(
    config: SimulationConfig, *, progress: bool = True
) -> tuple[list[Motif], list[SimulatedSequence]]:
    """Simulate a labelled set; returns the motifs used and the sequences with their truth."""
    rng = np.random.default_rng(config.seed)
    motifs = fetch_jaspar(config.motifs, release=config.jaspar_release)
    longest = max(m.width for m in motifs)
    if longest > config.length:
        raise MotifnetError(f"motif of {longest} bp does not fit in length {config.length}")
    background = _Background(config, rng)
    n_positive = round(config.n * config.positive_fraction)
    labels = rng.permutation(np.r_[np.ones(n_positive, int), np.zeros(config.n - n_positive, int)])
    digits = len(str(config.n))
    out = []
    for index in tqdm(range(config.n), desc="simulate", unit="seq", disable=not progress or None):
        sequence = background.draw()
        label = int(labels[index])
        if config.regime == "bag":
            sites = _bag_sites(config, motifs, sequence, rng) if label else []
        else:
            sites = _grammar_sites(config, motifs, sequence, label, rng)
        out.append(
            SimulatedSequence(
                f"sim{index:0{digits}d}", sequence.decode("ascii"), label, tuple(sites)
            )
        )
    return motifs, out


def truth_document(
    config: SimulationConfig, motifs: list[Motif], seqs: list[SimulatedSequence]
) -> dict:
    """The JSON truth: settings, motifs (with PPMs) and every sequence's label and sites."""
    return {
        "config": asdict(config),
        "motifs": [
            {"id": m.id, "name": m.name, "family": m.family, "ppm": np.round(m.ppm, 6).tolist()}
            for m in motifs
        ],
        "sequences": [
            {"id": s.id, "label": s.label, "sites": [asdict(site) for site in s.sites]}
            for s in seqs
        ],
    }


def motif_presence(seqs: list[SimulatedSequence], motifs: list[Motif]) -> dict[str, list[int]]:
    """Per motif name, 1 where a sequence holds a site of it, else 0 (multi-task labels)."""
    return {m.name: [int(any(t.motif_id == m.id for t in s.sites)) for s in seqs] for m in motifs}


def write_simulation(
    config: SimulationConfig,
    motifs: list[Motif],
    seqs: list[SimulatedSequence],
    outdir: str | Path,
    *,
    fmt: str = "fasta",
) -> list[Path]:
    """Write ``positive.fa``/``negative.fa`` (fmt='fasta'), ``sequences.csv`` (fmt='csv') or a
    small genome with the sequences placed in it (fmt='genome': ``genome.fa``, ``peaks.bed`` of
    the positives, ``background.bed`` of the negatives, ``variants.vcf`` of SNVs whose effect
    is known), plus ``truth.json``; every file atomically. Returns the paths written."""
    outdir = Path(outdir)
    written = []
    if fmt == "fasta":
        for name, label in (("positive.fa", 1), ("negative.fa", 0)):
            records = (Record(s.id, s.sequence, _site_summary(s)) for s in seqs if s.label == label)
            write_fasta(records, outdir / name)
            written.append(outdir / name)
    elif fmt == "csv":
        table = pd.DataFrame(
            {
                "id": [s.id for s in seqs],
                "sequence": [s.sequence for s in seqs],
                "label": [s.label for s in seqs],
                **motif_presence(seqs, motifs),
            }
        )
        with atomic_write(outdir / "sequences.csv") as handle:
            table.to_csv(handle, index=False)
        written.append(outdir / "sequences.csv")
    elif fmt == "genome":
        written += _write_genome(seqs, motifs, outdir, seed=config.seed)
    else:
        raise MotifnetError(f"format must be 'fasta', 'csv' or 'genome', not {fmt!r}")
    with atomic_write(outdir / "truth.json") as handle:
        json.dump(truth_document(config, motifs, seqs), handle, indent=1)
    written.append(outdir / "truth.json")
    return written


GENOME_SPACER = 50  # random bases between two placed sequences


def _write_genome(
    seqs: list[SimulatedSequence], motifs: list[Motif], outdir: Path, *, seed: int
) -> list[Path]:
    """The sequences placed one after another, with random spacers, on two chromosomes, a
    BED (name: the sequence id of truth.json) of where the positives and negatives lie, and
    variants.vcf (see ``_variants``)."""
    rng = np.random.default_rng(seed)
    chromosomes: dict[str, list[str]] = {"chr1": [], "chr2": []}
    intervals: dict[int, list[str]] = {1: [], 0: []}
    sizes = dict.fromkeys(chromosomes, 0)
    placed = []
    for i, seq in enumerate(seqs):
        chrom = "chr1" if i % 2 == 0 else "chr2"
        spacer = "".join(rng.choice(list("ACGT"), GENOME_SPACER))
        start = sizes[chrom] + GENOME_SPACER
        chromosomes[chrom] += [spacer, seq.sequence]
        sizes[chrom] = start + len(seq.sequence)
        intervals[seq.label].append(f"{chrom}\t{start}\t{sizes[chrom]}\t{seq.id}\t0\t+\n")
        placed.append((chrom, start, seq))
    genome = [Record(name, "".join(parts)) for name, parts in chromosomes.items()]
    write_fasta(genome, outdir / "genome.fa", width=80)
    for name, label in (("peaks.bed", 1), ("background.bed", 0)):
        with atomic_write(outdir / name) as handle:
            handle.writelines(intervals[label])
    with atomic_write(outdir / "variants.vcf") as handle:
        handle.write("##fileformat=VCFv4.2\n")
        handle.writelines(f"##contig=<ID={name},length={size}>\n" for name, size in sizes.items())
        handle.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        handle.writelines(
            f"{chrom}\t{pos}\t{name}\t{ref}\t{alt}\t.\t.\t.\n"
            for chrom, pos, name, ref, alt in sorted(_variants(placed, motifs))
        )
    return [outdir / n for n in ("genome.fa", "peaks.bed", "background.bed", "variants.vcf")]


_COMPLEMENT = str.maketrans("ACGT", "TGCA")


def _variants(placed, motifs: list[Motif]) -> list[tuple[str, int, str, str, str]]:
    """SNVs with a known answer: in every planted site, its motif's most informative base
    changed to the base the motif likes least there (ID ``loss:SEQ:MOTIF``; a loss of
    binding), and near the centre of every sequence without sites an SNV that changes no
    motif's best match over it by ``NEUTRAL_BITS`` or more (ID ``neutral:SEQ``; a fixed
    substitution at the centre could turn a partial site into a good one, best CTCF log-odds
    1.3 -> 7.9 of 22.6 seen, which a faithful model rightly scores). (chrom, 1-based position,
    id, ref, alt)."""
    by_id = {m.id: m for m in motifs}
    variants = []
    for chrom, offset, seq in placed:
        for site in seq.sites:
            ppm = by_id[site.motif_id].ppm
            column = int((2 + (ppm * np.log2(np.where(ppm > 0, ppm, 1))).sum(axis=0)).argmax())
            order = [_BASES[i : i + 1].tobytes().decode() for i in np.argsort(ppm[:, column])]
            index = site.start + column if site.strand == "+" else site.end - 1 - column
            ref = seq.sequence[index]
            if site.strand == "-":
                order = [base.translate(_COMPLEMENT) for base in order]
            alt = next(base for base in order if base != ref)
            variants.append((chrom, offset + index + 1, f"loss:{seq.id}:{site.name}", ref, alt))
        if not seq.sites:
            index, alt = _neutral_snv(motifs, seq.sequence)
            ref = seq.sequence[index]
            variants.append((chrom, offset + index + 1, f"neutral:{seq.id}", ref, alt))
    return variants


NEUTRAL_BITS = 1.0  # a neutral SNV changes no motif's best log-odds over it by this much


def _neutral_snv(motifs: list[Motif], sequence: str) -> tuple[int, str]:
    """(index, alt) of the SNV nearest the centre of ``sequence`` that changes no motif's best
    match over it by ``NEUTRAL_BITS``; the centre with its least-changing base if none does."""
    centre = len(sequence) // 2
    fallback = None
    for step in range(len(sequence)):
        index = centre + (step + 1) // 2 * (1 if step % 2 else -1)
        if not 0 <= index < len(sequence):
            continue
        alts = [base for base in "ACGT" if base != sequence[index]]
        change, alt = min((_largest_change(motifs, sequence, index, a), a) for a in alts)
        if change < NEUTRAL_BITS:
            return index, alt
        fallback = fallback or (index, alt)
    return fallback


def _largest_change(motifs: list[Motif], sequence: str, index: int, alt: str) -> float:
    """The largest change, over ``motifs``, of the best log-odds of any window over ``index``
    (either strand) when the base there becomes ``alt``."""
    changed = sequence[:index] + alt + sequence[index + 1 :]
    largest = 0.0
    for motif in motifs:
        start = max(0, index - motif.width + 1)
        end = min(len(sequence), index + motif.width)
        scores = [_best_log_odds(motif, s[start:end]) for s in (sequence, changed)]
        largest = max(largest, abs(scores[1] - scores[0]))
    return largest


def _best_log_odds(motif: Motif, window: str) -> float:
    """The best log-odds of ``motif`` over ``window`` on either strand (-inf if too short)."""
    if len(window) < motif.width:
        return -np.inf
    x = one_hot([window])[0].astype(np.float64)  # (4, L)
    odds = motif.log_odds()
    return max(
        float(np.einsum("cw,cnw->n", odds, sliding_window_view(strand, motif.width, axis=1)).max())
        for strand in (x, x[::-1, ::-1])
    )


def _site_summary(seq: SimulatedSequence) -> str:
    sites = ",".join(f"{s.name}:{s.strand}:{s.start}-{s.end}" for s in seq.sites)
    return f"label={seq.label}" + (f" sites={sites}" if sites else "")
