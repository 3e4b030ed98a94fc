"""Recurrent architectures: the RNN baseline and the DanQ-like CNN + BiLSTM hybrid.

The plain versions read one strand. The RC versions run the *same* recurrent module on the
sequence and on its reverse complement and add the two length-pooled summaries (weight-tied
strands, as Caduceus' RCPS wrapper does for any sequence model), so swapping the strands swaps
the two terms and the output is exactly RC-invariant. A shared-weight BiLSTM alone only reverses
the order, not the complement, and is not RC-invariant (methods.md section 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from motifnet.errors import ConfigError
from motifnet.nn.contract import MotifModel, MotifScanners
from motifnet.nn.layers import RCConv1d, rc_features
from motifnet.nn.models import POOL_TYPES, first_pool

CELLS = ("lstm", "gru")
SEQUENCE_POOLS = ("mean", "max")


@dataclass(frozen=True)
class RNNConfig:
    """Settings of ``rnn`` and ``rc_rnn``."""

    tasks: int = 1
    embedding: int = 16  # per-position linear embedding of the one-hot base (0: feed one-hot)
    hidden: int = 64  # units per direction
    layers: int = 1
    cell: str = "lstm"
    bidirectional: bool = True
    sequence_pool: str = "mean"
    dropout: float = 0.1

    def __post_init__(self) -> None:
        _check_recurrent(self)


@dataclass(frozen=True)
class HybridConfig:
    """Settings of ``hybrid`` and ``rc_hybrid``: conv motif scanners -> pool -> BiLSTM."""

    tasks: int = 1
    filters: int = 64
    filter_width: int = 19
    pool: int = 8
    pool_type: str = "max"
    hidden: int = 64
    layers: int = 1
    cell: str = "lstm"
    bidirectional: bool = True
    sequence_pool: str = "max"
    dropout: float = 0.2

    def __post_init__(self) -> None:
        _check_recurrent(self)
        if self.pool_type not in POOL_TYPES:
            raise ConfigError(f"pool_type must be one of {POOL_TYPES}, not {self.pool_type!r}")
        if min(self.filters, self.filter_width, self.pool) < 1:
            raise ConfigError("filters, filter_width and pool must be positive")


def _check_recurrent(config: RNNConfig | HybridConfig) -> None:
    if config.cell not in CELLS:
        raise ConfigError(f"cell must be one of {CELLS}, not {config.cell!r}")
    if config.sequence_pool not in SEQUENCE_POOLS:
        raise ConfigError(
            f"sequence_pool must be one of {SEQUENCE_POOLS}, not {config.sequence_pool!r}"
        )
    if min(config.tasks, config.hidden, config.layers) < 1:
        raise ConfigError("tasks, hidden and layers must be positive")
    if not 0 <= config.dropout < 1:
        raise ConfigError(f"dropout must be in [0, 1), got {config.dropout}")


class _SequenceSummary(nn.Module):
    """(N, C, L) features -> recurrent layers over L -> pooled over L -> (N, H·directions)."""

    def __init__(self, in_channels: int, config: RNNConfig | HybridConfig):
        super().__init__()
        recurrent = nn.LSTM if config.cell == "lstm" else nn.GRU
        self.rnn = recurrent(
            in_channels,
            config.hidden,
            num_layers=config.layers,
            batch_first=True,
            bidirectional=config.bidirectional,
            dropout=config.dropout if config.layers > 1 else 0.0,
        )
        self.pool = config.sequence_pool
        self.out_features = config.hidden * (2 if config.bidirectional else 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states, _ = self.rnn(x.transpose(1, 2))
        return states.mean(dim=1) if self.pool == "mean" else states.amax(dim=1)


class _Recurrent(MotifModel):
    """trunk (equivariant feature map) -> summary (one strand, or both weight-tied) -> head."""

    def __init__(self, trunk: nn.Module, channels: int, config, *, rc: bool):
        super().__init__()
        self.config, self.rc_invariant = config, rc
        self.trunk = trunk
        self.summary = _SequenceSummary(channels, config)
        self.head = nn.Sequential(
            nn.Dropout(config.dropout), nn.Linear(self.summary.out_features, config.tasks)
        )

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        summary = self.summary(features)
        if self.rc_invariant:  # the same weights read the other strand: RC(map) = flip both axes
            summary = summary + self.summary(rc_features(features))
        return self.head(summary)


class RNN(_Recurrent):
    """The RNN baseline: per-base embedding -> BiLSTM/BiGRU -> pooled over length -> linear."""

    def __init__(self, config: RNNConfig, *, rc: bool = False):
        if config.embedding:
            # A 1x1 conv is a per-position linear map; RC layers keep the map regular.
            if rc:
                if config.embedding % 2:
                    raise ConfigError("rc_rnn needs an even embedding size (channel pairs)")
                trunk: nn.Module = RCConv1d(4, config.embedding // 2, 1, bias=False)
            else:
                trunk = nn.Conv1d(4, config.embedding, 1, bias=False)
        else:
            trunk = nn.Identity()
        super().__init__(trunk, config.embedding or 4, config, rc=rc)


class Hybrid(_Recurrent):
    """DanQ-like: conv motif scanners -> ReLU -> pooling -> dropout -> BiLSTM -> linear."""

    def __init__(self, config: HybridConfig, *, rc: bool = False):
        pool = first_pool(config.pool, config.pool_type, rc=rc)
        conv = (
            RCConv1d(4, config.filters, config.filter_width)
            if rc
            else nn.Conv1d(4, config.filters, config.filter_width)
        )
        channels = config.filters * (2 if rc else 1)
        trunk = nn.Sequential(conv, nn.ReLU(), pool, nn.Dropout(config.dropout))
        super().__init__(trunk, channels, config, rc=rc)

    def motif_scanners(self) -> MotifScanners:
        return MotifScanners.of(self.trunk[0], self.trunk[:2])
