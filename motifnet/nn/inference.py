"""The inference form of a trained network: the same function with less work per forward pass.

``for_inference(model)`` rebuilds the trunk of any architecture (see motifnet.nn.contract) so
that
- batch norm is folded into the convolution before it (eval statistics are constants),
- RC kernel banks and biases are built once, not on every call,
- a monotone activation (exp, ReLU) that feeds a max pool runs after the pool: fl(exp) and
  ReLU are monotone, so max and activation commute exactly and the activation touches 1/stride
  of the values,
- convolutions run as 2D convolutions in channels-last layout, oneDNN's fast path on CPU (the
  4-channel one-hot input of the first layer gains most),
- dropout is gone.
The head runs as the model's own. Outputs equal the model's to float32 rounding (tests hold
every registered architecture to 1e-5). Each trunk layer is rebuilt by its entry in ``FOLD``;
a layer without one runs as it is (correct, not faster). ``precision="bf16"`` (see
motifnet.nn.runtime) runs it under bfloat16 autocast.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from motifnet.nn.contract import Conjoined, MotifModel, rule_for, unwrap
from motifnet.nn.layers import (
    BlurPool1d,
    CroppedResidual,
    Exp,
    Parallel,
    RCBatchNorm1d,
    RCConv1d,
    same_padding,
)

_MONOTONE = (Exp, nn.ReLU)
_NORMS = (nn.BatchNorm1d, RCBatchNorm1d)


def for_inference(model: nn.Module) -> nn.Module:
    """A faster eval-only module computing ``model``'s outputs; a module that is not a
    motifnet architecture comes back as it is, in eval mode."""
    model = model.eval()
    try:
        core, conjoined = unwrap(model)
    except TypeError:
        return model
    fast = InferenceForm(core).eval()
    return Conjoined(fast).eval() if conjoined else fast


class FoldedConv(nn.Module):
    """A stride-1 1D convolution (batch norm folded in) as a channels-last 2D convolution."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, padding: int, dilation: int):
        super().__init__()
        kernel = weight.detach().unsqueeze(2).contiguous(memory_format=torch.channels_last)
        self.register_buffer("weight", kernel)
        self.register_buffer("bias", bias.detach().clone())
        self.padding, self.dilation = (0, padding), (1, dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight, self.bias, padding=self.padding, dilation=self.dilation)


class Affine(nn.Module):
    """An eval-mode batch norm that follows no convolution: scale and shift per channel."""

    def __init__(self, scale: torch.Tensor, shift: torch.Tensor):
        super().__init__()
        self.register_buffer("scale", scale.detach()[None, :, None, None].clone())
        self.register_buffer("shift", shift.detach()[None, :, None, None].clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale + self.shift


class Unfolded(nn.Module):
    """A layer without a folding rule, run as it is on the (N, C, L) map."""

    def __init__(self, layer: nn.Module):
        super().__init__()
        self.layer = layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(x.squeeze(2)).unsqueeze(2).contiguous(memory_format=torch.channels_last)


def _conv_parts(conv: nn.Module) -> tuple[torch.Tensor, torch.Tensor, int, int] | None:
    """(weight bank, bias, padding, dilation) of a Conv1d or RCConv1d; None if it is strided
    or grouped (then it runs unfolded)."""
    if isinstance(conv, RCConv1d):
        weight, padding, dilation = conv.full_weight(), conv.pad, conv.dilation
        bias = None if conv.bias is None else torch.cat([conv.bias, conv.bias.flip(0)])
    else:
        if conv.stride != (1,) or conv.groups != 1 or conv.padding_mode != "zeros":
            return None
        weight, bias, dilation = conv.weight, conv.bias, conv.dilation[0]
        padding = conv.padding
        if isinstance(padding, str):
            padding = 0 if padding == "valid" else same_padding(conv.kernel_size[0], dilation)
        else:
            padding = padding[0]
    if bias is None:
        bias = torch.zeros(weight.shape[0], dtype=weight.dtype, device=weight.device)
    return weight, bias, padding, dilation


def _norm_affine(norm: nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
    """(scale, shift) per output channel of an eval-mode BatchNorm1d or RCBatchNorm1d."""
    inner = norm.norm if isinstance(norm, RCBatchNorm1d) else norm
    if not inner.track_running_stats or inner.running_var is None:
        raise NotImplementedError("batch norm without running statistics cannot be folded")
    scale = torch.rsqrt(inner.running_var + inner.eps)
    if inner.weight is not None:
        scale = scale * inner.weight
    shift = -inner.running_mean * scale
    if inner.bias is not None:
        shift = shift + inner.bias
    if isinstance(norm, RCBatchNorm1d):  # partners share statistics: channel i and 2F-1-i
        scale, shift = torch.cat([scale, scale.flip(0)]), torch.cat([shift, shift.flip(0)])
    return scale, shift


class FoldedPool(nn.Module):
    """The trunk's pooling (MaxPool1d or BlurPool1d) on channels-last maps, with the monotone
    activation before it moved behind it whenever the pool is a pure max."""

    def __init__(self, pool: nn.Module, activation: nn.Module | None):
        super().__init__()
        self.pool, self.activation = pool, activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pool, act = self.pool, self.activation or nn.Identity()
        if isinstance(pool, nn.MaxPool1d):
            kernel, stride = _single(pool.kernel_size), _single(pool.stride)
            return act(F.max_pool2d(x, (1, kernel), (1, stride)))
        taps, offset = pool.grid(x.shape[-1] - pool.pool_size + 1)
        if taps.numel() == 1:  # the centred max-pool grid: the same as BlurPool1d's
            return act(F.max_pool2d(x[..., offset:], (1, pool.pool_size), (1, pool.stride)))
        x = act(x)
        if pool.pool_size > 1:
            x = F.max_pool2d(x, (1, pool.pool_size), 1)
        kernel = taps.to(x.dtype).expand(x.shape[1], 1, 1, -1)
        return F.conv2d(x[..., offset:], kernel, stride=(1, pool.stride), groups=x.shape[1])


def _single(value: int | tuple[int, ...]) -> int:
    return value if isinstance(value, int) else value[0]


# A fold rule takes (layer, the layer after it) and returns (rebuilt layer or None to drop it,
# whether it also consumed the layer after it).
FoldRule = Callable[[nn.Module, nn.Module | None], tuple[nn.Module | None, bool]]


def _fold_conv(conv: nn.Module, after: nn.Module | None) -> tuple[nn.Module | None, bool]:
    parts = _conv_parts(conv)
    if parts is None:
        return Unfolded(conv), False
    weight, bias, padding, dilation = parts
    fused = isinstance(after, _NORMS)
    if fused:
        scale, shift = _norm_affine(after)
        weight, bias = weight * scale[:, None, None], bias * scale + shift
    return FoldedConv(weight, bias, padding, dilation), fused


def _fold_activation(act: nn.Module, after: nn.Module | None) -> tuple[nn.Module | None, bool]:
    if isinstance(act, _MONOTONE) and isinstance(after, nn.MaxPool1d | BlurPool1d):
        return FoldedPool(after, act), True
    return act, False


class FoldedResidual(nn.Module):
    """A CroppedResidual with its body folded, on channels-last maps."""

    def __init__(self, body: nn.Module):
        super().__init__()
        self.body = body

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(x)
        crop = (x.shape[-1] - y.shape[-1]) // 2
        return y + x[..., crop : crop + y.shape[-1]]


def _fold_parallel(block: Parallel, _after: nn.Module | None) -> tuple[nn.Module, bool]:
    branches = [fold_trunk(branch) for branch in block.branches]
    folded = Parallel(
        branches, block.widths, mirrored=block.mirrored, shared_input=block.shared_input
    )
    return folded, False


FOLD: dict[type, FoldRule] = {
    CroppedResidual: lambda block, _: (FoldedResidual(fold_trunk(block.body)), False),
    Parallel: _fold_parallel,
    nn.Conv1d: _fold_conv,
    RCConv1d: _fold_conv,
    nn.BatchNorm1d: lambda norm, _: (Affine(*_norm_affine(norm)), False),
    RCBatchNorm1d: lambda norm, _: (Affine(*_norm_affine(norm)), False),
    Exp: _fold_activation,
    nn.ReLU: _fold_activation,
    nn.ELU: lambda act, _: (act, False),
    nn.GELU: lambda act, _: (act, False),
    nn.SiLU: lambda act, _: (act, False),
    nn.MaxPool1d: lambda pool, _: (FoldedPool(pool, None), False),
    BlurPool1d: lambda pool, _: (FoldedPool(pool, None), False),
    nn.Dropout: lambda layer, _: (None, False),
    nn.Identity: lambda layer, _: (None, False),
}


def _flatten(module: nn.Module) -> list[nn.Module]:
    if isinstance(module, nn.Sequential):
        return [leaf for layer in module for leaf in _flatten(layer)]
    return [module]


def fold_trunk(trunk: nn.Module) -> nn.Sequential:
    """The trunk rebuilt layer by layer for channels-last (N, C, 1, L) maps."""
    layers = _flatten(trunk)
    folded: list[nn.Module] = []
    with torch.no_grad():
        i = 0
        while i < len(layers):
            after = layers[i + 1] if i + 1 < len(layers) else None
            rule = rule_for(FOLD, layers[i])
            module, consumed = rule(layers[i], after) if rule else (Unfolded(layers[i]), False)
            if module is not None:
                folded.append(module)
            i += 2 if consumed else 1
    return nn.Sequential(*folded)


class InferenceForm(nn.Module):
    """An architecture with its trunk folded for inference and its own head."""

    def __init__(self, model: MotifModel):
        super().__init__()
        self.architecture = model.architecture
        self.config, self.rc_invariant = model.config, model.rc_invariant
        self.trunk = fold_trunk(model.trunk)
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.trunk(x.unsqueeze(2).contiguous(memory_format=torch.channels_last))
        return self.model.forward_head(h.squeeze(2))
