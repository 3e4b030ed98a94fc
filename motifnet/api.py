"""The short Python API: load a trained model, predict, explain, find motifs, scan.

Every function takes a checkpoint path, a ``TrainedModel`` (from ``motifnet.load``) or a bare
network (then give ``length``):

    model = motifnet.load("runs/ctcf/model.ckpt")
    scores = motifnet.predict(model, records)                 # (N, tasks) probabilities
    contributions = motifnet.attribute(model, records)        # (N, 4, L) hypothetical
    results = motifnet.find_motifs(model, records)            # filters, TF-MoDISco, JASPAR
    track = motifnet.scan(model, chromosome)                  # (len, tasks) per base
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch
from torch import nn

from motifnet.checkpoint import TrainedModel, as_trained, load_trained
from motifnet.data.labelled import fit_length
from motifnet.io import Record
from motifnet.metrics import probabilities
from motifnet.prediction import PredictionSettings
from motifnet.prediction import predict as _predict
from motifnet.scanning import scan as _scan
from motifnet.scanning.genome import CHUNK
from motifnet.sequence import one_hot

Model = str | Path | TrainedModel | nn.Module


def load(path: str | Path) -> TrainedModel:
    """A trained model (network, input length, tasks) from a `motifnet train` checkpoint."""
    return load_trained(path)


def _records(sequences: Iterable[str | Record]) -> list[Record]:
    return [s if isinstance(s, Record) else Record(f"seq{i}", s) for i, s in enumerate(sequences)]


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
    """Predictions (N, tasks) for sequences of any length, in order (see motifnet.prediction);
    ``options``: window_stride, strict, strands, conjoin, precision ("fp32" or "bf16")."""
    trained = as_trained(model, length=length)
    settings = PredictionSettings.of(
        trained,
        batch_size=batch_size,
        device=device,
        logits=logits,
        **options,
    )
    return _predict(trained.network, sequences, settings)


def attribute(
    model: Model,
    sequences: Iterable[str | Record],
    *,
    method: str = "gradient",
    task: str | None = None,
    length: int | None = None,
) -> np.ndarray:
    """Hypothetical contributions (N, 4, length) of each base to ``task``'s logit, by
    gradient x input or in-silico mutagenesis (``method="ism"``); sequences are fitted to the
    model's input length as in training."""
    from motifnet.motifs.attribution import attributions

    trained = as_trained(model, length=length)
    x = one_hot([fit_length(r.sequence, trained.length) for r in _records(sequences)])
    index = trained.task_index(task)
    return attributions(trained.network, torch.from_numpy(x), method=method, task=index)


def find_motifs(model: Model, sequences: Iterable[str | Record], **settings):
    """Filter and TF-MoDISco motifs with their known matches (a MotifResults; write it with
    motifnet.motifs.outputs.write_motifs). ``settings``: the fields of MotifSettings."""
    from motifnet.motifs.discover import MotifSettings, discover_motifs

    trained = as_trained(model, length=settings.pop("length", None))
    return discover_motifs(trained, _records(sequences), MotifSettings(**settings))


def scan(
    model: Model,
    sequence: str,
    *,
    length: int | None = None,
    logits: bool = False,
    chunk: int = CHUNK,
    device: str = "cpu",
    precision: str = "fp32",
) -> np.ndarray:
    """Scores (len(sequence), tasks) of the window centred on every base, in the model's dense
    mode; ``precision="bf16"`` trades ~2e-3 of accuracy for speed on bf16 hardware."""
    trained = as_trained(model, length=length)
    values = _scan(
        trained.network, sequence, trained.length, chunk=chunk, device=device, precision=precision
    )
    if logits:
        return values
    return probabilities(torch.from_numpy(values), trained.task_type).numpy()
