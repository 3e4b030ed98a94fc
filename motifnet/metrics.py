"""Classification metrics (torchmetrics) and model evaluation with and without RC conjoining."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import torch
from torch import nn

from motifnet.nn.runtime import Batchable, batched_forward
from motifnet.sequence.reverse import reverse_complement

METRICS = ("auroc", "auprc", "accuracy", "mcc")
_FUNCTIONS = ("auroc", "average_precision", "accuracy", "matthews_corrcoef")  # torchmetrics names


def probabilities(logits: torch.Tensor, task_type: str) -> torch.Tensor:
    """Sigmoid for binary and multilabel outputs, softmax over classes for multiclass."""
    return logits.softmax(dim=-1) if task_type == "multiclass" else logits.sigmoid()


def compute_metrics(logits: torch.Tensor, labels: torch.Tensor, task_type: str) -> dict[str, float]:
    """AUROC, AUPRC (average precision), accuracy and MCC; macro-averaged over tasks/classes."""
    from torchmetrics.functional import classification as C  # slow to import: only when used

    logits, labels = logits.cpu(), labels.cpu()
    scores = probabilities(logits.float(), task_type)
    if task_type == "binary":
        scores, target, size = scores.reshape(-1), labels.reshape(-1).long(), {}
    else:
        count = "num_labels" if task_type == "multilabel" else "num_classes"
        target, size = labels.long(), {count: scores.shape[1]}
    with _counting_by_bincount():
        return {
            name: float(getattr(C, f"{task_type}_{function}")(scores, target, **size))
            for name, function in zip(METRICS, _FUNCTIONS, strict=True)
        }


def per_task_metrics(
    logits: torch.Tensor, labels: torch.Tensor, task_type: str, names: list[str]
) -> dict[str, dict[str, float | int | None]]:
    """AUROC, AUPRC and the count of positives of every task (multilabel) or class
    (multiclass, one against the rest); None where a task's set has no positives or no
    negatives, so its areas are undefined. Empty for a binary model (its one task is the
    summary)."""
    from torchmetrics.functional import classification as C

    if task_type == "binary":
        return {}
    scores = probabilities(logits.cpu().float(), task_type)
    if task_type == "multilabel":
        target = labels.cpu().long()
    else:
        target = torch.nn.functional.one_hot(labels.cpu().long(), len(names))
    positives = target.sum(dim=0)
    with _counting_by_bincount(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined areas: reported as None below
        auroc = C.multilabel_auroc(scores, target, num_labels=len(names), average="none")
        auprc = C.multilabel_average_precision(
            scores, target, num_labels=len(names), average="none"
        )
    result = {}
    for i, name in enumerate(names):
        defined = 0 < int(positives[i]) < len(target)
        result[name] = {
            "auroc": float(auroc[i]) if defined else None,
            "auprc": float(auprc[i]) if defined else None,
            "positives": int(positives[i]),
        }
    return result


@contextlib.contextmanager
def _counting_by_bincount() -> Iterator[None]:
    """Let torchmetrics count with torch.bincount while training runs with deterministic
    algorithms on: otherwise it compares every value with every bin, an (n, bins) matrix that
    took 14 GB for the confusion matrix of 20,000 sequences x 100 tasks. Counting on the CPU is
    deterministic either way."""
    enabled = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    torch.use_deterministic_algorithms(False)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(enabled, warn_only=warn_only)


def evaluate(
    model: nn.Module,
    x: torch.Tensor | Batchable,
    y: torch.Tensor,
    task_type: str,
    *,
    batch_size: int = 512,
    device: str = "cpu",
    task_names: list[str] | None = None,
) -> dict:
    """Metrics on x as given and with post-hoc RC conjoining (logits averaged over both strands),
    plus the mean and max |logit(rc x) - logit(x)|; with ``task_names`` of a multi-task or
    multiclass model, also each task's AUROC and AUPRC (``per_task``, as given)."""
    forward = batched_forward(model, x, batch_size=batch_size, device=device)
    reverse = batched_forward(
        model, x, batch_size=batch_size, device=device, transform=reverse_complement
    )
    gap = (reverse - forward).abs()
    result = {
        "n": len(x),
        "plain": compute_metrics(forward, y, task_type),
        "conjoined": compute_metrics((forward + reverse) / 2, y, task_type),
        "rc_error": {"mean_abs": gap.mean().item(), "max_abs": gap.max().item()},
    }
    if task_names and task_type != "binary":
        result["per_task"] = per_task_metrics(forward, y, task_type, list(task_names))
    return result
