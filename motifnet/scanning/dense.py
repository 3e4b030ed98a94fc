"""Every window's prediction along a long sequence, without cutting windows where possible.

A trunk is translation-equivariant, so the trunk of every window is a slice of one trunk pass
over the whole sequence, except that pooling with stride D puts window i's grid at i + D·t
rather than on a grid shared by all windows. Filter rarefaction handles that exactly: pooling
runs at stride 1 and every later kernel is dilated by the accumulated stride D (methods.md §3).
Window i's map is then the T positions i + offset + D·t of the rarefied map. From there:

- ``one pass``: a head that is global pooling + per-vector layers (the model's
  ``pooled_head``) becomes a sliding pooling over those T positions, and the layers after it
  run at every position: the whole scan is one dense pass;
- ``trunk``: any other head (a recurrent one) runs on each window's T positions, gathered
  from the one trunk pass: the convolutions are computed once per chunk, the head per window;
- ``windows``: a trunk with a layer that cannot be rarefied (padding, strided convolutions,
  a layer without a rule in ``RAREFY``) runs every window through the model (the reference).

Each gives window i exactly the model's output on x[i : i + length] ('valid' convolutions,
so no edge effects); tests hold every registered architecture to that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from motifnet.nn.contract import POINTWISE, MotifModel, layer_steps, rule_for, unwrap
from motifnet.nn.layers import BlurPool1d, CroppedResidual, RCConv1d
from motifnet.sequence import reverse_complement

MODES = ("one pass", "trunk", "windows")
HEAD_BATCH = 4096  # windows per head call in "trunk" mode


@dataclass(frozen=True)
class DenseMode:
    """How a scan runs a model (one of MODES), and why not a faster mode."""

    mode: str
    reason: str = ""

    def describe(self) -> str:
        """One line for users."""
        text = {
            "one pass": "one dense pass (trunk and head over the whole chunk)",
            "trunk": "the trunk in one dense pass per chunk, the head per window",
            "windows": "every window through the model",
        }[self.mode]
        return f"{text} ({self.reason})" if self.reason else text


class _Rarefied:
    """Trunk geometry while walking the layers: D (accumulated stride), the offset of window
    0's first grid point, and the length of one window's map at this depth."""

    def __init__(self, length: int):
        self.stride, self.offset, self.length = 1, 0, length

    def conv(self, h: torch.Tensor, weight: torch.Tensor, bias, dilation: int) -> torch.Tensor:
        self.length -= (weight.shape[-1] - 1) * dilation
        return F.conv1d(h, weight, bias, dilation=dilation * self.stride)

    def run(self, module: nn.Module, h: torch.Tensor) -> torch.Tensor:
        if isinstance(module, nn.Sequential):
            for layer in module:
                h = self.run(layer, h)
            return h
        if isinstance(module, CroppedResidual):
            before = self.length
            y = self.run(module.body, h)
            side = (before - self.length) // 2 * self.stride  # the window's crop, rarefied
            return y + h[..., side : side + y.shape[-1]]
        if isinstance(module, POINTWISE):
            return module(h)
        return rule_for(RAREFY, module).apply(self, module, h)


def _rc_conv(walker: _Rarefied, conv: RCConv1d, h: torch.Tensor) -> torch.Tensor:
    bias = None if conv.bias is None else torch.cat([conv.bias, conv.bias.flip(0)])
    return walker.conv(h, conv.full_weight(), bias, conv.dilation)


def _conv(walker: _Rarefied, conv: nn.Conv1d, h: torch.Tensor) -> torch.Tensor:
    return walker.conv(h, conv.weight, conv.bias, conv.dilation[0])


def _max_pool(walker: _Rarefied, pool: nn.MaxPool1d, h: torch.Tensor) -> torch.Tensor:
    kernel, stride = _single(pool.kernel_size), _single(pool.stride)
    h = F.max_pool1d(h, kernel, stride=1, dilation=walker.stride)
    walker.length = (walker.length - kernel) // stride + 1
    walker.stride *= stride
    return h


def _blur_pool(walker: _Rarefied, pool: BlurPool1d, h: torch.Tensor) -> torch.Tensor:
    if pool.pool_size > 1:
        h = F.max_pool1d(h, pool.pool_size, stride=1, dilation=walker.stride)
    length = walker.length - pool.pool_size + 1
    taps, offset = pool.grid(length)
    if taps.numel() > 1:
        kernel = taps.to(h.dtype).expand(h.shape[1], 1, -1)
        h = F.conv1d(h, kernel, dilation=walker.stride, groups=h.shape[1])
    walker.offset += offset * walker.stride
    walker.length = (length - taps.numel() - offset) // pool.stride + 1
    walker.stride *= pool.stride
    return h


def _single(value) -> int:
    return value if isinstance(value, int) else value[0]


@dataclass(frozen=True)
class RarefyRule:
    """How a trunk layer runs rarefied, and why a given instance cannot (None: it can)."""

    apply: Callable[[_Rarefied, nn.Module, torch.Tensor], torch.Tensor]
    refuse: Callable[[nn.Module], str | None] = lambda module: None


def _conv_refusal(conv: nn.Conv1d) -> str | None:
    if conv.padding not in ((0,), "valid") or conv.stride != (1,) or conv.groups != 1:
        return "a padded, strided or grouped convolution"
    return None


RAREFY: dict[type, RarefyRule] = {
    RCConv1d: RarefyRule(_rc_conv, lambda c: "a padded convolution" if c.pad else None),
    nn.Conv1d: RarefyRule(_conv, _conv_refusal),
    nn.MaxPool1d: RarefyRule(_max_pool),
    BlurPool1d: RarefyRule(_blur_pool),
}


def _refusal(module: nn.Module) -> str | None:
    """Why ``module`` (a trunk or one of its layers) cannot run rarefied; None if it can."""
    if isinstance(module, nn.Sequential):
        return next((r for r in map(_refusal, module) if r), None)
    if isinstance(module, CroppedResidual):
        if any(stride > 1 for _, _, stride in layer_steps(module.body)):
            return "a residual block that downsamples"
        return _refusal(module.body)
    if isinstance(module, POINTWISE):
        return None
    rule = rule_for(RAREFY, module)
    if rule is None:
        return f"{type(module).__name__} has no rarefaction rule"
    return rule.refuse(module)


def dense_mode(model: nn.Module) -> DenseMode:
    """How a scan runs ``model``: in one pass, trunk once + head per window, or windows."""
    try:
        core, _ = unwrap(model)
    except TypeError as err:
        return DenseMode("windows", str(err))
    refusal = _refusal(core.trunk)
    if refusal:
        return DenseMode("windows", f"its trunk has {refusal}")
    if core.pooled_head() is None:
        return DenseMode("trunk", "its head is not global pooling")
    return DenseMode("one pass")


def _one_strand(core: MotifModel, x: torch.Tensor, length: int, mode: str) -> torch.Tensor:
    """(N, 4, M) -> (N, M - length + 1, outputs) for every window start, one strand."""
    walker = _Rarefied(length)
    h = walker.run(core.trunk, x)[..., walker.offset :]
    windows = x.shape[-1] - length + 1
    positions, stride = walker.length, walker.stride
    span = (positions - 1) * stride + 1
    if mode == "trunk":
        maps = h.unfold(-1, span, 1)[..., ::stride]  # (N, C, windows', T), a view
        outputs = []
        for start in range(0, windows, HEAD_BATCH):
            part = maps[:, :, start : min(start + HEAD_BATCH, windows)]
            n, channels, count, _ = part.shape
            flat = part.permute(0, 2, 1, 3).reshape(n * count, channels, positions)
            outputs.append(core.forward_head(flat).reshape(n, count, -1))
        return torch.cat(outputs, dim=1)
    head = core.pooled_head()

    def sliding(kind: str) -> torch.Tensor:
        if kind == "max":
            return F.max_pool1d(h, positions, stride=1, dilation=stride)
        kernel = torch.zeros(h.shape[1], 1, span, dtype=h.dtype, device=h.device)
        kernel[..., ::stride] = 1.0 / positions
        return F.conv1d(h, kernel, groups=h.shape[1])

    if head.pool.mode == "maxavg":
        pooled = head.pool.combine(sliding("max"), sliding("avg"))
    else:
        pooled = sliding(head.pool.mode)
    pooled = pooled[..., :windows].transpose(1, 2)  # (N, windows, C)
    n, count, channels = pooled.shape
    return head.after(pooled.reshape(n * count, channels)).reshape(n, count, -1)


def dense_windows(model: nn.Module, x: torch.Tensor, length: int) -> torch.Tensor:
    """Logits for every window start of one-hot x (N, 4, M): (N, M - length + 1, outputs),
    in the model's dense mode (which must not be ``windows``)."""
    mode = dense_mode(model)
    if mode.mode == "windows":
        raise NotImplementedError(f"no dense form: {mode.reason}")
    core, conjoined = unwrap(model)
    forward = _one_strand(core, x, length, mode.mode)
    if not conjoined:
        return forward
    reverse = _one_strand(core, reverse_complement(x), length, mode.mode).flip(1)
    return (forward + reverse) / 2


def sliding_windows(
    model: nn.Module, x: torch.Tensor, length: int, *, batch_size: int = 512
) -> torch.Tensor:
    """The same result by cutting every window and running the model on it (the reference)."""
    out = []
    for n in range(x.shape[0]):
        cut = x[n].unfold(-1, length, 1).permute(1, 0, 2)  # (windows, 4, length)
        out.append(
            torch.cat([model(cut[s : s + batch_size]) for s in range(0, len(cut), batch_size)])
        )
    return torch.stack(out)


def window_logits(model: nn.Module, x: torch.Tensor, length: int, mode: DenseMode) -> torch.Tensor:
    """Logits of every window start of x in ``mode`` (see ``dense_mode``)."""
    if mode.mode == "windows":
        return sliding_windows(model, x, length)
    return dense_windows(model, x, length)
