"""The Snakemake workflow: lint-clean, bad configs refused before any job, a tiny run end to end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GENOME = str(ROOT / "data" / "genome" / "genome.fa")


def _no_slurm_controller(folder: Path) -> Path:
    """A folder holding an `scontrol` that fails at once. The SLURM executor plugin runs
    `scontrol show config` when Snakemake starts and waits 10 s for a controller that is
    installed but not running (as after CI's SLURM stage); these tests run locally."""
    folder.mkdir(exist_ok=True)
    shim = folder / "scontrol"
    shim.write_text("#!/bin/sh\nexit 1\n")
    shim.chmod(0o755)
    return folder


def snakemake(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run snakemake on the project's Snakefile with this interpreter's tools on PATH."""
    shims = _no_slurm_controller(Path(tempfile.gettempdir()) / "motifnet-test-bin")
    path = os.pathsep.join([str(shims), str(Path(sys.executable).parent), os.environ["PATH"]])
    env = {**os.environ, "PATH": path}
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def config_file(folder: Path, **changes) -> Path:
    """The default config with ``changes`` on top, written into ``folder``; the demo's scan,
    predict and experiment sections (which apply the demo's models) only when ``changes``
    give them."""
    config = yaml.safe_load((ROOT / "workflows" / "config.yaml").read_text())
    config.pop("scan"), config.pop("predict"), config.pop("experiment")
    config.update(changes)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_workflow_is_lint_clean():
    result = snakemake("--lint")
    assert result.returncode == 0, result.stdout + result.stderr


def test_default_config_plans_every_step():
    result = snakemake("-n", "--quiet", "rules")
    assert result.returncode == 0, result.stderr
    for rule in ("simulate", "prepare", "train", "evaluate", "check", "motifs", "report"):
        assert rule in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"architecturs": ["cnn"]}, "Additional properties are not allowed ('architecturs'"),
        ({"seeds": "zero"}, "'zero' is not of type 'array'"),
        ({"architectures": ["transformer"]}, "architectures: unknown transformer; available"),
        ({"datasets": {"mine": {"pos": ["no/such/peaks.fa"]}}}, "datasets.mine: no/such/peaks.fa"),
        ({"train": {"max_epoch": 3}}, "'max_epoch' is not one of"),
        ({"scan": {"genome": "no/such/hg38.fa"}}, "scan.genome: no/such/hg38.fa"),
        ({"scan": {"genome": GENOME, "runs": ["demo/cnn/seed7"]}}, "demo/cnn/seed7 is not trained"),
        ({"scan": {"genome": GENOME, "regions": "a.bed", "sequences": ["chr1"]}}, "should not be"),
        (
            {"predict": {"fasta": [GENOME], "flags": {"batch_size": 8}}},
            "'batch_size' is not one of",
        ),
        ({"train": {"ensemble": 0}}, "less than the minimum of 1"),
    ],
)
def test_bad_config_fails_validation_before_any_job(tmp_path, changes, message):
    result = snakemake("-n", "--configfile", str(config_file(tmp_path, **changes)), cwd=tmp_path)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_tiny_workflow_runs_end_to_end(tmp_path):
    genome = tmp_path / "genome dir" / "genome.fa"  # two sequences, 37.5 kb each
    genome.parent.mkdir()
    shutil.copy(ROOT / "data" / "genome" / "genome.fa", genome)
    queries = ROOT / "data" / "simulated" / "positive.fa"
    scan_flags = {"chunk": 10000, "threshold": 0.5}
    config = config_file(
        tmp_path,
        outdir="results dir",  # a space: every path must reach the shell quoted
        datasets={"tiny": {"simulate": {"n": 400, "length": 60, "motifs": ["CTCF"], "seed": 1}}},
        architectures=["cnn"],
        train={"max-epochs": 1},
        model={"cnn": {"filters": 4, "channels": 4}},
        motifs={"attribution": "none", "max-sequences": 200},
        scan={"genome": str(genome), "shards": 3, "flags": scan_flags},
        predict={"fasta": [str(queries)]},
        experiment={"flags": {"backgrounds": 10, "max-spacing": 5}},
    )
    result = snakemake("--configfile", str(config), "--cores", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    results = tmp_path / "results dir"
    summary = json.loads((results / "report" / "summary.json").read_text())
    assert [(run["dataset"], run["architecture"]) for run in summary] == [("tiny", "cnn")]
    assert set(summary[0]["planted"]) == {"CTCF"}
    page = (results / "report" / "index.html").read_text()
    assert "tiny" in page and "motifs/index.html" in page
    assert (results / "logs" / "train" / "tiny_cnn_seed0.log").is_file()

    run = results / "tiny" / "cnn" / "seed0"
    predictions = (run / "predict" / "positive.tsv").read_text().splitlines()
    assert len(predictions) == 1 + queries.read_text().count(">")
    # three shard jobs (more than one per sequence) merged: equal to one process
    assert not (run / "scan" / "parts").exists() or not any((run / "scan" / "parts").iterdir())
    command = [sys.executable, "-m", "motifnet", "scan", str(run / "model.ckpt"), str(genome)]
    command += ["--chunk", "10000", "--threshold", "0.5", "--quiet"]
    command += ["-o", str(tmp_path / "single.bw"), "--sites", str(tmp_path / "single.bed")]
    single = subprocess.run(
        command,
        capture_output=True,
        text=True,
    )
    assert single.returncode == 0, single.stderr
    assert bigwig_intervals(run / "scan" / "track.bw") == bigwig_intervals(tmp_path / "single.bw")
    sites = (run / "scan" / "sites.bed").read_text()
    assert sites == (tmp_path / "single.bed").read_text()
    experiment = json.loads((run / "experiment" / "summary.json").read_text())
    assert len(experiment["singles"]) == 2 and experiment["backgrounds"]["n"] == 10


def bigwig_intervals(path: Path) -> dict:
    """Every interval of a bigWig, per sequence."""
    import pyBigWig

    track = pyBigWig.open(str(path))
    try:
        return {chrom: track.intervals(chrom) for chrom in track.chroms()}
    finally:
        track.close()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"datasets": {"x;touch PWNED;echo": {"simulate": {"n": 10}}}}, "does not match"),
        ({"datasets": {"d": {"simulate": {"motifs": ["CTCF; touch PWNED"]}}}}, "does not match"),
        ({"architectures": ["cnn; touch PWNED"]}, "does not match"),
        ({"model": {"cnn": {"filters": "8; touch PWNED"}}}, "is not valid under any"),
        ({"train": {"max-epochs": "3; touch PWNED"}}, "is not of type 'integer'"),
        ({"motifs": {"jaspar-release": "$(touch PWNED)"}}, "does not match"),
        (
            {"scan": {"genome": GENOME, "flags": {"step": "1; touch PWNED"}}},
            "not of type 'integer'",
        ),
        ({"scan": {"genome": GENOME, "runs": ["demo/cnn/seed0;touch PWNED"]}}, "does not match"),
        ({"experiment": {"motifs": ["CTCF; touch PWNED"]}}, "does not match"),
        ({"experiment": {"flags": {"backgrounds": "9; touch PWNED"}}}, "not of type 'integer'"),
    ],
)
def test_hostile_config_values_are_refused_before_any_job(tmp_path, changes, message):
    result = snakemake("-n", "--configfile", str(config_file(tmp_path, **changes)), cwd=tmp_path)
    assert result.returncode != 0 and message in result.stdout + result.stderr
    assert not (tmp_path / "PWNED").exists()


def test_every_value_reaches_the_shell_quoted_and_user_datasets_replace_the_demo(tmp_path):
    folder = tmp_path / "my data"
    folder.mkdir()
    peaks = folder / "peaks;touch PWNED.fa"
    peaks.write_text(">a\nACGT\n")
    config = config_file(
        tmp_path,
        outdir=str(tmp_path / "out dir"),
        datasets={"mine": {"pos": [str(peaks)]}},
        architectures=["cnn"],
    )
    result = snakemake("-n", "-p", "--configfile", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    planned = result.stdout + result.stderr
    assert f"--pos '{peaks}'" in planned and "'" + str(tmp_path / "out dir") in planned
    assert "demo" not in planned and "simulate" not in planned
    assert not (tmp_path / "PWNED").exists()


def test_schema_accepts_every_registered_architecture():
    import re

    from motifnet.nn.registry import available

    schema = yaml.safe_load((ROOT / "workflows" / "config.schema.yaml").read_text())
    pattern = re.compile(schema["$defs"]["architecture"]["pattern"])
    for name in available():
        assert pattern.match(name) and pattern.match(f"conjoined({name})"), name
    assert not pattern.match("cnn; touch PWNED") and not pattern.match("conjoined(cnn")


def test_a_distributed_training_job_asks_slurm_for_its_gpus_and_nodes(tmp_path):
    """resources.train {gpu, nodes}: one task per GPU, srun inside a SLURM job, and the
    devices and nodes passed to motifnet train (with train flags such as an ensemble's); one
    process stays a plain job."""
    resources = {"train": {"gpu": 4, "nodes": 2, "mem_mb": 16000}}
    train = {"ensemble": 3}
    config = config_file(tmp_path, architectures=["cnn"], resources=resources, train=train)
    result = snakemake("-n", "-p", "--configfile", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    planned = result.stdout + result.stderr
    assert "gpu=8, nodes=2, tasks=8, tasks_per_gpu=1, mpi=srun" in planned
    assert "${SLURM_JOB_ID:+srun} motifnet train" in planned
    assert "--accelerator gpu --devices 4 --num-nodes 2 -o" in planned
    assert "--ensemble 3" in planned
    single = config_file(tmp_path, architectures=["cnn"])
    result = snakemake("-n", "-p", "--configfile", str(single), cwd=tmp_path)
    planned = result.stdout + result.stderr
    assert "srun" not in planned and "--devices" not in planned and "mpi=" not in planned
