"""The notebook and its jupytext twin hold the same cells (CI executes the .ipynb)."""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_notebook_and_its_py_twin_are_in_sync():
    notebook = jupytext.read(NOTEBOOKS / "inspect_motifs.ipynb")
    script = jupytext.read(NOTEBOOKS / "inspect_motifs.py")
    cells = [(c.cell_type, c.source) for c in notebook.cells]
    assert cells == [(c.cell_type, c.source) for c in script.cells], (
        "run: jupytext --sync notebooks/inspect_motifs.py"
    )
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


@pytest.mark.slow
def test_notebook_opens_any_run_folder(tmp_path):
    """MOTIFNET_RUN and MOTIFNET_DATA point the notebook at one `motifnet train` run."""
    import os
    import subprocess
    import sys

    from conftest import train_one_epoch

    from motifnet.cli import main

    data = NOTEBOOKS.parent / "data" / "simulated"
    spec = {"pos": [str(data / "positive.fa")], "neg": [str(data / "negative.fa")]}
    checkpoint = train_one_epoch(spec, tmp_path / "run", filters=8, channels=8)
    motifs = [
        "motifs",
        str(checkpoint),
        str(data / "positive.fa"),
        "-o",
        str(tmp_path / "run" / "motifs"),
    ]
    assert main([*motifs, "--attribution", "none", "--quiet"]) == 0
    env = {
        **os.environ,
        "MOTIFNET_RUN": str(tmp_path / "run"),
        "MOTIFNET_DATA": str(data / "positive.fa"),
        "MPLBACKEND": "Agg",
    }
    result = subprocess.run(
        [sys.executable, str(NOTEBOOKS / "inspect_motifs.py")],
        cwd=NOTEBOOKS,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
