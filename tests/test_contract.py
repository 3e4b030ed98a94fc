"""The model contract, tested on every registered architecture (and its conjoined form).

The zoo is built from ``available()``: a newly registered architecture runs through every
property here without editing this file.
"""

from __future__ import annotations

import dataclasses

import pytest
import torch
from torch import nn

from motifnet.checkpoint import load_model, save_model
from motifnet.equivariance import random_one_hot, shift_error
from motifnet.motifs.filters import filter_motifs, motif_scanners
from motifnet.nn.contract import MotifModel, MotifScanners, unwrap
from motifnet.nn.inference import for_inference
from motifnet.nn.layers import RCBatchNorm1d
from motifnet.nn.registry import available, build, describe_model, make_config, tiny_config
from motifnet.scanning import DenseScanner, dense_mode, dense_windows, sliding_windows
from motifnet.sequence import reverse_complement


def _variants(name: str) -> list[str]:
    """``name``, and ``name+positional`` where its config has a position-aware head."""
    fields = {f.name for f in dataclasses.fields(make_config(name))}
    return [name] + ([f"{name}+positional"] if "head" in fields else [])


ZOO = [v for name in available() for v in _variants(name)]
ZOO += [f"conjoined({name})" for name in available()]


def trained_looking(name: str, seed: int = 0, tasks: int = 2) -> nn.Module:
    """A tiny instance of ``name`` (``+positional``: with a position-aware head) with random
    weights and batch-norm statistics."""
    torch.manual_seed(seed)
    name, _, variant = name.partition("+")
    extra = {"head": "positional", "bins": 4} if variant == "positional" else {}
    model = build(name, tasks=tasks, **tiny_config(name), **extra).eval()
    with torch.no_grad():
        for module in model.modules():
            norm = module.norm if isinstance(module, RCBatchNorm1d) else module
            if isinstance(norm, nn.BatchNorm1d) and norm.running_var is not None:
                norm.running_mean.uniform_(-0.5, 0.5)
                norm.running_var.uniform_(0.3, 2.0)
                norm.weight.uniform_(0.5, 1.5)
                norm.bias.uniform_(-0.3, 0.3)
    return model


@pytest.mark.parametrize("length", [80, 81])
@pytest.mark.parametrize("name", ZOO)
def test_claimed_rc_invariance_holds(name, length):
    model = trained_looking(name)
    x = random_one_hot(4, length, seed=2)
    with torch.no_grad():
        gap = (model(reverse_complement(x)) - model(x)).abs().max().item()
    assert model(x).shape == (4, 2)
    if model.rc_invariant:
        assert gap < 1e-5
    else:
        assert gap > 1e-6  # plain models are not invariant by accident


@pytest.mark.parametrize("name", ZOO)
def test_trunk_is_shift_equivariant_for_multiples_of_its_stride(name):
    model = trained_looking(name)
    stride = model.total_stride
    x = random_one_hot(3, 90 + 3 * stride, seed=4)
    rows = shift_error(model, x, length=90, shifts=[stride, 2 * stride, 3 * stride])
    assert all(row["trunk_error"] < 1e-5 for row in rows)


@pytest.mark.parametrize("length", [60, 61])
@pytest.mark.parametrize("name", ZOO)
def test_scan_equals_sliding_windows_in_every_dense_mode(name, length):
    model = trained_looking(name)
    mode = dense_mode(model)
    assert mode.mode in ("one pass", "trunk")  # every registered architecture has a dense form
    x = random_one_hot(2, 130, seed=5)
    with torch.no_grad():
        dense, reference = dense_windows(model, x, length), sliding_windows(model, x, length)
    assert dense.shape == reference.shape == (2, 130 - length + 1, 2)
    assert (dense - reference).abs().max().item() < 1e-5


@pytest.mark.parametrize("name", ZOO)
def test_scans_of_every_nth_window_equal_sliding_windows(name):
    """With a step, only the wanted windows are computed (the later layers undilated on the
    pooled grid when the step is a multiple of the total stride): still exact."""
    model = trained_looking(name)
    scanner = DenseScanner(model)
    stride = model.total_stride
    x = random_one_hot(1, 230, seed=11)
    with torch.no_grad():
        reference = sliding_windows(model, x, 61)
        for step in sorted({stride, 2 * stride, 3}):
            assert (scanner(x, 61, step) - reference[:, ::step]).abs().max().item() < 1e-5


@pytest.mark.parametrize("length", [70, 71])
@pytest.mark.parametrize("name", ZOO)
def test_inference_form_equals_the_model(name, length):
    model = trained_looking(name, seed=3)
    fast = for_inference(model)
    x = random_one_hot(5, length, seed=6)
    x[:, :, :3] = 0.25  # a run of N
    with torch.inference_mode():
        torch.testing.assert_close(fast(x), model(x), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", ZOO)
def test_filter_motifs_wherever_the_model_declares_scanners(name):
    model = trained_looking(name)
    scanners = motif_scanners(model)
    x = random_one_hot(40, 60, seed=7)
    if scanners is None:
        with pytest.raises(ValueError, match="no motif scanners"):
            filter_motifs(model, x)
        return
    assert isinstance(scanners, MotifScanners)
    found = filter_motifs(model, x, influence_sample=20)
    assert sorted(m.filter_index for m in found) == list(range(scanners.count))
    for item in found:
        assert item.motif.ppm.shape[0] == 4 and item.motif.ppm.shape[1] <= scanners.width
        assert torch.allclose(torch.tensor(item.motif.ppm.sum(axis=0)), torch.ones(1).double())
    influences = [m.influence for m in found]
    assert influences == sorted(influences, reverse=True) and max(influences) > 0


@pytest.mark.parametrize("name", ZOO)
def test_saved_models_rebuild_from_the_file_alone(tmp_path, name):
    model = trained_looking(name, seed=4)
    save_model(model, tmp_path / "m.pt")
    loaded = load_model(tmp_path / "m.pt")
    x = random_one_hot(3, 70, seed=8)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), model(x))
    assert describe_model(loaded) == describe_model(model)


@pytest.mark.parametrize("name", ZOO)
def test_receptive_field_bounds_what_a_trunk_output_sees(name):
    core, _ = unwrap(trained_looking(name))
    x = random_one_hot(1, 150, seed=9).requires_grad_(True)
    out = core.trunk(x)
    out[0, :, out.shape[-1] // 2].sum().backward()
    touched = torch.nonzero(x.grad.abs().sum(dim=1)[0]).flatten()
    assert touched.max().item() - touched.min().item() + 1 <= core.receptive_field


class _PaddedTrunk(MotifModel):
    """An architecture whose trunk pads (so it has no exact dense form)."""

    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Conv1d(4, 3, 5, padding=2), nn.ReLU())
        self.head = nn.Linear(3, 1)

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        return self.head(features.mean(dim=-1))


def test_a_model_without_a_dense_form_says_why_and_scans_by_windows():
    model = _PaddedTrunk().eval()
    mode = dense_mode(model)
    assert mode.mode == "windows" and "padded" in mode.reason
    assert "every window" in mode.describe()
    x = random_one_hot(1, 50, seed=1)
    with torch.no_grad():
        torch.testing.assert_close(DenseScanner(model)(x, 20), sliding_windows(model, x, 20))
    with pytest.raises(NotImplementedError, match="no dense form"):
        dense_windows(model, x, 20)


def test_foreign_modules_are_refused_by_name():
    with pytest.raises(TypeError, match="Linear is not a motifnet architecture"):
        unwrap(nn.Linear(2, 2))
    assert dense_mode(nn.Linear(2, 2)).mode == "windows"
