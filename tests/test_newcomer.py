"""The newcomer's path: clean stdout, honest plots and reports, no false alarms, fewer guesses."""

from __future__ import annotations

import json

import pytest
from conftest import train_one_epoch

from motifnet.cli import main
from motifnet.io import Record, write_fasta
from motifnet.simulate import SimulationConfig, simulate, write_simulation

SMALL = ["--set", "filters=4", "--set", "channels=4", "--set", "filter_width=9"]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("newcomer")
    config = SimulationConfig(n=400, length=60, motifs=("CTCF",), seed=5)
    write_simulation(config, *simulate(config, progress=False), folder)
    return folder


def test_train_prints_only_its_result_on_stdout_and_progress_on_stderr(simulated, tmp_path, capsys):
    data = ["--pos", str(simulated / "positive.fa"), "--neg", str(simulated / "negative.fa")]
    out = tmp_path / "run"
    argv = ["train", *data, "--architecture", "cnn", *SMALL, "--max-epochs", "2", "-o", str(out)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)  # nothing but the JSON result
    assert result["epochs"] == 2
    assert "epoch 1/2 done" in captured.err and "left" in captured.err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["stopped"] == "max_epochs"


def test_max_minutes_says_it_stopped_training(simulated, tmp_path, capsys):
    data = ["--pos", str(simulated / "positive.fa")]
    out = tmp_path / "run"
    argv = ["train", *data, "--architecture", "cnn", *SMALL, "--max-epochs", "500"]
    assert main([*argv, "--max-minutes", "0.002", "-o", str(out), "--quiet"]) == 0
    assert "stopped by --max-minutes 0.002" in capsys.readouterr().err
    assert json.loads((out / "metrics.json").read_text())["stopped"] == "max_minutes"


def test_negatives_marked_in_headers_are_split_by_a_pattern(simulated, tmp_path, capsys):
    from motifnet.io import read_fasta

    records = list(read_fasta(simulated / "positive.fa"))
    negatives = [Record(f"{r.id}_shuf", r.sequence) for r in read_fasta(simulated / "negative.fa")]
    mixed = tmp_path / "mixed.fa"
    write_fasta(records + negatives, mixed)
    out = tmp_path / "prepared"
    argv = ["prepare", "--pos", str(mixed), "--neg-pattern", "_shuf$", "-o", str(out)]
    assert main(argv) == 0
    summary = json.loads((out / "summary.json").read_text())
    total = sum(summary[s]["sequences"] for s in ("train", "valid", "test"))
    positives = sum(summary[s]["counts"]["positive"] for s in ("train", "valid", "test"))
    assert (total, positives) == (len(records) + len(negatives), len(records))
    assert main(["prepare", "--pos", str(mixed), "--neg-pattern", "nothing", "-o", str(out)]) == 2
    assert "matches none of the ids" in capsys.readouterr().err


def test_a_single_task_model_evaluates_a_table_with_another_label_name(simulated, tmp_path, capsys):
    checkpoint = train_one_epoch({"pos": [str(simulated / "positive.fa")]}, tmp_path / "run")
    from motifnet.io import read_fasta

    table = tmp_path / "labelled.csv"
    rows = [f"{r.sequence},1" for r in read_fasta(simulated / "positive.fa")]
    rows += [f"{r.sequence},0" for r in read_fasta(simulated / "negative.fa")]
    table.write_text("sequence,label\n" + "\n".join(rows) + "\n")
    assert main(["evaluate", str(checkpoint), "--table", str(table), "--json"]) == 0
    captured = capsys.readouterr()
    assert "scoring the model's task 'positive' against the data's labels 'label'" in captured.err
    assert json.loads(captured.out)["n"] == len(rows)


def test_summarize_twice_and_the_seed_is_shown(simulated, tmp_path, capsys):
    runs = tmp_path / "runs"
    data = ["--pos", str(simulated / "positive.fa")]
    argv = ["train", *data, "--architecture", "cnn", *SMALL, "--max-epochs", "1", "--quiet"]
    assert main([*argv, "--seed", "7", "-o", str(runs / "a")]) == 0
    summary = runs / "summary"
    for _ in range(2):  # the second time the output folder is among runs/*
        folders = sorted(str(p) for p in runs.iterdir())
        assert main(["summarize", *folders, "-o", str(summary)]) == 0
    rows = json.loads((summary / "summary.json").read_text())
    assert [row["seed"] for row in rows] == ["7"]


def test_mistyped_settings_get_a_near_match(simulated, capsys):
    data = ["--pos", str(simulated / "positive.fa")]
    assert main(["train", *data, "--set", "filtrs=3"]) == 2
    assert "no setting 'filtrs'; did you mean 'filters'?" in capsys.readouterr().err


def test_tensorboard_logs_on_request(simulated, tmp_path):
    pytest.importorskip("tensorboardX", reason="the tensorboard extra is not installed")
    data = ["--pos", str(simulated / "positive.fa")]
    out = tmp_path / "run"
    argv = ["train", *data, "--architecture", "cnn", *SMALL, "--max-epochs", "1", "--quiet"]
    assert main([*argv, "--logger", "tensorboard", "-o", str(out)]) == 0
    assert list((out / "lightning_logs").rglob("events.out.tfevents.*"))


def test_check_uses_the_checkpoints_length_and_a_relative_tolerance(simulated, tmp_path, capsys):
    checkpoint = train_one_epoch({"pos": [str(simulated / "positive.fa")]}, tmp_path / "run")
    assert main(["check", str(checkpoint), "--json", "--shifts", "4"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["length"] == 60 and report["rc"]["scale"] > 0
