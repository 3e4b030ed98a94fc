"""MEME minimal format (write and read) and JASPAR-format motif files (read, Biopython)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from Bio import motifs as bio_motifs

from motifnet.errors import InputError
from motifnet.io.atomic import atomic_write
from motifnet.motifs.motif import Motif


def write_meme(motifs: Iterable[Motif], path: str | Path) -> int:
    """Write motifs as MEME minimal format (version 4, ACGT, both strands, uniform background),
    atomically; each PPM row is one position. Returns how many were written."""
    count = 0
    with atomic_write(path) as out:
        out.write(
            "MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\n"
            "Background letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n\n"
        )
        for motif in motifs:
            altname = f" {motif.name}" if motif.name and motif.name != motif.id else ""
            out.write(f"MOTIF {motif.id}{altname}\n")
            out.write(
                f"letter-probability matrix: alength= 4 w= {motif.width} "
                f"nsites= {max(motif.nsites, 1)} E= 0\n"
            )
            for column in motif.ppm.T:
                out.write(" ".join(f"{value:.6f}" for value in column) + "\n")
            out.write("\n")
            count += 1
    return count


def read_motifs(path: str | Path, *, allow_empty: bool = False) -> list[Motif]:
    """Motifs of a MEME (minimal or full output) or a JASPAR-format file, as PPMs; a file
    without motifs is an error unless ``allow_empty``."""
    try:
        text = Path(path).read_text()
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", path=path) from None
    motifs = _read_jaspar(path) if text.lstrip().startswith(">") else _read_meme(text, path)
    if not motifs and not allow_empty:
        raise InputError("no motifs in the file (expected MEME or JASPAR format)", path=path)
    return motifs


def _read_meme(text: str, path: str | Path) -> list[Motif]:
    """MOTIF id [altname] blocks with a letter-probability matrix (Biopython drops altnames)."""
    motifs, lines = [], text.splitlines()
    identifier = name = None
    i = 0
    while i < len(lines):
        words = lines[i].split()
        if words[:1] == ["MOTIF"] and len(words) >= 2:
            identifier, name = words[1], (words[2] if len(words) > 2 else words[1])
        elif lines[i].startswith("letter-probability matrix") and identifier:
            fields = dict(re.findall(r"(\w+)=\s*(\S+)", lines[i]))
            width = int(fields.get("w", 0))
            try:
                rows = [[float(v) for v in lines[i + 1 + k].split()[:4]] for k in range(width)]
                motifs.append(
                    Motif(
                        identifier,
                        name,
                        np.array(rows).T,
                        nsites=int(float(fields.get("nsites", 0))),
                    )
                )
            except (IndexError, ValueError) as err:
                raise InputError(
                    f"motif {identifier}: bad matrix ({err})", path=path, record=f"line {i + 1}"
                ) from None
            i += width
            identifier = None
        i += 1
    return motifs


def _read_jaspar(path: str | Path) -> list[Motif]:
    try:
        with open(path) as handle:
            parsed = list(bio_motifs.parse(handle, "jaspar"))
    except Exception as err:  # Biopython raises ValueError, KeyError, ... for malformed files
        raise InputError(f"cannot read JASPAR-format motifs: {err}", path=path) from None
    motifs = []
    for m in parsed:
        counts = np.array([m.counts[base] for base in "ACGT"], dtype=np.float64)
        motifs.append(
            Motif(
                m.matrix_id or m.name,
                m.name or m.matrix_id,
                counts / counts.sum(axis=0, keepdims=True),
                nsites=round(counts[:, 0].sum()),
            )
        )
    return motifs
