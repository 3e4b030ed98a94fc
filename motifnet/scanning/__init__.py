"""Scanning long sequences and genomes with a trained model (dense passes, regions, tracks)."""

from motifnet.scanning.dense import (
    DenseMode,
    DenseScanner,
    dense_mode,
    dense_windows,
    sliding_windows,
)
from motifnet.scanning.genome import (
    Region,
    ScanResult,
    ScanSettings,
    genome_regions,
    scan,
    scan_genome,
    scan_sequence,
)

__all__ = [
    "DenseMode",
    "DenseScanner",
    "Region",
    "ScanResult",
    "ScanSettings",
    "dense_mode",
    "dense_windows",
    "genome_regions",
    "scan",
    "scan_genome",
    "scan_sequence",
    "sliding_windows",
]
