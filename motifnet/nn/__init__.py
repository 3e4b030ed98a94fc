"""Neural network layers (and, in later steps, architectures) for DNA motif models."""

from motifnet.nn.layers import (
    BlurPool1d,
    GlobalPool,
    RCBatchNorm1d,
    RCConv1d,
    StrandPool,
    rc_features,
    same_padding,
)
from motifnet.nn.models import CNN, CNNConfig, Conjoined

__all__ = [
    "CNN",
    "BlurPool1d",
    "CNNConfig",
    "Conjoined",
    "GlobalPool",
    "RCBatchNorm1d",
    "RCConv1d",
    "StrandPool",
    "rc_features",
    "same_padding",
]
