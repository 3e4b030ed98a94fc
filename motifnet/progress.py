"""What a training run says while it runs: progress bars on stderr, an ETA per epoch, and why
it stopped. Standard output is left to results (`motifnet train ... > out.json`)."""

from __future__ import annotations

import contextlib
import sys
import time

import pytorch_lightning as pl
from pytorch_lightning.callbacks import EarlyStopping, TQDMProgressBar

STOP_REASONS = ("max_epochs", "early_stopping", "max_minutes")


class StderrProgressBar(TQDMProgressBar):
    """Lightning's progress bars, written to stderr (Lightning writes them to stdout)."""

    def _on_stderr(self, make):
        with contextlib.redirect_stdout(sys.stderr):
            return make()

    def init_sanity_tqdm(self):
        return self._on_stderr(super().init_sanity_tqdm)

    def init_train_tqdm(self):
        return self._on_stderr(super().init_train_tqdm)

    def init_predict_tqdm(self):
        return self._on_stderr(super().init_predict_tqdm)

    def init_validation_tqdm(self):
        return self._on_stderr(super().init_validation_tqdm)

    def init_test_tqdm(self):
        return self._on_stderr(super().init_test_tqdm)


class EpochReport(pl.Callback):
    """One line on stderr per finished epoch: the monitored score and the time left at the
    epoch's pace (at most; early stopping may end sooner)."""

    def __init__(self, monitor: str):
        self.monitor, self.started = monitor, time.perf_counter()

    def on_train_start(self, trainer: pl.Trainer, module: pl.LightningModule) -> None:
        self.started, self.first_epoch = time.perf_counter(), trainer.current_epoch

    def on_validation_end(self, trainer: pl.Trainer, module: pl.LightningModule) -> None:
        if trainer.sanity_checking:
            return
        done = trainer.current_epoch + 1
        pace = (time.perf_counter() - self.started) / max(1, done - self.first_epoch)
        left = (trainer.max_epochs - done) * pace
        score = trainer.callback_metrics.get(self.monitor)
        value = "" if score is None else f", {self.monitor} {float(score):.4f}"
        print(
            f"train: epoch {done}/{trainer.max_epochs} done ({pace:.0f} s each){value}; "
            f"at most {_duration(left)} left",
            file=sys.stderr,
            flush=True,
        )


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


def stop_reason(trainer: pl.Trainer, early: EarlyStopping, max_minutes: float | None) -> str:
    """Why training ended: all epochs run, early stopping, or the --max-minutes limit."""
    if early.stopped_epoch > 0:
        return "early_stopping"
    if max_minutes is not None and trainer.current_epoch < trainer.max_epochs:
        return "max_minutes"
    return "max_epochs"
