"""Neural network layers, the model contract and the architectures of DNA motif models."""

from motifnet.nn.contract import Conjoined, Geometry, MotifModel, MotifScanners, unwrap
from motifnet.nn.layers import (
    BlurPool1d,
    GlobalPool,
    RCBatchNorm1d,
    RCConv1d,
    StrandPool,
    rc_features,
    same_padding,
)
from motifnet.nn.models import CNN, CNNConfig, RCCNNConfig
from motifnet.nn.registry import available, build

__all__ = [
    "CNN",
    "BlurPool1d",
    "CNNConfig",
    "Conjoined",
    "Geometry",
    "GlobalPool",
    "MotifModel",
    "MotifScanners",
    "RCBatchNorm1d",
    "RCCNNConfig",
    "RCConv1d",
    "StrandPool",
    "available",
    "build",
    "rc_features",
    "same_padding",
    "unwrap",
]
