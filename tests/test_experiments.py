"""In-silico experiments: variant effects (`motifnet variants`) and marginalization
(`motifnet experiment`), from the readers up to what trained models are shown to have learned."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from motifnet.checkpoint import TrainedModel
from motifnet.cli import main
from motifnet.errors import InputError
from motifnet.experiments.marginalize import (
    Implant,
    implant,
    motif_effects,
    pair_grid,
    random_backgrounds,
)
from motifnet.experiments.outputs import read_experiment
from motifnet.experiments.variants import allele_windows
from motifnet.io import Record, write_fasta
from motifnet.io.bed import open_genome
from motifnet.io.variants import Variant, read_variants

CHROM = "".join("ACGT"[(i * 7 + i // 5) % 4] for i in range(300))
HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"


@pytest.fixture
def genome(tmp_path) -> Path:
    path = tmp_path / "genome.fa"
    write_fasta([Record("chr1", CHROM), Record("chr2", CHROM[::-1])], path)
    return path


def _vcf(tmp_path: Path, lines: list[str], name: str = "v.vcf") -> Path:
    path = tmp_path / name
    text = HEADER + "".join("\t".join(map(str, line)) + "\t.\t.\t.\n" for line in lines)
    path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
    return path


def test_vcf_records_give_one_variant_per_alternative_allele_in_order(tmp_path):
    path = _vcf(tmp_path, [("chr1", 5, "a", "G", "A,T"), ("chr2", 9, ".", "AC", "A")], "v.vcf.gz")
    variants = list(read_variants(path))
    assert [(v.chrom, v.pos, v.id, v.ref, v.alt) for v in variants] == [
        ("chr1", 5, "a", "G", "A"),
        ("chr1", 5, "a", "G", "T"),
        ("chr2", 9, ".", "AC", "A"),
    ]
    assert [v.line for v in variants] == [3, 3, 4]
    from Bio import bgzf  # bgzip (blocked gzip, as tabix-indexed VCFs are) reads the same

    blocked = tmp_path / "v.vcf.bgz"
    with bgzf.BgzfWriter(str(blocked), "wb") as writer:
        writer.write(gzip.decompress(path.read_bytes()))
    assert list(read_variants(blocked)) == variants


def test_a_ref_alt_table_reads_like_a_vcf(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("chrom,pos,ref,alt,id\nchr1,5,G,A,rs1\nchr1,6,T,C,rs2\n")
    assert [(v.pos, v.id) for v in read_variants(path)] == [(5, "rs1"), (6, "rs2")]


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty"),
        (HEADER, "only header"),
        (HEADER + "chr1\t5\t.\tG\n", "at least CHROM, POS, ID, REF and ALT"),
        (HEADER + "chr1\tfive\t.\tG\tA\n", "POS must be"),
        ("chrom\tpos\tref\nchr1\t5\tG\n", "lacks alt"),
        ("chrom\tpos\tref\talt\nchr1\t5\tG\n", r"column\(s\) where the header has 4"),
    ],
)
def test_unreadable_variant_files_are_named_with_their_line(tmp_path, text, reason):
    path = tmp_path / "bad.vcf"
    path.write_text(text)
    with pytest.raises(InputError, match=reason) as caught:
        list(read_variants(path))
    assert str(path) in str(caught.value)


@settings(max_examples=60, deadline=None)
@given(
    pos=st.integers(1, 300),
    ref_len=st.integers(1, 4),
    alt=st.text("ACGT", min_size=1, max_size=6),
    length=st.integers(10, 40),
)
def test_allele_windows_keep_the_left_flank_and_put_the_variant_at_the_centre(
    tmp_path_factory, pos, ref_len, alt, length
):
    path = tmp_path_factory.getbasetemp() / "windows.fa"
    if not path.exists():
        write_fasta([Record("chr1", CHROM)], path)
    genome = open_genome(path)
    ref = CHROM[pos - 1 : pos - 1 + ref_len]
    variant = Variant("chr1", pos, ".", ref, alt, 1)
    ref_window, alt_window = allele_windows(variant, genome, length)
    half = length // 2
    assert len(ref_window) == len(alt_window) == length
    padded = "N" * length + CHROM + "N" * length
    start = pos - 1 + length - half
    assert ref_window == padded[start : start + length]
    assert alt_window[:half] == ref_window[:half]
    assert alt_window[half:].startswith(alt[: length - half])
    after = pos - 1 + ref_len + length
    assert alt_window[half + len(alt) :] == padded[after : after + length - half - len(alt)]


def _linear_model(length: int) -> TrainedModel:
    """A model linear in its input: implanted motifs add exactly, so cooperativity is 0."""
    torch.manual_seed(0)
    network = nn.Sequential(nn.Conv1d(4, 1, 5), nn.Flatten(), nn.Linear(length - 4, 1))
    return TrainedModel(network.eval(), length, ("task",), "binary")


def test_implant_writes_the_bases_in_place():
    assert implant(["AAAAAA", "CCCCCC"], "GT", 2) == ["AAGTAA", "CCGTCC"]


def test_a_linear_model_has_no_cooperativity_and_effects_add_up():
    trained = _linear_model(60)
    backgrounds = random_backgrounds(8, 60, seed=1)
    a, b = Implant("A", "GATTACA"), Implant("B", "CCGGT")
    grid = pair_grid(trained, backgrounds, a, b, spacings=range(0, 30, 3))
    assert grid.pair.shape == (4, 10)
    assert np.abs(grid.cooperativity).max() < 1e-4
    assert np.allclose(grid.pair, grid.first_alone + grid.second_alone, atol=1e-4)
    effects = motif_effects(trained, backgrounds, [a])
    assert effects[0].n == 8 and effects[0].bases == "GATTACA"


def test_the_pair_is_placed_where_the_grid_says():
    """A model that reads one position: the pair effect is non-zero only at the spacings that
    put a base of B there, so spacings and placement are what the rows claim."""
    length = 40
    network = nn.Sequential(nn.Flatten(), nn.Linear(4 * length, 1, bias=False))
    with torch.no_grad():
        network[1].weight.zero_()
        network[1].weight[0, 2 * length + 30] = 1.0  # G at position 30
    trained = TrainedModel(network.eval(), length, ("task",), "binary")
    backgrounds = ["A" * length] * 2
    grid = pair_grid(trained, backgrounds, Implant("A", "TT"), Implant("B", "G"))
    # the pair (2 + s + 1 bp) starts at (37 - s) // 2; B's G lies at that + 2 + s
    hits = [s for s in grid.spacings if (length - 3 - s) // 2 + 2 + s == 30]
    assert hits and set(np.flatnonzero(grid.pair[0] > 0.5)) == set(hits)
    assert np.allclose(grid.pair[0, hits], 1.0)


def test_experiment_cli_writes_tables_plot_and_summary(ctcf, tmp_path, capsys):
    out = tmp_path / "exp"
    argv = ["experiment", str(ctcf / "run/model.ckpt"), "CTCF", "GATTACA", "-o", str(out)]
    assert main([*argv, "-n", "10", "--max-spacing", "20", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "strongest pair" in err and "Traceback" not in err
    assert {p.name for p in out.iterdir()} == {
        "singles.tsv",
        "pairs.tsv",
        "grammar.png",
        "summary.json",
    }
    pairs = (out / "pairs.tsv").read_text().splitlines()
    assert pairs[0].split("\t")[:3] == ["orientation", "spacing", "pair_effect"]
    assert len(pairs) == 1 + 4 * 21
    summary = json.loads((out / "summary.json").read_text())
    assert [s["name"] for s in summary["singles"]] == ["CTCF", "GATTACA"]
    strongest = summary["pair"]["strongest"]
    assert read_experiment(out).strongest()[:2] == (strongest["orientation"], strongest["spacing"])
    assert summary["singles"][0]["forward"] > 2, "the CTCF model does not respond to CTCF"
    assert abs(summary["singles"][1]["forward"]) < summary["singles"][0]["forward"]


def test_experiment_takes_the_top_motifs_of_a_motif_file(ctcf, tmp_path, capsys):
    from motifnet.motifs import fetch_jaspar
    from motifnet.motifs.meme import write_meme

    meme = tmp_path / "motifs.meme"
    write_meme(fetch_jaspar(["CTCF", "SOX2", "GATA1"]), meme)
    out = tmp_path / "exp"
    options = ["--motifs", str(meme), "-o", str(out), "-n", "4", "--max-spacing", "2", "--quiet"]
    assert main(["experiment", str(ctcf / "run/model.ckpt"), *options]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert [s["name"] for s in summary["singles"]] == ["CTCF", "SOX2"]
    # names may also follow the options
    assert main(["experiment", str(ctcf / "run/model.ckpt"), *options, "NOT_A_MOTIF_ANYWHERE"]) == 2
    assert "no motif 'NOT_A_MOTIF_ANYWHERE'" in capsys.readouterr().err


def _planted_sites(folder: Path) -> list[tuple[str, int, int]]:
    """(chrom, start, end) of every planted CTCF site of the fixture's genome."""
    truth = json.loads((folder / "genome/truth.json").read_text())["sequences"]
    truth = {s["id"]: s["sites"] for s in truth}
    sites = []
    for line in (folder / "genome/peaks.bed").read_text().splitlines():
        chrom, start, _, name = line.split("\t")[:4]
        sites += [(chrom, int(start) + s["start"], int(start) + s["end"]) for s in truth[name]]
    return sites


@pytest.mark.slow
def test_variants_in_planted_cores_lose_binding_and_neutral_ones_do_nothing(ctcf, tmp_path):
    """`motifnet simulate --format genome` writes variants.vcf: in every planted CTCF site the
    motif's most informative base changed to its least likely one (loss:...), and one SNV at
    the centre of every stretch without a site (neutral:...)."""
    genome = ctcf / "genome"
    out = tmp_path / "effects.tsv"
    argv = ["variants", str(ctcf / "run/model.ckpt"), str(genome / "variants.vcf")]
    assert main([*argv, "-g", str(genome / "genome.fa"), "-o", str(out), "--quiet"]) == 0
    rows = [line.split("\t") for line in out.read_text().splitlines()]
    header, rows = rows[0], rows[1:]
    assert {r[header.index("status")] for r in rows} == {"ok"}
    odds = header.index("positive_log2_odds_ratio")
    loss = np.array([float(r[odds]) for r in rows if r[2].startswith("loss:")])
    neutral = np.array([float(r[odds]) for r in rows if r[2].startswith("neutral:")])
    assert len(loss) >= 40 and len(neutral) >= 40
    # a loss of binding at nearly every planted core (the odds fall by 8x or more at most);
    # a mutation outside any site moves them by a small fraction of that
    assert (loss < -1).mean() >= 0.9, loss
    assert np.median(loss) <= -3, loss
    assert np.median(np.abs(neutral)) < 0.5, neutral
    assert np.median(np.abs(loss)) >= 10 * np.median(np.abs(neutral))
    assert (np.abs(neutral) < 1).mean() >= 0.9, neutral


def test_variants_keep_one_row_per_record_and_say_why_some_are_not_scored(ctcf, tmp_path, capsys):
    genome_path = ctcf / "genome/genome.fa"
    genome = open_genome(genome_path)
    chrom, start, end = _planted_sites(ctcf)[0]
    base = genome[chrom][start].upper()
    other = "ACGT"[("ACGT".index(base) + 1) % 4]
    deletion = genome[chrom][start : start + 4].upper()
    lines = [
        (chrom, start + 1, "multi", base, f"{other},<DEL>,*"),
        (chrom, start + 1, "mismatch", other, base),
        ("chrMissing", 10, "missing", "A", "G"),
        (chrom, start + 1, "deletion", deletion, deletion[0]),
        (chrom, start + 1, "insertion", base, base + "ACGTAC"),
        (chrom, 10**9, "outside", "A", "G"),
        (chrom, start + 1, "long", base, base + "A" * 80),
    ]
    vcf = _vcf(tmp_path, lines)
    site_bed = tmp_path / "sites.bed"
    site_bed.write_text(f"{chrom}\t{start}\t{end}\tCTCF_site\t0\t+\n")
    out = tmp_path / "effects.tsv"
    argv = ["variants", str(ctcf / "run/model.ckpt"), str(vcf), "-g", str(genome_path)]
    assert main([*argv, "-o", str(out), "--sites", str(site_bed), "--strands"]) == 0
    err = capsys.readouterr().err
    rows = [line.split("\t") for line in out.read_text().splitlines()]
    header, rows = rows[0], rows[1:]
    status, sites = header.index("status"), header.index("sites")
    assert [(r[2], r[4], r[status]) for r in rows] == [
        ("multi", other, "ok"),
        ("multi", "<DEL>", "symbolic_allele"),
        ("multi", "*", "symbolic_allele"),
        ("mismatch", base, "ref_mismatch"),
        ("missing", "G", "unknown_chrom"),
        ("deletion", deletion[0], "ok"),
        ("insertion", base + "ACGTAC", "ok"),
        ("outside", "G", "outside_chrom"),
        ("long", base + "A" * 80, "too_long"),
    ]
    assert rows[3][header.index("genome_ref")] == base
    assert rows[0][sites] == "CTCF_site" and rows[4][sites] == "."
    scored = [r for r in rows if r[status] == "ok"]
    assert all(r[header.index("positive_diff_fwd")] != "" for r in scored)
    assert all(r[header.index("positive_diff")] == "" for r in rows if r[status] != "ok")
    assert "9 variants: 3 scored" in err
    assert f"line 4: {chrom}:{start + 1} {other}>{base}, the genome has {base}" in err
    assert "1 unknown_chrom" in err and "Traceback" not in err


def _trained_on(regime: str, folder: Path) -> TrainedModel:
    """An rc_cnn trained for 10 epochs on 4,000 simulated 100 bp sequences with GATA1 and
    SOX2 planted: as a bag of motifs, or by the grammar rule (GATA1 then SOX2, 2-10 bp). It is
    pooled by 4 with two blocks: a receptive field (55 bp) that spans the pair, and half the
    training time of the stride-1 default (the experiment, not the model, is under test)."""
    from motifnet.checkpoint import load_trained
    from motifnet.config import make_config
    from motifnet.simulate import SimulationConfig, simulate, write_simulation
    from motifnet.train import train

    simulation = SimulationConfig(
        regime=regime, motifs=("GATA1", "SOX2"), n=4000, length=100, seed=1
    )
    write_simulation(simulation, *simulate(simulation, progress=False), folder / "data")
    data = {"pos": [str(folder / "data/positive.fa")], "neg": [str(folder / "data/negative.fa")]}
    config = make_config(
        {
            "train": data,
            "architecture": "rc_cnn",
            "model": {"pool": 4, "depth": 2, "global_pool": "max"},
            "max_epochs": 10,
            "outdir": str(folder / "run"),
        }
    )
    train(config, progress=False)
    return load_trained(folder / "run/model.ckpt")


@pytest.mark.slow
def test_the_pair_experiment_finds_the_grammar_rule_and_no_preference_in_a_bag(tmp_path):
    from motifnet.motifs import fetch_jaspar

    gata1, sox2 = (Implant.from_motif(m) for m in fetch_jaspar(["GATA1", "SOX2"]))
    backgrounds = random_backgrounds(100, 100, seed=5)
    grids = {}
    for regime in ("grammar", "bag"):
        trained = _trained_on(regime, tmp_path / regime)
        grids[regime] = pair_grid(trained, backgrounds, gata1, sox2, spacings=range(61))
    orientation, spacing, _ = grids["grammar"].strongest()
    assert orientation == "++" and 2 <= spacing <= 10, grids["grammar"].strongest()
    assert grids["grammar"].spacing_preference() > 0.5
    assert grids["bag"].spacing_preference() < 0.5, grids["bag"].strongest()
