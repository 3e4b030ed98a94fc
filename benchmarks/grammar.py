"""Did each architecture learn the grammar? The pair experiment on models of both regimes.

Every registered architecture is trained on two simulated sets with GATA1 and SOX2 planted
(``motifnet simulate``): the grammar regime (positives: GATA1 then SOX2, 2-10 bp apart, the
pair on either strand; negatives: swapped, or 30-60 bp apart) and the bag regime (either
motif anywhere). Then `motifnet experiment`'s pair grid implants the two JASPAR consensus
sequences into 100 random backgrounds at every spacing 0-60 in the four orientations.
Reported: test AUROC, the strongest pair response (orientation, spacing), whether it is the
rule (GATA1+ SOX2+ at 2-10 bp), and the spacing preference (the share of the strongest response
the arrangement adds; ~0 for a bag of motifs). Heatmaps: results/grammar/ARCH_REGIME.png.

Runs already in results/grammar.json are skipped. Run: ``python benchmarks/grammar.py
[--archs rc_cnn hybrid] [--threads 1]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import torch
from _report import RESULTS, publish
from _settings import until_2026_12

from motifnet.checkpoint import load_trained
from motifnet.config import make_config
from motifnet.experiments.marginalize import Implant, pair_grid, random_backgrounds
from motifnet.experiments.outputs import plot_grid
from motifnet.motifs import fetch_jaspar
from motifnet.nn.registry import available
from motifnet.simulate import SimulationConfig, simulate, write_simulation
from motifnet.train import train

REGIMES = {
    "grammar": SimulationConfig(
        regime="grammar", motifs=("GATA1", "SOX2"), n=10000, length=100, seed=21
    ),
    "bag": SimulationConfig(regime="bag", motifs=("GATA1", "SOX2"), n=10000, length=100, seed=22),
}
SPACINGS = range(61)
RULE = ("++", range(2, 11))
TRAINING = {"max_epochs": 20, "patience": 5, "learning_rate": 3e-3}


def run_one(arch: str, regime: str, folder: Path, implants: list[Implant]) -> dict:
    config = make_config(
        {
            "train": {
                "pos": [str(folder / regime / "positive.fa")],
                "neg": [str(folder / regime / "negative.fa")],
            },
            "architecture": arch,
            "outdir": str(folder / f"{regime}_{arch}"),
            **until_2026_12(arch, TRAINING),
        }
    )
    report = train(config, progress=False)
    trained = load_trained(folder / f"{regime}_{arch}" / "model.ckpt")
    backgrounds = random_backgrounds(100, trained.length, seed=5)
    grid = pair_grid(trained, backgrounds, *implants, spacings=SPACINGS)
    plots = RESULTS / "grammar"
    plots.mkdir(parents=True, exist_ok=True)
    plot_grid(grid, plots / f"{arch}_{regime}.png", title=f"{arch} trained on {regime}")
    orientation, spacing, effect = grid.strongest()
    return {
        "auroc": report["test"]["plain"]["auroc"],
        "train_seconds": report["train_seconds"],
        "epochs": report["epochs"],
        "strongest": {"orientation": orientation, "spacing": spacing, "effect": effect},
        "rule": orientation == RULE[0] and spacing in RULE[1],
        "spacing_preference": grid.spacing_preference(),
        "cooperativity_max": float(grid.cooperativity.max()),
    }


def table(results: dict) -> str:
    lines = [
        "## Grammar experiments (`python benchmarks/grammar.py`)",
        "",
        "Each architecture trained on 10,000 simulated 100 bp sequences per regime (GATA1 and "
        "SOX2; grammar: GATA1 then SOX2 2-10 bp apart on either strand vs swapped or 30-60 bp "
        f"apart; bag: either motif anywhere), up to {TRAINING['max_epochs']} epochs (patience "
        f"{TRAINING['patience']}). Then `motifnet experiment`'s pair grid: the JASPAR "
        "consensus of GATA1 and SOX2 implanted into 100 random backgrounds at spacings 0-60 in "
        "the four orientations. *strongest*: the arrangement with the largest mean logit "
        "change; *rule*: it is GATA1+ SOX2+ at 2-10 bp; *preference*: the share of that "
        "response the arrangement adds (cooperativity / pair effect; ~0 for a bag of motifs, "
        "~1 when only the arrangement counts). Heatmaps in `benchmarks/results/grammar/`.",
        "",
        "| architecture | grammar AUROC | strongest | rule | preference | bag AUROC | strongest "
        "| preference |",
        "|---|---:|---|---|---:|---:|---|---:|",
    ]
    for arch in available():
        cells = []
        for regime in ("grammar", "bag"):
            r = results.get(f"{arch}|{regime}")
            if r is None:
                cells += ["-", "-"] + (["-"] if regime == "grammar" else []) + ["-"]
                continue
            s = r["strongest"]
            cells += [f"{r['auroc']:.3f}", f"{s['orientation']} {s['spacing']} bp"]
            if regime == "grammar":
                cells.append("yes" if r["rule"] else "no")
            cells.append(f"{r['spacing_preference']:.2f}")
        lines.append(f"| {arch} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", nargs="+", default=available(), choices=available())
    parser.add_argument("--threads", type=int, help="torch threads (default: all)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    path = RESULTS / "grammar.json"
    results = json.loads(path.read_text())["results"] if path.exists() else {}
    implants = [Implant.from_motif(m) for m in fetch_jaspar(["GATA1", "SOX2"])]
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        for regime, simulation in REGIMES.items():
            write_simulation(simulation, *simulate(simulation, progress=False), folder / regime)
        for arch in args.archs:
            for regime in REGIMES:
                key = f"{arch}|{regime}"
                if key in results:
                    continue
                results[key] = run_one(arch, regime, folder, implants)
                publish("grammar", {"settings": TRAINING, "results": results}, table(results))
                print(key, results[key], flush=True)
    print(table(results))


if __name__ == "__main__":
    main()
