import numpy as np
import pytest
import torch
from conftest import motif_report
from memelite.io import read_meme

from motifnet.motifs import fetch_jaspar
from motifnet.motifs.filters import filter_motifs, information_content, trim
from motifnet.motifs.matching import benjamini_hochberg, match_motifs
from motifnet.motifs.meme import read_motifs, write_meme
from motifnet.nn.registry import build
from motifnet.sequence import one_hot, reverse_complement


def test_meme_round_trip_and_memelite_reads_it(tmp_path):
    motifs = fetch_jaspar(["CTCF", "SOX2"])
    path = tmp_path / "m.meme"
    assert write_meme(motifs, path) == 2
    back = read_motifs(path)
    assert [m.id for m in back] == ["MA0139.2", "MA0143.5"] and back[0].name == "CTCF"
    for a, b in zip(motifs, back, strict=True):
        np.testing.assert_allclose(a.ppm, b.ppm, atol=1e-5)
    theirs = read_meme(str(path))
    np.testing.assert_allclose(next(iter(theirs.values())), motifs[0].ppm, atol=1e-5)


def test_jaspar_format_is_read(tmp_path):
    path = tmp_path / "m.jaspar"
    path.write_text(">MA9999.1 TEST\nA [ 10 0 0 ]\nC [ 0 10 0 ]\nG [ 0 0 5 ]\nT [ 0 0 5 ]\n")
    (motif,) = read_motifs(path)
    assert motif.id == "MA9999.1" and motif.name == "TEST"
    np.testing.assert_allclose(motif.ppm[:, 2], [0, 0, 0.5, 0.5])


def test_malformed_motif_files_are_named(tmp_path):
    from motifnet.errors import InputError

    path = tmp_path / "bad.meme"
    path.write_text(
        "MEME version 4\n\nMOTIF m1\nletter-probability matrix: w= 3\n0.25 0.25 0.25 0.25\n"
    )
    with pytest.raises(InputError, match="motif m1: bad matrix"):
        read_motifs(path)
    path.write_text("nothing here\n")
    with pytest.raises(InputError, match="no motifs in the file"):
        read_motifs(path)


def test_information_content_and_trimming():
    ppm = np.array([[0.25, 1, 0, 0.25], [0.25, 0, 1, 0.25], [0.25, 0, 0, 0.25], [0.25, 0, 0, 0.25]])
    np.testing.assert_allclose(information_content(ppm), [0, 2, 2, 0], atol=1e-9)
    trimmed, start = trim(ppm)
    assert start == 1 and trimmed.shape == (4, 2)


def test_q_values_are_monotone_and_bounded():
    p = np.array([[0.01, 0.04, 0.03, 0.5]])
    q = benjamini_hochberg(p)
    np.testing.assert_allclose(q, [[0.04, 0.16 / 3, 0.16 / 3, 0.5]])


def planted_model_and_data():
    """A cnn whose filter 0 is CTCF's log-odds, run on sequences where CTCF is planted."""
    ctcf = fetch_jaspar(["CTCF"])[0]
    torch.manual_seed(0)
    model = build(
        "cnn", filters=4, channels=4, filter_width=ctcf.width, batch_norm=False, depth=0, pool=1
    ).eval()
    with torch.no_grad():
        conv, head = model.trunk[0], model.head[-1]
        conv.weight.zero_()
        conv.bias.zero_()
        conv.weight[0] = torch.tensor(ctcf.log_odds(), dtype=torch.float32)
        conv.weight[1:] = torch.randn(3, 4, ctcf.width) * 0.1
        conv.bias[0] = -8
        head.weight.zero_()
        head.weight[0, 0] = 1.0
    rng = np.random.default_rng(0)
    seqs = []
    for i in range(300):
        seq = list(rng.choice(list("ACGT"), 100))
        if i % 2 == 0:
            rows = [rng.choice(4, p=column) for column in ctcf.ppm.T]
            site = "".join("ACGT"[r] for r in rows)
            site = site if i % 4 else reverse_complement(site)
            start = rng.integers(0, 100 - ctcf.width)
            seq[start : start + ctcf.width] = site
        seqs.append("".join(seq))
    return model, torch.from_numpy(one_hot(seqs))


def test_filter_motifs_recover_a_planted_motif_and_rank_by_influence():
    model, x = planted_model_and_data()
    found = filter_motifs(model, x, threshold=0.5)
    assert found[0].filter_index == 0
    assert found[0].influence > 0 and all(f.influence == 0 for f in found[1:])
    best = match_motifs(
        [found[0].motif],
        fetch_jaspar(["CTCF", "SOX2", "GATA1", "MA0079"])
        + fetch_jaspar(["MA0004", "MA0006", "MA0019", "MA0025", "MA0030"]),
        top=1,
    )[0]
    assert best.target_name == "CTCF" and best.q < 0.05


def test_an_exponential_filter_keeps_the_variation_of_its_sites():
    """Sites pass on the filter's score, not its exponential activation: half of exp's peak
    keeps only exact consensus sites (a PPM of 0.99s that Tomtom matches poorly), while GATA1's
    planted sites carry T in a third of its A/T column."""
    gata1 = fetch_jaspar(["GATA1"])[0]
    column = 2  # A 0.69, T 0.29
    assert gata1.ppm[0, column] > 0.6 and gata1.ppm[3, column] > 0.25
    model = build(
        "cnn", filters=1, filter_width=gata1.width, batch_norm=False, depth=0, pool=1
    ).eval()
    assert model.config.first_activation == "exp"
    with torch.no_grad():
        model.trunk[0].weight[0] = torch.tensor(gata1.log_odds(), dtype=torch.float32)
        model.trunk[0].bias.zero_()
    rng = np.random.default_rng(0)
    seqs = []
    for _ in range(400):
        seq = list(rng.choice(list("ACGT"), 60))
        site = "".join("ACGT"[rng.choice(4, p=c)] for c in gata1.ppm.T)
        start = rng.integers(0, 60 - gata1.width)
        seq[start : start + gata1.width] = site
        seqs.append("".join(seq))
    (found,) = filter_motifs(model, torch.from_numpy(one_hot(seqs)), influence_sample=10)
    ppm = found.motif.ppm
    assert ppm.shape == gata1.ppm.shape
    assert 0.15 < ppm[3, column] < 0.45, ppm[:, column]
    assert np.abs(ppm - gata1.ppm).max() < 0.2, ppm


def test_rc_model_reports_each_filter_pair_once():
    torch.manual_seed(0)
    model = build("rc_cnn", filters=3, channels=4).eval()
    found = filter_motifs(model, torch.from_numpy(one_hot(["ACGT" * 30] * 20)), influence_sample=10)
    assert sorted(f.filter_index for f in found) == [0, 1, 2]
    with pytest.raises(ValueError, match="rnn has no motif scanners"):
        filter_motifs(build("rnn"), torch.zeros(2, 4, 50))


def test_cli_writes_distinct_motifs_matches_sites_logos_and_report(tmp_path):
    import re

    from motifnet.motifs.outputs import EXTRA_COLUMNS, TOMTOM_COLUMNS

    out = motif_report(tmp_path)
    clusters = [row.split("\t") for row in (out / "clusters.tsv").read_text().splitlines()]
    assert clusters[0][:4] == ["rank", "motif", "influence", "members"]
    assert [row[1] for row in clusters[1:]] == [f"motif{i}" for i in range(1, len(clusters))]
    influence = [float(row[2]) for row in clusters[1:]]
    assert influence == sorted(influence, reverse=True)
    listed = [row.split("\t") for row in (out / "motifs.tsv").read_text().splitlines()]
    assert listed[0] == [
        "motif", "kind", "cluster", "width", "sites", "information_bits", "influence"
    ]  # fmt: skip
    assert sorted(tuple(row[:2]) for row in listed[1:4]) == [
        (f"filter{i}", "filter") for i in range(3)
    ]
    motifs = read_motifs(out / "motifs.meme")
    assert [m.id for m in motifs[: len(clusters) - 1]] == [row[1] for row in clusters[1:]]
    assert len(motifs) == len(clusters) - 1 + len(listed) - 1
    header = (out / "matches.tsv").read_text().splitlines()[0].split("\t")
    assert header == list(TOMTOM_COLUMNS + EXTRA_COLUMNS)
    assert (out / "sites.tsv").read_text().startswith("record\tmotif\tstart\tend\tstrand")
    assert (out / "sites.bed").is_file()
    page = (out / "index.html").read_text()
    images = re.findall(r"src='([^']+)'", page)
    assert all((out / image).is_file() for image in images)
    assert "filter0" in page and "<code>" in page  # learned motifs, by consensus
    distinct = {f"logos/{row[1]}{end}.png" for row in clusters[1:] for end in ("", "_rc")}
    assert distinct <= set(images)
    assert len([i for i in images if i.startswith("attributions/")]) == 4
    with np.load(out / "attributions.npz") as saved:
        assert saved["one_hot"].shape == saved["hypothetical"].shape == (100, 4, 60)
    assert (out / "logos" / "overview.png").is_file() == (len(clusters) > 1)
    assert not list((out / "logos").glob("*.svg"))  # SVG only with --svg


def test_attributions_of_a_linear_model_are_its_centred_weights():
    from motifnet.motifs.attribution import attributions

    torch.manual_seed(0)
    weights = torch.randn(4, 12)

    class Linear(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(weights.clone())

        def forward(self, x):
            return (x * self.w).sum(dim=(1, 2))[:, None]

    x = torch.from_numpy(one_hot(["ACGTTGCAACGT", "GGGGCCCCAAAT"]))
    centred = (weights - weights.mean(dim=0, keepdim=True)).numpy()
    for method in ("gradient", "ism"):
        found = attributions(Linear(), x, method=method)
        assert found.shape == (2, 4, 12)
        np.testing.assert_allclose(found, np.broadcast_to(centred, found.shape), atol=1e-5)
    with pytest.raises(ValueError, match="attribution method"):
        attributions(Linear(), x, method="shap")


def test_ism_matches_brute_force_mutation_on_a_cnn():
    from motifnet.motifs.attribution import ism_attributions

    torch.manual_seed(1)
    model = build("cnn", filters=3, channels=4, filter_width=5).eval()
    x = torch.from_numpy(one_hot(["ACGTAGGCTTACGATCGATCGGAT" * 3]))
    found = ism_attributions(model, x)
    with torch.no_grad():
        base = model(x)[0, 0].item()
        mutant = x.clone()
        mutant[0, :, 7] = torch.tensor([0.0, 0.0, 0.0, 1.0])
        delta_t = model(mutant)[0, 0].item() - base
        deltas = []
        for b in range(4):
            mutant[0, :, 7] = torch.eye(4)[b]
            deltas.append(model(mutant)[0, 0].item() - base)
    assert found[0, 3, 7] == pytest.approx(delta_t - np.mean(deltas), abs=1e-5)


def test_planted_motifs_are_found_by_named_motifs_exactly_by_family_or_not(tmp_path):
    from motifnet.summary import known_motifs, read_clusters, recovery

    clusters = tmp_path / "clusters.tsv"
    columns = "rank\tmotif\tinfluence\tmembers\tsites\twidth\tinformation_bits\tconsensus\t"
    columns += "known_id\tknown_name\tknown_family\tq\tspecific\tnamed\n"
    clusters.write_text(
        columns
        + "1\tmotif1\t0.9\tfilter1\t10\t15\t14\tCCAC\tMA0139.2\tCTCF\tzinc fingers\t"
        + "1e-9\ttrue\ttrue\n"
        + "2\tmotif2\t0.5\tfilter2\t10\t7\t9\tACAA\tMA0078.3\tSox17\tSOX-related factors\t"
        + "1e-3\ttrue\ttrue\n"
        + "3\tmotif3\t0.4\tfilter3\t10\t7\t9\tCTAA\tMA0035.5\tGATA1\tC4-GATA-related\t"
        + "0.2\t\tfalse\n"
    )
    planted = [
        {"name": "CTCF", "family": "zinc fingers"},
        {"name": "SOX2", "family": "SOX-related factors"},
        {"name": "GATA1", "family": "C4-GATA-related"},
    ]
    rows = read_clusters(clusters)
    assert recovery(rows, planted) == {"CTCF": "exact", "SOX2": "family", "GATA1": ""}
    assert [m["known_name"] for m in known_motifs(rows)] == ["CTCF", "Sox17"]


def test_a_model_without_motifs_still_gets_a_report(tmp_path, capsys):
    from conftest import train_one_epoch

    from motifnet.cli import main
    from motifnet.simulate import SimulationConfig, simulate, write_simulation

    simulation = SimulationConfig(n=60, length=40, motifs=("SOX2",), seed=3)
    write_simulation(simulation, *simulate(simulation, progress=False), tmp_path / "data")
    positives = str(tmp_path / "data" / "positive.fa")
    settings = {"embedding": 4, "hidden": 4}
    checkpoint = train_one_epoch(
        {"pos": [positives]}, tmp_path / "run", architecture="rnn", **settings
    )
    out = tmp_path / "motifs"
    assert (
        main(["motifs", str(checkpoint), positives, "-o", str(out), "--attribution", "none"]) == 0
    )
    assert "no motifs found" in capsys.readouterr().err
    meme = (out / "motifs.meme").read_text()
    assert (out / "index.html").is_file() and meme.startswith("MEME version 4")
    assert "MOTIF" not in meme
    assert (out / "matches.tsv").read_text().count("\n") == 1
