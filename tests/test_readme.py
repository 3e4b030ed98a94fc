"""The README's first run works as written, on the example inputs in data/."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from motifnet.cli import main

ROOT = Path(__file__).resolve().parents[1]


def first_run_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- first-run:start -->\n```bash\n(.*?)```", text, re.DOTALL)
    assert block, "README has no first-run block"
    return [shlex.split(line) for line in block.group(1).splitlines() if line.strip()]


@pytest.mark.slow
def test_the_readmes_first_run_works_as_written(tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    for command in first_run_commands():
        assert command[0] == "motifnet"
        assert main(command[1:]) == 0, " ".join(command)
    report = (tmp_path / "runs" / "first" / "motifs" / "index.html").read_text()
    assert "CTCF" in report
    predictions = (tmp_path / "runs" / "first" / "peaks.tsv").read_text().splitlines()
    assert len(predictions) == 1 + 250
