"""End to end: models trained with default settings on simulated data report the planted motifs,
each once, and nothing else by name.

The simulator plants real JASPAR motifs into random DNA and writes the truth. `motifnet train`
with its defaults, then `motifnet motifs` against all of JASPAR CORE vertebrates, must
- name each planted motif (by its own name or, where JASPAR holds paralogs Tomtom cannot tell
  apart, SOX2 and Sox17, by its family): the most influential distinct motifs are the planted
  ones, each once;
- give no distinct motif a significant best match outside the planted TFs' families;
- find the planted CTCF sites (recall >= 90% at an estimated FDR of 10%);
- on data without CTCF, let fewer than 5% of the learned motifs best-match a CTCF matrix.
"""

from __future__ import annotations

import csv
import json

import pytest

from motifnet.cli import main
from motifnet.io import read_fasta
from motifnet.motifs import fetch_jaspar
from motifnet.motifs.sites import site_recall
from motifnet.simulate import SimulationConfig, simulate, write_simulation
from motifnet.summary import planted_motifs, read_clusters, recovery


def _simulated(folder, motifs: tuple[str, ...], n: int):
    config = SimulationConfig(n=n, length=100, max_sites=4, motifs=motifs, seed=0)
    write_simulation(config, *simulate(config, progress=False), folder)
    return folder


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return _simulated(tmp_path_factory.mktemp("recovery"), ("CTCF", "GATA1", "SOX2"), 8000)


def _rows(path) -> list[dict]:
    with open(path) as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _train_and_explain(simulated, run, arch: str) -> None:
    data = ["--pos", str(simulated / "positive.fa"), "--neg", str(simulated / "negative.fa")]
    assert main(["train", *data, "--architecture", arch, "-o", str(run), "--quiet"]) == 0
    positives = str(simulated / "positive.fa")
    motifs = ["motifs", str(run / "model.ckpt"), positives, "-o", str(run / "motifs")]
    motifs += ["--max-sequences", "2000", "--quiet"]
    assert main(motifs) == 0


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["cnn", "rc_cnn"])
def test_default_model_names_each_planted_motif_once_and_finds_its_sites(demo, tmp_path, arch):
    run = tmp_path / arch
    _train_and_explain(demo, run, arch)
    planted = planted_motifs(demo / "truth.json")
    clusters = read_clusters(run / "motifs" / "clusters.tsv")
    found = recovery(clusters, planted)
    assert all(found.values()), f"{arch}: {found}"
    families = {m["family"] for m in planted}
    top = clusters[: len(planted)]  # the most influential distinct motifs: each planted one once
    assert all(c["named"] for c in top), top
    assert sorted(c["known_family"] for c in top) == sorted(families), top
    named = [c for c in clusters if c["named"]]
    significant = [c for c in clusters if c["known_id"] and c["q"] < 0.05]
    assert {c["known_family"] for c in significant} <= families, significant
    truth = json.loads((demo / "truth.json").read_text())
    explained = {r.id for r in list(read_fasta(demo / "positive.fa"))[:2000]}
    ctcf = next(c["motif"] for c in named if c["known_name"] == "CTCF")
    sites = [
        (r["record"], int(r["start"]), int(r["end"]))
        for r in _rows(run / "motifs" / "sites.tsv")
        if r["motif"] == ctcf and r["source"] == "fimo"
    ]
    planted_sites = [
        (s["id"], site["start"], site["end"])
        for s in truth["sequences"]
        if s["id"] in explained and s["label"] == 1
        for site in s["sites"]
        if site["name"] == "CTCF"
    ]
    recall, false = site_recall(sites, planted_sites)
    assert recall >= 0.9 and false <= 0.1, (recall, false)


@pytest.mark.slow
def test_without_ctcf_planted_few_learned_motifs_match_ctcf(tmp_path):
    simulated = _simulated(tmp_path / "data", ("GATA1", "SOX2", "KLF4"), 4000)
    run = tmp_path / "cnn"
    _train_and_explain(simulated, run, "cnn")
    ctcf = {m.id for m in fetch_jaspar(["MA0139", "MA1929", "MA1930"])}
    best = {c["motif"]: c for c in read_clusters(run / "motifs" / "clusters.tsv")}
    learned = _rows(run / "motifs" / "motifs.tsv")
    matching_ctcf = [
        m
        for m in learned
        if m["cluster"] in best
        and best[m["cluster"]]["known_id"] in ctcf
        and best[m["cluster"]]["q"] < 0.05
    ]
    assert len(matching_ctcf) < 0.05 * len(learned), matching_ctcf
