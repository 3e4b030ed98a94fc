"""ROC and precision-recall curves of a trained model, one curve per task or class, each with
its area in the legend, the chance level (the diagonal; the positive share) and n."""

from __future__ import annotations

from pathlib import Path

import torch
from matplotlib.figure import Figure
from torchmetrics.functional import classification as C

from motifnet.io.atomic import atomic_write
from motifnet.metrics import probabilities


def _curves(scores: torch.Tensor, labels: torch.Tensor, task_type: str, names: list[str]):
    """(name, roc (fpr, tpr), pr (recall, precision), (AUROC, AUPRC, positives)) per task, or
    one-vs-rest per class; the areas as metrics.json computes them (torchmetrics)."""
    for i, name in enumerate(names):
        if task_type == "binary":
            s, t = scores.reshape(-1), labels.reshape(-1).long()
        elif task_type == "multilabel":
            s, t = scores[:, i], labels[:, i].long()
        else:
            s, t = scores[:, i], (labels == i).long()
        fpr, tpr, _ = C.binary_roc(s, t)
        precision, recall, _ = C.binary_precision_recall_curve(s, t)
        areas = (
            float(C.binary_auroc(s, t)),
            float(C.binary_average_precision(s, t)),
            int(t.sum()),
        )
        yield name, (fpr, tpr), (recall, precision), areas


def save_curves(
    logits: torch.Tensor,
    labels: torch.Tensor,
    task_type: str,
    names: list[str],
    outdir: str | Path,
    *,
    title: str,
) -> list[Path]:
    """Write roc.png and pr.png into ``outdir`` (atomically); return their paths."""
    scores = probabilities(logits.float(), task_type)
    figures = {}
    for kind in ("roc", "pr"):
        figure = Figure(figsize=(4.5, 4.5))
        figures[kind] = (figure, figure.add_subplot())
    figures["roc"][1].plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--", label="chance")
    for name, roc, pr, (auroc, auprc, positives) in _curves(scores, labels, task_type, names):
        figures["roc"][1].plot(*(v.numpy() for v in roc), label=f"{name}: AUROC {auroc:.3f}")
        figures["pr"][1].plot(*(v.numpy() for v in pr), label=f"{name}: AUPRC {auprc:.3f}")
        share = positives / len(scores)
        figures["pr"][1].axhline(share, color="grey", lw=0.8, ls="--")
        figures["pr"][1].text(0.01, share + 0.01, f"chance ({name}): {share:.2f}", fontsize=6)
    axis_labels = {
        "roc": ("false positive rate", "true positive rate"),
        "pr": ("recall", "precision"),
    }
    paths = []
    for kind, (figure, axes) in figures.items():
        axes.set_xlabel(axis_labels[kind][0])
        axes.set_ylabel(axis_labels[kind][1])
        axes.set_title(f"{kind.upper()}: {title} (n = {len(scores):,})", fontsize=9)
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1.01)
        axes.legend(fontsize=7, loc="lower right" if kind == "roc" else "lower left")
        figure.tight_layout()
        path = Path(outdir) / f"{kind}.png"
        with atomic_write(path, "wb") as handle:
            figure.savefig(handle, format="png", dpi=120)
        paths.append(path)
    return paths
