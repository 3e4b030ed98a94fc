"""Convolutional architectures: trunk + head, (N, 4, L) in, (N, tasks) out.

``CNN`` is the reference "translation-equivariant trunk + invariant head"; ``CNN(rc=True)`` has
the same shape built from RC layers and is exactly RC-invariant. Their geometry, motif
scanners and pooled head are declared through the model contract (``motifnet.nn.contract``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from motifnet.errors import ConfigError
from motifnet.nn.contract import MotifModel, MotifScanners, PooledHead
from motifnet.nn.layers import (
    BlurPool1d,
    Exp,
    GlobalPool,
    PositionalHead,
    RCBatchNorm1d,
    RCConv1d,
    StrandPool,
    rc_features,
)

ACTIVATIONS = ("relu", "exp")
POOL_TYPES = ("max", "blur")


@dataclass(frozen=True)
class CNNConfig:
    """Settings of ``cnn`` (and, with other defaults, ``rc_cnn``); every field has a working
    default."""

    tasks: int = 1
    filters: int = 64  # first-layer motif detectors (per strand for rc_cnn)
    filter_width: int = 19
    # exponential first-layer activation (Koo & Ploenzke 2021): on simulated CTCF/GATA1/SOX2
    # data it lifted test AUROC from 0.81 to 0.89 (cnn) and 0.86 to 0.92 (rc_cnn) and gives
    # whole-motif filters; "relu" is the classic choice
    first_activation: str = "exp"
    pool: int = 4  # stride of the pooling after layer 1 (1 = no downsampling)
    pool_type: str = "max"  # "blur": anti-aliased BlurPool1d
    channels: int = 64
    depth: int = 2  # conv blocks after the first layer
    kernel_size: int = 5
    dilation: int = 1  # dilation of block i is dilation ** (i + 1)
    # "avg", "maxavg": both (max finds a site, avg counts them), or "attention" (learned
    # softmax weights over length)
    global_pool: str = "max"
    # "global": pooled over the whole input (shift-invariant); "positional": averaged into
    # `bins` stretches, then a linear layer over them, where a site's position matters
    head: str = "global"
    bins: int = 8
    dropout: float = 0.1
    batch_norm: bool = True

    def __post_init__(self) -> None:
        if self.first_activation not in ACTIVATIONS:
            raise ConfigError(f"first_activation must be one of {ACTIVATIONS}")
        if self.pool_type not in POOL_TYPES:
            raise ConfigError(f"pool_type must be one of {POOL_TYPES}")
        if self.kernel_size % 2 == 0 or self.filter_width < 1 or self.pool < 1:
            raise ConfigError("kernel_size must be odd; filter_width and pool positive")
        if min(self.tasks, self.filters, self.channels) < 1 or self.depth < 0:
            raise ConfigError("tasks, filters and channels must be positive, depth >= 0")
        check_head(self.head, self.bins)


@dataclass(frozen=True)
class RCCNNConfig(CNNConfig):
    """Settings of ``rc_cnn``: no downsampling, one block after the motif scanners, max and
    mean pooled. Chosen on GUE tf/0-4 (3 seeds, BENCHMARKS.md): mean test MCC 65.7 against 62.0
    for the pool-4, two-block form (``pool=4 depth=2 global_pool=max``), with half the
    parameters."""

    pool: int = 1
    depth: int = 1
    global_pool: str = "maxavg"


def first_pool(size: int, pool_type: str, *, rc: bool) -> nn.Module:
    """The pooling after the motif detectors.

    RC models never use a plain strided max-pool (its grid is not mirror-symmetric for every
    length): they use BlurPool1d, whose max-only form (blur_size=1) is a centred max-pool grid.
    """
    if pool_type == "blur":
        return BlurPool1d(size)
    if rc:
        return BlurPool1d(size, blur_size=1)
    return nn.MaxPool1d(size, size)


HEADS = ("global", "positional")


def check_head(head: str, bins: int) -> None:
    """Refuse an unknown head or a positional head without bins."""
    if head not in HEADS:
        raise ConfigError(f"head must be one of {HEADS}, not {head!r}")
    if bins < 1:
        raise ConfigError("bins must be positive")


def make_head(config, channels: int, *, rc: bool) -> nn.Module:
    """The head on a trunk map of ``channels`` (a regular map of channel pairs when ``rc``):
    global pooling [+ strand pooling] + linear, or a PositionalHead."""
    if config.head == "positional":
        return PositionalHead(channels, config.bins, config.tasks, config.dropout)
    pool = GlobalPool(config.global_pool, channels, rc=rc)
    features = (channels // 2 if rc else channels) * pool.outputs_per_channel
    layers: list[nn.Module] = [pool] + ([StrandPool("max")] if rc else [])
    return nn.Sequential(*layers, nn.Linear(features, config.tasks))


def head_forward(model: MotifModel, features: torch.Tensor) -> torch.Tensor:
    """Run ``model.head``; an RC model's positional head reads both strands and adds them."""
    if isinstance(model.head, PositionalHead) and model.rc_invariant:
        return model.head(features) + model.head(rc_features(features))
    return model.head(features)


def pooled(head: nn.Module) -> PooledHead | None:
    """The head as global pooling + per-vector layers, when it is one."""
    if isinstance(head, nn.Sequential) and isinstance(head[0], GlobalPool):
        return PooledHead(head[0], head[1:])
    return None


class CNN(MotifModel):
    """conv -> norm -> activation -> pool -> [conv -> norm -> ReLU -> dropout] x depth ->
    global pool -> linear. With ``rc=True`` every layer is its RC counterpart and the pooled
    channel pairs are combined, so the output is exactly RC-invariant."""

    def __init__(self, config: CNNConfig, *, rc: bool = False):
        super().__init__()
        self.config, self.rc_invariant = config, rc
        width = 2 if rc else 1

        def conv(in_channels: int, out: int, kernel: int, dilation: int = 1) -> nn.Module:
            if rc:
                return RCConv1d(in_channels, out, kernel, dilation=dilation)
            return nn.Conv1d(in_channels, out, kernel, dilation=dilation)

        def norm(channels: int) -> nn.Module:
            if not config.batch_norm:
                return nn.Identity()
            return RCBatchNorm1d(channels) if rc else nn.BatchNorm1d(channels)

        blocks: list[nn.Module] = [
            conv(4, config.filters, config.filter_width),
            norm(width * config.filters),
            Exp() if config.first_activation == "exp" else nn.ReLU(),
            first_pool(config.pool, config.pool_type, rc=rc),
        ]
        in_channels = width * config.filters
        for i in range(config.depth):
            blocks += [
                conv(in_channels, config.channels, config.kernel_size, config.dilation ** (i + 1)),
                norm(width * config.channels),
                nn.ReLU(),
                nn.Dropout(config.dropout),
            ]
            in_channels = width * config.channels
        self.trunk = nn.Sequential(*blocks)
        self.head = make_head(config, in_channels, rc=rc)

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        return head_forward(self, features)

    def pooled_head(self) -> PooledHead | None:
        return pooled(self.head)

    def motif_scanners(self) -> MotifScanners:
        return MotifScanners.of(self.trunk[0], self.trunk[:3])
