"""The model contract: what every architecture declares, so features never ask for its class.

An architecture is a ``MotifModel``: a translation-equivariant ``trunk`` (N, 4, L) -> (N, C, T)
built from layers listed in the geometry table below, and a head (N, C, T) -> (N, outputs)
that it runs in ``forward_head``. From that split the features learn what they need:

- ``geometry``: receptive field and total stride of the trunk, computed from its layers;
- ``rc_invariant``: whether the output is exactly RC-invariant by construction;
- ``motif_scanners()``: the convolution whose filters are motifs, or None;
- ``pooled_head()``: the head as global pooling then per-vector layers, or None; with it a
  scan runs in one dense pass, without it the trunk runs once per chunk and the head per
  window (``motifnet.scanning.dense_mode`` says which, and why);
- ``shift_invariant_head()``: whether the head pools over all positions alike (global
  pooling, also where it has no one-pass form, as in an ensemble of attention pools);
- the inference form (``motifnet.nn.inference.for_inference``) folds the trunk by its table.

Wrappers (``Conjoined``) are unwrapped in one place, ``unwrap``. Per-layer handling that grows
with new layer types lives in tables (geometry here, rarefaction in ``motifnet.scanning``,
folding in ``motifnet.nn.inference``), each naming the layer it does not know.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from motifnet.nn.layers import (
    BlurPool1d,
    CroppedResidual,
    Exp,
    GlobalPool,
    Parallel,
    RCBatchNorm1d,
    RCConv1d,
)

# Layers that act on each position alone: no geometry, dense as they are, kept by folding.
POINTWISE: tuple[type, ...] = (
    nn.BatchNorm1d,
    RCBatchNorm1d,
    nn.ReLU,
    nn.ELU,
    nn.GELU,
    nn.SiLU,
    Exp,
    nn.Dropout,
    nn.Identity,
)


def _single(value: int | tuple[int, ...]) -> int:
    return value if isinstance(value, int) else value[0]


# (kernel, dilation, stride) steps of each trunk layer, in order.
GEOMETRY: dict[type, Callable[[Any], list[tuple[int, int, int]]]] = {
    nn.Conv1d: lambda m: [(m.kernel_size[0], m.dilation[0], m.stride[0])],
    RCConv1d: lambda m: [(m.kernel_size, m.dilation, 1)],
    nn.MaxPool1d: lambda m: [(_single(m.kernel_size), 1, _single(m.stride))],
    nn.AvgPool1d: lambda m: [(_single(m.kernel_size), 1, _single(m.stride))],
    # the centred grid blurs one tap longer on one length parity: the larger field is reported
    # (at stride 1 every length has a centred grid, so the blur is never longer)
    BlurPool1d: lambda m: [(m.pool_size, 1, 1), (m.blur_size + (m.stride > 1), 1, m.stride)],
}


def rule_for(table: dict[type, Any], module: nn.Module) -> Any:
    """The entry of ``table`` for ``module``'s type or its nearest listed base class."""
    for kind in type(module).__mro__:
        if kind in table:
            return table[kind]
    return None


def layer_steps(module: nn.Module) -> list[tuple[int, int, int]]:
    """The (kernel, dilation, stride) steps of a trunk layer or container, in order (a
    residual block's are its body's: the skip sees a subset of the same bases; parallel
    branches share theirs)."""
    if isinstance(module, nn.Sequential):
        return [step for layer in module for step in layer_steps(layer)]
    if isinstance(module, CroppedResidual):
        return layer_steps(module.body)
    if isinstance(module, Parallel):  # branches of one geometry (an ensemble's members)
        return layer_steps(module.branches[0])
    if isinstance(module, POINTWISE):
        return []
    rule = rule_for(GEOMETRY, module)
    if rule is None:
        raise NotImplementedError(
            f"{type(module).__name__} has no geometry rule (motifnet.nn.contract.GEOMETRY): "
            "add one when adding the layer to a trunk"
        )
    return rule(module)


@dataclass(frozen=True)
class Geometry:
    """Receptive field of one trunk output (bp) and the trunk's total stride D: the trunk is
    shift-equivariant for shifts in D·Z away from the edges."""

    receptive_field: int
    total_stride: int

    @classmethod
    def of(cls, trunk: nn.Module) -> Geometry:
        """The exact geometry of a trunk from its layers."""
        field, jump = 1, 1
        for kernel, dilation, stride in layer_steps(trunk):
            field += (kernel - 1) * dilation * jump
            jump *= stride
        return cls(field, jump)


@dataclass(frozen=True)
class MotifScanners:
    """The convolution whose filters are motifs, the stack (conv, norm, activation) whose
    output is their activation, the same stack without its monotone activation (``score``: a
    window's match score, on which site thresholds are fractions), the filter width and the
    motif count. In an RC layer a filter and its twin (channels f and 2·count-1-f) are one
    motif (``paired``)."""

    conv: nn.Module
    stack: nn.Module
    score: nn.Module
    width: int
    count: int
    paired: bool

    @classmethod
    def of(cls, conv: nn.Module, stack: nn.Sequential) -> MotifScanners:
        """Scanners from a Conv1d or RCConv1d and its activation stack, whose last layer is
        the (monotone) activation."""
        score = stack[:-1]
        if isinstance(conv, RCConv1d):
            return cls(conv, stack, score, conv.kernel_size, conv.out_channels // 2, True)
        return cls(conv, stack, score, conv.kernel_size[0], conv.out_channels, False)

    def channels(self, motif: int) -> list[int]:
        """The output channels of motif ``motif`` (both twins in an RC layer)."""
        return [motif, 2 * self.count - 1 - motif] if self.paired else [motif]


@dataclass(frozen=True)
class PooledHead:
    """A head that is global pooling, then layers applied to the pooled vector (N, C)."""

    pool: GlobalPool
    after: nn.Module


class _Geometric:
    """Receptive field and total stride, read off ``geometry``."""

    geometry: Geometry

    @property
    def receptive_field(self) -> int:
        return self.geometry.receptive_field

    @property
    def total_stride(self) -> int:
        return self.geometry.total_stride


class MotifModel(_Geometric, nn.Module):
    """Base class of every architecture: ``trunk`` then ``forward_head``; see the module doc.

    Subclasses set ``self.trunk`` and ``self.rc_invariant`` and implement ``forward_head``;
    they override ``pooled_head`` and ``motif_scanners`` when they have them. The registry
    sets ``architecture`` and ``config``.
    """

    architecture: str = ""
    config: Any = None
    rc_invariant: bool = False
    trunk: nn.Module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.trunk(x))

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        """(N, C, T) trunk features -> (N, outputs)."""
        raise NotImplementedError

    def pooled_head(self) -> PooledHead | None:
        """The head as global pooling + per-vector layers, when it is one."""
        return None

    def motif_scanners(self) -> MotifScanners | None:
        """The first-layer motif detectors, when the model has them."""
        return None

    def shift_invariant_head(self) -> bool:
        """Whether the head pools the trunk's map over all positions alike."""
        return self.pooled_head() is not None

    @property
    def geometry(self) -> Geometry:
        return Geometry.of(self.trunk)


class Conjoined(_Geometric, nn.Module):
    """Post-hoc RC averaging of any model's logits: ½[g(x) + g(rc x)] (Zhou et al. 2022)."""

    rc_invariant = True

    def __init__(self, model: MotifModel):
        super().__init__()
        self.model = model

    @property
    def geometry(self) -> Geometry:
        return self.model.geometry

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.model(x) + self.model(x.flip((-2, -1)))) / 2


def unwrap(model: nn.Module) -> tuple[MotifModel, bool]:
    """(the architecture inside, whether it is RC-conjoined): the one place wrappers are
    opened. A module that is not a motifnet architecture is refused with the reason."""
    conjoined = isinstance(model, Conjoined)
    core = model.model if conjoined else model
    if not isinstance(core, MotifModel):
        raise TypeError(
            f"{type(core).__name__} is not a motifnet architecture (build one with "
            "motifnet.nn.registry.build, or subclass motifnet.nn.contract.MotifModel)"
        )
    return core, conjoined
