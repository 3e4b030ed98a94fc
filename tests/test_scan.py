import numpy as np
import pytest
import torch
from conftest import train_one_epoch

from motifnet.equivariance import random_one_hot
from motifnet.nn.registry import build
from motifnet.prediction import PredictionSettings, predict
from motifnet.scanning import dense_mode, dense_windows, scan, sliding_windows

MODELS = [
    ("cnn", {}),
    ("rc_cnn", {}),
    ("cnn", {"pool_type": "blur", "pool": 3}),
    ("rc_cnn", {"pool_type": "blur", "dilation": 2}),
    ("cnn", {"global_pool": "avg"}),
    ("rc_cnn", {"global_pool": "maxavg"}),
    ("conjoined(cnn)", {"pool": 5}),
    ("rc_cnn", {"pool": 1, "depth": 1}),
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
