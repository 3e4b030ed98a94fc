"""Which motif does a model trained on real CTCF ChIP-seq learn first? (issue: motifs)

Trains each architecture with default settings on shared/data/ctcf_chipseq/test.fa (peaks
against their shuffles), runs `motifnet motifs` on the held-out positives of valid.fa against
JASPAR2024 CORE vertebrates, and records, per model, the most influential distinct motif with
its known match, every motif the report names, how many distinct motifs the learned ones
(filters and TF-MoDISco patterns) make, the wall time of `motifnet motifs` and the share of it
spent drawing logos, and the logo of the top motif (benchmarks/results/ctcf_top_motif_ARCH.png).

Run: ``python benchmarks/ctcf_motifs.py [--archs rc_hybrid ...]`` (about 5 minutes per
architecture on 2 cores); architectures not named keep their stored results.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import shutil
import tempfile
import time
from pathlib import Path

from _report import RESULTS, publish
from _settings import flags_until_2026_12
from gue import ctcf_files

from motifnet.cli import main

STRIDE1 = ["--set", "pool=1", "--set", "depth=1", "--set", "global_pool=maxavg"]
RECIPE = ["--mutate-augment", "0.05", "--label-smoothing", "0.1", "--warmup-epochs", "1"]
# a model: its architecture and the flags of `motifnet train` that differ from the defaults
RUNS = {
    "rc_cnn": ("rc_cnn", []),
    "cnn": ("cnn", []),
    "rc_hybrid": ("rc_hybrid", []),
    "hybrid": ("hybrid", []),
    "rc_cnn+stride1": ("rc_cnn", STRIDE1),  # the shallow stride-1 rc_cnn of the GUE sweep
    "rc_cnn+stride1x3": ("rc_cnn", [*STRIDE1, "--ensemble", "3"]),  # three of them, one model
    "rc_cnn+stride1+recipe": ("rc_cnn", [*STRIDE1, *RECIPE]),  # with the recipe settings
    # the recipe without label smoothing: the default rc_cnn since 2026-12-03
    "rc_cnn+stride1+mutate+warmup": (
        "rc_cnn",
        [*STRIDE1, "--mutate-augment", "0.05", "--warmup-epochs", "1"],
    ),
}
ARCHS = tuple(RUNS)


def _rows(path: Path) -> list[dict]:
    with open(path) as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def run(arch: str, data: Path, workdir: Path) -> dict:
    from motifnet.motifs import outputs

    run_dir = workdir / arch
    started = time.perf_counter()
    train = ["train", "--pos", str(data / "test_pos.fa"), "--neg", str(data / "test_neg.fa")]
    architecture, flags = RUNS[arch]
    flags = flags_until_2026_12(architecture, flags)
    command = [*train, "--architecture", architecture, *flags, "-o", str(run_dir), "--quiet"]
    assert main(command) == 0
    trained = time.perf_counter() - started
    out = run_dir / "motifs"
    drawing = 0.0
    write_logos = outputs.write_logos

    def timed_logos(*args, **kwargs):
        nonlocal drawing
        begun = time.perf_counter()
        write_logos(*args, **kwargs)
        drawing += time.perf_counter() - begun

    outputs.write_logos = timed_logos
    try:
        command = ["motifs", str(run_dir / "model.ckpt"), str(data / "valid_pos.fa")]
        assert main([*command, "-o", str(out), "--quiet"]) == 0
    finally:
        outputs.write_logos = write_logos
    seconds = time.perf_counter() - started - trained
    clusters, learned = _rows(out / "clusters.tsv"), _rows(out / "motifs.tsv")
    top = clusters[0]
    shutil.copyfile(out / "logos" / f"{top['motif']}.png", RESULTS / f"ctcf_top_motif_{arch}.png")
    return {
        "measured": datetime.date.today().isoformat(),
        "train_seconds": round(trained, 1),
        "motifs_seconds": round(seconds, 1),
        "logo_seconds": round(drawing, 1),
        "top": {k: top[k] for k in ("motif", "influence", "known_id", "known_name", "q", "named")},
        "named": [c["known_name"] for c in clusters if c["named"] == "true"],
        "distinct": len(clusters),
        "learned": len(learned),
        "learned_in_ctcf_motifs": sum(
            1
            for m in learned
            for c in clusters
            if m["cluster"] == c["motif"] and c["known_name"] == "CTCF"
        ),
    }


def _top(item: dict) -> str:
    top = item["top"]
    if not top["known_id"]:
        return f"{top['motif']} ({float(top['influence']):.0%}): no known match"
    named = "named" if top["named"] == "true" else "not named"
    return (
        f"{top['motif']} ({float(top['influence']):.0%}): {top['known_name']} "
        f"{top['known_id']} q={float(top['q']):.2g}, {named}"
    )


def main_benchmark() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", nargs="+", choices=ARCHS, default=list(ARCHS))
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stored = RESULTS / "ctcf_motifs.json"
    results = json.loads(stored.read_text()) if stored.is_file() else {}
    results.pop("machine", None)
    before = results.pop("before", {})  # runs of the filter-by-filter report (until 2026-11)
    for arch in list(results):
        if "top" not in results[arch]:
            before[arch] = results.pop(arch)
    with tempfile.TemporaryDirectory() as work:
        data = ctcf_files(Path(work) / "data")
        for arch in args.archs:
            results[arch] = run(arch, data, Path(work))
            print(arch, results[arch]["top"], flush=True)
    results = {arch: results[arch] for arch in ARCHS if arch in results}
    lines = [
        "## Motifs learned from CTCF ChIP-seq (`python benchmarks/ctcf_motifs.py`)",
        "",
        "Trained on shared/data/ctcf_chipseq/test.fa (the defaults of before 2026-12-03: `rc_cnn` "
        "pooled by 4 with two blocks, no mutations, no warm-up; `rc_cnn+stride1`: `--set pool=1 "
        "--set depth=1 --set global_pool=maxavg`, `x3`: `--ensemble 3`, `recipe`: "
        "`--mutate-augment 0.05 --label-smoothing 0.1 --warmup-epochs 1`, `mutate+warmup`: the "
        "recipe without `--label-smoothing`, the default `rc_cnn` since 2026-12-03), motifs "
        "from the held-out positives of valid.fa, matched to JASPAR2024 CORE vertebrates. "
        "Distinct motifs: the learned ones (filters and TF-MoDISco patterns) merged when they "
        "are the same motif. Measured: the day of the run; filter motifs take their sites on "
        "match scores (0.7 of the best) since 2026-12-02, on activations (0.5 of the best) "
        "before; a distinct motif is shown by its sharpest member counted with a pseudocount of "
        "one site per base since 2026-12-03.",
        "",
        "| model | top distinct motif (influence): known match | motifs named | distinct / learned"
        " | learned in CTCF motifs | train s | motifs s (logos) | measured |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for arch, r in results.items():
        lines.append(
            f"| {arch} | {_top(r)} | {', '.join(dict.fromkeys(r['named'])) or 'none'} | "
            f"{r['distinct']} / {r['learned']} | {r['learned_in_ctcf_motifs']} | "
            f"{r['train_seconds']:.0f} | {r['motifs_seconds']:.0f} ({r['logo_seconds']:.0f}) | "
            f"{r.get('measured', 'earlier, activation rule')} |"
        )
    if before:
        lines += [
            "",
            "Before distinct motifs (the report listed every filter; 2026-11/12 runs): filters "
            "whose own best match was CTCF, and the wall time of `motifnet motifs` (SVG and PNG "
            "logos of every filter and its reverse complement).",
            "",
            "| model | filters best-matching CTCF | motifs s |",
            "|---|---|---|",
            *(
                f"| {arch} | {r['filters_matching_ctcf']} of {r['filters']} | "
                f"{r['motifs_seconds']:.0f} |"
                for arch, r in before.items()
            ),
        ]
    lines += [
        "",
        *(f"![top {a} motif](benchmarks/results/ctcf_top_motif_{a}.png)" for a in results),
    ]
    publish("ctcf_motifs", {**results, "before": before}, "\n".join(lines))


if __name__ == "__main__":
    main_benchmark()
