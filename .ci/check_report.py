"""CI: the workflow's report must list every planted motif among the learned motifs' matches.

Usage: python .ci/check_report.py RESULTS   (the workflow's outdir)
"""

import json
import sys
from pathlib import Path

results = Path(sys.argv[1])
runs = json.loads((results / "report" / "summary.json").read_text())
page = (results / "report" / "index.html").read_text()
problems = []
for run in runs:
    where = f"{run['dataset']} {run['architecture']} seed {run['seed']}"
    print(f"{where}: test AUROC {run['test']['plain']['auroc']:.3f}, planted {run['planted']}")
    if not run["planted"]:
        problems.append(f"{where}: no planted motifs recorded")
    problems += [f"{where}: {name} not found" for name, how in run["planted"].items() if not how]
    problems += [f"{where}: {name} not in the report" for name in run["planted"] if name not in page]
if problems:
    sys.exit("report check failed:\n  " + "\n  ".join(problems))
print(f"report check passed: {len(runs)} runs, every planted motif found")
