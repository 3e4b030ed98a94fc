"""One dense pass over long sequences: every window's prediction without cutting windows.

A CNN's trunk is translation-equivariant, so the trunk of every window is a slice of one trunk
pass over the whole sequence, except that pooling with stride D puts window i's grid at i + D·t
rather than on a grid shared by all windows. Filter rarefaction handles that exactly: pooling
runs at stride 1 and every later kernel is dilated by the accumulated stride D (methods.md §3).
The global pooling of the head becomes a sliding pooling over the window's T positions, spaced
D apart, and the linear head is applied at every position. Window i then gets exactly the
output the model gives the window x[i : i + L] ('valid' convolutions, so no edge effects).

Long sequences are processed in chunks that overlap by L - 1 bp, so the result does not depend
on the chunk size. Models without a convolutional trunk (RNNs, hybrids) fall back to batched
sliding windows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from motifnet.nn.inference import precision_context
from motifnet.nn.layers import BlurPool1d, GlobalPool, RCBatchNorm1d, RCConv1d, StrandPool
from motifnet.nn.models import CNN, Conjoined, Exp
from motifnet.sequence import one_hot, reverse_complement

_POINTWISE = (nn.BatchNorm1d, RCBatchNorm1d, nn.ReLU, nn.ELU, Exp, nn.Dropout, nn.Identity)


class _Rarefied:
    """Trunk geometry while walking the layers: D (accumulated stride), the offset of window
    0's first grid point, and the length of one window's map at this depth."""

    def __init__(self, window: int):
        self.stride, self.offset, self.length = 1, 0, window

    def conv(self, h: torch.Tensor, weight: torch.Tensor, bias, dilation: int) -> torch.Tensor:
        self.length -= (weight.shape[-1] - 1) * dilation
        return F.conv1d(h, weight, bias, dilation=dilation * self.stride)

    def layer(self, module: nn.Module, h: torch.Tensor) -> torch.Tensor:
        if isinstance(module, RCConv1d):
            if module.pad:
                raise NotImplementedError("dense scanning needs 'valid' convolutions")
            bias = None if module.bias is None else torch.cat([module.bias, module.bias.flip(0)])
            return self.conv(h, module.full_weight(), bias, module.dilation)
        if isinstance(module, nn.Conv1d):
            if module.padding not in ((0,), "valid") or module.stride != (1,):
                raise NotImplementedError("dense scanning needs stride-1 'valid' convolutions")
            return self.conv(h, module.weight, module.bias, module.dilation[0])
        if isinstance(module, nn.MaxPool1d):
            kernel, stride = _single(module.kernel_size), _single(module.stride)
            h = F.max_pool1d(h, kernel, stride=1, dilation=self.stride)
            self.length = (self.length - kernel) // stride + 1
            self.stride *= stride
            return h
        if isinstance(module, BlurPool1d):
            return self._blurpool(module, h)
        if isinstance(module, _POINTWISE):
            return module(h)
        raise NotImplementedError(f"dense scanning does not know {type(module).__name__}")

    def _blurpool(self, pool: BlurPool1d, h: torch.Tensor) -> torch.Tensor:
        if pool.pool_size > 1:
            h = F.max_pool1d(h, pool.pool_size, stride=1, dilation=self.stride)
        length = self.length - pool.pool_size + 1
        taps = pool.short if (length - pool.blur_size) % pool.stride % 2 == 0 else pool.long
        offset = (length - taps.numel()) % pool.stride // 2
        if taps.numel() > 1:
            kernel = taps.to(h.dtype).expand(h.shape[1], 1, -1)
            h = F.conv1d(h, kernel, dilation=self.stride, groups=h.shape[1])
        self.offset += offset * self.stride
        self.length = (length - taps.numel() - offset) // pool.stride + 1
        self.stride *= pool.stride
        return h


def _single(value) -> int:
    return value if isinstance(value, int) else value[0]


def _dense_cnn(model: CNN, x: torch.Tensor, window: int) -> torch.Tensor:
    """(N, 4, M) -> (N, M - window + 1, tasks): the model's output for every window start."""
    geometry = _Rarefied(window)
    h = x
    for module in model.trunk:
        h = geometry.layer(module, h)
    h = h[..., geometry.offset :]
    head = list(model.head)
    pool = head.pop(0)
    if not isinstance(pool, GlobalPool):
        raise NotImplementedError("dense scanning needs a global pooling head")
    span = (geometry.length - 1) * geometry.stride + 1

    def sliding(mode: str) -> torch.Tensor:
        if mode == "max":
            return F.max_pool1d(h, geometry.length, stride=1, dilation=geometry.stride)
        kernel = torch.zeros(h.shape[1], 1, span, dtype=h.dtype, device=h.device)
        kernel[..., :: geometry.stride] = 1.0 / geometry.length
        return F.conv1d(h, kernel, groups=h.shape[1])

    if pool.mode == "maxavg":
        h = pool.combine(sliding("max"), sliding("avg"))
    else:
        h = sliding(pool.mode)
    # Windows past M - window would use fewer bases than a real window has: drop them.
    h = h[..., : x.shape[-1] - window + 1].transpose(1, 2)  # (N, windows, C), per window below
    for module in head:
        if isinstance(module, StrandPool):
            h = module(h.reshape(-1, h.shape[-1])).reshape(h.shape[0], h.shape[1], -1)
        else:
            h = module(h)
    return h


def supports_dense(model: nn.Module) -> bool:
    """Whether ``scan`` can use one dense pass for this model (CNNs, also conjoined)."""
    inner = model.model if isinstance(model, Conjoined) else model
    return isinstance(inner, CNN)


def dense_windows(model: nn.Module, x: torch.Tensor, window: int) -> torch.Tensor:
    """Logits for every window start of one-hot x (N, 4, M): (N, M - window + 1, tasks)."""
    if isinstance(model, Conjoined):
        forward = _dense_cnn(model.model, x, window)
        reverse = _dense_cnn(model.model, reverse_complement(x), window).flip(1)
        return (forward + reverse) / 2
    return _dense_cnn(model, x, window)


def sliding_windows(
    model: nn.Module, x: torch.Tensor, window: int, *, batch_size: int = 512
) -> torch.Tensor:
    """The same result by cutting every window and running the model on it (the reference)."""
    out = []
    for n in range(x.shape[0]):
        cut = x[n].unfold(-1, window, 1).permute(1, 0, 2)  # (windows, 4, window)
        out.append(
            torch.cat([model(cut[s : s + batch_size]) for s in range(0, len(cut), batch_size)])
        )
    return torch.stack(out)


def scan_sequence(
    model: nn.Module,
    fetch: Callable[[int, int], str],
    size: int,
    window: int,
    *,
    start: int = 0,
    end: int | None = None,
    chunk: int = 100_000,
    device: str = "cpu",
    precision: str = "fp32",
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (centre of the first window, logits of consecutive windows), chunk by chunk, for
    the windows centred on each base of [start, end) of a sequence of ``size`` bp.

    ``fetch(a, b)`` returns the bases of [a, b) (pyfaidx random access, so memory stays bounded
    by the chunk). Windows use the real flanks around [start, end) and see N only past the ends
    of the sequence, as a short record does in predict. Chunks overlap by window - 1 bp, so the
    track does not depend on ``chunk``. ``precision="bf16"`` runs under bfloat16 autocast.
    """
    model = model.to(device).eval()
    end = size if end is None else end
    left = window // 2
    dense = supports_dense(model)
    with torch.inference_mode(), precision_context(precision, device):
        for centre in range(start, end, chunk):
            stop = min(centre + chunk, end)
            low, high = centre - left, stop - left + window - 1  # the bases these windows cover
            bases = (
                "N" * max(0, -low) + fetch(max(low, 0), min(high, size)) + "N" * max(0, high - size)
            )
            x = torch.from_numpy(one_hot(bases))[None].to(device)
            logits = dense_windows(model, x, window) if dense else sliding_windows(model, x, window)
            yield centre, logits[0].float().cpu().numpy()


def scan(
    model: nn.Module,
    sequence: str,
    window: int,
    *,
    chunk: int = 100_000,
    device: str = "cpu",
    precision: str = "fp32",
) -> np.ndarray:
    """Logits (len(sequence), tasks) of the window centred on every base of ``sequence``."""
    parts = scan_sequence(
        model,
        lambda a, b: sequence[a:b],
        len(sequence),
        window,
        chunk=chunk,
        device=device,
        precision=precision,
    )
    return np.concatenate([values for _, values in parts])
