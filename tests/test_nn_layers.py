import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from motifnet.nn import BlurPool1d, GlobalPool, RCBatchNorm1d, RCConv1d, StrandPool, rc_features
from motifnet.nn.layers import ATTENTION_BOUND
from motifnet.sequence import reverse_complement

TOLERANCE = 1e-5


def one_hot_batch(n: int, length: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    index = torch.randint(0, 4, (n, length), generator=generator)
    return torch.nn.functional.one_hot(index, 4).permute(0, 2, 1).float()


def max_error(a: torch.Tensor, b: torch.Tensor) -> float:
    assert a.shape == b.shape
    return (a - b).abs().max().item()


@settings(max_examples=30, deadline=None)
@given(
    length=st.integers(19, 60),
    kernel=st.sampled_from([1, 3, 5, 7]),
    dilation=st.integers(1, 3),
    padding=st.sampled_from(["valid", "same"]),
    seed=st.integers(0, 10_000),
)
def test_rcconv_is_rc_equivariant(length, kernel, dilation, padding, seed):
    torch.manual_seed(seed)
    layer = RCConv1d(4, 6, kernel, dilation=dilation, padding=padding)
    x = one_hot_batch(3, length, seed)
    assert max_error(layer(reverse_complement(x)), rc_features(layer(x))) < TOLERANCE


@pytest.mark.parametrize("length", [40, 41])
def test_stacked_rc_layers_stay_equivariant_in_train_and_eval(length):
    torch.manual_seed(0)
    trunk = nn.Sequential(
        RCConv1d(4, 8, 7, padding="same"),
        RCBatchNorm1d(16),
        nn.ReLU(),
        BlurPool1d(2),
        RCConv1d(16, 5, 3, dilation=2),
        RCBatchNorm1d(10),
        nn.ELU(),
    )
    x = one_hot_batch(4, length)
    for mode in (trunk.train, trunk.eval):
        mode()
        assert max_error(trunk(reverse_complement(x)), rc_features(trunk(x))) < TOLERANCE


def test_plain_conv_is_not_rc_equivariant():
    torch.manual_seed(0)
    layer = nn.Conv1d(4, 12, 7)
    x = one_hot_batch(3, 40)
    assert max_error(layer(reverse_complement(x)), rc_features(layer(x))) > 0.1


def test_rcconv_kernel_bank_and_refusals():
    layer = RCConv1d(4, 3, 5)
    bank = layer.full_weight()
    assert bank.shape == (6, 4, 5)
    assert torch.equal(bank[5], layer.weight[0].flip((0, 1)))
    assert sum(p.numel() for p in layer.parameters()) == 3 * 4 * 5 + 3
    with pytest.raises(ValueError, match="pad unevenly"):
        RCConv1d(4, 3, 4, padding="same")
    with pytest.raises(ValueError, match="even number of input channels"):
        RCConv1d(5, 3, 3)


def test_rc_batchnorm_shares_statistics_within_each_pair():
    norm = RCBatchNorm1d(6).train()
    x = torch.randn(8, 6, 30) * torch.arange(1, 7).view(1, 6, 1) + 3
    y = norm(x)
    for i in range(3):
        pair = torch.cat([y[:, i], y[:, 5 - i]])
        assert abs(pair.mean().item()) < 1e-5
        assert abs(pair.var(unbiased=False).item() - 1) < 1e-3


@pytest.mark.parametrize("blur_size", [1, 3])
@pytest.mark.parametrize("stride", [2, 3, 4])
def test_blurpool_is_rc_equivariant_for_every_length(stride, blur_size):
    pool = BlurPool1d(stride, blur_size=blur_size)
    for length in range(12, 40):
        x = torch.randn(2, 6, length)
        assert max_error(pool(rc_features(x)), rc_features(pool(x))) < TOLERANCE, length


def test_blurpool_samples_the_stride_one_blur_on_a_centred_grid():
    x = torch.randn(2, 3, 37)
    pooled = torch.nn.functional.max_pool1d(x, 4, stride=1)  # length 34
    blur = torch.nn.functional.conv1d(  # (34 - 3) % 4 = 3 is odd: the 4-tap blur, offset 1
        pooled, torch.tensor([[[1.0, 3, 3, 1]]]).expand(3, 1, 4) / 8, groups=3
    )
    assert max_error(BlurPool1d(4)(x), blur[..., 1::4]) < TOLERANCE
    # No blur: (34 - 1) % 4 is odd, so the two-tap average (a half-step), offset 0 ...
    assert (
        max_error(BlurPool1d(4, blur_size=1)(x), (pooled[..., 0:-1:4] + pooled[..., 1::4]) / 2)
        < TOLERANCE
    )
    # ... and one base shorter, (33 - 1) % 4 = 0: the plain max-pool grid, offset 0.
    assert max_error(BlurPool1d(4, blur_size=1)(x[..., :36]), pooled[..., :33:4]) < TOLERANCE


def test_strided_maxpool_breaks_rc_unless_the_grid_is_symmetric():
    pool = nn.MaxPool1d(4, 4)
    errors = {
        length: max_error(pool(rc_features(x)), rc_features(pool(x)))
        for length in (92, 93, 94, 95)
        for x in [torch.randn(2, 6, length)]
    }
    assert errors[92] < TOLERANCE  # (92 - 4) % 4 == 0
    assert min(errors[93], errors[94], errors[95]) > 0.1


def _shift_error(model: nn.Module, shifts: range, length: int = 120) -> float:
    torch.manual_seed(1)
    long = one_hot_batch(64, length + max(shifts), seed=2)
    base = model(long[..., :length])
    diffs = [(model(long[..., s : s + length]) - base).abs().mean() for s in shifts]
    return (torch.stack(diffs).mean() / base.abs().mean()).item()


def test_blurpool_lowers_the_shift_error_of_a_strided_model():
    torch.manual_seed(0)
    conv = nn.Conv1d(4, 16, 9)
    head = nn.Linear(16, 1)

    def model(pool: nn.Module) -> nn.Module:
        return nn.Sequential(
            conv, nn.ReLU(), pool, nn.Conv1d(16, 16, 3), nn.ReLU(), GlobalPool("avg"), head
        ).eval()

    with torch.no_grad():
        plain = _shift_error(model(nn.MaxPool1d(4, 4)), range(1, 4))
        blurred = _shift_error(model(BlurPool1d(4)), range(1, 4))
    assert blurred < 0.8 * plain, (blurred, plain)


def test_stride_one_trunk_is_exactly_shift_equivariant():
    torch.manual_seed(0)
    trunk = nn.Sequential(RCConv1d(4, 8, 7), nn.ReLU(), BlurPool1d(1, pool_size=3)).eval()
    x = one_hot_batch(2, 80)
    full = trunk(x)
    for shift in (1, 2, 5):
        assert max_error(trunk(x[..., shift:]), full[..., shift:]) < TOLERANCE


def test_shifts_by_the_stride_are_exact_and_others_are_not():
    pool = BlurPool1d(4)
    x = torch.randn(2, 6, 101)
    reference = pool(x[..., :93])
    shifted = pool(x[..., 4:97])  # same length, so the same grid, moved by one output step
    assert max_error(shifted[..., :-1], reference[..., 1:]) < TOLERANCE
    assert max_error(pool(x[..., 1:94])[..., :-1], reference[..., 1:]) > 0.01


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("length", [50, 51])
def test_global_and_strand_pooling_give_rc_invariance(mode, length):
    torch.manual_seed(0)
    model = nn.Sequential(
        RCConv1d(4, 8, 9),
        nn.ReLU(),
        RCConv1d(16, 4, 5, padding="same"),
        nn.ReLU(),
        GlobalPool("max"),
        StrandPool(mode),
        nn.Linear(4, 2),
    ).eval()
    x = one_hot_batch(5, length)
    assert model(x).shape == (5, 2)
    assert max_error(model(reverse_complement(x)), model(x)) < TOLERANCE


def test_pooling_modes_are_checked():
    with pytest.raises(ValueError, match="mode must be one of"):
        GlobalPool("median")
    with pytest.raises(ValueError, match="mode must be one of"):
        StrandPool("min")


def test_maxavg_pooling_keeps_max_and_mean_and_the_channel_pairs():
    x = torch.randn(3, 6, 11)
    pooled = GlobalPool("maxavg")(x)
    maximum, average = x.amax(-1), x.mean(-1)
    assert torch.equal(pooled[:, :3], maximum[:, :3]) and torch.equal(pooled[:, 9:], maximum[:, 3:])
    assert torch.allclose(pooled[:, 3:9], average)
    # RC of a regular map pools to the mirror image of the pooled vector
    assert torch.allclose(GlobalPool("maxavg")(rc_features(x)), pooled.flip(1))


@pytest.mark.parametrize("rc", [False, True])
def test_attention_pooling_starts_as_a_soft_max_and_keeps_the_channel_pairs(rc):
    torch.manual_seed(0)
    x = torch.randn(3, 6, 11)
    pool = GlobalPool("attention", 6, rc=rc)
    pooled = pool(x)
    assert pooled.shape == (3, 6)
    # softmax weights of the bounded logits 2x: between the mean and the max of each channel
    logits = ATTENTION_BOUND * torch.tanh(2 * x / ATTENTION_BOUND)
    expected = (torch.softmax(logits, dim=-1) * x).sum(-1)
    assert torch.allclose(pooled, expected, atol=1e-5)
    assert (pooled > x.mean(-1)).all() and (pooled <= x.amax(-1) + 1e-6).all()
    with torch.no_grad():
        for p in pool.parameters():
            p.add_(0.5 * torch.randn_like(p))
    if rc:  # RC of a regular map pools to the mirror image of the pooled vector
        assert torch.allclose(pool(rc_features(x)), pool(x).flip(1), atol=1e-5)
    with pytest.raises(ValueError, match="number of channels"):
        GlobalPool("attention")
