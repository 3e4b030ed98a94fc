"""The files of `motifnet experiment`, each written atomically.

singles.tsv   motif, bases (implanted on +), effect_fwd, effect_rc (mean logit change with the
              motif at the centre on each strand), sd, n
pairs.tsv     orientation (A's strand, B's strand), spacing (bases between A and B),
              pair_effect, pair_sd, first_alone, second_alone, cooperativity
              (pair_effect - first_alone - second_alone); all in logits, means over n
grammar.png   heatmaps of the pair effect and the cooperativity, orientation x spacing,
              the strongest pair response marked
summary.json  the model, task, motifs, backgrounds, the single effects, the strongest pair
              response and the spacing preference (the share of that response the
              arrangement adds: its cooperativity / its pair effect; ~0 for a bag of motifs)
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from motifnet.errors import MotifnetError
from motifnet.experiments.marginalize import MotifEffect, PairGrid
from motifnet.io.atomic import atomic_write


def write_singles(effects: list[MotifEffect], path: Path) -> None:
    with atomic_write(path) as out:
        out.write("motif\tbases\teffect_fwd\teffect_rc\tsd\tn\n")
        for e in effects:
            out.write(f"{e.name}\t{e.bases}\t{e.forward:.4f}\t{e.reverse:.4f}\t{e.sd:.4f}\t{e.n}\n")


def write_pairs(grid: PairGrid, path: Path) -> None:
    columns = {
        "pair_effect": grid.pair,
        "pair_sd": grid.pair_sd,
        "first_alone": grid.first_alone,
        "second_alone": grid.second_alone,
        "cooperativity": grid.cooperativity,
    }
    with atomic_write(path) as out:
        out.write("orientation\tspacing\t" + "\t".join(columns) + "\n")
        for row, orientation in enumerate(grid.orientations):
            for column, spacing in enumerate(grid.spacings.tolist()):
                values = "\t".join(f"{v[row, column]:.4f}" for v in columns.values())
                out.write(f"{orientation}\t{spacing}\t{values}\n")


def plot_grid(grid: PairGrid, path: Path, *, title: str) -> None:
    """Two heatmaps (pair effect, cooperativity), orientations x spacings, the strongest pair
    response circled; the cooperativity map is centred on zero."""
    figure = Figure(figsize=(max(6.0, 0.09 * len(grid.spacings) + 2.5), 4.2))
    orientation, spacing, value = grid.strongest()
    row = grid.orientations.index(orientation)
    extent = (grid.spacings[0] - 0.5, grid.spacings[-1] + 0.5, len(grid.orientations) - 0.5, -0.5)
    limit = float(np.abs(grid.cooperativity).max()) or 1.0
    panels = (
        ("pair effect (logit change)", grid.pair, "viridis", None, None),
        ("cooperativity (pair - A alone - B alone)", grid.cooperativity, "RdBu_r", -limit, limit),
    )
    for index, (name, values, colours, low, high) in enumerate(panels):
        axes = figure.add_subplot(2, 1, index + 1)
        image = axes.imshow(
            values,
            aspect="auto",
            cmap=colours,
            vmin=low,
            vmax=high,
            extent=extent,
            interpolation="nearest",
        )
        axes.set_yticks(range(len(grid.orientations)))
        axes.set_yticklabels([f"{grid.first}{o[0]} {grid.second}{o[1]}" for o in grid.orientations])
        axes.set_title(name, fontsize=8)
        axes.plot(spacing, row, "o", mfc="none", mec="black", ms=9)
        figure.colorbar(image, ax=axes, fraction=0.03, pad=0.01)
        if index == 1:
            axes.set_xlabel(f"spacing between {grid.first} and {grid.second} (bp)")
    figure.suptitle(
        f"{title}: strongest {grid.first}{orientation[0]} {grid.second}{orientation[1]} at "
        f"{spacing} bp ({value:.2f}); n = {grid.n} backgrounds",
        fontsize=9,
    )
    figure.tight_layout()
    with atomic_write(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=120)


def summary(grid: PairGrid | None, effects: list[MotifEffect], **context) -> dict:
    """The JSON summary: the context given (model, task, backgrounds), the single effects and,
    for a pair, its strongest response and spacing preference."""
    document = {**context, "singles": [asdict(e) for e in effects]}
    if grid is not None:
        orientation, spacing, value = grid.strongest()
        document["pair"] = {
            "first": grid.first,
            "second": grid.second,
            "strongest": {"orientation": orientation, "spacing": spacing, "effect": value},
            "spacing_preference": grid.spacing_preference(),
            "spacings": [int(grid.spacings[0]), int(grid.spacings[-1])],
        }
    return document


def write_summary(document: dict, path: Path) -> None:
    with atomic_write(path) as out:
        json.dump(document, out, indent=1)
        out.write("\n")


def read_experiment(folder: str | Path) -> PairGrid:
    """The PairGrid of a `motifnet experiment` folder with two motifs (pairs.tsv and
    summary.json), to plot or compare without running the experiment again."""
    folder = Path(folder)
    document = json.loads((folder / "summary.json").read_text())
    if "pair" not in document:
        raise MotifnetError(f"{folder}: the experiment had one motif, so it has no pair grid")
    rows = [line.split("\t") for line in (folder / "pairs.tsv").read_text().splitlines()]
    header, rows = rows[0], rows[1:]
    spacings = np.array(sorted({int(r[1]) for r in rows}))
    orientations = tuple(dict.fromkeys(r[0] for r in rows))
    shape = (len(orientations), len(spacings))

    def column(name: str) -> np.ndarray:
        index = header.index(name)
        return np.array([float(r[index]) for r in rows]).reshape(shape)

    return PairGrid(
        first=document["pair"]["first"],
        second=document["pair"]["second"],
        spacings=spacings,
        pair=column("pair_effect"),
        first_alone=column("first_alone"),
        second_alone=column("second_alone"),
        pair_sd=column("pair_sd"),
        n=document["backgrounds"]["n"],
        orientations=orientations,
    )
