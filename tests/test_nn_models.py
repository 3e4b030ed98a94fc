import pytest
import torch

from motifnet.checkpoint import load_model, save_model
from motifnet.errors import ConfigError, InputError
from motifnet.nn.contract import Conjoined
from motifnet.nn.models import CNN, CNNConfig
from motifnet.nn.registry import available, build, describe_model
from motifnet.sequence import reverse_complement


def one_hot_batch(n: int, length: int, seed: int = 0) -> torch.Tensor:
    index = torch.randint(0, 4, (n, length), generator=torch.Generator().manual_seed(seed))
    return torch.nn.functional.one_hot(index, 4).permute(0, 2, 1).float()


def rc_error(model: torch.nn.Module, x: torch.Tensor) -> float:
    with torch.no_grad():
        return (model(reverse_complement(x)) - model(x)).abs().max().item()


@pytest.mark.parametrize("length", [150, 151])
@pytest.mark.parametrize("pool_type", ["max", "blur"])
@pytest.mark.parametrize("activation", ["relu", "exp"])
@pytest.mark.parametrize("global_pool", ["max", "maxavg", "attention"])
def test_rc_cnn_is_rc_invariant_and_cnn_is_not(length, pool_type, activation, global_pool):
    torch.manual_seed(0)
    config = CNNConfig(
        tasks=3,
        filters=16,
        channels=16,
        pool_type=pool_type,
        first_activation=activation,
        global_pool=global_pool,
    )
    x = one_hot_batch(4, length)
    rc_model = CNN(config, rc=True).eval()
    assert rc_model(x).shape == (4, 3)
    assert rc_error(rc_model, x) < 1e-5
    assert rc_error(CNN(config).eval(), x) > 1e-3
    assert rc_error(Conjoined(CNN(config)).eval(), x) < 1e-5


def test_receptive_field_and_stride_are_exact_for_plain_pooling():
    config = CNNConfig(
        filters=4,
        channels=4,
        filter_width=7,
        pool=3,
        depth=2,
        kernel_size=3,
        dilation=2,
        batch_norm=False,
        dropout=0.0,
    )
    torch.manual_seed(0)
    model = CNN(config).eval()
    assert model.total_stride == 3
    # Same geometry, but linear, so the gradient reaches every input in the receptive field.
    for i, layer in enumerate(model.trunk):
        if isinstance(layer, torch.nn.MaxPool1d):
            model.trunk[i] = torch.nn.AvgPool1d(layer.kernel_size, layer.stride)
        elif isinstance(layer, torch.nn.ReLU):
            model.trunk[i] = torch.nn.Identity()
    x = one_hot_batch(1, 120).requires_grad_(True)
    out = model.trunk(x)
    out[0, :, out.shape[-1] // 2].sum().backward()
    touched = torch.nonzero(x.grad.abs().sum(dim=1)[0]).flatten()
    assert touched.max().item() - touched.min().item() + 1 == model.receptive_field


def test_an_rc_cnn_without_downsampling_takes_exactly_its_receptive_field():
    # a stride-1 BlurPool has a centred grid for every length, so its blur is never longer
    model = build("rc_cnn", pool=1, depth=1, filter_width=19, kernel_size=5).eval()
    assert model.receptive_field == 19 + 5 - 1 and model.total_stride == 1
    with torch.no_grad():
        assert model(one_hot_batch(2, model.receptive_field)).shape == (2, 1)
        with pytest.raises(RuntimeError):
            model(one_hot_batch(2, model.receptive_field - 1))


def test_bad_config_is_refused():
    with pytest.raises(ConfigError, match="first_activation"):
        CNNConfig(first_activation="tanh")
    with pytest.raises(ConfigError, match="kernel_size must be odd"):
        CNNConfig(kernel_size=4)


RC_ARCHITECTURES = ["rc_cnn", "rc_rnn", "rc_hybrid"]
PLAIN_ARCHITECTURES = ["cnn", "rnn", "hybrid"]
SMALL = {
    "cnn": {"filters": 8, "channels": 8},
    "rnn": {"hidden": 8},
    "hybrid": {"filters": 8, "hidden": 8},
}


def small(name: str) -> dict:
    return SMALL[name.removeprefix("rc_")]


@pytest.mark.parametrize("length", [120, 121])
@pytest.mark.parametrize("name", RC_ARCHITECTURES)
def test_every_rc_architecture_is_rc_invariant(name, length):
    torch.manual_seed(1)
    model = build(name, tasks=2, **small(name)).eval()
    x = one_hot_batch(5, length, seed=3)
    assert model(x).shape == (5, 2)
    assert model.rc_invariant
    assert rc_error(model, x) < 1e-5


@pytest.mark.parametrize("name", PLAIN_ARCHITECTURES)
def test_plain_architectures_are_not_rc_invariant_until_conjoined(name):
    torch.manual_seed(1)
    x = one_hot_batch(5, 121, seed=3)
    assert rc_error(build(name, **small(name)).eval(), x) > 1e-4
    conjoined = build(f"conjoined({name})", **small(name)).eval()
    assert conjoined.rc_invariant and rc_error(conjoined, x) < 1e-5


def test_registry_lists_builds_and_refuses_with_the_valid_choices():
    assert available()[:6] == ["cnn", "rc_cnn", "rnn", "rc_rnn", "hybrid", "rc_hybrid"]
    model = build("rc_cnn", filters=8)
    assert model.architecture == "rc_cnn" and model.config.filters == 8
    with pytest.raises(ConfigError, match=r"unknown architecture 'lstm'; available: cnn, rc_cnn"):
        build("lstm")
    with pytest.raises(ConfigError, match=r"cnn has no setting 'filterz'; did you mean 'filters'"):
        build("cnn", filterz=8)
    with pytest.raises(ConfigError, match="cell must be one of"):
        build("rnn", cell="transformer")


def test_recurrent_models_report_their_trunk_geometry():
    assert build("rnn").receptive_field == 1 and build("rnn").total_stride == 1
    assert build("hybrid", pool=5).total_stride == 5
    assert build("hybrid", pool=5, filter_width=9).receptive_field == 9 + 4


@pytest.mark.parametrize("name", ["rc_cnn", "conjoined(hybrid)", "rc_rnn"])
def test_saved_models_rebuild_from_the_file_alone(tmp_path, name):
    torch.manual_seed(0)
    base = name.removeprefix("conjoined(").removesuffix(")")
    model = build(name, **small(base)).eval()
    save_model(model, tmp_path / "m.pt")
    loaded = load_model(tmp_path / "m.pt")
    x = one_hot_batch(3, 100)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), model(x))
    assert describe_model(loaded) == describe_model(model)


def test_loading_something_else_is_a_clear_error(tmp_path):
    path = tmp_path / "m.pt"
    path.write_text("not a model")
    with pytest.raises(InputError, match="not a motifnet checkpoint"):
        load_model(path)
    with pytest.raises(InputError, match="no such checkpoint file"):
        load_model(tmp_path / "missing.pt")
