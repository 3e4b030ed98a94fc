import numpy as np
import pytest
import torch
from conftest import train_one_epoch

from motifnet.checkpoint import load_trained
from motifnet.cli import main
from motifnet.io import Record, write_fasta
from motifnet.prediction import PredictionSettings, predict
from motifnet.sequence import one_hot
from motifnet.simulate import SimulationConfig, simulate, write_simulation


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A cnn trained for one epoch on 60 bp sequences (enough to be a real checkpoint)."""
    folder = tmp_path_factory.mktemp("predict")
    simulation = SimulationConfig(n=300, length=60, motifs=("SOX2",), seed=4)
    write_simulation(simulation, *simulate(simulation, progress=False), folder)
    data = {"pos": [str(folder / "positive.fa")], "neg": [str(folder / "negative.fa")]}
    return train_one_epoch(data, folder / "run", filters=8, channels=8)


def mixed_records() -> list[Record]:
    rng = np.random.default_rng(0)
    bases = lambda n: "".join(rng.choice(list("ACGT"), n))  # noqa: E731
    return [
        Record("short", bases(20)),
        Record("exact", bases(60)),
        Record("long", bases(333)),
        Record("dup", "NNNN" + bases(50)),
        Record("dup", bases(60).lower()),
        Record("tiny", "A"),
    ]


def test_every_record_gets_one_row_in_order(tmp_path, checkpoint, capsys):
    path = tmp_path / "in.fa"
    write_fasta(mixed_records(), path)
    assert (
        main(["predict", str(checkpoint), str(path), "-o", str(tmp_path / "p.tsv"), "--quiet"]) == 0
    )
    lines = (tmp_path / "p.tsv").read_text().splitlines()
    assert lines[0] == "id\tpositive"
    assert [line.split("\t")[0] for line in lines[1:]] == [
        "short",
        "exact",
        "long",
        "dup",
        "dup",
        "tiny",
    ]
    assert all(0 <= float(line.split("\t")[1]) <= 1 for line in lines[1:])
    assert (
        main(["predict", str(checkpoint), str(path), "-o", "-", "--quiet", "--strands", "--logits"])
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "id\tpositive\tpositive_fwd\tpositive_rc" and len(out) == 7


def test_long_records_take_the_best_window_and_strict_refuses(checkpoint):
    network = load_trained(checkpoint).network
    record = mixed_records()[2]
    settings = PredictionSettings(
        length=60, task_names=("positive",), logits=True, window_stride=30
    )
    ours = predict(network, [record], settings)[0, 0]
    starts = [*range(0, 333 - 60 + 1, 30), 333 - 60]
    with torch.no_grad():
        windows = network(torch.from_numpy(one_hot([record.sequence[s : s + 60] for s in starts])))
    assert ours == pytest.approx(windows.max().item(), abs=1e-5)
    from motifnet.errors import InputError

    with pytest.raises(InputError, match="record 'long': 333 bp is longer"):
        predict(network, [record], PredictionSettings(length=60, task_names=("p",), strict=True))


def test_batching_does_not_change_predictions(checkpoint):
    network = load_trained(checkpoint).network
    records = mixed_records() * 20
    small = predict(
        network, records, PredictionSettings(length=60, task_names=("p",), batch_size=3)
    )
    large = predict(
        network, records, PredictionSettings(length=60, task_names=("p",), batch_size=500)
    )
    np.testing.assert_allclose(small, large, atol=1e-5)
    assert small.shape == (120, 1)


def test_conjoin_averages_the_strands(checkpoint):
    network = load_trained(checkpoint).network
    settings = PredictionSettings(
        length=60, task_names=("p",), logits=True, strands=True, conjoin=True
    )
    values = predict(network, mixed_records(), settings)
    np.testing.assert_allclose(values[:, 0], (values[:, 1] + values[:, 2]) / 2, atol=1e-5)
    assert np.abs(values[:, 1] - values[:, 2]).max() > 1e-4  # a plain cnn differs by strand


def test_top_level_python_api(checkpoint):
    import motifnet

    values = motifnet.predict(checkpoint, ["ACGT" * 15, "acgtn" * 80])
    assert values.shape == (2, 1) and ((values >= 0) & (values <= 1)).all()
    track = motifnet.scan(str(checkpoint), "ACGT" * 100, logits=True)
    assert track.shape == (400, 1)
    module = load_trained(checkpoint).network
    np.testing.assert_allclose(
        motifnet.predict(module, ["ACGT" * 15], length=60, logits=True),
        motifnet.scan(module, "ACGT" * 15, length=60, logits=True)[30:31],
        atol=1e-5,
    )
    from motifnet.errors import ConfigError

    with pytest.raises(ConfigError, match="needs length="):
        motifnet.predict(module, ["ACGT"])
    model = motifnet.load(checkpoint)
    assert (model.length, model.task_names) == (60, ("positive",))
    contributions = motifnet.attribute(model, ["ACGT" * 15, "GATTACA"])
    assert contributions.shape == (2, 4, 60)
    np.testing.assert_allclose(contributions.sum(axis=1), 0, atol=1e-5)  # centred per position


def test_find_motifs_and_write_them_from_python(checkpoint, tmp_path):
    import motifnet
    from motifnet.motifs import fetch_jaspar
    from motifnet.motifs.meme import write_meme
    from motifnet.motifs.outputs import write_motifs

    database = tmp_path / "db.meme"
    write_meme(fetch_jaspar(["SOX2", "CTCF"]), database)
    records = [r for r in motifnet.read_fasta(checkpoint.parent.parent / "positive.fa")]
    results = motifnet.find_motifs(
        checkpoint, records, attribution="none", motif_db=str(database), top=1
    )
    assert len(results.filters) == 8 and results.task == "positive"
    report = write_motifs(results, tmp_path / "motifs")
    assert report.is_file() and (tmp_path / "motifs" / "matches.tsv").is_file()


def test_bf16_predictions_stay_close_to_fp32(tmp_path, checkpoint, capsys):
    path = tmp_path / "in.fa"
    write_fasta(mixed_records(), path)
    rows = {}
    for precision in ("fp32", "bf16"):
        out = tmp_path / f"{precision}.tsv"
        command = ["predict", str(checkpoint), str(path), "-o", str(out), "--quiet"]
        assert main([*command, "--precision", precision]) == 0
        rows[precision] = np.loadtxt(out, skiprows=1, usecols=1)
    assert len(rows["bf16"]) == 6
    np.testing.assert_allclose(rows["bf16"], rows["fp32"], atol=0.05)
    with pytest.raises(SystemExit):
        main(["predict", str(checkpoint), str(path), "--precision", "fp16"])
    assert "invalid choice: 'fp16'" in capsys.readouterr().err
