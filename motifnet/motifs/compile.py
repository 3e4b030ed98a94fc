"""Compile memelite's numba kernels (Tomtom and FIMO) ahead of the first motif run.

memelite compiles them on first use, about 2 minutes once per environment, and caches the result
in its install folder. ``make install`` runs this module, so the first `motifnet motifs` (and
the first test or workflow job that matches motifs) does not pay that. Run:
``python -m motifnet.motifs.compile``.
"""

from __future__ import annotations

import numpy as np

from motifnet.io.records import Record
from motifnet.motifs.matching import tomtom
from motifnet.motifs.motif import Motif
from motifnet.motifs.sites import scan_sites


def compile_kernels() -> None:
    """Run Tomtom and FIMO once on a tiny input, as motifnet calls them."""
    rng = np.random.default_rng(0)
    ppms = [rng.dirichlet(np.ones(4), size=width).T for width in (6, 8)]
    tomtom(ppms, ppms)
    motifs = [Motif(f"m{i}", f"m{i}", ppm) for i, ppm in enumerate(ppms)]
    scan_sites(motifs, [Record("s", "ACGTNACGTTGCAACGTAGGCT")], threshold=1e-2)


if __name__ == "__main__":
    compile_kernels()
