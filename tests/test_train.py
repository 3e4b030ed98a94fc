"""Training end to end on small simulated sets (small models, few epochs, 2 CPU cores)."""

import json

import pytest

from motifnet.cli import main
from motifnet.config import TrainConfig, make_config
from motifnet.errors import ConfigError, InputError
from motifnet.io import write_fasta
from motifnet.io.records import Record
from motifnet.nn import build
from motifnet.nn.registry import available, training_defaults
from motifnet.simulate import SimulationConfig, simulate, write_simulation

SMALL = {"filters": 16, "channels": 16}


@pytest.fixture(scope="module")
def ctcf(tmp_path_factory):
    """2,000 sequences of 100 bp; positives carry CTCF sites."""
    folder = tmp_path_factory.mktemp("ctcf")
    config = SimulationConfig(n=2000, length=100, motifs=("CTCF",), seed=1)
    write_simulation(config, *simulate(config, progress=False), folder)
    return folder


@pytest.fixture(scope="module")
def bag_csv(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bag")
    config = SimulationConfig(n=600, length=80, motifs=("CTCF", "SOX2"), seed=2)
    write_simulation(config, *simulate(config, progress=False), folder, fmt="csv")
    return folder / "sequences.csv"


def run(tmp_path, **settings):
    from motifnet.train import train

    values = {
        "outdir": str(tmp_path / "run"),
        "max_epochs": 2,
        "model": SMALL,
        "batch_size": 64,
        **settings,
    }
    return train(make_config(values), progress=False)


def test_a_tiny_motif_task_is_learned(tmp_path, ctcf):
    report = run(
        tmp_path,
        train={"pos": [str(ctcf / "positive.fa")], "neg": [str(ctcf / "negative.fa")]},
        max_epochs=10,
        batch_size=32,
        learning_rate=3e-3,
    )
    assert report["test"]["plain"]["auroc"] > 0.95
    assert report["test"]["rc_error"]["max_abs"] < 1e-4  # rc_cnn, the default, is RC-invariant
    assert report["sizes"] == {"train": 1600, "valid": 200, "test": 200}
    for name in ("model.ckpt", "last.ckpt", "metrics.json", "roc.png", "pr.png", "config.yaml"):
        assert (tmp_path / "run" / name).is_file(), name
    assert list((tmp_path / "run" / "lightning_logs").glob("version_*/metrics.csv"))


def test_positives_only_get_shuffled_negatives(tmp_path, ctcf):
    report = run(tmp_path, train={"pos": [str(ctcf / "positive.fa")]}, architecture="cnn")
    assert report["sizes"]["train"] + report["sizes"]["valid"] + report["sizes"]["test"] == 2000


def test_multitask_table(tmp_path, bag_csv):
    report = run(
        tmp_path,
        train={"table": str(bag_csv)},
        architecture="hybrid",
        model={"filters": 8, "hidden": 8},
    )
    assert report["task_type"] == "multilabel" and report["task_names"] == ["label", "CTCF", "SOX2"]
    assert set(report["test"]["plain"]) == {"auroc", "auprc", "accuracy", "mcc"}
    per_task = report["test"]["per_task"]
    assert list(per_task) == ["label", "CTCF", "SOX2"]
    assert all(0 <= v["auroc"] <= 1 and v["positives"] > 0 for v in per_task.values())


def test_balanced_weights_and_the_recipe_reach_the_checkpoint(tmp_path, bag_csv):
    import torch

    from motifnet.lightning import balanced_weights

    labels = torch.tensor([[1.0, 0, 0], [0, 0, 0], [0, 0, 0], [1, 1, 0]])
    assert balanced_weights(labels, "multilabel", 3) == [1.0, 3.0, 1.0]  # no positives: 1
    classes = torch.tensor([0, 0, 0, 1, 2, 2])
    assert balanced_weights(classes, "multiclass", 3) == [pytest.approx(2 / 3), 2.0, 1.0]
    recipe = {"warmup_epochs": 0.5, "label_smoothing": 0.1, "mutate_augment": 0.05}
    report = run(
        tmp_path,
        train={"table": str(bag_csv)},
        architecture="cnn",
        class_weight="balanced",
        **recipe,
    )
    hparams = torch.load(report["checkpoint"], weights_only=True)["hyper_parameters"]
    assert {key: hparams[key] for key in recipe} == recipe  # the recipe settings too
    weights = hparams["class_weights"]
    assert len(weights) == 3 and weights[0] == pytest.approx(1.0, abs=0.3)  # label: half positive
    assert weights[1] > 1.5 and weights[2] > 1.5  # each motif is in a minority of sequences


def test_label_smoothing_moves_the_training_targets_only():
    import torch
    from torch.nn import functional as F

    from motifnet.lightning import MotifModule

    logits, labels = torch.tensor([[2.0], [-1.0]]), torch.tensor([[1.0], [0.0]])
    module = MotifModule("cnn", {}, ["y"], "binary", 100, label_smoothing=0.2)
    smoothed = F.binary_cross_entropy_with_logits(logits, torch.tensor([[0.9], [0.1]]))
    assert module.train().loss(logits, labels).item() == pytest.approx(smoothed.item())
    plain = F.binary_cross_entropy_with_logits(logits, labels)
    assert module.eval().loss(logits, labels).item() == pytest.approx(plain.item())
    classes = MotifModule("cnn", {}, ["a", "b", "c"], "multiclass", 100, label_smoothing=0.3)
    scores, target = torch.tensor([[1.0, 0.0, -1.0]]), torch.tensor([0])
    expected = F.cross_entropy(scores, target, label_smoothing=0.3)
    assert classes.train().loss(scores, target).item() == pytest.approx(expected.item())


def test_the_recipe_reaches_the_optimiser_and_the_training_step(monkeypatch):
    """--warmup-epochs sets the optimiser's per-step schedule, --mutate-augment the batches
    that training_step trains on."""
    from types import SimpleNamespace

    import torch

    from motifnet import lightning
    from motifnet.equivariance import random_one_hot

    recipe = {"warmup_epochs": 2, "mutate_augment": 0.3, "learning_rate": 0.1, "max_epochs": 10}
    module = lightning.MotifModule("cnn", {}, ["y"], "binary", 100, **recipe)
    module._trainer = SimpleNamespace(estimated_stepping_batches=100, world_size=1)
    setup = module.configure_optimizers()
    optimizer, schedule = setup["optimizer"], setup["lr_scheduler"]["scheduler"]
    assert setup["lr_scheduler"]["interval"] == "step"
    rates = []
    for _ in range(100):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        schedule.step()
    assert rates[0] == pytest.approx(0.1 / 20) and max(rates) == pytest.approx(rates[19])
    drawn = {}
    monkeypatch.setattr(
        lightning, "augment", lambda x, **settings: drawn.update(settings) or x, raising=True
    )
    monkeypatch.setattr(module, "log", lambda *args, **kwargs: None)
    x = random_one_hot(1, 100)
    module.training_step((x, torch.ones(1, 1)), 0)
    assert drawn["mutate"] == 0.3


def test_warmup_rises_linearly_then_decays_to_zero():
    from itertools import pairwise

    from motifnet.lightning import warmup_cosine

    factors = [warmup_cosine(step, 100, 10) for step in range(100)]
    assert factors[0] == pytest.approx(0.1) and factors[9] == pytest.approx(1.0)
    assert all(a < b for a, b in pairwise(factors[:10]))
    assert all(a >= b for a, b in pairwise(factors[9:]))
    assert factors[-1] < 0.01


def test_per_task_areas_are_undefined_without_both_classes():
    import torch

    from motifnet.metrics import per_task_metrics

    logits = torch.tensor([[2.0, -1], [-2, 1], [1, 0.5], [-1, -3]])
    labels = torch.tensor([[1.0, 0], [0, 0], [1, 0], [0, 0]])
    result = per_task_metrics(logits, labels, "multilabel", ["a", "b"])
    assert result["a"] == {"auroc": 1.0, "auprc": 1.0, "positives": 2}
    assert result["b"] == {"auroc": None, "auprc": None, "positives": 0}


def test_multiclass_files(tmp_path, ctcf):
    classes = {name: [str(ctcf / f"{name}.fa")] for name in ("positive", "negative")}
    third = tmp_path / "third.fa"
    write_fasta([Record(f"t{i}", "ACGT" * 25) for i in range(300)], third)
    classes["third"] = [str(third)]
    report = run(tmp_path, train={"classes": classes}, architecture="cnn")
    assert report["task_type"] == "multiclass" and len(report["task_names"]) == 3


def test_bed_and_genome_with_chromosome_holdout(tmp_path, ctcf):
    from motifnet.io import read_fasta

    positives = [r.sequence for r in read_fasta(ctcf / "positive.fa")][:300]
    chroms = {f"chr{c}": "".join(positives[c * 100 : (c + 1) * 100]) for c in range(3)}
    genome = tmp_path / "genome.fa"
    write_fasta([Record(name, seq) for name, seq in chroms.items()], genome, width=60)
    bed = tmp_path / "peaks.bed"
    bed.write_text(
        "".join(f"{name}\t{i * 100}\t{i * 100 + 100}\n" for name in chroms for i in range(100))
    )
    report = run(
        tmp_path,
        train={"pos": [str(bed)]},
        genome=str(genome),
        split="chrom",
        valid_chroms=["chr1"],
        test_chroms=["chr2"],
        architecture="cnn",
    )
    assert report["sizes"] == {"train": 200, "valid": 200, "test": 200}


def test_resume_continues_from_the_last_epoch(tmp_path, ctcf):
    data = {"pos": [str(ctcf / "positive.fa")], "neg": [str(ctcf / "negative.fa")]}
    first = run(tmp_path, train=data, max_epochs=1, architecture="cnn")
    assert first["epochs"] == 1
    resumed = run(
        tmp_path,
        train=data,
        max_epochs=3,
        architecture="cnn",
        resume=str(tmp_path / "run" / "last.ckpt"),
    )
    assert resumed["epochs"] == 3


def test_a_resumed_run_ends_as_the_uninterrupted_run(tmp_path, bag_csv, monkeypatch):
    """Stopped after its first epoch and resumed from last.ckpt, a run ends with the same
    metrics as one that was never stopped: same batches, same dropout, same schedule."""
    from motifnet.lightning import MotifModule

    settings = {
        "train": {"table": str(bag_csv)},
        "architecture": "cnn",
        "max_epochs": 3,
        "rc_augment": True,
    }
    whole = run(tmp_path / "whole", **settings)

    def crash_in_the_second_epoch(self):
        if self.current_epoch == 1:
            raise RuntimeError("the node went down")

    with monkeypatch.context() as patch:
        patch.setattr(MotifModule, "on_train_epoch_start", crash_in_the_second_epoch)
        with pytest.raises(RuntimeError, match="the node went down"):
            run(tmp_path / "parts", **settings)
    last = tmp_path / "parts" / "run" / "last.ckpt"
    resumed = run(tmp_path / "parts", **settings, resume=str(last))
    assert resumed["epochs"] == whole["epochs"] == 3
    assert resumed["test"] == whole["test"] and resumed["valid"] == whole["valid"]
    assert resumed["train_seconds"] > 0


def test_resume_refuses_foreign_files_and_other_models(tmp_path, bag_csv):
    settings = {"train": {"table": str(bag_csv)}, "architecture": "cnn", "max_epochs": 1}
    first = run(tmp_path / "a", **settings)
    not_a_checkpoint = tmp_path / "notes.ckpt"
    not_a_checkpoint.write_text("hello")
    with pytest.raises(InputError, match=r"notes\.ckpt: not a motifnet checkpoint"):
        run(tmp_path / "b", **settings, resume=str(not_a_checkpoint))
    with pytest.raises(InputError, match="was trained as cnn with other settings"):
        run(tmp_path / "c", **{**settings, "model": {"filters": 4}}, resume=first["checkpoint"])


def test_seeded_runs_are_reproducible(tmp_path, bag_csv):
    settings = {
        "train": {"table": str(bag_csv)},
        "architecture": "cnn",
        "model": {"filters": 8, "channels": 8},
    }
    first = run(tmp_path / "a", **settings)
    second = run(tmp_path / "b", **settings)
    assert first["test"]["plain"] == second["test"]["plain"]


def test_bad_configs_fail_before_training(tmp_path, ctcf):
    data = {"pos": [str(ctcf / "positive.fa")]}
    with pytest.raises(ConfigError, match="unknown architecture 'lstm'"):
        make_config({"train": data, "architecture": "lstm"})
    with pytest.raises(ConfigError, match="max_epoch: unknown setting"):
        make_config({"train": data, "max_epoch": 3})
    with pytest.raises(ConfigError, match="cnn has no setting 'filterz'"):
        make_config({"train": data, "architecture": "cnn", "model": {"filterz": 3}})
    with pytest.raises(ConfigError, match="exactly one of"):
        make_config({"train": {"pos": data["pos"], "table": "x.csv"}})


def test_renamed_settings_still_work_with_a_warning(ctcf):
    data = {"pos": [str(ctcf / "positive.fa")]}
    with pytest.warns(FutureWarning, match="'arch' is now called 'architecture'"):
        assert make_config({"train": data, "arch": "cnn"}).architecture == "cnn"
    with pytest.raises(ConfigError, match="give 'architecture' only"):
        make_config({"train": data, "arch": "cnn", "architecture": "rnn"})


def test_each_architecture_trains_with_its_own_defaults_unless_told_otherwise():
    """The training settings an architecture was measured to need (its registry entry) fill in
    what a config leaves out, for NAME and conjoined(NAME); a given value wins."""
    data = {"pos": ["x.fa"]}
    for name in (n for n in available() if n != "ensemble"):
        own = training_defaults(name)
        for form in (name, f"conjoined({name})"):
            config = make_config({"train": data, "architecture": form})
            for key, field in TrainConfig.model_fields.items():
                if key not in ("train", "architecture"):
                    assert getattr(config, key) == own.get(key, field.default), (form, key)
        for key in own:
            given = make_config({"train": data, "architecture": name, key: 0})
            assert getattr(given, key) == 0
    assert training_defaults("rc_cnn") == {"mutate_augment": 0.05, "warmup_epochs": 1.0}
    assert training_defaults("hybrid") == {}


def test_inputs_shorter_than_the_model_needs_are_refused(tmp_path, ctcf):
    field = build(make_config({"train": {"pos": ["x.fa"]}}).architecture).receptive_field
    message = rf"cannot take 20 bp inputs \(its trunk's receptive field is {field} bp\)"
    with pytest.raises(ConfigError, match=message):
        run(tmp_path, train={"pos": [str(ctcf / "positive.fa")]}, length=20, model={})


def test_mismatched_and_one_class_data_are_refused(tmp_path, ctcf, bag_csv):
    fasta = {"pos": [str(ctcf / "positive.fa")], "neg": [str(ctcf / "negative.fa")]}
    with pytest.raises(InputError, match=r"the valid set has tasks \['label', 'CTCF', 'SOX2'\]"):
        run(tmp_path, train=fasta, valid={"table": str(bag_csv)})
    only_positive = tmp_path / "ones.csv"
    only_positive.write_text("sequence,label\n" + "ACGT,1\n" * 20)
    with pytest.raises(InputError, match="task 'label' has no negatives"):
        run(tmp_path, train={"table": str(only_positive)})
    empty = tmp_path / "empty.fa"
    empty.write_text("")
    with pytest.raises(InputError, match=r"empty.fa: no FASTA records: the file is empty"):
        run(tmp_path, train={"classes": {"a": fasta["pos"], "b": [str(empty)]}})


def test_cli_two_fasta_files_to_checkpoint_and_metrics(tmp_path, ctcf, capsys):
    out = tmp_path / "cli"
    code = main(
        [
            "train",
            "--pos",
            str(ctcf / "positive.fa"),
            "--neg",
            str(ctcf / "negative.fa"),
            "--arch",
            "cnn",
            "--set",
            "filters=8",
            "--set",
            "channels=8",
            "--max-epochs",
            "1",
            "-o",
            str(out),
            "--quiet",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0 and "resolved settings" in captured.err
    assert json.loads(captured.out)["checkpoint"].endswith("model.ckpt")
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"]["architecture"] == "cnn" and metrics["model"]["config"]["filters"] == 8
    code = main(
        [
            "evaluate",
            str(out / "model.ckpt"),
            "--pos",
            str(ctcf / "positive.fa"),
            "--neg",
            str(ctcf / "negative.fa"),
            "--json",
        ]
    )
    result = json.loads(capsys.readouterr().out)
    assert (
        code == 0 and result["n"] == 2000 and set(result) == {"n", "plain", "conjoined", "rc_error"}
    )
    assert result["rc_error"]["max_abs"] > 0  # cnn is not RC-invariant
    code = main(["evaluate", str(out / "model.ckpt"), "--table", str(ctcf / "positive.fa")])
    assert code == 2


def test_cli_train_without_data_is_a_clear_error(capsys):
    assert main(["train", "-o", "x"]) == 2
    assert "no training data" in capsys.readouterr().err


@pytest.mark.slow
def test_two_process_ddp_training_matches_one_process(tmp_path, ctcf):
    """DDP on CPU (gloo): two processes each take half of every batch (64 + 64 against one
    process's 128), validation metrics are computed on both halves gathered, and the first
    process writes the outputs; the test metrics end close to the one-process run's."""
    import subprocess
    import sys

    common = ["--pos", str(ctcf / "positive.fa"), "--neg", str(ctcf / "negative.fa")]
    common += ["--architecture", "cnn", "--set", "filters=16", "--set", "channels=16"]
    common += ["--max-epochs", "10", "--accelerator", "cpu", "--quiet"]
    runs = {
        "one": ["--batch-size", "128"],
        "ddp": ["--batch-size", "64", "--devices", "2", "--strategy", "ddp"],
    }
    reports = {}
    for name, flags in runs.items():
        command = [sys.executable, "-m", "motifnet", "train", *common, *flags]
        result = subprocess.run(
            [*command, "-o", str(tmp_path / name)], capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert result.stdout.count('"checkpoint"') == 1  # one summary: the first process's
        reports[name] = json.loads((tmp_path / name / "metrics.json").read_text())
    assert reports["ddp"]["processes"] == 2 and reports["one"]["processes"] == 1
    one, ddp = reports["one"]["test"]["plain"], reports["ddp"]["test"]["plain"]
    assert one["auroc"] > 0.9 and abs(one["auroc"] - ddp["auroc"]) < 0.03, (one, ddp)
