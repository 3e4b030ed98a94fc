"""The inference form of a trained network: the same function with less work per forward pass.

``for_inference(model)`` rebuilds a CNN (``cnn``, ``rc_cnn``, also inside ``conjoined``) so that
- batch norm is folded into the convolution before it (eval statistics are constants),
- RC kernel banks and biases are built once, not on every call,
- a monotone activation (exp, ReLU) that feeds a max pool runs after the pool: fl(exp) and
  ReLU are monotone, so max and activation commute exactly and the activation touches 1/stride
  of the values,
- convolutions run as 2D convolutions in channels-last layout, oneDNN's fast path on CPU (the
  4-channel one-hot input of the first layer gains most),
- dropout is gone.
Outputs equal the model's to float32 rounding (tests hold them to 1e-5). Other models come back
unchanged, in eval mode. ``precision="bf16"`` runs the network under bfloat16 autocast (CPUs
with AVX512-BF16/AMX, recent GPUs): several times faster; probabilities move by ~2e-3 on
average. ``retain_freed_memory()`` is the process-level half of CPU inference speed (see
there); ``motifnet predict`` and ``motifnet scan`` call it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from contextlib import AbstractContextManager, nullcontext

import torch
from torch import nn
from torch.nn import functional as F

from motifnet.errors import ConfigError
from motifnet.nn.layers import BlurPool1d, RCBatchNorm1d, RCConv1d
from motifnet.nn.models import CNN, Conjoined, Exp

PRECISIONS = ("fp32", "bf16")
_MONOTONE = (Exp, nn.ReLU)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc mallopt parameters (malloc.h)


def retain_freed_memory() -> bool:
    """Let glibc malloc reuse freed memory instead of handing it back to the OS each batch.

    PyTorch allocates and frees every intermediate map on every forward pass. With glibc's
    defaults, maps of a few MB are mmapped and unmapped (or the heap is trimmed) each time, so
    every batch page-faults its memory in again: the default rc_cnn's forward pass on 256 x
    200 bp ran 1.9x faster with these settings on this project's CPU (the effect jemalloc or
    tcmalloc have, as PyTorch's CPU tuning guides advise). The cost: the process keeps up to
    1 GB of freed memory. Process-wide; returns False where it does not apply (no glibc).
    """
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        return False
    if mallopt is None:
        return False
    return bool(mallopt(_M_TRIM_THRESHOLD, 1 << 30) and mallopt(_M_MMAP_THRESHOLD, 32 << 20))


def precision_context(precision: str, device: str | torch.device) -> AbstractContextManager:
    """Autocast for ``bf16``, nothing for ``fp32``; unknown names are refused."""
    if precision not in PRECISIONS:
        raise ConfigError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    if precision == "fp32":
        return nullcontext()
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16)


def for_inference(model: nn.Module) -> nn.Module:
    """A faster eval-only module computing ``model``'s outputs (CNNs), else ``model.eval()``."""
    model = model.eval()
    if isinstance(model, Conjoined) and isinstance(model.model, CNN):
        return Conjoined(InferenceCNN(model.model)).eval()
    if isinstance(model, CNN):
        return InferenceCNN(model).eval()
    return model


class _Conv(nn.Module):
    """A stride-1 1D convolution (batch norm folded in) as a channels-last 2D convolution."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, padding: int, dilation: int):
        super().__init__()
        kernel = weight.detach().unsqueeze(2).contiguous(memory_format=torch.channels_last)
        self.register_buffer("weight", kernel)
        self.register_buffer("bias", bias.detach().clone())
        self.padding, self.dilation = (0, padding), (1, dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight, self.bias, padding=self.padding, dilation=self.dilation)


def _conv_parts(conv: nn.Module) -> tuple[torch.Tensor, torch.Tensor, int, int]:
    """(weight bank, bias, padding, dilation) of a Conv1d or RCConv1d."""
    if isinstance(conv, RCConv1d):
        weight, padding, dilation = conv.full_weight(), conv.pad, conv.dilation
        bias = None if conv.bias is None else torch.cat([conv.bias, conv.bias.flip(0)])
    else:
        if conv.stride != (1,) or isinstance(conv.padding, str) or conv.groups != 1:
            raise NotImplementedError("only stride-1, ungrouped, numerically padded convolutions")
        weight, bias = conv.weight, conv.bias
        padding, dilation = conv.padding[0], conv.dilation[0]
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


class _Pool(nn.Module):
    """The trunk's pooling (MaxPool1d or BlurPool1d) on channels-last maps, with the monotone
    activation before it moved behind it whenever the pool is a pure max."""

    def __init__(self, pool: nn.Module, activation: nn.Module | None):
        super().__init__()
        self.pool, self.activation = pool, activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pool, act = self.pool, self.activation or nn.Identity()
        if isinstance(pool, nn.MaxPool1d):
            kernel, stride = pool.kernel_size, pool.stride
            return act(F.max_pool2d(x, (1, _single(kernel)), (1, _single(stride))))
        length = x.shape[-1] - pool.pool_size + 1
        taps = pool.short if (length - pool.blur_size) % pool.stride % 2 == 0 else pool.long
        offset = (length - taps.numel()) % pool.stride // 2
        if taps.numel() == 1:  # the centred max-pool grid: the same as BlurPool1d's
            return act(F.max_pool2d(x[..., offset:], (1, pool.pool_size), (1, pool.stride)))
        x = act(x)
        if pool.pool_size > 1:
            x = F.max_pool2d(x, (1, pool.pool_size), 1)
        kernel = taps.to(x.dtype).expand(x.shape[1], 1, 1, -1)
        return F.conv2d(x[..., offset:], kernel, stride=(1, pool.stride), groups=x.shape[1])


def _single(value: int | tuple[int, ...]) -> int:
    return value if isinstance(value, int) else value[0]


class InferenceCNN(nn.Module):
    """A CNN rebuilt for inference (see the module docstring); input (N, 4, L) as the CNN's."""

    def __init__(self, model: CNN):
        super().__init__()
        self.architecture = getattr(model, "architecture", "cnn")
        self.config, self.rc_invariant = model.config, model.rc_invariant
        self.receptive_field, self.total_stride = model.receptive_field, model.total_stride
        layers = [m for m in model.trunk if not isinstance(m, nn.Dropout | nn.Identity)]
        trunk: list[nn.Module] = []
        with torch.no_grad():
            for i, layer in enumerate(layers):
                before = layers[i - 1] if i else None
                after = layers[i + 1] if i + 1 < len(layers) else None
                if isinstance(layer, nn.Conv1d | RCConv1d):
                    weight, bias, padding, dilation = _conv_parts(layer)
                    if isinstance(after, nn.BatchNorm1d | RCBatchNorm1d):
                        scale, shift = _norm_affine(after)
                        weight, bias = weight * scale[:, None, None], bias * scale + shift
                    trunk.append(_Conv(weight, bias, padding, dilation))
                elif isinstance(layer, nn.BatchNorm1d | RCBatchNorm1d):
                    if not isinstance(before, nn.Conv1d | RCConv1d):
                        raise NotImplementedError("batch norm must follow a convolution")
                elif isinstance(layer, _MONOTONE) and isinstance(after, nn.MaxPool1d | BlurPool1d):
                    continue  # applied by the pool
                elif isinstance(layer, nn.MaxPool1d | BlurPool1d):
                    trunk.append(_Pool(layer, before if isinstance(before, _MONOTONE) else None))
                else:
                    trunk.append(layer)
        self.trunk = nn.Sequential(*trunk)
        self.head = model.head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.trunk(x.unsqueeze(2).contiguous(memory_format=torch.channels_last))
        return self.head(h.squeeze(2))
