"""Can the known-motif matches be trusted? Before and after the guards of motifnet.motifs.matching.

Models (default settings) are trained on sets whose truth is known: simulated CTCF/GATA1/SOX2
(the demo's motifs), simulated GATA1/SOX2/KLF4 (no CTCF planted), and the real CTCF ChIP-seq
set. Their learned motifs (every filter, and the TF-MoDISco patterns) are matched to JASPAR2024
CORE vertebrates twice:

- before: Tomtom on the motif as extracted (flanks under 0.2 bits trimmed), q-values per query,
  no minimum overlap or information (motifnet until 2026-11);
- after: the learned motifs are grouped into distinct motifs (motifnet.motifs.cluster), each
  matched by ``match_motifs`` (informative cores, at least 6 bits, 60% of the longer core,
  q-values over all pairs); a learned motif shares its distinct motif's match. The report
  names motifs by ``named_clusters``.

Reported per model: the share of learned motifs whose best significant match (q < 0.05) is
outside the planted TFs' JASPAR families ("wrong"), the share best-matching a long CTCF matrix
(MA1929/MA1930) or any CTCF matrix, and the TFs the report names; and the time to match 100
motifs against JASPAR after the first call (numba compiled, collection loaded).

Run: ``python benchmarks/motif_matching.py`` (about 15 minutes on 2 cores).
"""

from __future__ import annotations

import json
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from _report import publish
from _settings import flags_until_2026_12
from gue import ctcf_files

from motifnet.checkpoint import load_trained
from motifnet.cli import main
from motifnet.io import read_fasta
from motifnet.motifs.discover import MotifSettings, discover_motifs
from motifnet.motifs.jaspar import fetch_jaspar
from motifnet.motifs.matching import benjamini_hochberg, jaspar_collection, match_motifs
from motifnet.motifs.sites import call_sites, site_recall
from motifnet.simulate import SimulationConfig, simulate, write_simulation

SETS = {
    "simulated CTCF/GATA1/SOX2": ("CTCF", "GATA1", "SOX2"),
    "simulated GATA1/SOX2/KLF4": ("GATA1", "SOX2", "KLF4"),
    "CTCF ChIP-seq": ("CTCF",),
}
ARCHS = ("rc_cnn", "cnn")
LONG_CTCF = ("MA1929", "MA1930")


def before(queries, targets) -> list[tuple[str, str, float]]:
    """(query, best target id, q) as motifnet matched until 2026-11: Tomtom on the motif as
    extracted, BH per query, no guards."""
    from memelite import tomtom

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = np.asarray(tomtom([q.ppm for q in queries], [t.ppm for t in targets], n_jobs=1)[0])
    q = benjamini_hochberg(p)
    best = p.argmin(axis=1)
    return [
        (query.id, targets[j].id, float(q[i, j]))
        for i, (query, j) in enumerate(zip(queries, best, strict=True))
    ]


def _families(names: tuple[str, ...]) -> set[str]:
    return {m.family for m in fetch_jaspar(list(names))}


def score(best: list[tuple[str, str, float]], targets, planted: tuple[str, ...]) -> dict:
    """Shares of learned motifs by their best significant match."""
    family = {t.id: t.family for t in targets} | {"": ""}
    allowed = _families(planted)
    significant = [(query, target) for query, target, q in best if q < 0.05]
    n = len(best) or 1
    return {
        "motifs": len(best),
        "significant": len(significant) / n,
        "wrong_family": sum(family[t] not in allowed for _, t in significant) / n,
        "long_ctcf": sum(t.startswith(LONG_CTCF) for _, t in significant) / n,
        "any_ctcf": sum(t.startswith(("MA0139", *LONG_CTCF)) for _, t in significant) / n,
    }


def data(name: str, work: Path) -> tuple[list[str], Path]:
    """Training flags and the held-out positives to explain."""
    if name == "CTCF ChIP-seq":
        folder = ctcf_files(work / "ctcf")
        return ["--pos", str(folder / "test_pos.fa"), "--neg", str(folder / "test_neg.fa")], (
            folder / "valid_pos.fa"
        )
    config = SimulationConfig(n=6000, length=100, motifs=SETS[name], max_sites=3, seed=3)
    folder = work / name.replace("/", "_").replace(" ", "_")
    write_simulation(config, *simulate(config, progress=False), folder)
    return ["--pos", str(folder / "positive.fa"), "--neg", str(folder / "negative.fa")], (
        folder / "positive.fa"
    )


def _planted_sites(folder: Path, explained: set[str]) -> dict[str, list[tuple[str, int, int]]]:
    truth = json.loads((folder / "truth.json").read_text())
    sites: dict[str, list[tuple[str, int, int]]] = {}
    for sequence in truth["sequences"]:
        if sequence["id"] in explained:
            for site in sequence["sites"]:
                sites.setdefault(site["name"], []).append(
                    (sequence["id"], site["start"], site["end"])
                )
    return sites


def site_quality(results, folder: Path, planted: tuple[str, ...]) -> dict:
    """Per planted TF: recall and false discovery of the sites of the motif named after it
    (or of its family), and of the planted JASPAR matrix itself at the same FDR (the best any
    learned motif could do)."""
    records = results.sequences
    truth = _planted_sites(folder, {r.id for r in records})
    out = {}
    for tf, known in zip(planted, fetch_jaspar(list(planted)), strict=True):
        named = [
            cluster
            for cluster, match in results.named.items()
            if match.target_name.upper() == tf or match.target_family == known.family
        ]
        found = [(s.record, s.start, s.end) for s in results.sites if s.motif in named[:1]]
        oracle, _ = call_sites([known], records, fdr=0.1)
        recall, false = site_recall(found, truth.get(tf, []))
        best_recall, best_false = site_recall(
            [(s.record, s.start, s.end) for s in oracle], truth.get(tf, [])
        )
        out[tf] = {
            "recall": recall,
            "false": false,
            "jaspar_recall": best_recall,
            "jaspar_false": best_false,
        }
    return out


def run_model(name: str, arch: str, work: Path, targets) -> dict:
    flags, held_out = data(name, work)
    run = work / f"{name}_{arch}".replace("/", "_").replace(" ", "_")
    flags = flags_until_2026_12(arch, flags)
    assert main(["train", *flags, "--architecture", arch, "-o", str(run), "--quiet"]) == 0
    trained = load_trained(run / "model.ckpt")
    records = list(read_fasta(held_out))[:2000]
    results = discover_motifs(trained, records, MotifSettings(attribution="gradient"))
    learned = results.learned
    old = score(before(learned, list(targets)), targets, SETS[name])
    # after: a learned motif shares its distinct motif's match; unplaced ones have none
    best = {m.query: m for m in results.matches if m.rank == 1}
    cluster_of = {m.motif.id: c.motif.id for c in results.clusters for m in c.members}
    new_best = []
    for motif in learned:
        match = best.get(cluster_of.get(motif.id, ""))
        new_best.append((motif.id, match.target_id, match.q) if match else (motif.id, "", 1.0))
    entry = {
        "before": old,
        "after": score(new_best, targets, SETS[name]),
        "named": sorted({m.target_name for m in results.named.values()}),
        "clusters": len(results.clusters),
    }
    if name != "CTCF ChIP-seq":
        entry["sites"] = site_quality(results, held_out.parent, SETS[name])
    return entry


def timing(targets) -> dict:
    """Seconds to match 100 learned-like motifs after a first (compiling) call."""
    rng = np.random.default_rng(0)
    from motifnet.motifs.motif import Motif

    queries = [
        Motif(f"q{i}", "q", rng.dirichlet(np.full(4, 0.4), size=int(rng.integers(8, 20))).T)
        for i in range(100)
    ]
    match_motifs(queries[:2], targets)
    started = time.perf_counter()
    match_motifs(queries, targets)
    after = time.perf_counter() - started
    started = time.perf_counter()
    before(queries, list(targets))
    seconds = time.perf_counter() - started
    return {"after_seconds": round(after, 2), "before_seconds": round(seconds, 2)}


def main_benchmark() -> None:
    targets = jaspar_collection()
    results = {"timing": timing(targets), "models": {}}
    print(results["timing"], flush=True)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for name in SETS:
            for arch in ARCHS:
                key = f"{name}, {arch}"
                results["models"][key] = run_model(name, arch, work, targets)
                print(key, results["models"][key], flush=True)
    lines = [
        "## Known-motif matching you can trust (`python benchmarks/motif_matching.py`)",
        "",
        "Learned motifs (filters and TF-MoDISco patterns) of models trained with default",
        "settings, matched to JASPAR2024 CORE vertebrates before and after (distinct motifs,",
        "cores, 6 bits, 60% of the longer core, q over all pairs). Shares of learned motifs",
        "whose best significant match (q < 0.05) is outside the planted TFs' families, or a long",
        "CTCF matrix (MA1929/MA1930); and the TFs the report names.",
        "",
        "| data, model | motifs | wrong family before | after | long CTCF before | after | "
        "any CTCF after | named |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, r in results["models"].items():
        b, a = r["before"], r["after"]
        lines.append(
            f"| {key} | {b['motifs']} | {b['wrong_family']:.0%} | {a['wrong_family']:.0%} | "
            f"{b['long_ctcf']:.0%} | {a['long_ctcf']:.0%} | {a['any_ctcf']:.0%} | "
            f"{', '.join(r['named']) or 'none'} |"
        )
    lines += [
        "",
        "Sites of the named motifs (FIMO at an estimated FDR of 10%) against the planted ones,",
        "beside the planted JASPAR matrix itself at the same FDR: recall / false discoveries.",
        "",
        "| data, model | TF | named motif | planted JASPAR matrix |",
        "|---|---|---|---|",
    ]
    for key, r in results["models"].items():
        for tf, q in r.get("sites", {}).items():
            lines.append(
                f"| {key} | {tf} | {q['recall']:.0%} / {q['false']:.0%} | "
                f"{q['jaspar_recall']:.0%} / {q['jaspar_false']:.0%} |"
            )
    t = results["timing"]
    lines += [
        "",
        f"Matching 100 motifs against the {len(targets)} JASPAR matrices after the first call: "
        f"{t['after_seconds']} s (guards, one call, both cores); {t['before_seconds']} s "
        "before (one call, one core).",
    ]
    publish("motif_matching", results, "\n".join(lines))


if __name__ == "__main__":
    main_benchmark()
