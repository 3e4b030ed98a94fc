"""Seed ensembles (motifnet.nn.ensemble): one model made of several, for every architecture
that can be a member; and `motifnet train --ensemble K`."""

from __future__ import annotations

import json

import pytest
import torch

from motifnet.checkpoint import load_model, load_trained
from motifnet.cli import main
from motifnet.config import make_config
from motifnet.equivariance import random_one_hot
from motifnet.errors import ConfigError
from motifnet.motifs.filters import filter_influence, motif_scanners
from motifnet.nn.inference import for_inference
from motifnet.nn.registry import assemble, available, build, describe_model, tiny_config
from motifnet.scanning import dense_mode, dense_windows, sliding_windows
from motifnet.sequence import reverse_complement
from motifnet.summary import read_run
from tests.test_contract import trained_looking

MEMBERS = [name for name in available() if name != "ensemble"]


def _ensemble(name: str, count: int = 3):
    members = [trained_looking(name, seed=seed, tasks=2) for seed in range(count)]
    return assemble(members).eval(), members


@pytest.mark.parametrize("name", MEMBERS)
def test_an_ensemble_is_the_mean_of_its_members_in_every_form(name):
    """Forward, inference form and dense scan all give the mean of the members' logits; an
    ensemble of RC-invariant members is RC-invariant."""
    model, members = _ensemble(name, count=2)
    x = random_one_hot(4, 70, seed=1)
    with torch.no_grad():
        expected = torch.stack([m(x) for m in members]).mean(dim=0)
        assert torch.allclose(model(x), expected, atol=1e-5)
        assert torch.allclose(for_inference(model)(x), expected, atol=1e-4)
        if model.rc_invariant:
            assert torch.allclose(model(reverse_complement(x)), expected, atol=1e-5)
        if dense_mode(model).mode != "windows":
            long = random_one_hot(2, 95, seed=2)
            dense = dense_windows(model, long, 70)
            assert torch.allclose(dense, sliding_windows(model, long, 70), atol=1e-4)
    assert model.geometry == members[0].geometry


def test_an_ensemble_of_attention_pools_scans_per_window_and_stays_shift_invariant():
    """Each member weighs positions its own way, so the ensemble has no one-pass pooling: a
    scan runs its trunk once and the head per window, with the same result."""
    members = []
    for seed in range(2):
        torch.manual_seed(seed)
        members.append(build("rc_cnn", **tiny_config("rc_cnn"), global_pool="attention").eval())
    model = assemble(members).eval()
    assert dense_mode(model).mode == "trunk"
    assert describe_model(model)["shift_invariant_head"]
    long = random_one_hot(2, 95, seed=2)
    with torch.no_grad():
        dense = dense_windows(model, long, 70)
        assert torch.allclose(dense, sliding_windows(model, long, 70), atol=1e-4)
        x = long[..., :70]
        assert torch.allclose(model(reverse_complement(x)), model(x), atol=1e-5)


@pytest.mark.parametrize(
    "name", [n for n in MEMBERS if build(n, **tiny_config(n)).motif_scanners()]
)
def test_an_ensembles_filters_are_its_members_filters(name):
    """Every member's filters are the ensemble's motif scanners (RC twins still paired), and
    silencing one changes the ensemble's logits by that member's change over K."""
    model, members = _ensemble(name, count=2)
    scanners, own = motif_scanners(model), motif_scanners(members[1])
    assert scanners.count == 2 * own.count and scanners.paired == own.paired
    x = random_one_hot(16, 60, seed=3)
    with torch.no_grad():
        activations = scanners.stack(x)
    # the second member's forward filters sit right after the first member's
    for f in range(own.count):
        for mine, theirs in zip(scanners.channels(own.count + f), own.channels(f), strict=True):
            member_activation = own.stack(x)[:, theirs]
            assert torch.allclose(activations[:, mine], member_activation, atol=1e-5)
    influence = filter_influence(model, scanners, x)
    alone = filter_influence(members[1], own, x)
    assert influence[own.count :] == pytest.approx(alone / 2, rel=1e-4, abs=1e-6)


def test_an_ensemble_stores_each_weight_once_and_loads_back(tmp_path):
    from motifnet.checkpoint import save_model

    model, members = _ensemble("rc_cnn", count=2)
    keys = list(model.state_dict())
    assert all(k.startswith("members.") for k in keys)
    assert len(keys) == 2 * len(members[0].state_dict())
    save_model(model, tmp_path / "e.pt")
    loaded = load_model(tmp_path / "e.pt")
    x = random_one_hot(3, 70, seed=4)
    with torch.no_grad():
        assert torch.equal(loaded(x), model(x))


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"members": 0}, "at least one member"),
        ({"architecture": "ensemble"}, "members are one of"),
        ({"architecture": "conjoined(cnn)"}, "members are one of"),
        ({"architecture": "transformer"}, "members are one of"),
        ({"model": {"tasks": 3}}, "ensemble's tasks"),
        ({"model": {"nonsense": 1}}, "no setting 'nonsense'"),
    ],
)
def test_impossible_ensembles_are_refused(settings, message):
    with pytest.raises(ConfigError, match=message):
        build("ensemble", **{**tiny_config("ensemble"), **settings})


def test_members_of_different_settings_are_refused():
    with pytest.raises(ConfigError, match="share one architecture"):
        assemble([build("cnn", filters=4), build("cnn", filters=5)])


def test_train_ensemble_saves_one_model_of_its_members(tmp_path, capsys):
    """--ensemble 2: two members with seeds 5 and 6 on one split, model.ckpt their ensemble
    (which predict reads like any model), metrics of the ensemble."""
    from motifnet.simulate import SimulationConfig, simulate, write_simulation

    simulation = SimulationConfig(n=120, length=60, motifs=("SOX2",), seed=1)
    write_simulation(simulation, *simulate(simulation, progress=False), tmp_path / "data")
    positives = str(tmp_path / "data" / "positive.fa")
    out = tmp_path / "run"
    args = ["train", "--pos", positives, "-o", str(out), "--max-epochs", "1", "--seed", "5"]
    args += ["--set", "filters=4", "--set", "channels=4", "--ensemble", "2"]
    assert main(args) == 0
    trained = load_trained(out / "model.ckpt")
    assert trained.architecture == "ensemble" and trained.length == 60
    assert trained.network.config.members == 2
    for j in range(2):
        member = load_model(out / f"member{j}" / "model.ckpt")
        for key, value in member.state_dict().items():
            assert torch.equal(trained.network.state_dict()[f"members.{j}.{key}"], value)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"]["architecture"] == "ensemble" and len(metrics["epochs"]) == 2
    assert "test" in metrics
    run = read_run(out)
    assert run.architecture == "ensemble of 2 rc_cnn" and len(run.epochs) == 2
    err = capsys.readouterr().err
    assert "member 1 of 2 (seed 5)" in err and "member 2 of 2 (seed 6)" in err
    assert main(["predict", str(out / "model.ckpt"), positives, "-o", str(tmp_path / "p.tsv")]) == 0


def test_ensemble_training_settings_that_cannot_work_are_refused(tmp_path):
    from motifnet.train import train

    with pytest.raises(ConfigError, match="--ensemble K"):
        make_config({"train": {"pos": ["x.fa"]}, "architecture": "ensemble"})
    with pytest.raises(ConfigError, match="ensemble"):
        make_config({"train": {"pos": ["x.fa"]}, "ensemble": 0})
    resumed = {"train": {"pos": ["x.fa"]}, "ensemble": 2, "resume": "last.ckpt"}
    resumed = make_config({**resumed, "outdir": str(tmp_path / "run")})
    with pytest.raises(ConfigError, match=r"resume a member with its last\.ckpt"):
        train(resumed, progress=False)
