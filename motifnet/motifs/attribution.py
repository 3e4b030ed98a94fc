"""Attributions of a model's output to its input bases, and TF-MoDISco motifs from them.

Filters can hold partial or distributed motifs; attributions show what the whole model uses.
Both methods return *hypothetical* contributions, shape (N, 4, L): what each base would
contribute at each position. The actual contribution is that times the one-hot input.

* in-silico mutagenesis (ISM): the change of the logit when the base at a position is
  replaced by each other base, centred per position (any model, 3L forward passes each);
* gradient x input: the gradient of the logit, centred per position (one backward pass;
  Majdandzic et al. 2023 correction), the usual input to TF-MoDISco.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from motifnet.motifs.filters import information_content, trim
from motifnet.motifs.motif import Motif
from motifnet.nn.runtime import batched_forward, evaluating

METHODS = ("gradient", "ism")


@dataclass(frozen=True)
class AttributionMotif:
    """A TF-MoDISco pattern: the PPM of its seqlets, their mean contributions (CWM, (4, W)),
    the metacluster ('pos': raises the output, 'neg': lowers it) and the seqlet count."""

    motif: Motif
    cwm: np.ndarray
    metacluster: str
    seqlets: int
    information: float


def gradient_attributions(
    model: nn.Module, x: torch.Tensor, *, task: int = 0, batch_size: int = 256
) -> np.ndarray:
    """Hypothetical contributions from input gradients, centred over the bases per position."""
    parameter = next(model.parameters())
    parts = []
    with evaluating(model):
        for start in range(0, len(x), batch_size):
            batch = x[start : start + batch_size].to(parameter).requires_grad_(True)
            (gradient,) = torch.autograd.grad(model(batch)[:, task].sum(), batch)
            parts.append((gradient - gradient.mean(dim=1, keepdim=True)).detach().cpu().numpy())
    return np.concatenate(parts)


def ism_attributions(
    model: nn.Module,
    x: torch.Tensor,
    *,
    task: int = 0,
    batch_size: int = 1024,
    progress: bool = False,
) -> np.ndarray:
    """Hypothetical contributions by in-silico mutagenesis: logit(x with base b at l) minus
    logit(x), centred over the bases per position. Cost: 4L forward passes per sequence."""
    device = next(model.parameters()).device
    n, channels, length = x.shape
    eye = torch.eye(channels, dtype=x.dtype)
    out = np.empty((n, channels, length), dtype=np.float32)
    for i in tqdm(range(n), desc="ISM", unit="seq", disable=not progress):
        mutants = x[i].repeat(channels * length, 1, 1)  # (4L, 4, L): base b at position l
        index = torch.arange(channels * length)
        mutants[index, :, index % length] = eye[index // length]
        scores = batched_forward(model, mutants, batch_size=batch_size, device=str(device))
        delta = scores[:, task].view(channels, length).numpy()
        out[i] = delta - delta.mean(axis=0, keepdims=True)
    return out


def attributions(
    model: nn.Module, x: torch.Tensor, *, method: str = "gradient", task: int = 0
) -> np.ndarray:
    """Hypothetical contributions (N, 4, L) by ``method``: 'gradient' or 'ism'."""
    if method == "gradient":
        return gradient_attributions(model, x, task=task)
    if method == "ism":
        return ism_attributions(model, x, task=task)
    raise ValueError(f"attribution method must be one of {METHODS}, not {method!r}")


@dataclass
class ModiscoResult:
    """TF-MoDISco's patterns as motifs (largest first), its own pattern objects (for the .h5
    that `modisco report` and tangermeme read), and where each pattern's seqlets lie:
    (pattern name, sequence index, start, end, strand)."""

    motifs: list[AttributionMotif]
    positive: list
    negative: list
    window: int
    seqlets: list[tuple[str, int, int, int, str]]

    def save_h5(self, path: str | Path) -> Path:
        """Write modisco-lite's own .h5 (atomically)."""
        from modiscolite.io import save_hdf5

        from motifnet.io.atomic import atomic_path

        with atomic_path(path) as temporary:
            save_hdf5(str(temporary), self.positive or None, self.negative or None, self.window)
        return Path(path)


def modisco_motifs(
    x: np.ndarray,
    hypothetical: np.ndarray,
    *,
    max_seqlets: int = 2000,
    window: int = 21,
    leiden_runs: int = 10,
) -> ModiscoResult:
    """TF-MoDISco (modisco-lite) patterns of the seqlets with high attribution in one-hot
    ``x`` and ``hypothetical`` contributions (both (N, 4, L)); flanks below 0.2 bits are
    trimmed, as for filter motifs."""
    from modiscolite.tfmodisco import TFMoDISco

    def channels_last(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a.transpose(0, 2, 1), dtype=np.float32)

    positive, negative = TFMoDISco(
        one_hot=channels_last(x),
        hypothetical_contribs=channels_last(hypothetical),
        sliding_window_size=window,
        flank_size=min(10, window // 2),
        max_seqlets_per_metacluster=max_seqlets,
        n_leiden_runs=leiden_runs,
    )
    found, seqlets = [], []
    for sign, patterns in (("pos", positive), ("neg", negative)):
        for k, pattern in enumerate(patterns or []):
            name = f"modisco_{sign}_{k}"
            ppm, start = trim(pattern.sequence.T.copy())
            cwm = pattern.contrib_scores.T[:, start : start + ppm.shape[1]].copy()
            found.append(
                AttributionMotif(
                    Motif(name, name, ppm, nsites=len(pattern.seqlets)),
                    cwm,
                    sign,
                    len(pattern.seqlets),
                    float(information_content(ppm).sum()),
                )
            )
            seqlets += [
                (name, int(s.example_idx), int(s.start), int(s.end), "-" if s.is_revcomp else "+")
                for s in pattern.seqlets
            ]
    found.sort(key=lambda m: -m.seqlets)
    return ModiscoResult(found, list(positive or []), list(negative or []), window, seqlets)
