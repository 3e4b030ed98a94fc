"""A position probability matrix with its identity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Motif:
    """A motif as a PPM shaped (4, W), rows A, C, G, T, columns summing to 1; ``family`` is
    the TF family of a known motif (JASPAR's annotation), empty for learned ones."""

    id: str
    name: str
    ppm: np.ndarray
    nsites: int = 0
    family: str = ""

    def __post_init__(self) -> None:
        ppm = np.asarray(self.ppm, dtype=np.float64)
        if ppm.ndim != 2 or ppm.shape[0] != 4 or ppm.shape[1] == 0:
            raise ValueError(f"motif {self.id}: a PPM must be shaped (4, W), got {ppm.shape}")
        if (ppm < 0).any() or not np.allclose(ppm.sum(axis=0), 1.0, atol=1e-3):
            raise ValueError(f"motif {self.id}: PPM columns must be probabilities summing to 1")
        object.__setattr__(self, "ppm", ppm / ppm.sum(axis=0, keepdims=True))

    @property
    def width(self) -> int:
        return self.ppm.shape[1]

    def log_odds(
        self, background: np.ndarray | None = None, pseudocount: float = 1e-3
    ) -> np.ndarray:
        """Log2 odds of each base against ``background`` (uniform by default), shaped (4, W)."""
        bg = np.full(4, 0.25) if background is None else np.asarray(background, dtype=np.float64)
        return np.log2((self.ppm + pseudocount) / (1 + 4 * pseudocount) / bg[:, None])
