"""Running a model: the device, the precision, and one batched forward pass for every feature.

``batched_forward`` is the loop every analysis uses (metrics, equivariance, motifs, the
API): eval mode and no gradients while it runs, the model's own mode restored after.
``retain_freed_memory()`` is the process-level half of CPU inference speed (see there);
``release_freed_memory()`` its opposite, for training after a large set is encoded.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

import torch
from torch import nn

from motifnet.errors import ConfigError

PRECISIONS = ("fp32", "bf16")
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc mallopt parameters (malloc.h)


class Batchable(Protocol):
    """Inputs that give a batch tensor per slice (e.g. motifnet.data.OneHotCodes)."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: slice) -> torch.Tensor: ...


def resolve_device(name: str = "auto") -> str:
    """``auto`` is the GPU when one is present, else the CPU; other names pass through."""
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


def precision_context(precision: str, device: str | torch.device) -> AbstractContextManager:
    """Autocast for ``bf16``, nothing for ``fp32``; unknown names are refused."""
    if precision not in PRECISIONS:
        raise ConfigError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    if precision == "fp32":
        return nullcontext()
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16)


@contextlib.contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """``model`` in eval mode for the block; its training flag restored after."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def check_input_length(model: nn.Module, length: int) -> None:
    """Refuse an input length the model cannot take (shorter than its convolutions need)."""
    try:
        with evaluating(model), torch.no_grad():
            model(torch.zeros(1, 4, length))
    except (RuntimeError, ValueError):
        name = getattr(model, "architecture", type(model).__name__)
        field = getattr(model, "receptive_field", None)
        need = f" (its trunk's receptive field is {field} bp)" if field else ""
        raise ConfigError(
            f"{name} cannot take {length} bp inputs{need}: use longer inputs, or narrower "
            "filters / less pooling"
        ) from None


def batched_forward(
    model: nn.Module,
    x: torch.Tensor | Batchable,
    *,
    batch_size: int = 512,
    device: str = "cpu",
    precision: str = "fp32",
    transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> torch.Tensor:
    """``model``'s outputs on ``x`` (a tensor, or anything whose slices are input batches, such
    as ``OneHotCodes``) in batches, each through ``transform`` first if given, in eval mode
    without gradients, as float32 on the CPU; the model's mode is restored after."""
    model = model.to(device)
    parts = []
    with evaluating(model), torch.no_grad(), precision_context(precision, device):
        for start in range(0, len(x), batch_size):
            batch = x[start : start + batch_size].to(device)
            if transform is not None:
                batch = transform(batch)
            parts.append(model(batch).float().cpu())
    return torch.cat(parts)


def use_threads(count: int | None) -> None:
    """Run torch's CPU kernels on ``count`` threads (None: torch's default, every CPU this
    process may use); a cluster job passes the cores it was given."""
    if count is None:
        return
    if count < 1:
        raise ConfigError(f"--threads {count}: must be at least 1")
    torch.set_num_threads(count)


def retain_freed_memory() -> bool:
    """Let glibc malloc reuse freed memory instead of handing it back to the OS each batch.

    PyTorch allocates and frees every intermediate map on every forward pass. With glibc's
    defaults, maps of a few MB are mmapped and unmapped (or the heap is trimmed) each time, so
    every batch page-faults its memory in again: the default rc_cnn's forward pass on 256 x
    200 bp ran 1.9x faster with these settings on this project's CPU (the effect jemalloc or
    tcmalloc have, as PyTorch's CPU tuning guides advise). The cost: the process keeps up to
    1 GB of freed memory. Process-wide; returns False where it does not apply (no glibc).
    """
    mallopt = _libc_function("mallopt")
    if mallopt is None:
        return False
    return bool(mallopt(_M_TRIM_THRESHOLD, 1 << 30) and mallopt(_M_MMAP_THRESHOLD, 32 << 20))


def _libc_function(name: str):
    library = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(library), name) if library else None
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> bool:
    """Hand the memory of freed objects back to the OS now (glibc's malloc_trim). Millions of
    sequence strings freed at once stay in the process's heap otherwise: after training
    encoded a 1 GB set as bytes, the 1 GB of its text stayed resident for the whole run.
    Returns False where it does not apply (no glibc)."""
    gc.collect()
    trim = _libc_function("malloc_trim")
    return bool(trim(0)) if trim is not None else False
