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


def train_one_epoch(data: dict, outdir: Path, *, architecture: str = "cnn", **model) -> Path:
    """Train a small model (a small CNN unless ``model`` says otherwise) for one epoch on
    ``data`` (a DataSpec dict); return its checkpoint."""
    from motifnet.config import make_config
    from motifnet.train import train

    small_cnn = (
        {"filters": 4, "channels": 4, "filter_width": 9} if architecture.endswith("cnn") else {}
    )
    settings = {**small_cnn, **model}
    config = make_config(
        {
            "train": data,
            "architecture": architecture,
            "model": settings,
            "max_epochs": 1,
            "outdir": str(outdir),
        }
    )
    train(config, progress=False)
    return outdir / "model.ckpt"


def motif_report(folder: Path) -> Path:
    """Run `motifnet motifs` on a one-epoch rc_cnn (3 filters) trained on a simulated SOX2 set,
    matching against a small MEME file; return the output folder."""
    from motifnet.cli import main
    from motifnet.motifs import fetch_jaspar
    from motifnet.motifs.meme import write_meme
    from motifnet.simulate import SimulationConfig, simulate, write_simulation

    simulation = SimulationConfig(n=200, length=60, motifs=("SOX2",), seed=7)
    write_simulation(simulation, *simulate(simulation, progress=False), folder / "data")
    positives = str(folder / "data" / "positive.fa")
    checkpoint = train_one_epoch(
        {"pos": [positives]}, folder / "run", architecture="rc_cnn", filters=3
    )
    database = folder / "db.meme"
    write_meme(fetch_jaspar(["SOX2", "CTCF", "GATA1", "MA0079", "MA0004"]), database)
    out = folder / "motifs"
    code = main(
        [
            "motifs",
            str(checkpoint),
            positives,
            "-o",
            str(out),
            "--motif-db",
            str(database),
            "--top",
            "2",
        ]
    )
    assert code == 0
    return out


@pytest.fixture(scope="session")
def ctcf(tmp_path_factory):
    """An rc_cnn trained on simulated CTCF sites, and a genome with CTCF planted in half of
    its 100 bp stretches (truth.json says where)."""
    from motifnet.cli import main
    from motifnet.config import make_config
    from motifnet.train import train

    folder = tmp_path_factory.mktemp("ctcf")
    simulate = ["simulate", "--motifs", "CTCF", "--length", "100", "--max-sites", "1"]
    assert main([*simulate, "-n", "2000", "--seed", "3", "-o", str(folder / "train")]) == 0
    genome = ["-n", "100", "--seed", "4", "--format", "genome", "-o", str(folder / "genome")]
    assert main([*simulate, *genome]) == 0
    data = {"pos": [str(folder / "train/positive.fa")], "neg": [str(folder / "train/negative.fa")]}
    config = make_config(
        {"train": data, "architecture": "rc_cnn", "max_epochs": 5, "outdir": str(folder / "run")}
    )
    train(config, progress=False)
    return folder
