"""CI: the workflow's sharded scan (merged from SLURM jobs) must equal a single-process scan.

Usage: python .ci/check_scan.py RESULTS   (the workflow's outdir; the demo config's scan section)
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import pyBigWig
import yaml

results = Path(sys.argv[1])
config = yaml.safe_load(Path("workflows/config.yaml").read_text())["scan"]
flags = []
for key, value in config.get("flags", {}).items():
    flags += (
        [f"--{key}"] if value is True else [f"--{key}", str(value)] if value is not False else []
    )
problems = []
for run in config["runs"]:
    folder = results / run / "scan"
    with tempfile.TemporaryDirectory() as work:
        single, sites = Path(work) / "single.bw", Path(work) / "single.bed"
        command = ["motifnet", "scan", str(results / run / "model.ckpt"), config["genome"]]
        command += [*flags, "-o", str(single), "--sites", str(sites), "--quiet"]
        subprocess.run(command, check=True)
        merged, alone = pyBigWig.open(str(folder / "track.bw")), pyBigWig.open(str(single))
        if merged.chroms() != alone.chroms():
            problems.append(f"{run}: sequences differ: {merged.chroms()} vs {alone.chroms()}")
        for chrom in alone.chroms():
            if merged.intervals(chrom) != alone.intervals(chrom):
                problems.append(f"{run}: {chrom}: the merged track differs from one process")
        count = len(sites.read_text().splitlines())
        if (folder / "sites.bed").read_text() != sites.read_text():
            problems.append(f"{run}: the merged sites differ from one process")
        print(f"{run}: {config['shards']} shards merged = one process; {count} sites")
if problems:
    sys.exit("scan check failed:\n  " + "\n  ".join(problems))
