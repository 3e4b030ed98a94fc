"""Known motifs from JASPAR, offline, through pyjaspar's bundled SQLite releases."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from motifnet.errors import MotifnetError
from motifnet.motifs.motif import Motif

DEFAULT_RELEASE = "JASPAR2024"
_MATRIX_ID = re.compile(r"^MA\d{4}(\.\d+)?$", re.IGNORECASE)


@lru_cache(maxsize=4)
def _database(release: str):
    from pyjaspar import jaspardb

    database = jaspardb(release=release)
    if release not in database.get_releases():
        raise MotifnetError(
            f"unknown JASPAR release {release!r}; available: {', '.join(database.get_releases())}"
        )
    return database


def _to_motif(jaspar_motif) -> Motif:
    counts = np.array([jaspar_motif.counts[base] for base in "ACGT"], dtype=np.float64)
    nsites = round(counts[:, 0].sum())
    family = "; ".join(jaspar_motif.tf_family or [])
    return Motif(
        jaspar_motif.matrix_id, jaspar_motif.name, counts / counts.sum(axis=0), nsites, family
    )


def _version(matrix_id: str) -> tuple[int, int]:
    base, _, version = matrix_id.partition(".")
    return int(base[2:]), int(version or 0)


def fetch_jaspar(
    queries: Iterable[str],
    *,
    release: str = DEFAULT_RELEASE,
    tax_group: str | None = "vertebrates",
) -> list[Motif]:
    """Fetch motifs by matrix id (``MA0139.2``; no version = latest) or TF name (``CTCF``).

    A name can match several matrices: the CORE matrix of ``tax_group`` with the lowest base
    id (the longest-standing profile, e.g. MA0139 for CTCF), latest version, is chosen. Pass
    an id to pin one exactly.
    """
    database = _database(release)
    motifs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for query in queries:
            if _MATRIX_ID.match(query):
                found = database.fetch_motif_by_id(query.upper())
                candidates = [] if found is None else [found]
            else:
                candidates = database.fetch_motifs_by_name(query) or []
                candidates = [m for m in candidates if m.collection == "CORE"]
                if tax_group:
                    candidates = [m for m in candidates if m.tax_group == tax_group] or candidates
                candidates = sorted(
                    candidates, key=lambda m: (_version(m.matrix_id)[0], -_version(m.matrix_id)[1])
                )
            if not candidates:
                raise MotifnetError(
                    f"{release} has no motif {query!r} (give a matrix id like MA0139.2 or a TF "
                    "name as JASPAR spells it, e.g. CTCF, GATA1, SOX2)"
                )
            motifs.append(_to_motif(candidates[0]))
    return motifs
