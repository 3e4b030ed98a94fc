"""First-layer filters -> motifs: PPMs of their best-scoring windows, information, influence.

For each filter, the windows of the input whose match score passes a fraction of the
filter's best score over the data (Basset; Koo & Eddy 2019) are counted into a position
frequency matrix, optionally weighted by activation; pseudocounts give the PPM, and flanks
whose information content is low are trimmed. The score is the filter's output before its
monotone activation: for a ReLU the rule is the same on either side of it, but half of an
exponential activation's peak is the peak score minus ln 2, which keeps only exact consensus
sites and gives PPMs of 0.99 that Tomtom matches poorly to the database's softer columns.
A filter's influence is the mean absolute change of the model's logits when the filter's
output is replaced by its mean. In an RC model a filter and its reverse-complement twin are
one motif, reported once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from motifnet.motifs.motif import Motif
from motifnet.nn.contract import MotifScanners, unwrap
from motifnet.nn.runtime import batched_forward


@dataclass(frozen=True)
class FilterMotif:
    """A filter's motif with what the report shows beside it."""

    motif: Motif
    filter_index: int
    sites: int
    influence: float
    information: float  # total information content of the trimmed PPM, bits


def information_content(ppm: np.ndarray) -> np.ndarray:
    """Bits per column against a uniform background: 2 - entropy."""
    p = np.clip(ppm, 1e-12, 1)
    return 2 + (p * np.log2(p)).sum(axis=0)


def trim(ppm: np.ndarray, min_information: float = 0.2) -> tuple[np.ndarray, int]:
    """Drop flanking columns below ``min_information`` bits; returns the PPM and its start."""
    keep = np.flatnonzero(information_content(ppm) >= min_information)
    if keep.size == 0:
        return ppm, 0
    return ppm[:, keep[0] : keep[-1] + 1], int(keep[0])


def motif_scanners(model: nn.Module) -> MotifScanners | None:
    """The first-layer motif detectors of ``model`` (through any wrapper), or None."""
    core, _ = unwrap(model)
    return core.motif_scanners()


def filter_motifs(
    model: nn.Module,
    x: torch.Tensor,
    *,
    threshold: float = 0.7,
    weighted: bool = False,
    pseudocount: float = 0.5,
    min_information: float = 0.2,
    influence_sample: int = 500,
    batch_size: int = 256,
) -> list[FilterMotif]:
    """One motif per (forward) first-layer filter, sorted by influence, most influential
    first. A model without motif scanners is refused (``motif_scanners`` says which have)."""
    scanners = motif_scanners(model)
    if scanners is None:
        raise ValueError(f"{getattr(model, 'architecture', 'the model')} has no motif scanners")
    width, count = scanners.width, scanners.count
    # forward filters only ([:, :count]): their RC twins give the same motif
    scores = batched_forward(scanners.score, x, batch_size=batch_size)[:, :count].numpy()
    if weighted:
        activations = batched_forward(scanners.stack, x, batch_size=batch_size)[:, :count].numpy()
    counts = np.zeros((count, 4, width))
    sites = np.zeros(count, dtype=np.int64)
    x_np = x.numpy()
    for f in range(count):
        score = scores[:, f]
        peak = score.max()
        if peak <= 0:
            continue
        n, position = np.nonzero(score > threshold * peak)
        sites[f] = len(n)
        if not len(n):
            continue
        windows = x_np[n[:, None], :, position[:, None] + np.arange(width)[None, :]]  # (k, W, 4)
        weights = activations[n, f, position] if weighted else np.ones(len(n))
        counts[f] = np.einsum("k,kwc->cw", weights, windows)
    influence = filter_influence(model, scanners, x[:influence_sample], batch_size=batch_size)
    found = []
    for f in range(count):
        total = counts[f].sum(axis=0, keepdims=True)
        ppm = (counts[f] + pseudocount) / (total + 4 * pseudocount)
        ppm, _ = trim(ppm, min_information)
        motif = Motif(f"filter{f}", f"filter{f}", ppm, nsites=int(sites[f]))
        found.append(
            FilterMotif(
                motif, f, int(sites[f]), float(influence[f]), float(information_content(ppm).sum())
            )
        )
    return sorted(found, key=lambda m: -m.influence)


def silencing_effect(
    model: nn.Module,
    scanners: MotifScanners,
    x: torch.Tensor,
    groups: list[list[int]],
    *,
    batch_size: int = 256,
) -> np.ndarray:
    """Per group of motifs, the mean |logit change| when all their filters (both twins in an
    RC model) are silenced at once: their output replaced by its mean over ``x`` (Basset), so
    a filter that fires alike everywhere has no influence however large its output."""
    sums = torch.zeros(scanners.conv.out_channels, dtype=torch.float64)
    count = 0

    def record(_module, _inputs, output):
        nonlocal count
        sums.add_(output.double().sum(dim=(0, 2)).cpu())
        count += output.shape[0] * output.shape[2]

    def outputs(channels: list[int] | None, means: torch.Tensor | None) -> torch.Tensor:
        def silence(_module, _inputs, output):
            if channels:
                output[:, channels] = means[channels, None].to(output)
            return output

        hook = record if channels is None else silence
        handle = scanners.conv.register_forward_hook(hook)
        try:
            return batched_forward(model, x, batch_size=batch_size)
        finally:
            handle.remove()

    base = outputs(None, None)
    means = (sums / max(count, 1)).float()
    return np.array(
        [
            (outputs([c for f in group for c in scanners.channels(f)], means) - base)
            .abs()
            .mean()
            .item()
            for group in groups
        ]
    )


def filter_influence(
    model: nn.Module, scanners: MotifScanners, x: torch.Tensor, *, batch_size: int = 256
) -> np.ndarray:
    """Mean |logit change| when each motif's filter (both twins in an RC model) is silenced
    (see ``silencing_effect``)."""
    groups = [[f] for f in range(scanners.count)]
    return silencing_effect(model, scanners, x, groups, batch_size=batch_size)
