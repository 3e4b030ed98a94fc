"""Motifs: PPMs, and known motifs from JASPAR."""

from motifnet.motifs.jaspar import fetch_jaspar
from motifnet.motifs.motif import Motif

__all__ = ["Motif", "fetch_jaspar"]
