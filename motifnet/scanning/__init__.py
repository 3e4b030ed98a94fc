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
    Shard,
    genome_regions,
    merge_scan_parts,
    scan,
    scan_genome,
    scan_sequence,
    shard_regions,
)
from motifnet.scanning.sites import SiteCaller

__all__ = [
    "DenseMode",
    "DenseScanner",
    "Region",
    "ScanResult",
    "ScanSettings",
    "Shard",
    "SiteCaller",
    "dense_mode",
    "dense_windows",
    "genome_regions",
    "merge_scan_parts",
    "scan",
    "scan_genome",
    "scan_sequence",
    "shard_regions",
    "sliding_windows",
]
