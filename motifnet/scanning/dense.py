"""Every window's prediction along a long sequence, without cutting windows where possible.

A trunk is translation-equivariant, so the trunk of every window is a slice of one trunk pass
over the whole sequence, except that pooling with stride D puts window i's grid at i + D·t
rather than on a grid shared by all windows. Filter rarefaction handles that exactly: pooling
runs at stride 1 and every later kernel is dilated by the accumulated stride D (methods.md §3).
Window i's map is then the T positions i + offset + D·t of the rarefied map. From there:

- ``one pass``: a head that is global pooling + per-vector layers (the model's
  ``pooled_head``) becomes a sliding pooling over those T positions, and the layers after it
  run at every position: the whole scan is one dense pass;
- ``trunk``: any other head (recurrent, position-aware) runs on each window's T positions,
  gathered from the one trunk pass: the convolutions are computed once per chunk, the head
  per window;
- ``windows``: a trunk with a layer that cannot be rarefied (padding, strided convolutions,
  a layer without a rule in ``RAREFY``) runs every window through the model (the reference).

The pass runs on the trunk's inference form (motifnet.nn.inference: batch norm folded, RC
banks built once, channels-last convolutions). After the first pooling layer the rarefied
map is dealt into phases stacked along the batch (``_Rarefied.split``), so the later layers
run undilated on the pooled grid, and only for the windows wanted: with a step that the
total stride divides, one phase of them.
Each mode gives window i exactly the model's output on x[i : i + length] ('valid'
convolutions, so no edge effects); tests hold every registered architecture to that.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from motifnet.nn.contract import POINTWISE, rule_for, unwrap
from motifnet.nn.inference import (
    Affine,
    FoldedConv,
    FoldedPool,
    FoldedResidual,
    Unfolded,
    fold_trunk,
)
from motifnet.nn.layers import ATTENTION_BOUND, Parallel
from motifnet.sequence import reverse_complement

MODES = ("one pass", "trunk", "windows")
HEAD_BATCH = 4096  # windows per head call in "trunk" mode
_POINTWISE = (Affine, *POINTWISE)  # batch norm is an Affine once folded


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
    """Geometry while walking a folded trunk over channels-last (N, C, 1, M) maps.

    ``stride``: the accumulated pooling stride S (bases between a window's map positions);
    ``offset``: where window 0's first map position lies, in array elements; ``length``: the
    length of one window's map; ``spacing``: bases between two elements of an array;
    ``step``: the bases between the windows wanted.

    After the first pooling layer the map is split into phases (polyphase, "space to
    batch"): of the rarefied map, only the elements the wanted windows use are kept (every
    g-th, g = gcd(S, step)), and they are dealt into S / g arrays whose consecutive elements
    lie S bases apart, stacked along the batch. Later layers then run undilated on the pooled
    grid, as fast kernels, and only for the wanted windows: one phase when S divides the step.
    """

    def __init__(self, length: int, step: int = 1):
        self.stride, self.offset, self.length = 1, 0, length
        self.spacing, self.step = 1, step
        self.phases, self.grain = 1, 1  # the split: phase count, and g

    @property
    def dilation(self) -> int:
        """A window's neighbouring map positions, in array elements."""
        return self.stride // self.spacing

    def run(self, module: nn.Module, h: torch.Tensor) -> torch.Tensor:
        if isinstance(module, nn.Sequential):
            for layer in module:
                h = self.run(layer, h)
            return h
        rule = rule_for(RAREFY, module)
        return rule.apply(self, module, h) if rule else module(h)

    def pooled(self, stride: int) -> tuple[int, int]:
        """Account for a pooling layer of ``stride``: (first element, element step) of its
        output that later layers use. At the first pooling that is only what the wanted windows
        use (every g-th element from the window offset, g = gcd(S, step)), so the pooling is
        computed for those alone; ``split`` then deals them into phases."""
        self.stride *= stride
        if self.spacing > 1 or self.stride == 1:
            return 0, 1
        self.grain = math.gcd(self.stride, self.step)
        self.phases = self.stride // self.grain
        first, self.offset, self.spacing = self.offset, 0, self.stride
        return first, self.grain

    def split(self, h: torch.Tensor) -> torch.Tensor:
        """After the first pooling: deal the kept elements into phases along the batch."""
        if self.phases == 1:
            return h
        h = h[..., : h.shape[-1] - h.shape[-1] % self.phases]  # the input was padded for this
        n, c, _, m = h.shape
        # channels-last memory is (N, 1, M, C): deal M into (M/P, P) and move P to the batch,
        # in one copy
        rows = h.permute(0, 2, 3, 1).reshape(n, m // self.phases, self.phases, c)
        h = rows.permute(2, 0, 1, 3).reshape(self.phases * n, 1, m // self.phases, c)
        return h.permute(0, 3, 1, 2)  # (P·N, C, 1, M/P), channels-last

    def merge(self, h: torch.Tensor) -> torch.Tensor:
        """Undo ``split`` on per-window outputs (P·N, W, K): (N, windows every g, K)."""
        if self.phases == 1:
            return h
        pn, w, k = h.shape
        h = h.reshape(self.phases, pn // self.phases, w, k).permute(1, 2, 0, 3)
        return h.reshape(pn // self.phases, w * self.phases, k)


def _conv(walker: _Rarefied, conv: FoldedConv, h: torch.Tensor) -> torch.Tensor:
    kernel = conv.weight.shape[-1]
    walker.length -= (kernel - 1) * conv.dilation[1]
    return F.conv2d(h, conv.weight, conv.bias, dilation=(1, conv.dilation[1] * walker.dilation))


def _pool(walker: _Rarefied, pool: FoldedPool, h: torch.Tensor) -> torch.Tensor:
    inner, act = pool.pool, pool.activation or nn.Identity()
    dilation = (1, walker.dilation)
    if isinstance(inner, nn.MaxPool1d):
        kernel, stride, taps = _single(inner.kernel_size), _single(inner.stride), None
        walker.length = (walker.length - kernel) // stride + 1
    else:
        kernel, stride = inner.pool_size, inner.stride
        length = walker.length - kernel + 1
        taps, offset = inner.grid(length)
        walker.offset += offset * walker.dilation
        walker.length = (length - taps.numel() - offset) // stride + 1
        taps = taps if taps.numel() > 1 else None  # one tap: the max pool alone
    first, every = walker.pooled(stride)
    if taps is None:  # activation after the max (monotone), on the kept elements only
        h = act(_max_over(h[..., first:], kernel, dilation[1], every))
    else:
        h = act(h)
        if kernel > 1:
            h = _max_over(h, kernel, dilation[1], 1)
        blur = taps.to(h.dtype).expand(h.shape[1], 1, 1, -1)
        h = F.conv2d(h[..., first:], blur, stride=(1, every), dilation=dilation, groups=h.shape[1])
    return walker.split(h)


def _max_over(h: torch.Tensor, size: int, dilation: int, stride: int) -> torch.Tensor:
    """The max of h[..., i + dilation·t] over t < size, for i = 0, stride, 2·stride, ...

    At stride 1 by doubling (maxima over 1, 2, 4, ... taps from shifted copies: log2(size)
    elementwise maxima instead of size comparisons per element), ~4x faster than max pooling
    on the cache-sized maps of a scan; both are exact."""
    if stride > 1 or size < 2:
        return F.max_pool2d(h, (1, size), stride=(1, stride), dilation=(1, dilation))
    out, span = h, 1
    while 2 * span <= size:
        shift = span * dilation
        out = torch.maximum(out[..., :-shift], out[..., shift:])
        span *= 2
    if span < size:
        shift = (size - span) * dilation
        out = torch.maximum(out[..., : out.shape[-1] - shift], out[..., shift:])
    return out


def _residual(walker: _Rarefied, block: FoldedResidual, h: torch.Tensor) -> torch.Tensor:
    before = walker.length
    y = walker.run(block.body, h)
    side = (before - walker.length) // 2 * walker.dilation  # the window's crop, in elements
    return y + h[..., side : side + y.shape[-1]]


def _parallel(walker: _Rarefied, block: Parallel, h: torch.Tensor) -> torch.Tensor:
    """Each branch from the same walker state; the branches share a geometry, so they leave
    it alike."""
    walkers = [copy.copy(walker) for _ in block.branches]
    outputs = [
        own.run(branch, block.part(h, j))
        for j, (own, branch) in enumerate(zip(walkers, block.branches, strict=True))
    ]
    walker.__dict__.update(vars(walkers[0]))
    return block.arrange(outputs)


def _single(value) -> int:
    return value if isinstance(value, int) else value[0]


@dataclass(frozen=True)
class RarefyRule:
    """How a folded trunk layer runs rarefied, and why an instance cannot (None: it can)."""

    apply: Callable[[_Rarefied, nn.Module, torch.Tensor], torch.Tensor]
    refuse: Callable[[nn.Module], str | None] = lambda module: None


RAREFY: dict[type, RarefyRule] = {
    Parallel: RarefyRule(
        _parallel, lambda block: next(filter(None, map(_refusal, block.branches)), None)
    ),
    FoldedConv: RarefyRule(_conv, lambda c: "a padded convolution" if c.padding[1] else None),
    FoldedPool: RarefyRule(_pool),
    FoldedResidual: RarefyRule(
        _residual,
        lambda block: (
            _refusal(block.body)
            or (
                "a residual block that downsamples"
                if any(isinstance(m, FoldedPool) for m in block.body.modules())
                else None
            )
        ),
    ),
}


def _refusal(module: nn.Module) -> str | None:
    """Why a folded trunk (or one of its layers) cannot run rarefied; None if it can."""
    if isinstance(module, nn.Sequential):
        return next((r for r in map(_refusal, module) if r), None)
    if isinstance(module, Unfolded):
        return f"{type(module.layer).__name__} (a strided, grouped or unknown layer)"
    rule = rule_for(RAREFY, module)
    if rule is not None:
        return rule.refuse(module)
    if isinstance(module, _POINTWISE):
        return None
    return f"{type(module).__name__} has no rarefaction rule"


def dense_mode(model: nn.Module) -> DenseMode:
    """How a scan runs ``model``: in one pass, trunk once + head per window, or windows."""
    try:
        core, _ = unwrap(model)
    except TypeError as err:
        return DenseMode("windows", str(err))
    refusal = _refusal(fold_trunk(core.trunk))
    if refusal:
        return DenseMode("windows", f"its trunk has {refusal}")
    if core.pooled_head() is None:
        if core.shift_invariant_head():
            return DenseMode("trunk", "its global pooling has no one-pass form")
        return DenseMode("trunk", "its head is not global pooling")
    return DenseMode("one pass")


class DenseScanner:
    """A model's dense form: its folded trunk and its head, built once for many chunks."""

    def __init__(self, model: nn.Module):
        self.mode = dense_mode(model)
        self.model = model.eval()
        if self.mode.mode != "windows":
            self.core, self.conjoined = unwrap(model)
            self.trunk = fold_trunk(self.core.trunk).eval()

    def __call__(self, x: torch.Tensor, length: int, step: int = 1) -> torch.Tensor:
        """Logits of the windows starting at 0, step, 2·step, ... of one-hot x (N, 4, M):
        (N, windows, outputs)."""
        if self.mode.mode == "windows":
            return sliding_windows(self.model, x, length)[:, ::step]
        forward = self._one_strand(x, length, step)
        if not self.conjoined:
            return forward
        count = forward.shape[1]
        last = (count - 1) * step  # the reverse strand's windows, mirrored onto the same starts
        reverse_x = reverse_complement(x[..., : last + length])
        reverse = self._one_strand(reverse_x, length, step).flip(1)
        return (forward + reverse) / 2

    def _one_strand(self, x: torch.Tensor, length: int, step: int) -> torch.Tensor:
        walker = _Rarefied(length, step)
        windows = (x.shape[-1] - length) // step + 1
        # room for every phase's last window (the extra windows are dropped)
        x = F.pad(x, (0, 2 * self.core.total_stride))
        h = x.unsqueeze(2).contiguous(memory_format=torch.channels_last)
        h = walker.run(self.trunk, h)[..., walker.offset :]  # (P·N, C, 1, M')
        dilation, positions = walker.dilation, walker.length
        span = (positions - 1) * dilation + 1
        # within an array, consecutive windows (of those every `grain` bases) lie this apart
        every = 1 if walker.spacing > 1 else step // walker.grain
        if self.mode.mode == "trunk":
            maps = h.squeeze(2).unfold(-1, span, every)[..., ::dilation]  # (P·N, C, W, T)
            pn, channels, count, _ = maps.shape
            outputs = []
            for start in range(0, count, HEAD_BATCH):
                part = maps[:, :, start : start + HEAD_BATCH]
                flat = part.permute(0, 2, 1, 3).reshape(-1, channels, positions)
                outputs.append(self.core.forward_head(flat).reshape(pn, part.shape[2], -1))
            per_window = torch.cat(outputs, dim=1)
        else:
            head = self.core.pooled_head()

            def sliding(kind: str, m: torch.Tensor = h) -> torch.Tensor:  # (P·N, C, 1, W)
                if kind == "max":
                    return _max_over(m, positions, dilation, every)
                kernel = torch.zeros(m.shape[1], 1, 1, span, dtype=m.dtype, device=m.device)
                kernel[..., ::dilation] = 1.0 / positions
                return F.conv2d(m, kernel, stride=(1, every), groups=m.shape[1])

            if head.pool.mode == "maxavg":
                pooled = head.pool.combine(sliding("max"), sliding("avg"))
            elif head.pool.mode == "attention":
                # softmax over each window = window sums of e·h / window sums of e; the logits
                # are bounded, so e = exp(logit - bound) neither overflows nor vanishes
                logits = head.pool.attention_logits(h.squeeze(2)).unsqueeze(2)
                weights = torch.exp(logits - ATTENTION_BOUND)
                pooled = sliding("avg", weights * h) / sliding("avg", weights)
            else:
                pooled = sliding(head.pool.mode)
            pooled = pooled.squeeze(2).transpose(1, 2)  # (P·N, W, C), contiguous in C
            pn, count, channels = pooled.shape
            outputs = head.after(pooled.reshape(pn * count, channels))
            per_window = outputs.reshape(pn, count, -1)
        per_window = walker.merge(per_window)  # (N, windows every grain, outputs)
        if walker.spacing > 1:
            per_window = per_window[:, :: step // walker.grain]
        return per_window[:, :windows]


def dense_windows(model: nn.Module, x: torch.Tensor, length: int) -> torch.Tensor:
    """Logits for every window start of one-hot x (N, 4, M): (N, M - length + 1, outputs),
    in the model's dense mode (which must not be ``windows``)."""
    scanner = DenseScanner(model)
    if scanner.mode.mode == "windows":
        raise NotImplementedError(f"no dense form: {scanner.mode.reason}")
    return scanner(x, length)


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
