import itertools

import numpy as np
import pytest
import torch
from conftest import train_one_epoch
from hypothesis import given, settings
from hypothesis import strategies as st

from motifnet.equivariance import random_one_hot
from motifnet.nn.registry import build
from motifnet.prediction import PredictionSettings, predict
from motifnet.scanning import dense_mode, dense_windows, scan, sliding_windows

MODELS = [
    ("cnn", {}),
    ("rc_cnn", {}),
    ("cnn", {"pool_type": "blur", "pool": 3}),
    ("rc_cnn", {"pool_type": "blur", "pool": 4, "dilation": 2}),
    ("cnn", {"global_pool": "avg"}),
    ("rc_cnn", {"global_pool": "maxavg"}),
    ("conjoined(cnn)", {"pool": 5}),
    ("rc_cnn", {"pool": 4, "depth": 2, "global_pool": "max"}),
    ("cnn", {"global_pool": "attention"}),
    ("rc_cnn", {"pool": 4, "depth": 2, "global_pool": "attention"}),
]


@pytest.mark.parametrize("window", [120, 121])
@pytest.mark.parametrize("name, settings", MODELS)
def test_dense_pass_equals_sliding_windows(name, settings, window):
    torch.manual_seed(0)
    model = build(name, filters=8, channels=8, **settings).eval()
    x = random_one_hot(2, 400, seed=1)
    with torch.no_grad():
        dense, sliding = dense_windows(model, x, window), sliding_windows(model, x, window)
    assert dense.shape == sliding.shape == (2, 400 - window + 1, 1)
    assert (dense - sliding).abs().max().item() < 1e-5


def sequence(n: int, seed: int = 0) -> str:
    return "".join(np.random.default_rng(seed).choice(list("ACGTN"), n, p=[0.24] * 4 + [0.04]))


def test_chunk_size_leaves_no_seams():
    torch.manual_seed(0)
    model = build("rc_cnn", filters=8, channels=8)
    seq = sequence(2500)
    tracks = [scan(model, seq, 150, chunk=chunk) for chunk in (97, 1000, 10_000)]
    assert tracks[0].shape == (2500, 1)
    # equal up to float32 rounding (convolution kernels differ with the input length)
    np.testing.assert_allclose(tracks[0], tracks[1], atol=1e-6)
    np.testing.assert_allclose(tracks[0], tracks[2], atol=1e-6)


@pytest.mark.parametrize("name", ["cnn", "hybrid"])
def test_every_position_matches_the_window_prediction_including_edges(name):
    torch.manual_seed(0)
    model = build(name, filters=8, **({"channels": 8} if name == "cnn" else {"hidden": 8})).eval()
    seq, window = sequence(700, seed=2), 150
    track = scan(model, seq, window, chunk=256)
    assert dense_mode(model).mode == ("one pass" if name == "cnn" else "trunk")
    settings = PredictionSettings(length=window, task_names=("p",), logits=True)
    for centre in (0, 3, 74, 75, 400, 625, 699):
        low = centre - window // 2
        padded = (
            "N" * max(0, -low) + seq[max(low, 0) : low + window] + "N" * max(0, low + window - 700)
        )
        assert track[centre, 0] == pytest.approx(predict(model, [padded], settings)[0, 0], abs=1e-5)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from motifnet.io import Record, write_fasta

    folder = tmp_path_factory.mktemp("scan")
    rng = np.random.default_rng(3)
    write_fasta(
        [Record(f"p{i}", "".join(rng.choice(list("ACGT"), 80))) for i in range(200)],
        folder / "pos.fa",
    )
    checkpoint = train_one_epoch({"pos": [str(folder / "pos.fa")]}, folder / "run")
    genome = folder / "genome.fa"
    write_fasta([Record("c1", sequence(1000, 5)), Record("c2", sequence(300, 6))], genome, width=70)
    return checkpoint, genome


def test_cli_scan_writes_a_bedgraph_track(tmp_path, trained, capsys):
    from motifnet.cli import main

    checkpoint, genome = trained
    out = tmp_path / "track.bedGraph"
    assert (
        main(
            [
                "scan",
                str(checkpoint),
                str(genome),
                "-o",
                str(out),
                "--step",
                "10",
                "--chunk",
                "123",
                "--quiet",
            ]
        )
        == 0
    )
    lines = [line.split("\t") for line in out.read_text().splitlines()]
    assert len(lines) == 100 + 30
    assert lines[0][:3] == ["c1", "0", "10"] and lines[-1][:3] == ["c2", "290", "300"]
    assert all(0 <= float(line[3]) <= 1 for line in lines)
    regions = tmp_path / "r.bed"
    regions.write_text("c1\t500\t520\n")
    part = tmp_path / "part.bedGraph"
    assert (
        main(
            [
                "scan",
                str(checkpoint),
                str(genome),
                "--regions",
                str(regions),
                "-o",
                str(part),
                "--quiet",
            ]
        )
        == 0
    )
    region_lines = part.read_text().splitlines()
    assert len(region_lines) == 20 and region_lines[0].split("\t")[3] == lines[50][3]
    regions.write_text("c1\t900\t1100\n")
    assert (
        main(["scan", str(checkpoint), str(genome), "--regions", str(regions), "-o", str(part)])
        == 2
    )
    assert "c1:900-1100 runs past the end of c1 (1000 bp)" in capsys.readouterr().err
    assert main(["scan", str(checkpoint), str(genome), "--task", "nope", "-o", str(part)]) == 2


def test_cli_scan_writes_bigwig_equal_to_bedgraph(tmp_path, trained, capsys):
    import pyBigWig

    from motifnet.cli import main

    checkpoint, genome = trained
    regions = tmp_path / "r.bed"
    regions.write_text("c2\t100\t137\nc1\t3\t40\n")  # out of genome order: sorted for bigWig
    common = ["scan", str(checkpoint), str(genome), "--regions", str(regions), "--quiet"]
    assert main([*common, "--step", "5", "-o", str(tmp_path / "t.bedGraph")]) == 0
    assert main([*common, "--step", "5", "-o", str(tmp_path / "t.bw")]) == 0
    text = [line.split("\t") for line in (tmp_path / "t.bedGraph").read_text().splitlines()]
    track = pyBigWig.open(str(tmp_path / "t.bw"))
    assert track.chroms() == {"c1": 1000, "c2": 300}
    stored = [
        (chrom, start, end, value)
        for chrom in ("c1", "c2")
        for start, end, value in track.intervals(chrom)
    ]
    expected = sorted(((c, int(s), int(e), float(v)) for c, s, e, v in text), key=lambda r: r[0])
    assert [r[:3] for r in stored] == [r[:3] for r in expected]
    assert stored[-1][1:3] == (135, 137)  # the last interval stops at the region's end
    np.testing.assert_allclose([r[3] for r in stored], [r[3] for r in expected], rtol=1e-4)
    regions.write_text("c1\t3\t40\nc1\t30\t60\n")
    assert main([*common, "-o", str(tmp_path / "overlap.bw")]) == 2
    assert "regions overlap at c1:30-40" in capsys.readouterr().err
    assert not (tmp_path / "overlap.bw").exists()


def test_cli_scan_bf16_track_stays_close_to_fp32(tmp_path, trained):
    from motifnet.cli import main

    checkpoint, genome = trained
    tracks = {}
    for precision in ("fp32", "bf16"):
        out = tmp_path / f"{precision}.bedGraph"
        command = ["scan", str(checkpoint), str(genome), "--step", "10", "-o", str(out)]
        assert main([*command, "--precision", precision, "--quiet"]) == 0
        tracks[precision] = [line.split("\t") for line in out.read_text().splitlines()]
    assert [r[:3] for r in tracks["bf16"]] == [r[:3] for r in tracks["fp32"]]
    values = {p: [float(r[3]) for r in rows] for p, rows in tracks.items()}
    np.testing.assert_allclose(values["bf16"], values["fp32"], atol=0.05)


def test_sharded_scan_merges_into_the_single_process_files(tmp_path, trained, capsys):
    """Parts of --shard I/N joined with --merge are the single-process scan: the same bigWig
    values and intervals, the same sites file; merges of the wrong parts are refused."""
    import pyBigWig

    from motifnet.cli import main

    checkpoint, genome = trained
    regions = tmp_path / "r.bed"
    regions.write_text("c1\t0\t700\nc1\t700\t1000\nc2\t20\t300\n")  # adjacent regions too
    common = ["scan", str(checkpoint), str(genome), "--regions", str(regions), "--quiet"]
    common += ["--step", "3", "--chunk", "100", "--threshold", "0.3"]
    one = ["-o", str(tmp_path / "one.bw"), "--sites", str(tmp_path / "one.bed")]
    assert main([*common, *one]) == 0
    parts = [str(tmp_path / f"part{i}.bw") for i in range(1, 5)]
    for i, part in enumerate(parts, start=1):
        assert main([*common, "--shard", f"{i}/4", "-o", part]) == 0
    merged = ["-o", str(tmp_path / "merged.bw"), "--sites", str(tmp_path / "merged.bed")]
    assert main([*common, "--merge", *parts, *merged]) == 0
    assert (tmp_path / "merged.bed").read_text() == (tmp_path / "one.bed").read_text()
    assert (tmp_path / "one.bed").read_text().count("\n") > 0
    single, joined = pyBigWig.open(str(tmp_path / "one.bw")), pyBigWig.open(merged[1])
    for chrom in ("c1", "c2"):
        assert joined.intervals(chrom) == single.intervals(chrom)
    capsys.readouterr()
    assert main([*common, "--merge", *reversed(parts), "-o", str(tmp_path / "bad.bw")]) == 2
    assert "no score at c" in capsys.readouterr().err
    assert main([*common, "--merge", *parts[:3], "-o", str(tmp_path / "bad.bw")]) == 2
    assert "in order (part I made with --shard I/3)" in capsys.readouterr().err
    assert main([*common, "--shard", "5/4", "-o", parts[0]]) == 2
    assert "I must be between 1 and N" in capsys.readouterr().err
    assert main([*common, "--shard", "1/4", "-o", str(tmp_path / "p.bedGraph")]) == 2
    assert "--shard writes a bigWig part" in capsys.readouterr().err
    assert main([*common, "--merge", str(regions), "-o", str(tmp_path / "bad.bw")]) == 2
    assert "not a bigWig file" in capsys.readouterr().err
    assert not (tmp_path / "bad.bw").exists()


def _sites(values, first=0, step=1, *, pieces=(), merge=10, window=20, threshold=0.5):
    """Sites called from ``values`` fed whole or cut at ``pieces``: (start, end, peak) rows."""
    import io

    from motifnet.scanning import SiteCaller

    handle = io.StringIO()
    caller = SiteCaller(handle, threshold, merge, window=window, sizes={"c": 10_000})
    cuts = [0, *pieces, len(values)]
    for a, b in itertools.pairwise(cuts):
        caller.add("c", first + a * step, np.asarray(values[a:b]), step, 10_000)
    caller.finish()
    rows = [line.split("\t") for line in handle.getvalue().splitlines()]
    return [(int(r[1]), int(r[2]), float(r[6]), int(r[9])) for r in rows]


def test_sites_are_plateau_middles_with_close_maxima_merged():
    values = np.zeros(200)
    values[40:61] = 0.9  # a plateau: summit in its middle, 50
    values[65] = 0.7  # a lower maximum 15 bp from the higher one, past a valley: kept
    values[100:103] = [0.6, 0.8, 0.6]  # summit 101
    values[106] = 0.75  # within 10 bp of 101 and lower: merged away
    values[190:200] = 0.95  # runs to the end of the values: still a site
    sites = _sites(values)
    assert [start + peak for start, _, _, peak in sites] == [50, 65, 101, 194]
    assert sites[0] == (40, 60, 0.9, 10)  # the summit's window, 20 bp
    assert _sites(values, threshold=0.96) == []
    assert [s[0] + s[3] for s in _sites(values, first=1000, step=2)] == [1100, 1130, 1202, 1389]


def test_a_noisy_plateau_has_its_summit_in_its_middle_not_at_its_highest_point():
    """A shift-invariant model scores every window holding a site about alike: the site is the
    middle of those windows, wherever rounding puts their highest score."""
    values = np.zeros(200)
    values[20:81] = 0.995 + 0.004 * np.random.default_rng(0).random(61)
    values[78] = 1.0  # the highest window, 28 bp right of the middle
    values[15:20] = 0.6  # a shoulder below half-way to the top: not part of the plateau
    values[184:190] = [0.6, 0.9, 0.7, 0.7, 0.7, 0.6]  # a peak with a tail: 1 bp towards it
    sites = _sites(values, merge=100, window=100)
    assert [start + peak for start, _, _, peak in sites] == [50, 186]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.4, 0.6, 0.8, 0.9]), min_size=1, max_size=120),
    st.lists(st.integers(0, 120), max_size=5),
    st.integers(0, 15),
)
def test_sites_do_not_depend_on_how_the_scores_arrive(values, cuts, merge):
    """A scan feeds the caller chunk by chunk, a merge part by part: same sites either way."""
    pieces = sorted({c for c in cuts if 0 < c < len(values)})
    assert _sites(values, pieces=pieces, merge=merge) == _sites(values, merge=merge)


@pytest.mark.slow
def test_sites_of_a_ctcf_model_are_the_planted_ctcf_sites(ctcf, tmp_path):
    import json

    from motifnet.cli import main

    sites = tmp_path / "sites.bed"
    command = ["scan", str(ctcf / "run/model.ckpt"), str(ctcf / "genome/genome.fa"), "--quiet"]
    assert main([*command, "--sites", str(sites)]) == 0
    truth = json.loads((ctcf / "genome/truth.json").read_text())["sequences"]
    truth = {s["id"]: s["sites"] for s in truth}
    planted = []
    for line in (ctcf / "genome/peaks.bed").read_text().splitlines():
        chrom, start, _, name = line.split("\t")[:4]
        planted += [(chrom, int(start) + (s["start"] + s["end"]) // 2) for s in truth[name]]
    summits = []
    for line in sites.read_text().splitlines():
        row = line.split("\t")
        summits.append((row[0], int(row[1]) + int(row[9])))

    def near(point, others):
        return any(point[0] == o[0] and abs(point[1] - o[1]) <= 25 for o in others)

    found = sum(near(p, summits) for p in planted) / len(planted)
    true = sum(near(s, planted) for s in summits) / len(summits)
    assert len(planted) >= 40
    assert found >= 0.9, f"{found:.0%} of planted CTCF sites have a summit within 25 bp"
    assert true >= 0.75, f"only {true:.0%} of the sites lie on a planted CTCF site"
