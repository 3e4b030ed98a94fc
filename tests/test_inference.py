"""The inference form of a network computes the same function as the network itself."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from motifnet.errors import ConfigError
from motifnet.nn.contract import Conjoined
from motifnet.nn.inference import InferenceForm, for_inference
from motifnet.nn.registry import build
from motifnet.nn.runtime import precision_context

CONFIGS = [
    ("cnn", {}),
    ("rc_cnn", {}),
    ("rc_cnn", {"pool_type": "blur", "pool": 4}),
    ("cnn", {"pool_type": "blur", "batch_norm": False}),
    ("rc_cnn", {"dilation": 2, "global_pool": "avg", "first_activation": "relu"}),
    ("cnn", {"pool": 1, "depth": 0, "global_pool": "maxavg"}),
    ("conjoined(cnn)", {}),
    ("rc_cnn", {"global_pool": "attention"}),
]


def trained_looking(name: str, config: dict, seed: int) -> nn.Module:
    """A small model whose batch norms hold non-trivial statistics, as after training."""
    torch.manual_seed(seed)
    model = build(name, **{"filters": 6, "channels": 8, "tasks": 2, **config}).eval()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm1d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.3, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.3, 0.3)
    return model


def one_hot_batch(n: int, length: int, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    bases = torch.randint(0, 4, (n, length), generator=generator)
    x = nn.functional.one_hot(bases, 4).float().transpose(1, 2).contiguous()
    x[:, :, :3] = 0.25  # a run of N
    return x


@settings(max_examples=25, deadline=None)
@given(
    case=st.sampled_from(CONFIGS),
    length=st.integers(min_value=120, max_value=201),
    seed=st.integers(0, 10_000),
)
def test_inference_form_equals_the_model(case, length, seed):
    """Folded batch norm, moved activations and channels-last convolutions change nothing but
    float rounding, for either parity of the length (the RC pooling grid depends on it)."""
    model = trained_looking(*case, seed)
    fast = for_inference(model)
    x = one_hot_batch(5, length, seed)
    with torch.inference_mode():
        assert torch.allclose(fast(x), model(x), atol=1e-5, rtol=1e-5)


def test_which_models_are_rebuilt():
    assert isinstance(for_inference(build("rc_cnn")), InferenceForm)
    conjoined = for_inference(build("conjoined(cnn)"))
    assert isinstance(conjoined, Conjoined) and isinstance(conjoined.model, InferenceForm)
    foreign = nn.Sequential(nn.Conv1d(4, 2, 3)).train()
    assert for_inference(foreign) is foreign and not foreign.training  # unchanged, in eval mode
    fast = for_inference(build("rc_cnn"))
    assert not any(isinstance(m, nn.Dropout | nn.BatchNorm1d) for m in fast.trunk.modules())


def test_rc_invariance_survives():
    model = for_inference(trained_looking("rc_cnn", {}, 3))
    x = one_hot_batch(4, 101, 3)
    with torch.inference_mode():
        assert (model(x) - model(x.flip((-2, -1)))).abs().max() < 1e-5


def test_bf16_is_close_and_unknown_precision_is_refused():
    model = trained_looking("rc_cnn", {}, 5)
    fast = for_inference(model)
    x = one_hot_batch(16, 100, 5)
    with torch.inference_mode():
        exact = model(x)
        with precision_context("bf16", "cpu"):
            approximate = fast(x).float()
    assert (approximate - exact).abs().max() < 0.05 * exact.abs().max() + 0.05
    with pytest.raises(ConfigError, match="precision must be one of"):
        precision_context("fp16", "cpu")


def test_retain_freed_memory_applies_on_glibc():
    import platform

    from motifnet.nn.runtime import retain_freed_memory

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt settings exist only in glibc")
    assert retain_freed_memory() is True
