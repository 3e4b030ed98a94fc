import pytest
import torch

from motifnet.nn.models import CNN, CNNConfig, Conjoined
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
def test_rc_cnn_is_rc_invariant_and_cnn_is_not(length, pool_type, activation):
    torch.manual_seed(0)
    config = CNNConfig(
        tasks=3, filters=16, channels=16, pool_type=pool_type, first_activation=activation
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


def test_bad_config_is_refused():
    with pytest.raises(ValueError, match="first_activation"):
        CNNConfig(first_activation="tanh")
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        CNNConfig(kernel_size=4)
