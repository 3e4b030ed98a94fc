"""Which motif does a model trained on real CTCF ChIP-seq learn first? (issue: motifs)

Trains each architecture with default settings on shared/data/ctcf_chipseq/test.fa (peaks
against their shuffles), runs `motifnet motifs` on the held-out positives of valid.fa against
JASPAR2024 CORE vertebrates, and records, per model, the most influential filter motif and the
largest TF-MoDISco motif with their best matches and q-values, whether CTCF (MA0139) is among
their matches, and the logo of the top motif (benchmarks/results/ctcf_top_motif_ARCH.png).

Run: ``python benchmarks/ctcf_motifs.py [--archs rc_hybrid ...]`` (about 5 minutes per
architecture on 2 cores); architectures not named keep their stored results.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import tempfile
import time
from pathlib import Path

from _report import RESULTS, publish
from gue import ctcf_files

from motifnet.cli import main

ARCHS = ("rc_cnn", "cnn", "rc_hybrid", "hybrid")


def _rows(path: Path) -> list[dict]:
    with open(path) as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _describe(motif: dict, matches: list[dict]) -> dict:
    own = sorted((m for m in matches if m["motif"] == motif["motif"]), key=lambda m: float(m["q"]))
    best = own[0] if own else None
    ctcf = [m for m in own if m["jaspar_id"].startswith("MA0139")]
    return {
        "motif": motif["motif"],
        "kind": motif["kind"],
        "sites": int(motif["sites"]),
        "influence": float(motif["influence"]) if motif["influence"] else None,
        "best_match": best and {k: best[k] for k in ("jaspar_id", "tf_name", "q")},
        "ma0139_q": float(ctcf[0]["q"]) if ctcf else None,
    }


def run(arch: str, data: Path, workdir: Path) -> dict:
    run_dir = workdir / arch
    started = time.perf_counter()
    train = ["train", "--pos", str(data / "test_pos.fa"), "--neg", str(data / "test_neg.fa")]
    assert main([*train, "--architecture", arch, "-o", str(run_dir), "--quiet"]) == 0
    trained = time.perf_counter() - started
    out = run_dir / "motifs"
    assert (
        main(["motifs", str(run_dir / "model.ckpt"), str(data / "valid_pos.fa"), "-o", str(out)])
        == 0
    )
    motifs, matches = _rows(out / "motifs.tsv"), _rows(out / "matches.tsv")
    filters = [m for m in motifs if m["kind"] == "filter"]
    modisco = [m for m in motifs if m["kind"].startswith("modisco")]
    described = [_describe(f, matches) for f in filters]
    top = described[0]
    shutil.copyfile(out / "logos" / f"{top['motif']}.png", RESULTS / f"ctcf_top_motif_{arch}.png")
    return {
        "train_seconds": round(trained, 1),
        "motifs_seconds": round(time.perf_counter() - started - trained, 1),
        "top_filter": top,
        "top_modisco": _describe(modisco[0], matches) if modisco else None,
        "filters_matching_ctcf": sum(
            1 for d in described if d["best_match"] and d["best_match"]["tf_name"] == "CTCF"
        ),
        "filters": len(filters),
    }


def _cell(item: dict | None) -> str:
    if not item or not item["best_match"]:
        return "none"
    best = item["best_match"]
    ctcf = "" if item["ma0139_q"] is None else f"; MA0139 q={item['ma0139_q']:.2g}"
    return f"{item['motif']}: {best['tf_name']} {best['jaspar_id']} q={float(best['q']):.2g}{ctcf}"


def main_benchmark() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", nargs="+", choices=ARCHS, default=list(ARCHS))
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stored = RESULTS / "ctcf_motifs.json"
    results = json.loads(stored.read_text()) if stored.is_file() else {}
    results.pop("machine", None)
    with tempfile.TemporaryDirectory() as work:
        data = ctcf_files(Path(work) / "data")
        for arch in args.archs:
            results[arch] = run(arch, data, Path(work))
            print(arch, results[arch]["top_filter"], flush=True)
    results = {arch: results[arch] for arch in ARCHS if arch in results}
    lines = [
        "## Motifs learned from CTCF ChIP-seq (`python benchmarks/ctcf_motifs.py`)",
        "",
        "Trained on shared/data/ctcf_chipseq/test.fa (default settings), motifs from the held-out",
        "positives of valid.fa, matched to JASPAR2024 CORE vertebrates (Tomtom, BH q-values).",
        "",
        "| model | top filter motif by influence: best match | largest TF-MoDISco motif | "
        "filters whose best match is CTCF | train s | motifs s |",
        "|---|---|---|---|---|---|",
    ]
    for arch, r in results.items():
        lines.append(
            f"| {arch} | {_cell(r['top_filter'])} | {_cell(r['top_modisco'])} | "
            f"{r['filters_matching_ctcf']} of {r['filters']} | {r['train_seconds']:.0f} | "
            f"{r['motifs_seconds']:.0f} |"
        )
    lines += [
        "",
        *(f"![top {a} motif](benchmarks/results/ctcf_top_motif_{a}.png)" for a in results),
    ]
    publish("ctcf_motifs", results, "\n".join(lines))


if __name__ == "__main__":
    main_benchmark()
