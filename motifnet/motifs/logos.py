"""Sequence logos in bits (logomaker), for one motif and as a grid overview."""

from __future__ import annotations

from pathlib import Path

import logomaker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from motifnet.io.atomic import atomic_write
from motifnet.motifs.filters import information_content
from motifnet.motifs.motif import Motif

_INVISIBLE = 0.02  # bits; below a pixel at the sizes drawn here, and skipping them halves the time


def _bits(ppm: np.ndarray) -> pd.DataFrame:
    """Letter heights: probability x information content of the column (invisible ones 0)."""
    heights = ppm * information_content(ppm)
    heights[heights < _INVISIBLE] = 0.0
    return pd.DataFrame(heights.T, columns=list("ACGT"))


def draw_logo(ppm: np.ndarray, axes, title: str = "") -> None:
    """Draw a logo of ``ppm`` (4, W) into matplotlib ``axes``."""
    logo = logomaker.Logo(_bits(ppm), ax=axes, color_scheme="classic")
    logo.style_spines(visible=False)
    logo.style_spines(spines=["left", "bottom"], visible=True)
    axes.set_ylim(0, 2)
    axes.set_ylabel("bits")
    axes.set_title(title, fontsize=9)


def save_logo(
    motif: Motif,
    stem: str | Path,
    *,
    reverse: bool = False,
    formats: tuple[str, ...] = ("png", "svg"),
) -> list[Path]:
    """Write STEM.png and STEM.svg (``formats``; atomically) of the motif, or of its reverse
    complement."""
    ppm = motif.ppm[::-1, ::-1] if reverse else motif.ppm
    figure = Figure(figsize=(max(2.5, 0.35 * motif.width + 1), 1.8))
    draw_logo(ppm, figure.add_subplot(), f"{motif.name}{' (RC)' if reverse else ''}")
    figure.tight_layout()
    paths = []
    for fmt in formats:
        path = Path(f"{stem}.{fmt}")
        with atomic_write(path, "wb") as handle:
            figure.savefig(handle, format=fmt, dpi=150)
        paths.append(path)
    return paths


def draw_weight_logo(
    weights: np.ndarray, axes, title: str = "", ylabel: str = "attribution"
) -> None:
    """Draw a signed weight matrix (4, W), e.g. a CWM or a sequence's contributions, into
    ``axes``: letters above the axis raise the output, below it lower it."""
    logo = logomaker.Logo(pd.DataFrame(weights.T, columns=list("ACGT")), ax=axes)
    logo.style_spines(visible=False)
    logo.style_spines(spines=["left", "bottom"], visible=True)
    axes.set_ylabel(ylabel)
    axes.set_title(title, fontsize=9)


def save_weight_logo(
    weights: np.ndarray, stem: str | Path, *, title: str = "", ylabel: str = "attribution"
) -> Path:
    """Write STEM.png of a signed weight matrix (see ``draw_weight_logo``)."""
    width = weights.shape[1]
    figure = Figure(figsize=(min(16, max(2.5, 0.3 * width + 1)), 1.8))
    draw_weight_logo(weights, figure.add_subplot(), title, ylabel)
    figure.tight_layout()
    path = Path(f"{stem}.png")
    with atomic_write(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=110)
    return path


def save_grid(motifs: list[Motif], path: str | Path, *, columns: int = 4) -> Path:
    """An overview image with every motif's logo."""
    rows = max(1, -(-len(motifs) // columns))
    figure = Figure(figsize=(4 * columns, 1.8 * rows))
    for i, motif in enumerate(motifs):
        draw_logo(motif.ppm, figure.add_subplot(rows, columns, i + 1), motif.name)
    figure.tight_layout()
    with atomic_write(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=100)
    return Path(path)
