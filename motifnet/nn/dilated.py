"""A dilated residual trunk (BPNet-like), plain or exactly RC-equivariant.

Motif scanners (a wide first convolution), optional pooling, then residual blocks of 'valid'
convolutions whose dilation doubles block by block, so the receptive field grows
exponentially with depth while every position keeps its own output (stride 1 after the
pooling). The skip connection is centre-cropped to the block's output (CroppedResidual),
which keeps the block RC-equivariant and a scan exact. With ``rc=True`` every convolution
and batch norm is its RC counterpart and the pooled strands are combined: exactly
RC-invariant. The head is global pooling and a linear layer (scans run in one pass), or a
position-aware head (``head="positional"``; scans then run the head per window).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from motifnet.errors import ConfigError
from motifnet.nn.contract import MotifModel, MotifScanners, PooledHead
from motifnet.nn.layers import CroppedResidual, Exp, RCBatchNorm1d, RCConv1d
from motifnet.nn.models import (
    ACTIVATIONS,
    POOL_TYPES,
    check_head,
    first_pool,
    head_forward,
    make_head,
    pooled,
)


@dataclass(frozen=True)
class DilatedConfig:
    """Settings of ``dilated`` and ``rc_dilated``."""

    tasks: int = 1
    filters: int = 64  # motif scanners, and the width of the residual blocks (per strand)
    filter_width: int = 19
    first_activation: str = "exp"
    pool: int = 1  # downsampling after the scanners (1: none)
    pool_type: str = "max"
    blocks: int = 4  # residual blocks; block i has dilation dilation_base ** (i + 1)
    kernel_size: int = 3
    dilation_base: int = 2
    global_pool: str = "maxavg"
    head: str = "global"  # or "positional" (see CNNConfig)
    bins: int = 8
    dropout: float = 0.1

    def __post_init__(self) -> None:
        if self.first_activation not in ACTIVATIONS:
            raise ConfigError(f"first_activation must be one of {ACTIVATIONS}")
        if self.pool_type not in POOL_TYPES:
            raise ConfigError(f"pool_type must be one of {POOL_TYPES}")
        if self.kernel_size % 2 == 0:
            raise ConfigError("kernel_size must be odd (the residual crop must be symmetric)")
        if min(self.tasks, self.filters, self.filter_width, self.pool, self.dilation_base) < 1:
            raise ConfigError("tasks, filters, filter_width, pool and dilation_base must be >= 1")
        if self.blocks < 0 or not 0 <= self.dropout < 1:
            raise ConfigError("blocks must be >= 0 and dropout in [0, 1)")
        check_head(self.head, self.bins)


class Dilated(MotifModel):
    """scanners -> norm -> activation -> [pool] -> residual dilated blocks -> global pool."""

    def __init__(self, config: DilatedConfig, *, rc: bool = False):
        super().__init__()
        self.config, self.rc_invariant = config, rc
        channels = 2 * config.filters if rc else config.filters

        def conv(in_channels: int, kernel: int, dilation: int = 1) -> nn.Module:
            if rc:
                return RCConv1d(in_channels, config.filters, kernel, dilation=dilation)
            return nn.Conv1d(in_channels, config.filters, kernel, dilation=dilation)

        def norm() -> nn.Module:
            return RCBatchNorm1d(channels) if rc else nn.BatchNorm1d(channels)

        layers: list[nn.Module] = [
            conv(4, config.filter_width),
            norm(),
            Exp() if config.first_activation == "exp" else nn.ReLU(),
        ]
        if config.pool > 1:
            layers.append(first_pool(config.pool, config.pool_type, rc=rc))
        for i in range(config.blocks):
            dilation = config.dilation_base ** (i + 1)
            body = nn.Sequential(
                conv(channels, config.kernel_size, dilation),
                norm(),
                nn.ReLU(),
                nn.Dropout(config.dropout),
            )
            layers.append(CroppedResidual(body))
        self.trunk = nn.Sequential(*layers)
        self.head = make_head(config, channels, rc=rc)

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        return head_forward(self, features)

    def pooled_head(self) -> PooledHead | None:
        return pooled(self.head)

    def motif_scanners(self) -> MotifScanners:
        return MotifScanners.of(self.trunk[0], self.trunk[:3])
