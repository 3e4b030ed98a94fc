"""Reverse-complement and shift aware layers for 1D DNA networks (methods.md sections 1-2).

Feature maps of RC layers are in the "regular" representation: 2F channels where channel i and
channel 2F-1-i are partners, so RC of a map is a flip of both the channel and the length axis,
exactly like RC of one-hot input (A,C,G,T). Every layer here keeps that property exactly.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

PADDINGS = ("valid", "same")
POOL_MODES = ("max", "avg", "maxavg", "attention")
# attention logits are squashed into (-bound, bound), so every position keeps a weight of at
# least e^(-2 bound) of the largest and a dense scan can slide the softmax exactly
ATTENTION_BOUND = 10.0
STRAND_MODES = ("sum", "mean", "max")


def rc_features(x: torch.Tensor) -> torch.Tensor:
    """RC of a regular-representation map (N, 2F, L): flip channels and length."""
    return x.flip((-2, -1))


def _checked(mode: str, modes: tuple[str, ...]) -> str:
    if mode not in modes:
        raise ValueError(f"mode must be one of {modes}, not {mode!r}")
    return mode


def same_padding(kernel_size: int, dilation: int = 1) -> int:
    """Per-side padding that keeps the length; refuses sizes that would pad asymmetrically."""
    total = dilation * (kernel_size - 1)
    if total % 2:
        raise ValueError(
            f"padding='same' with kernel_size={kernel_size}, dilation={dilation} would pad "
            "unevenly and break RC and shift equivariance: use an odd kernel or padding='valid'"
        )
    return total // 2


class RCConv1d(nn.Module):
    """Convolution with reverse-complement parameter sharing (RCPS; Shrikumar et al. 2017).

    Learns ``filters`` kernels W and uses the bank [W ; W flipped in output, input and length],
    bias [b ; reversed b], so the 2*filters output channels are partners i <-> -i-1 and
    ``conv(rc(x)) == rc(conv(x))`` exactly. Input channels must be a regular map (even count).
    """

    def __init__(
        self,
        in_channels: int,
        filters: int,
        kernel_size: int,
        *,
        dilation: int = 1,
        padding: str = "valid",
        bias: bool = True,
    ):
        super().__init__()
        if in_channels % 2:
            raise ValueError(f"RCConv1d needs an even number of input channels, got {in_channels}")
        if padding not in PADDINGS:
            raise ValueError(f"padding must be one of {PADDINGS}, not {padding!r}")
        self.pad = same_padding(kernel_size, dilation) if padding == "same" else 0
        self.dilation, self.kernel_size, self.out_channels = dilation, kernel_size, 2 * filters
        self.weight = nn.Parameter(torch.empty(filters, in_channels, kernel_size))
        self.bias = nn.Parameter(torch.empty(filters)) if bias else None
        bound = 1 / math.sqrt(in_channels * kernel_size)
        nn.init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            nn.init.uniform_(self.bias, -bound, bound)

    def full_weight(self) -> torch.Tensor:
        """The (2F, C, k) kernel bank actually applied."""
        return torch.cat([self.weight, self.weight.flip((0, 1, 2))])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bias = None if self.bias is None else torch.cat([self.bias, self.bias.flip(0)])
        return F.conv1d(x, self.full_weight(), bias, padding=self.pad, dilation=self.dilation)


class RCBatchNorm1d(nn.Module):
    """Batch norm whose statistics and affine parameters are shared by each channel pair.

    The partner half is flipped onto its pair and laid beside it along the length axis, one
    BatchNorm1d of F channels normalises both, and the halves are split back.
    """

    def __init__(self, channels: int, **batchnorm_kwargs):
        super().__init__()
        if channels % 2:
            raise ValueError(f"RCBatchNorm1d needs an even number of channels, got {channels}")
        self.norm = nn.BatchNorm1d(channels // 2, **batchnorm_kwargs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        norm = self.norm
        if not norm.training and norm.track_running_stats:  # eval: the pair's stats per channel

            def both(t: torch.Tensor | None) -> torch.Tensor | None:
                return None if t is None else torch.cat([t, t.flip(0)])

            return F.batch_norm(
                x,
                both(norm.running_mean),
                both(norm.running_var),
                both(norm.weight),
                both(norm.bias),
                False,
                0.0,
                norm.eps,
            )
        half = x.shape[1] // 2
        length = x.shape[2]
        paired = torch.cat([x[:, :half], x[:, half:].flip(1)], dim=2)
        normed = self.norm(paired)
        return torch.cat([normed[:, :, :length], normed[:, :, length:].flip(1)], dim=1)


def _binomial(size: int) -> torch.Tensor:
    row = torch.tensor([math.comb(size - 1, i) for i in range(size)], dtype=torch.float32)
    return row / row.sum()


class BlurPool1d(nn.Module):
    """Anti-aliased downsampling (Zhang 2019): max-pool at stride 1, binomial blur, subsample.

    All steps are 'valid' and the subsampling grid is centred, so it is mirror-symmetric for
    every input length: where the length's parity leaves no centred integer grid, the blur is
    one tap longer (a half-step shift), which keeps RC equivariance exact for any L. Output
    length is about (L - pool_size - blur_size + 2) / stride. ``pool_size=1`` blurs only.
    """

    def __init__(self, stride: int, *, pool_size: int | None = None, blur_size: int = 3):
        super().__init__()
        if stride < 1 or blur_size < 1:
            raise ValueError("stride and blur_size must be positive")
        self.stride, self.blur_size = stride, blur_size
        self.pool_size = stride if pool_size is None else pool_size
        self.register_buffer("short", _binomial(blur_size), persistent=False)
        self.register_buffer("long", _binomial(blur_size + 1), persistent=False)

    def grid(self, length: int) -> tuple[torch.Tensor, int]:
        """(blur taps, offset of the first sample) for an input of ``length`` after the
        stride-1 max-pool: the centred, mirror-symmetric grid. The dense scan and the
        inference form use this too, so all three agree exactly."""
        taps = self.short if (length - self.blur_size) % self.stride % 2 == 0 else self.long
        if length < taps.numel():
            raise ValueError(f"input of length {length} is too short for BlurPool1d")
        return taps, (length - taps.numel()) % self.stride // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        taps, offset = self.grid(x.shape[-1] - self.pool_size + 1)
        if taps.numel() == 1:  # no blur: a strided max-pool on the centred grid
            return F.max_pool1d(x[..., offset:], self.pool_size, stride=self.stride)
        if self.pool_size > 1:
            x = F.max_pool1d(x, self.pool_size, stride=1)
        # The blur evaluated only where it is sampled: a strided depthwise convolution.
        channels = x.shape[1]
        kernel = taps.to(x.dtype).expand(channels, 1, -1)
        return F.conv1d(x[..., offset:], kernel, stride=self.stride, groups=channels)


class Exp(nn.Module):
    """Exponential activation for first-layer motif detectors (Koo & Ploenzke 2021)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp(x)


class GlobalPool(nn.Module):
    """Global max, average, both, or attention over length: an equivariant map becomes an
    invariant vector.

    Max says whether a feature occurs anywhere; the average says how much of it there is (the
    density of CpGs or of weak sites, which max cannot count). ``maxavg`` gives both, laid out
    as [max first half, avg first half, avg second half, max second half], so the partners of
    a regular (RC) map stay mirror images and StrandPool still pairs them. ``attention``
    (Enformer's attention pooling) averages each channel with softmax weights over length,
    from logits a 1x1 convolution reads off all channels (an RCConv1d when ``rc``, so the
    pooled partners stay mirror images); it starts as a soft max (identity logits x 2).
    """

    def __init__(self, mode: str = "max", channels: int | None = None, *, rc: bool = False):
        super().__init__()
        self.mode = _checked(mode, POOL_MODES)
        self.outputs_per_channel = 2 if mode == "maxavg" else 1
        if mode == "attention":
            if channels is None:
                raise ValueError("attention pooling needs the number of channels")
            self.logits = (
                RCConv1d(channels, channels // 2, 1) if rc else nn.Conv1d(channels, channels, 1)
            )
            with torch.no_grad():
                weight = self.logits.weight
                weight.zero_()
                weight[:, : weight.shape[0]].copy_(2 * torch.eye(weight.shape[0])[..., None])
                self.logits.bias.zero_()

    def attention_logits(self, x: torch.Tensor) -> torch.Tensor:
        """Bounded attention logits of a map (N, C, L): ATTENTION_BOUND x tanh(z / bound)."""
        return ATTENTION_BOUND * torch.tanh(self.logits(x) / ATTENTION_BOUND)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.mode == "max":
            return x.amax(dim=-1)
        if self.mode == "avg":
            return x.mean(dim=-1)
        if self.mode == "attention":
            return (torch.softmax(self.attention_logits(x), dim=-1) * x).sum(dim=-1)
        return self.combine(x.amax(dim=-1), x.mean(dim=-1))

    @staticmethod
    def combine(maximum: torch.Tensor, average: torch.Tensor) -> torch.Tensor:
        """The ``maxavg`` layout of max and average pooled channels (along dim 1)."""
        half = maximum.shape[1] // 2
        parts = (maximum[:, :half], average[:, :half], average[:, half:], maximum[:, half:])
        return torch.cat(parts, dim=1)

    @staticmethod
    def split(pooled: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(max, average) back from a ``combine``d vector (N, 2C)."""
        channels = pooled.shape[1] // 2
        half = channels // 2
        maximum = torch.cat([pooled[:, :half], pooled[:, half + channels :]], dim=1)
        return maximum, pooled[:, half : half + channels]


class StrandPool(nn.Module):
    """Combine each channel with its RC partner (N, 2F) -> (N, F): sum, mean or max.

    After global pooling of a regular map this gives features, and any head on them,
    exact RC invariance.
    """

    def __init__(self, mode: str = "max"):
        super().__init__()
        self.mode = _checked(mode, STRAND_MODES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        half = x.shape[1] // 2
        forward, reverse = x[:, :half], x[:, half:].flip(1)
        if self.mode == "max":
            return torch.maximum(forward, reverse)
        total = forward + reverse
        return total / 2 if self.mode == "mean" else total


class CroppedResidual(nn.Module):
    """``body(x) + x``, with ``x`` centre-cropped to the body's output: a residual block of
    'valid' convolutions. Each side loses the same number of positions (the body must shrink
    the length by an even number), so the block is RC-equivariant when its body is, and a
    dense scan stays exact (motifnet.scanning rarefies the body and the crop)."""

    def __init__(self, body: nn.Module):
        super().__init__()
        self.body = body

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(x)
        crop = x.shape[-1] - y.shape[-1]
        if crop % 2:
            raise ValueError("CroppedResidual needs a body that shrinks the length evenly")
        return y + x[..., crop // 2 : crop // 2 + y.shape[-1]]


class PositionalHead(nn.Module):
    """A head that keeps position: the map averaged into ``bins`` equal stretches, then one
    linear layer over channels x bins. Where a site lies in the input (a TATA box's distance
    to the TSS) then matters; the output is not shift-invariant. For an RC model apply it to
    the map and to its reverse complement and add the two (``rc_features``): exactly
    RC-invariant, since RC maps each term onto the other."""

    def __init__(self, channels: int, bins: int, outputs: int, dropout: float = 0.0):
        super().__init__()
        self.bins = bins
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(channels * bins, outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = F.adaptive_avg_pool1d(x, self.bins).flatten(1)
        return self.linear(self.dropout(pooled))


def member_channels(widths: list[int], *, mirrored: bool) -> list[torch.Tensor]:
    """Where each branch's channels sit in ``Parallel``'s concatenated map, in the branch's
    own channel order. Mirrored (regular maps): the branches' first halves in order, then their
    second halves in reverse order, so channel c and C-1-c of the whole map stay RC twins."""
    if not mirrored:
        starts = [sum(widths[:j]) for j in range(len(widths))]
        return [torch.arange(s, s + w) for s, w in zip(starts, widths, strict=True)]
    halves = [w // 2 for w in widths]
    total = sum(widths)
    index = []
    for j, half in enumerate(halves):
        first = sum(halves[:j])
        last = total - first - half  # the mirror image of the first half's block
        index.append(
            torch.cat([torch.arange(first, first + half), torch.arange(last, last + half)])
        )
    return index


class Parallel(nn.Module):
    """Branches run side by side, their outputs concatenated along channels (see
    ``member_channels`` for the layout). ``shared_input``: every branch reads the whole input
    (the one-hot sequence); otherwise each reads its own channels of a map in that layout."""

    def __init__(
        self, branches: list[nn.Module], widths: list[int], *, mirrored: bool, shared_input: bool
    ):
        super().__init__()
        self.branches = nn.ModuleList(branches)
        self.widths, self.mirrored, self.shared_input = list(widths), mirrored, shared_input
        index = member_channels(self.widths, mirrored=mirrored)
        order = torch.argsort(torch.cat(index))  # the concatenated outputs into the layout
        for j, channels in enumerate(index):
            self.register_buffer(f"_index{j}", channels, persistent=False)
        self.register_buffer("_order", order, persistent=False)

    @property
    def out_channels(self) -> int:
        return sum(self.widths)

    def index(self, branch: int, device: torch.device | None = None) -> torch.Tensor:
        """The channels of ``branch`` in the concatenated map (on ``device``: a Parallel
        may be a view that ``.to()`` of its owner does not reach)."""
        return getattr(self, f"_index{branch}").to(device)

    def part(self, x: torch.Tensor, branch: int) -> torch.Tensor:
        """The input of ``branch``."""
        return x if self.shared_input else x.index_select(1, self.index(branch, x.device))

    def arrange(self, outputs: list[torch.Tensor]) -> torch.Tensor:
        """The branches' outputs as one map in the layout."""
        return torch.cat(outputs, dim=1).index_select(1, self._order.to(outputs[0].device))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.arrange([branch(self.part(x, j)) for j, branch in enumerate(self.branches)])
