"""The short Python API: ``motifnet.predict`` and ``motifnet.scan`` on a checkpoint or model."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch
from torch import nn

from motifnet.errors import ConfigError
from motifnet.io import Record
from motifnet.metrics import probabilities
from motifnet.prediction import PredictionSettings
from motifnet.prediction import predict as _predict
from motifnet.scanning import scan as _scan
from motifnet.task import MotifTask, load_task

Model = str | Path | MotifTask | nn.Module


def _resolve(model: Model, length: int | None) -> tuple[nn.Module, int, tuple[str, ...], str]:
    """(network, input length, task names, task type) of a checkpoint path, task or module."""
    if isinstance(model, str | Path):
        model = load_task(model)
    if isinstance(model, MotifTask):
        hp = model.hparams
        return model.model.eval(), length or hp.length, tuple(hp.task_names), hp.task_type
    if length is None:
        raise ConfigError("a bare nn.Module needs length= (the input length it was trained on)")
    outputs = model(torch.zeros(1, 4, length)).shape[-1]
    return (
        model.eval(),
        length,
        tuple(f"task{i}" for i in range(outputs)),
        "binary" if outputs == 1 else "multilabel",
    )


def predict(
    model: Model,
    sequences: Iterable[str | Record],
    *,
    length: int | None = None,
    logits: bool = False,
    batch_size: int = 256,
    device: str = "cpu",
    **options,
) -> np.ndarray:
    """Predictions (N, tasks) for sequences of any length, in order (see motifnet.prediction).

    ``model`` is a checkpoint path, a trained MotifTask or a module (then give ``length``);
    ``options``: window_stride, strict, strands, conjoin, precision ("fp32" or "bf16").
    """
    network, length, names, task_type = _resolve(model, length)
    settings = PredictionSettings(
        length=length,
        task_names=names,
        task_type=task_type,
        batch_size=batch_size,
        device=device,
        logits=logits,
        **options,
    )
    return _predict(network, sequences, settings)


def scan(
    model: Model,
    sequence: str,
    *,
    length: int | None = None,
    logits: bool = False,
    chunk: int = 100_000,
    device: str = "cpu",
    precision: str = "fp32",
) -> np.ndarray:
    """Scores (len(sequence), tasks) of the window centred on every base, in one dense pass;
    ``precision="bf16"`` trades ~2e-3 of accuracy for speed on bf16 hardware."""
    network, length, _, task_type = _resolve(model, length)
    values = _scan(network, sequence, length, chunk=chunk, device=device, precision=precision)
    return values if logits else probabilities(torch.from_numpy(values), task_type).numpy()
