"""The LightningModule: any registered architecture plus loss, optimiser, metrics and a
self-describing checkpoint (motifnet.checkpoint: architecture, settings, alphabet, input
length, tasks)."""

from __future__ import annotations

import math
import time
from typing import Any

import pytorch_lightning as pl
import torch
from torch.nn import functional as F

from motifnet import __version__
from motifnet.checkpoint import describe
from motifnet.data.module import augment
from motifnet.errors import ConfigError
from motifnet.metrics import compute_metrics
from motifnet.nn.registry import build
from motifnet.nn.runtime import check_input_length
from motifnet.sequence import DNA


class MotifModule(pl.LightningModule):
    """Train ``architecture`` on binary, multilabel or multiclass labels.

    Binary/multilabel use BCE on logits, multiclass cross-entropy, optionally weighted
    (``class_weights``: a positive weight per task, or a weight per class; see
    ``balanced_weights``) and optionally label-smoothed; AdamW with cosine decay over
    ``max_epochs`` (per epoch; per step after a linear warm-up when ``warmup_epochs``).
    Validation computes AUROC, AUPRC, accuracy and MCC on the whole epoch: in distributed
    training on every process's outputs, gathered first.
    """

    def __init__(
        self,
        architecture: str,
        model: dict[str, Any],
        task_names: list[str],
        task_type: str,
        length: int,
        *,
        learning_rate: float = 1e-3,
        weight_decay: float = 1e-2,
        max_epochs: int = 20,
        rc_augment: bool = False,
        shift_augment: int = 0,
        mutate_augment: float = 0.0,
        label_smoothing: float = 0.0,
        warmup_epochs: float = 0.0,
        class_weights: list[float] | None = None,
        alphabet: dict[str, str] | None = None,
    ):
        super().__init__()
        if "tasks" in model:
            raise ConfigError("'tasks' is set from the labels; leave it out of the model settings")
        alphabet = alphabet or DNA.to_dict()
        self.save_hyperparameters(
            {
                "architecture": architecture,
                "model": dict(model),
                "task_names": list(task_names),
                "task_type": task_type,
                "length": length,
                "length_policy": "centre crop or N-pad to length",
                "learning_rate": learning_rate,
                "weight_decay": weight_decay,
                "max_epochs": max_epochs,
                "rc_augment": rc_augment,
                "shift_augment": shift_augment,
                "mutate_augment": mutate_augment,
                "label_smoothing": label_smoothing,
                "warmup_epochs": warmup_epochs,
                "class_weights": class_weights,
                "alphabet": alphabet,
                "motifnet_version": __version__,
            }
        )
        outputs = output_count(task_type, task_names)
        self.model = build(architecture, tasks=outputs, **model)
        check_input_length(self.model, length)
        self._outputs: list[tuple[torch.Tensor, torch.Tensor]] = []
        self._earlier_seconds, self._started = 0.0, time.perf_counter()

    @property
    def train_seconds(self) -> float:
        """Wall time of the whole run, earlier sessions of a resumed run included."""
        return self._earlier_seconds + time.perf_counter() - self._started

    def on_fit_start(self) -> None:
        self._started = time.perf_counter()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)

    def loss(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        weights = self.hparams.get("class_weights")
        weights = None if weights is None else logits.new_tensor(weights)
        smoothing = self.hparams.get("label_smoothing", 0.0) if self.training else 0.0
        if self.hparams.task_type == "multiclass":
            return F.cross_entropy(logits, y.long(), weight=weights, label_smoothing=smoothing)
        targets = y.float() * (1 - smoothing) + smoothing / 2
        return F.binary_cross_entropy_with_logits(logits, targets, pos_weight=weights)

    def training_step(self, batch, batch_idx):
        x, y = batch
        x = augment(
            x,
            rc=self.hparams.rc_augment,
            max_shift=self.hparams.shift_augment,
            mutate=self.hparams.get("mutate_augment", 0.0),
            pad_value=0.25 if self.hparams.alphabet["ambiguous"] == "fraction" else 0.0,
        )
        loss = self.loss(self(x), y)
        self.log(
            "train_loss",
            loss,
            prog_bar=True,
            on_step=False,
            on_epoch=True,
            batch_size=len(x),
            sync_dist=self._distributed,
        )
        return loss

    @property
    def _distributed(self) -> bool:
        return self._trainer is not None and self.trainer.world_size > 1

    def _eval_step(self, batch, stage: str) -> None:
        x, y = batch
        logits = self(x)
        self.log(
            f"{stage}_loss",
            self.loss(logits, y),
            prog_bar=True,
            batch_size=len(x),
            sync_dist=self._distributed,
        )
        self._outputs.append((logits.detach().float().cpu(), y.cpu()))

    def _eval_epoch_end(self, stage: str) -> None:
        logits = [o[0] for o in self._outputs]
        labels = [o[1] for o in self._outputs]
        self._outputs.clear()
        if self._distributed:  # every process takes part, even one without a batch
            outputs = output_count(self.hparams.task_type, self.hparams.task_names)
            empty_labels = (0,) if self.hparams.task_type == "multiclass" else (0, outputs)
            logits = [self._gather(torch.cat(logits) if logits else torch.zeros(0, outputs))]
            labels = [self._gather(torch.cat(labels) if labels else torch.zeros(empty_labels))]
        if not logits or not len(logits[0]):
            return
        metrics = compute_metrics(torch.cat(logits), torch.cat(labels), self.hparams.task_type)
        for name, value in metrics.items():
            self.log(
                f"{stage}_{name}",
                value,
                prog_bar=name in ("auroc", "auprc"),
                sync_dist=self._distributed,  # the same value on every process
            )

    def _gather(self, rows: torch.Tensor) -> torch.Tensor:
        """Every process's rows (their counts may differ), in rank order, on the CPU."""
        rows = rows.float().to(self.device)
        counts = self.all_gather(torch.tensor([len(rows)], device=self.device)).reshape(-1)
        padded = rows.new_zeros((int(counts.max()), *rows.shape[1:]))
        padded[: len(rows)] = rows
        everything = self.all_gather(padded)
        return torch.cat([everything[i, : int(n)] for i, n in enumerate(counts)]).cpu()

    def validation_step(self, batch, batch_idx):
        self._eval_step(batch, "val")

    def on_validation_epoch_end(self) -> None:
        self._eval_epoch_end("val")

    def test_step(self, batch, batch_idx):
        self._eval_step(batch, "test")

    def on_test_epoch_end(self) -> None:
        self._eval_epoch_end("test")

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(
            self.parameters(), lr=self.hparams.learning_rate, weight_decay=self.hparams.weight_decay
        )
        warmup = self.hparams.get("warmup_epochs", 0.0)
        if not warmup:
            scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
                optimizer, T_max=max(1, self.hparams.max_epochs)
            )
            return {"optimizer": optimizer, "lr_scheduler": scheduler}
        total = max(1, int(self.trainer.estimated_stepping_batches))
        warm = max(1, round(total * warmup / max(1, self.hparams.max_epochs)))
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: warmup_cosine(step, total, warm)
        )
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
        }

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Add the self-description, so motifnet.checkpoint reads the network alone, and what
        a resumed run needs to continue exactly: the random state and the time spent."""
        hp = self.hparams
        checkpoint["motifnet"] = {
            **describe(
                self.model,
                length=hp.length,
                task_names=hp.task_names,
                task_type=hp.task_type,
            ),
            "state_dict_prefix": "model.",
        }
        checkpoint["motifnet_resume"] = {
            "rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
            "train_seconds": self.train_seconds,
        }

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Continue a resumed run where it stopped: random state (dropout, augmentation) and
        the time spent so far."""
        state = checkpoint.get("motifnet_resume")
        if not state:
            return
        torch.set_rng_state(state["rng"])
        if state["cuda_rng"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        self._earlier_seconds = float(state["train_seconds"])


def warmup_cosine(step: int, total: int, warm: int) -> float:
    """The learning rate factor at ``step`` of ``total``: a linear rise over the first
    ``warm`` steps, then cosine decay to 0 at the end."""
    if step < warm:
        return (step + 1) / warm
    progress = min(1.0, (step - warm) / max(1, total - warm))
    return 0.5 * (1 + math.cos(math.pi * progress))


def output_count(task_type: str, task_names: list[str]) -> int:
    """The logits a model has for these tasks: one for a binary task, else one per task or
    class."""
    return 1 if task_type == "binary" else len(task_names)


def balanced_weights(labels: torch.Tensor, task_type: str, outputs: int) -> list[float]:
    """Weights that give each task's positives as much say in the loss as its negatives
    (scikit-learn's "balanced"): per task negatives / positives as BCE's ``pos_weight``, or per
    class n / (classes x its count) for cross-entropy. A class or task without any example
    keeps weight 1."""
    if task_type == "multiclass":
        counts = torch.bincount(labels.long().reshape(-1), minlength=outputs).double()
        weights = len(labels) / (outputs * counts)
    else:
        positives = labels.reshape(len(labels), -1).double().sum(dim=0)
        weights = (len(labels) - positives) / positives
    weights[~torch.isfinite(weights) | (weights <= 0)] = 1.0
    return [round(float(w), 6) for w in weights]
