import json

import numpy as np
import pytest

from motifnet.errors import MotifnetError
from motifnet.io import read_fasta, read_table
from motifnet.io.bed import open_genome
from motifnet.motifs import Motif, fetch_jaspar
from motifnet.sequence import reverse_complement
from motifnet.simulate import SimulationConfig, simulate, write_simulation


def _score(motif: Motif, bases: str) -> float:
    rows = ["ACGT".index(b) for b in bases]
    return float(motif.log_odds()[rows, np.arange(len(rows))].sum())


def _check_truth(outdir, sequences):
    truth = json.loads((outdir / "truth.json").read_text())
    motifs = {m["id"]: Motif(m["id"], m["name"], np.array(m["ppm"])) for m in truth["motifs"]}
    assert {s["id"] for s in truth["sequences"]} == set(sequences)
    fractions, strand_right = [], []
    for entry in truth["sequences"]:
        sequence = sequences[entry["id"]]
        for site in entry["sites"]:
            assert sequence[site["start"] : site["end"]] == site["bases"]
            motif = motifs[site["motif_id"]]
            oriented = site["bases"] if site["strand"] == "+" else reverse_complement(site["bases"])
            best = motif.log_odds().max(axis=0).sum()
            fractions.append(_score(motif, oriented) / best)
            strand_right.append(
                _score(motif, oriented) > _score(motif, reverse_complement(oriented))
            )
    # sites are samples of the PPM on the stated strand: they score near the consensus, and
    # better on their own strand than on the other
    assert np.median(fractions) > 0.5
    assert np.mean(strand_right) > 0.9
    return truth


def test_bag_truth_matches_sequences(tmp_path):
    config = SimulationConfig(n=60, length=120, seed=3)
    motifs, seqs = simulate(config, progress=False)
    assert [m.name for m in motifs] == ["CTCF", "GATA1", "SOX2"]
    write_simulation(config, motifs, seqs, tmp_path)
    positives = {r.id: r.sequence for r in read_fasta(tmp_path / "positive.fa")}
    negatives = {r.id: r.sequence for r in read_fasta(tmp_path / "negative.fa")}
    assert len(positives) == 30 and len(negatives) == 30
    truth = _check_truth(tmp_path, positives | negatives)
    for entry in truth["sequences"]:
        assert (len(entry["sites"]) > 0) == (entry["label"] == 1) == (entry["id"] in positives)
        assert len(entry["sites"]) <= config.max_sites
    strands = {site["strand"] for e in truth["sequences"] for site in e["sites"]}
    assert strands == {"+", "-"}


def test_grammar_order_and_spacing_decide_the_class(tmp_path):
    config = SimulationConfig(regime="grammar", n=80, length=100, seed=1)
    motifs, seqs = simulate(config, progress=False)
    write_simulation(config, motifs, seqs, tmp_path, fmt="csv")
    table = read_table(tmp_path / "sequences.csv")
    assert table.label_names == ["label", "GATA1", "SOX2"]
    assert all(r.labels[1:] == (1.0, 1.0) for r in table.records)  # both motifs everywhere
    truth = _check_truth(tmp_path, {r.id: r.sequence for r in table.records})
    first, second = (m.id for m in motifs)
    for entry in truth["sequences"]:
        a, b = entry["sites"]
        assert a["strand"] == b["strand"]
        ordered = [a["motif_id"], b["motif_id"]]
        if a["strand"] == "-":
            ordered.reverse()
        gap = b["start"] - a["end"]
        positive_layout = ordered == [first, second] and config.gap[0] <= gap <= config.gap[1]
        assert positive_layout == (entry["label"] == 1)


def test_simulation_is_seeded():
    config = SimulationConfig(n=20, length=80, seed=7)
    assert simulate(config, progress=False)[1] == simulate(config, progress=False)[1]
    other = SimulationConfig(n=20, length=80, seed=8)
    assert simulate(config, progress=False)[1] != simulate(other, progress=False)[1]


def test_shuffled_background(tmp_path):
    source = tmp_path / "bg.fa"
    source.write_text(">a\n" + "ACGTTGCA" * 40 + "\n>short\nACGT\n")
    config = SimulationConfig(
        n=10, length=50, motifs=("SOX2",), background="shuffle", background_fasta=str(source)
    )
    _, seqs = simulate(config, progress=False)
    assert all(len(s.sequence) == 50 for s in seqs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"regime": "grammar", "motifs": ("CTCF",)}, "exactly 2 motifs"),
        ({"regime": "chaos"}, "regime must be one of"),
        ({"background": "shuffle"}, "needs background_fasta"),
        ({"gap": (5, 2)}, "gap must be a range"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(MotifnetError, match=message):
        SimulationConfig(**kwargs)


def test_unknown_motif_and_too_short_length():
    with pytest.raises(MotifnetError, match="has no motif 'NOTATF'"):
        fetch_jaspar(["NOTATF"])
    with pytest.raises(MotifnetError, match="does not fit"):
        simulate(SimulationConfig(n=4, length=10, motifs=("CTCF",)), progress=False)


def _best(motif: Motif, window: str) -> float:
    """The best log-odds of any placement of ``motif`` in ``window``, either strand."""
    return max(
        _score(motif, strand[i : i + motif.width])
        for strand in (window, reverse_complement(window))
        for i in range(len(window) - motif.width + 1)
    )


def test_neutral_variants_change_no_motif_match(tmp_path):
    """A neutral SNV (outside every site) must not make or break a partial site: no planted
    motif's best log-odds over it moves by a bit or more."""
    config = SimulationConfig(n=80, length=100, max_sites=1, motifs=("CTCF", "GATA1"), seed=4)
    motifs, seqs = simulate(config, progress=False)
    write_simulation(config, motifs, seqs, tmp_path, fmt="genome")
    genome = open_genome(tmp_path / "genome.fa")
    lines = (tmp_path / "variants.vcf").read_text().splitlines()
    variants = [line.split("\t")[:5] for line in lines if not line.startswith("#")]
    neutral = [v for v in variants if v[2].startswith("neutral:")]
    assert len(neutral) == sum(not s.sites for s in seqs) and neutral
    for chrom, pos, _, ref, alt in neutral:
        index = int(pos) - 1
        for motif in motifs:
            start = max(0, index - motif.width + 1)
            window = str(genome[chrom][start : index + motif.width]).upper()
            assert window[index - start] == ref
            changed = window[: index - start] + alt + window[index - start + 1 :]
            assert abs(_best(motif, changed) - _best(motif, window)) < 1, (chrom, pos, motif.name)
