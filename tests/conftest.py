"""Shared fixtures: paths to the real data in ../shared/data (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The shared real-data folder; tests that need it skip with a reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (see shared/data/README.md)")
    return SHARED_DATA


def train_one_epoch(data: dict, outdir: Path, *, arch: str = "cnn", **model) -> Path:
    """Train a small model for one epoch on ``data`` (a DataSpec dict); return its checkpoint."""
    from motifnet.config import make_config
    from motifnet.train import train

    settings = {"filters": 4, "channels": 4, "filter_width": 9, **model}
    config = make_config(
        {"train": data, "arch": arch, "model": settings, "max_epochs": 1, "outdir": str(outdir)}
    )
    train(config, progress=False)
    return outdir / "model.ckpt"
