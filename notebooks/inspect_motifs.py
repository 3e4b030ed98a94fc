# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # What did the model learn?
#
# This notebook opens the outputs of the motifnet workflow (`make demo`, or `snakemake` on your
# own config) and looks at one trained model: its test metrics beside the other architectures,
# the distinct motifs it learned and their JASPAR matches, where its filters fire along
# sequences, how exactly it is reverse-complement and shift invariant, its attributions, and
# how to find motifs, scan and predict from Python.
#
# Point `RESULTS` at the workflow's `outdir` (or set `MOTIFNET_RESULTS`). To look at one run
# of your own instead, set `MOTIFNET_RUN` to a `motifnet train` output folder (its motifs in
# `RUN/motifs`, from `motifnet motifs RUN/model.ckpt DATA -o RUN/motifs`) and `MOTIFNET_DATA`
# to the sequences to look at (FASTA, CSV/TSV; labelled ones show their positives).

# %%
import json
import os
from dataclasses import asdict
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

import motifnet
from motifnet.experiments.marginalize import Implant, pair_grid, random_backgrounds
from motifnet.experiments.outputs import read_experiment
from motifnet.experiments.variants import variant_effects
from motifnet.io import read_sequences
from motifnet.io.bed import open_genome
from motifnet.io.variants import read_variants
from motifnet.motifs.filters import motif_scanners
from motifnet.motifs.logos import draw_logo, draw_weight_logo
from motifnet.motifs.meme import read_motifs
from motifnet.sequence import one_hot, reverse_complement
from motifnet.summary import read_run

RESULTS = Path(os.environ.get("MOTIFNET_RESULTS", "../results"))
RUN, DATA = os.environ.get("MOTIFNET_RUN"), os.environ.get("MOTIFNET_DATA")
if RUN:  # one run of your own
    summary = [asdict(read_run(RUN))]
else:  # every run of the workflow
    summary = json.loads((RESULTS / "report" / "summary.json").read_text())

# %% [markdown]
# ## The architectures side by side
# Test metrics of every run (the workflow's report, `report/index.html`, shows the same with
# ROC/PR curves). `rc_max_error` is the largest gap between a sequence's logit and its reverse
# complement's: 0 (to float precision) for the RC-equivariant `rc_*` models by construction.

# %%
table = pd.DataFrame(
    [
        {
            "dataset": run["dataset"],
            "architecture": run["architecture"],
            "seed": run["seed"],
            "parameters": run["parameters"],
            "test AUROC": run["test"]["plain"]["auroc"],
            "test AUPRC": run["test"]["plain"]["auprc"],
            "AUROC conjoined": run["test"]["conjoined"]["auroc"],
            "RC error (max)": run["rc_max_error"],
            "planted motifs": run["planted"],
        }
        for run in summary
    ]
)
table

# %% [markdown]
# ## One model: the distinct motifs it learned, most influential first
# We take the run with the best test AUROC. `motifs/clusters.tsv` lists its distinct motifs:
# learned motifs (filters, TF-MoDISco patterns) that are the same motif are merged, and each
# motif's influence is its share of the model's output. A motif is named after a known JASPAR
# motif only when it is influential and the match significant and specific (`named`); the
# report (`motifs/index.html`) ranks them the same way.

# %%
best = max(summary, key=lambda run: run["test"]["plain"]["auroc"])
run = Path(best["folder"])
if not run.is_absolute():  # the workflow records folders relative to where it ran
    run = RESULTS.parent / run
print(best["dataset"], best["architecture"], "seed", best["seed"], "->", run)
model = motifnet.load(run / "model.ckpt")  # the network, its input length and its tasks
clusters = pd.read_csv(run / "motifs" / "clusters.tsv", sep="\t", keep_default_na=False)
motifs = {m.id: m for m in read_motifs(str(run / "motifs" / "motifs.meme"))}
top = clusters.head(6)
top[["rank", "motif", "influence", "members", "known_name", "q", "specific", "named"]]

# %%
if top.empty:
    print("no distinct motifs: the model learned nothing informative enough to show")
else:
    fig, axes = plt.subplots(len(top), 1, figsize=(6, 1.8 * len(top)), squeeze=False)
    for ax, (_, row) in zip(axes[:, 0], top.iterrows()):
        label = row.known_name if row.named else "unnamed"
        draw_logo(motifs[row.motif].ppm, ax, f"{row.motif} ({row.influence:.0%}): {label}")
    fig.tight_layout()

# %% [markdown]
# ## Where the filters fire along a sequence
# The first layer's activations (after its activation function) over a few held-out positives.
# Each row is one of the filters whose motif matched best; bright columns are sites the filter
# recognises. With simulated data the planted sites (from `truth.json`) are marked by a line
# at the window that centres them.

# %%
records = list(read_sequences(DATA or RESULTS / best["dataset"] / "data" / "test.tsv"))
held_out = [r for r in records if not r.labels or r.labels[0] == 1]
positives = held_out[:3]
x = torch.from_numpy(one_hot([r.sequence for r in positives]))
truth_file = RESULTS / best["dataset"] / "input" / "truth.json"
sites = {}
if truth_file.is_file():
    truth = json.loads(truth_file.read_text())
    sites = {s["id"]: s["sites"] for s in truth["sequences"]}
# the first filter of each of the top motifs
members = [row.members.split(",") for _, row in top.iterrows()]
filters = [
    int(first.removeprefix("filter"))
    for first in (next((m for m in group if m.startswith("filter")), None) for group in members)
    if first
][:4]
scanners = motif_scanners(model.network)  # None for a model without convolutional scanners
if scanners is not None and filters:
    width = scanners.width
    with torch.no_grad():
        activations = scanners.stack.eval()(x)[:, filters].numpy()
    fig, axes = plt.subplots(len(positives), 1, figsize=(10, 1.4 * len(positives)), squeeze=False)
    for ax, record, act in zip(axes[:, 0], positives, activations):
        ax.imshow(act, aspect="auto", cmap="magma", interpolation="nearest")
        ax.set_yticks(range(len(filters)), [f"filter{f}" for f in filters], fontsize=7)
        for site in sites.get(record.id, []):
            # the window (activation column) with the planted site at its centre
            centre = (site["start"] + site["end"]) / 2 - width / 2
            ax.axvline(centre, color="cyan", lw=1)
            ax.text(centre + 0.5, len(filters) - 0.6, site["name"], fontsize=7, color="cyan")
        ax.set_title(record.id, fontsize=8, loc="left")
    fig.tight_layout()

# %% [markdown]
# ## Reverse-complement and shift invariance, measured
# Left: each held-out sequence's logit against its reverse complement's, for every architecture
# of this dataset. Points on the diagonal mean the model calls both strands alike; `rc_cnn` sits
# on it by construction. Right: how the logit of one sequence moves when the window slides by
# 0-8 bp: multiples of the model's total stride are where a strided model is exactly equivariant.

# %%
sequences = [r.sequence for r in records[:300]]
backward = [reverse_complement(s) for s in sequences]
runs = [r for r in summary if r["dataset"] == best["dataset"]]
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
long = records[0].sequence * 2
for other in runs:
    folder = Path(other["folder"])
    folder = folder if folder.is_absolute() else RESULTS.parent / folder
    trained = motifnet.load(folder / "model.ckpt")
    a = motifnet.predict(trained, sequences, logits=True)[:, 0]
    b = motifnet.predict(trained, backward, logits=True)[:, 0]
    windows = [long[s : s + trained.length] for s in range(9)]
    shifted = motifnet.predict(trained, windows, logits=True)[:, 0]
    label = f"{other['architecture']} (max gap {np.abs(a - b).max():.2g})"
    left.scatter(a, b, s=6, alpha=0.6, label=label)
    right.plot(range(9), shifted, marker="o", label=other["architecture"])
left.set(xlabel="logit f(x)", ylabel="logit f(rc x)", title="reverse complement")
left.legend(fontsize=8)
right.set(xlabel="shift (bp)", ylabel="logit", title="shifted window")
right.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# ## Which bases the model uses: attributions
# `motifnet.attribute` gives each base's hypothetical contribution to the logit (gradient x
# input, or `method="ism"`); times the one-hot sequence, the actual contribution. Letters above
# the axis raise the prediction. Planted motifs should stand out.

# %%
contributions = motifnet.attribute(model, positives[:2])
fig, axes = plt.subplots(2, 1, figsize=(12, 3.6))
for ax, record, weights, onehot in zip(axes, positives, contributions, x.numpy()):
    draw_weight_logo(weights * onehot, ax, record.id)
fig.tight_layout()

# %% [markdown]
# ## What the models do with their motifs: the pair experiment
# `motifnet experiment` implants a model's two top learned motifs into background sequences,
# alone and as a pair at every spacing in the four orientations, and measures the logit.
# Cooperativity is the pair's effect minus the two single effects at the same places: near 0
# everywhere for a model that treats motifs as a bag, a hot spot where a model learned a
# grammar (order, spacing, orientation). The workflow's `experiment` section writes it per run
# (`experiment/`); for a run without it, the same experiment is computed here on a smaller grid.

# %%
def pair_experiment(folder):
    """The run's pair grid: the workflow's experiment/ if present, else computed here."""
    if (folder / "experiment" / "pairs.tsv").exists():
        return read_experiment(folder / "experiment")
    trained = motifnet.load(folder / "model.ckpt")
    first, second = (Implant.from_motif(m) for m in read_motifs(folder / "motifs/motifs.meme")[:2])
    backgrounds = random_backgrounds(30, trained.length, seed=0)
    widest = min(30, trained.length - len(first.bases) - len(second.bases))
    return pair_grid(trained, backgrounds, first, second, spacings=range(max(widest, 0) + 1))


fig, axes = plt.subplots(1, len(runs), figsize=(5 * len(runs), 2.6), squeeze=False)
for ax, other in zip(axes[0], runs):
    folder = Path(other["folder"])
    folder = folder if folder.is_absolute() else RESULTS.parent / folder
    grid = pair_experiment(folder)
    limit = float(np.abs(grid.cooperativity).max()) or 1.0
    image = ax.imshow(grid.cooperativity, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_yticks(range(4), [f"{grid.first}{o[0]} {grid.second}{o[1]}" for o in grid.orientations])
    ax.set_xticks(range(0, len(grid.spacings), 10), grid.spacings[::10])
    orientation, spacing, _ = grid.strongest()
    ax.set_title(
        f"{other['architecture']}: strongest {orientation} at {spacing} bp, "
        f"preference {grid.spacing_preference():.2f}",
        fontsize=8,
    )
    ax.set_xlabel("spacing (bp)")
    fig.colorbar(image, ax=ax, label="cooperativity (logit)")
fig.tight_layout()

# %% [markdown]
# ## Which variants change binding
# `motifnet variants CKPT VARIANTS.vcf -g GENOME -o effects.tsv` scores each variant's reference
# and alternative allele in a window centred on it. The example genome's `variants.vcf`
# (`data/genome`) has a known answer: `loss:` variants change a planted site's most
# informative base to the motif's least likely one, `neutral:` ones lie in stretches without a
# site. A model that learned the motifs gives the `loss:` variants a strongly negative log2
# odds ratio, per motif, and leaves the neutral ones near 0.

# %%
example = Path("../data/genome")
if (example / "variants.vcf").exists():
    effects = variant_effects(
        model, read_variants(example / "variants.vcf"), open_genome(example / "genome.fa")
    )
    scored = pd.DataFrame(
        [
            {
                "variant": e.variant.id,
                "kind": e.variant.id.split(":")[0]
                + (f" {e.variant.id.split(':')[2]}" if e.variant.id.startswith("loss") else ""),
                "log2 odds ratio": e.log2_odds_ratio[0],
            }
            for e in effects
        ]
    )
    print(scored.groupby("kind")["log2 odds ratio"].describe().round(2))
    scored.boxplot(column="log2 odds ratio", by="kind", figsize=(6, 3), rot=0)
else:
    print("no example variants here (run `make data` in the repository)")

# %% [markdown]
# ## Motifs from a notebook, and a scan along a long sequence
# `motifnet.find_motifs` runs what `motifnet motifs` runs (filter motifs, TF-MoDISco on
# attributions, clustering, JASPAR matching, sites) and returns the results to inspect;
# `motifnet.motifs.outputs.write_motifs` would write the report. Here filter motifs only, on
# the held-out positives. `motifnet.scan` scores the window centred on every base of a long
# sequence in one dense pass.

# %%
found = motifnet.find_motifs(model, held_out, attribution="none", top=1)
pd.DataFrame(
    [
        {
            "motif": cluster.motif.id,
            "influence": cluster.influence,
            "members": len(cluster.members),
            "named": found.named[cluster.motif.id].target_name
            if cluster.motif.id in found.named
            else "",
        }
        for cluster in found.clusters[:5]
    ]
)

# %%
chromosome = "".join(r.sequence for r in records[:20])
track = motifnet.scan(model, chromosome)
fig, ax = plt.subplots(figsize=(12, 2.2))
ax.plot(track[:, 0], lw=0.8)
ax.set(xlabel="position (bp)", ylabel="probability", title="scan of 20 concatenated records")
fig.tight_layout()

# %% [markdown]
# ## Predict on new sequences
# `motifnet.predict` takes a checkpoint and sequences of any length (short ones are N-padded,
# long ones scored by their best window) and returns probabilities, one row per sequence, in
# order. The command line does the same on FASTA files: `motifnet predict model.ckpt new.fa`.

# %%
new = {
    "with_ctcf": "T" * 40 + "CCGCGNGGNGGCAG".replace("N", "A") + "T" * 46,
    "background": "ACGT" * 25,
    "longer": "GATC" * 80,
}
probabilities = motifnet.predict(model, list(new.values()))
pd.DataFrame(probabilities, index=list(new), columns=model.task_names)
