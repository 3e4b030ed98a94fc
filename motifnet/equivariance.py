"""Measured reverse-complement and shift equivariance of any model.

Analysis functions share one signature, ``(model, X, *, batch_size, device)``, with X a one-hot
batch (N, 4, L). Errors are measured on logits:

* RC error: |f(rc x) - f(x)| for invariant outputs (N, T), or against the flipped and
  strand-swapped map for per-position outputs (N, C, L).
* Shift error of the output: mean |f(T_s x) - f(x)| / mean |f(x)|, windows of the same length cut
  s bp apart from longer sequences.
* Shift error of the trunk (the translation-equivariant feature map every motifnet model has): the
  shifted map against the base map moved by s / D output steps (D = total stride); for s not a
  multiple of D the better of the two nearest integer alignments. Exactly 0 for s in D·Z with
  'valid' convolutions.
* Consistency: the fraction of (sequence, task, shift) whose call (logit > 0) is unchanged.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from motifnet.nn.contract import unwrap
from motifnet.nn.runtime import batched_forward
from motifnet.sequence.reverse import reverse_complement


def _forward(module: nn.Module, x: torch.Tensor, batch_size: int, device: str) -> torch.Tensor:
    return batched_forward(module, x, batch_size=batch_size, device=device)


def rc_error(
    model: nn.Module, X: torch.Tensor, *, batch_size: int = 256, device: str = "cpu"
) -> dict:
    """Max and mean absolute difference between the model on x and on rc(x), the relative mean,
    and the scale of the outputs (largest |f(x)|)."""
    forward = _forward(model, X, batch_size, device)
    reverse = _forward(model, reverse_complement(X), batch_size, device)
    if forward.ndim == 3:  # per-position output: RC flips length and swaps strand channels
        reverse = reverse.flip((-2, -1))
    diff = (reverse - forward).abs()
    return {
        "max_abs": diff.max().item(),
        "mean_abs": diff.mean().item(),
        "relative": (diff.mean() / forward.abs().mean().clamp_min(1e-12)).item(),
        "scale": forward.abs().max().item(),
    }


def default_shifts(total_stride: int) -> list[int]:
    """1..D and the next two multiples of D (D = total stride; 1, 2, 3 when D = 1)."""
    return sorted(set(range(1, total_stride + 1)) | {2 * total_stride, 3 * total_stride})


def shift_error(
    model: nn.Module,
    X: torch.Tensor,
    *,
    length: int,
    shifts: list[int] | None = None,
    batch_size: int = 256,
    device: str = "cpu",
) -> list[dict]:
    """Per shift: output error, trunk error (None for a module that is not a motifnet
    architecture) and call consistency.

    X holds sequences of at least ``length + max(shifts)`` bp; window s is X[..., s:s+length].
    """
    try:
        core, _ = unwrap(model)
        stride, trunk = core.total_stride, core.trunk
    except TypeError:  # not a motifnet architecture: no declared trunk, output error only
        stride, trunk = 1, None
    shifts = shifts or default_shifts(stride)
    if X.shape[-1] < length + max(shifts):
        raise ValueError(f"need inputs of at least {length + max(shifts)} bp, got {X.shape[-1]}")
    base = _forward(model, X[..., :length], batch_size, device)
    base_map = None if trunk is None else _forward(trunk, X[..., :length], batch_size, device)
    rows = []
    for shift in shifts:
        window = X[..., shift : shift + length]
        shifted = _forward(model, window, batch_size, device)
        row = {
            "shift": shift,
            "multiple_of_stride": shift % stride == 0,
            "output_error": (
                (shifted - base).abs().mean() / base.abs().mean().clamp_min(1e-12)
            ).item(),
            "consistency": ((shifted > 0) == (base > 0)).float().mean().item(),
            "trunk_error": None,
        }
        if trunk is not None:
            row["trunk_error"] = _aligned_error(
                _forward(trunk, window, batch_size, device), base_map, shift, stride
            )
        rows.append(row)
    return rows


def _aligned_error(shifted: torch.Tensor, base: torch.Tensor, shift: int, stride: int) -> float:
    """Relative error of the shifted map against the base map moved by the best step count."""
    errors = []
    for steps in {math.floor(shift / stride), math.ceil(shift / stride)}:
        overlap = base.shape[-1] - steps
        if overlap <= 0:
            continue
        diff = (shifted[..., :overlap] - base[..., steps:]).abs().mean()
        errors.append((diff / base[..., steps:].abs().mean().clamp_min(1e-12)).item())
    return min(errors) if errors else float("nan")


def random_one_hot(n: int, length: int, *, seed: int = 0) -> torch.Tensor:
    """Uniform random one-hot DNA (N, 4, L), seeded: the default probe for untrained models."""
    index = torch.randint(0, 4, (n, length), generator=torch.Generator().manual_seed(seed))
    return torch.nn.functional.one_hot(index, 4).permute(0, 2, 1).float()


def check(
    model: nn.Module,
    X: torch.Tensor,
    *,
    length: int,
    shifts: list[int] | None = None,
    batch_size: int = 256,
    device: str = "cpu",
) -> dict:
    """RC error (on the first ``length`` bp) and the shift table, as one JSON-ready dict."""
    return {
        "length": length,
        "sequences": X.shape[0],
        "rc": rc_error(model, X[..., :length], batch_size=batch_size, device=device),
        "shifts": shift_error(
            model, X, length=length, shifts=shifts, batch_size=batch_size, device=device
        ),
    }
