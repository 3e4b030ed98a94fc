"""Predictions for records of any length, in input order, batched; streamed to TSV.

A record of the model's input length is one window. A shorter one is padded with N on both
sides (the training policy). A longer one is cut into windows of the input length (every
``window_stride`` bp, the last window flush with the end) and summarised by the largest logit
over its windows, or refused in strict mode. Every record yields exactly one row.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from motifnet.data.labelled import fit_length
from motifnet.errors import InputError
from motifnet.io import Record
from motifnet.io.atomic import atomic_write
from motifnet.metrics import probabilities
from motifnet.nn.inference import for_inference
from motifnet.nn.runtime import precision_context
from motifnet.sequence import one_hot, reverse_complement


@dataclass(frozen=True)
class PredictionSettings:
    """How to predict: input length, batching, long-record policy and what to report."""

    length: int
    task_names: tuple[str, ...]
    task_type: str = "binary"
    batch_size: int = 256
    device: str = "cpu"
    window_stride: int | None = None  # default: half the input length
    strict: bool = False
    logits: bool = False
    strands: bool = False  # also report the forward and reverse-complement strand separately
    conjoin: bool = False  # main columns average both strands (post-hoc conjoining)
    precision: str = "fp32"  # "bf16": bfloat16 autocast, faster where the hardware has it

    @classmethod
    def of(cls, trained, **options) -> PredictionSettings:
        """Settings for a TrainedModel: its input length, tasks and task type, and
        ``options`` (the other fields)."""
        return cls(
            length=trained.length,
            task_names=trained.task_names,
            task_type=trained.task_type,
            **options,
        )

    @property
    def columns(self) -> list[str]:
        names = list(self.task_names)
        if self.strands:
            names += [f"{n}_{strand}" for strand in ("fwd", "rc") for n in self.task_names]
        return ["id", *names]


def _windows(record: Record, settings: PredictionSettings, source: str | None) -> list[str]:
    sequence, length = record.sequence, settings.length
    if len(sequence) <= length:
        return [fit_length(sequence, length)]
    if settings.strict:
        raise InputError(
            f"{len(sequence)} bp is longer than the model's input of {length} bp "
            "(strict mode; without --strict long records are scanned in windows)",
            path=source,
            record=f"record {record.id!r}",
        )
    stride = settings.window_stride or max(1, length // 2)
    starts = list(range(0, len(sequence) - length + 1, stride))
    if starts[-1] != len(sequence) - length:
        starts.append(len(sequence) - length)
    return [sequence[s : s + length] for s in starts]


def _outputs(
    model: nn.Module, windows: list[str], buffer: np.ndarray, settings: PredictionSettings
):
    x = torch.from_numpy(one_hot(windows, out=buffer[: len(windows)])).to(settings.device)
    with torch.inference_mode(), precision_context(settings.precision, settings.device):
        forward = model(x).float()
        reverse = (
            model(reverse_complement(x)).float() if settings.strands or settings.conjoin else None
        )
    return forward.cpu(), None if reverse is None else reverse.cpu()


def predict_batches(
    model: nn.Module,
    records: Iterable[Record],
    settings: PredictionSettings,
    *,
    source: str | None = None,
) -> Iterator[tuple[list[Record], np.ndarray]]:
    """Yield (records, values) a few batches at a time, in input order: values (n, columns)
    follow ``settings.columns`` without the id (per task the prediction, then the per-strand
    ones if asked). Working per batch, not per record, keeps Python overhead off small models."""
    model = for_inference(model.to(settings.device))
    buffer = np.empty((settings.batch_size, 4, settings.length), dtype=np.float32)
    pending: list[Record] = []
    counts: list[int] = []
    windows: list[str] = []

    def flush() -> tuple[list[Record], np.ndarray]:
        forward, reverse = [], []
        for start in range(0, len(windows), settings.batch_size):
            f, r = _outputs(model, windows[start : start + settings.batch_size], buffer, settings)
            forward.append(f)
            reverse.append(r)
        starts = np.cumsum([0, *counts[:-1]])
        per_strand = [torch.cat(forward).numpy()]
        if reverse[0] is not None:
            per_strand.append(torch.cat(reverse).numpy())
        summaries = [np.maximum.reduceat(values, starts, axis=0) for values in per_strand]
        main = summaries[0] if not settings.conjoin else (summaries[0] + summaries[1]) / 2
        columns = [main] + (summaries if settings.strands else [])
        values = np.concatenate([_convert(c, settings) for c in columns], axis=1)
        done = list(pending)
        pending.clear()
        counts.clear()
        windows.clear()
        return done, values

    for record in records:
        record_windows = _windows(record, settings, source)
        pending.append(record)
        counts.append(len(record_windows))
        windows.extend(record_windows)
        if len(windows) >= settings.batch_size * 4:
            yield flush()
    if pending:
        yield flush()


def _convert(logits: np.ndarray, settings: PredictionSettings) -> np.ndarray:
    if settings.logits:
        return logits
    return probabilities(torch.from_numpy(logits), settings.task_type).numpy()


def predict(
    model: nn.Module, sequences: Iterable[str | Record], settings: PredictionSettings
) -> np.ndarray:
    """Predictions (N, columns without id) for sequences or records, in order."""
    records = (
        s if isinstance(s, Record) else Record(f"seq{i}", s) for i, s in enumerate(sequences)
    )
    parts = [values for _, values in predict_batches(model, records, settings)]
    return np.concatenate(parts) if parts else np.empty((0, len(settings.columns) - 1))


def write_predictions(
    model: nn.Module,
    records: Iterable[Record],
    settings: PredictionSettings,
    output: str | Path,
    *,
    progress: bool = True,
    source: str | None = None,
) -> int:
    """Write the TSV (header, then one row per record in input order) to ``output`` atomically,
    or to stdout for '-'. Returns the number of rows."""
    batches = predict_batches(model, records, settings, source=source)
    bar = tqdm(desc="predict", unit=" records", disable=not progress or None, file=sys.stderr)
    with bar:
        if str(output) == "-":
            return _write_rows(batches, settings, sys.stdout, bar)
        with atomic_write(output) as handle:
            return _write_rows(batches, settings, handle, bar)


def _write_rows(batches, settings: PredictionSettings, handle, bar) -> int:
    header = "\t".join(settings.columns) + "\n"
    count = 0
    for records, values in batches:
        if header:  # written with the first rows, so an early error leaves stdout empty
            handle.write(header)
            header = ""
        columns = [[f"{v:.6g}" for v in values[:, j].tolist()] for j in range(values.shape[1])]
        cells = zip([record.id for record in records], *columns, strict=True)
        handle.write("".join("\t".join(row) + "\n" for row in cells))
        count += len(records)
        bar.update(len(records))
    handle.write(header)
    return count
