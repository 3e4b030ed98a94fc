"""The notebook and its jupytext twin hold the same cells (CI executes the .ipynb)."""

from __future__ import annotations

from pathlib import Path

import jupytext

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_notebook_and_its_py_twin_are_in_sync():
    notebook = jupytext.read(NOTEBOOKS / "inspect_motifs.ipynb")
    script = jupytext.read(NOTEBOOKS / "inspect_motifs.py")
    cells = [(c.cell_type, c.source) for c in notebook.cells]
    assert cells == [(c.cell_type, c.source) for c in script.cells], (
        "run: jupytext --sync notebooks/inspect_motifs.py"
    )
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
