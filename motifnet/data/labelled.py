"""Labelled sequence sets: from positive/negative files, one file per class, or a label table.

A set keeps, per record, its id, bases, label and *group*: the id of the record it came from.
A dinucleotide-shuffled negative belongs to the group of the positive it was made from, so
splits that keep groups together cannot leak a positive's shuffle into another split.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from motifnet.errors import InputError, MotifnetError
from motifnet.io import Record, SequenceTable
from motifnet.io.atomic import atomic_write
from motifnet.sequence.shuffle import dinucleotide_shuffle

TASK_TYPES = ("binary", "multiclass", "multilabel")
# A class number on fewer rows than this share is taken for a typo (one stray 2 in a 0/1
# column would otherwise silently turn a binary task into three classes).
MIN_CLASS_SHARE = 0.01


@dataclass
class LabelledSet:
    """Records with labels. Binary and multilabel labels are (N, T) floats in {0, 1};
    multiclass labels are (N,) class indices into ``task_names``."""

    ids: list[str]
    sequences: list[str]
    labels: np.ndarray
    task_names: list[str]
    task_type: str
    groups: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.groups:
            self.groups = list(self.ids)
        if not len(self.ids) == len(self.sequences) == len(self.labels) == len(self.groups):
            raise MotifnetError("ids, sequences, labels and groups must have equal lengths")

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, index: np.ndarray) -> LabelledSet:
        """The records at ``index``, in that order."""
        return LabelledSet(
            [self.ids[i] for i in index],
            [self.sequences[i] for i in index],
            self.labels[index],
            self.task_names,
            self.task_type,
            [self.groups[i] for i in index],
        )

    def class_counts(self) -> dict[str, int]:
        """Records per class (multiclass) or positives per task."""
        if self.task_type == "multiclass":
            counts = np.bincount(self.labels, minlength=len(self.task_names))
        else:
            counts = self.labels.sum(axis=0)
        return {name: int(n) for name, n in zip(self.task_names, counts, strict=True)}


def binary_set(
    positives: list[Record],
    negatives: list[Record] | None,
    *,
    shuffles_per_positive: int = 1,
    seed: int = 0,
    source: str = "positives",
) -> LabelledSet:
    """Positives (label 1; the task is named "positive") against negatives (label 0), or
    against dinucleotide shuffles of the positives when no negatives are given
    (``<id>_shuf<k>``, one group with their positive)."""
    if not positives:
        raise InputError("no positive sequences", path=source)
    if negatives is not None and not negatives:
        raise InputError("no negative sequences", path=source)
    groups = [r.id for r in positives]
    if negatives is None:
        rng = np.random.default_rng(seed)
        negatives, negative_groups = [], []
        for record in positives:
            for k in range(shuffles_per_positive):
                shuffled = dinucleotide_shuffle(record.sequence, rng=rng)
                negatives.append(Record(f"{record.id}_shuf{k}", shuffled))
                negative_groups.append(record.id)
    else:
        negative_groups = [r.id for r in negatives]
    records = positives + negatives
    labels = np.r_[np.ones(len(positives)), np.zeros(len(negatives))].astype(np.float32)[:, None]
    return LabelledSet(
        [r.id for r in records],
        [r.sequence for r in records],
        labels,
        ["positive"],
        "binary",
        groups + negative_groups,
    )


def multiclass_set(classes: dict[str, list[Record]]) -> LabelledSet:
    """One list of records per class name; labels are class indices in the given order."""
    if len(classes) < 2:
        raise MotifnetError("multi-class training needs at least two classes")
    for name, records in classes.items():
        if not records:
            raise MotifnetError(f"class {name!r} has no sequences")
    records = [r for members in classes.values() for r in members]
    labels = np.concatenate([np.full(len(m), i) for i, m in enumerate(classes.values())])
    return LabelledSet(
        [r.id for r in records],
        [r.sequence for r in records],
        labels.astype(np.int64),
        list(classes),
        "multiclass",
    )


def table_set(table: SequenceTable, *, source: str = "table") -> LabelledSet:
    """A table's label columns: one 0/1 column is binary, several are multilabel (each 0/1),
    one column of class names, or of whole numbers 0..C-1 with C > 2, is multiclass."""
    labels = (
        table.labels
        if table.labels is not None
        else np.array([r.labels for r in table.records], dtype=np.float32)
    )
    if labels.size == 0 or labels.shape[1] == 0:
        raise InputError("the table has no label column", path=source)
    values = np.unique(labels)
    ids, sequences = [r.id for r in table.records], [r.sequence for r in table.records]
    if table.class_names is not None:
        names = table.class_names
        return LabelledSet(ids, sequences, labels[:, 0].astype(np.int64), names, "multiclass")
    if labels.shape[1] == 1 and len(values) > 2:
        column = table.label_names[0]
        if not np.all(values == np.arange(len(values))):
            odd = next(v for i, v in enumerate(values) if v != i)
            raise InputError(
                f"label column {column!r} holds {odd:g}: labels must be 0/1, or class numbers "
                f"0..C-1 (found {values[:8].tolist()})",
                path=source,
                record=_line_of(labels[:, 0], odd),
            )
        counts = np.bincount(labels[:, 0].astype(np.int64))
        rare = np.flatnonzero(counts < MIN_CLASS_SHARE * len(labels))
        if rare.size:
            value = float(rare[-1])
            raise InputError(
                f"label column {column!r} holds {value:g} on {counts[rare[-1]]} of "
                f"{len(labels)} rows: a typo? Binary labels are 0/1; class numbers must each "
                f"label at least {MIN_CLASS_SHARE:.0%} of the rows (or give class names)",
                path=source,
                record=_line_of(labels[:, 0], value),
            )
        return LabelledSet(
            ids,
            sequences,
            labels[:, 0].astype(np.int64),
            [str(int(v)) for v in values],
            "multiclass",
        )
    bad = ~np.isin(labels, (0.0, 1.0))
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise InputError(
            f"label column {table.label_names[column]!r} holds {labels[row, column]:g} "
            f"(id {ids[row]!r}); binary and multi-task labels must be 0 or 1",
            path=source,
            record=f"line {row + 2}",
        )
    kind = "binary" if labels.shape[1] == 1 else "multilabel"
    return LabelledSet(
        ids, sequences, labels.astype(np.float32, copy=False), table.label_names, kind
    )


def _line_of(values: np.ndarray, value: float) -> str:
    """The table line (header = line 1) of the first row holding ``value``."""
    return f"line {int(np.argmax(values == value)) + 2}"


def check_trainable(data: LabelledSet, *, source: str) -> None:
    """Refuse a set in which some class or task never occurs (or always occurs)."""
    counts = data.class_counts()
    if data.task_type == "multiclass":
        empty = [name for name, n in counts.items() if n == 0]
        if empty:
            raise InputError(f"class {empty[0]!r} has no sequences", path=source)
        return
    for name, positives in counts.items():
        if positives == 0 or positives == len(data):
            which = "no positives" if positives == 0 else "no negatives"
            raise InputError(f"task {name!r} has {which}: both classes are needed", path=source)


def common_length(sequences: list[str]) -> int:
    """The most common length (the default fixed input length; ties go to the longer)."""
    counts = Counter(len(s) for s in sequences)
    return max(counts, key=lambda n: (counts[n], n))


def fit_length(sequence: str, length: int) -> str:
    """Centre-crop a longer sequence, or pad a shorter one with N on both sides (the extra N,
    if any, on the right), to exactly ``length``."""
    excess = len(sequence) - length
    if excess >= 0:
        start = excess // 2
        return sequence[start : start + length]
    left = -excess // 2
    return "N" * left + sequence + "N" * (-excess - left)


def write_labelled(data: LabelledSet, path: str | Path) -> None:
    """Write a set as a TSV that `read_table` reads back to the same set: ``id``, ``sequence``,
    then one 0/1 column per task, or one ``class`` column of class names (multiclass)."""
    if data.task_type == "multiclass":
        header = ["id", "sequence", "class"]
        columns = [[data.task_names[i] for i in data.labels]]
    else:
        header = ["id", "sequence", *data.task_names]
        columns = [[f"{v:g}" for v in data.labels[:, t]] for t in range(data.labels.shape[1])]
    with atomic_write(path) as out:
        out.write("\t".join(header) + "\n")
        for row, (record_id, sequence) in enumerate(zip(data.ids, data.sequences, strict=True)):
            out.write("\t".join([record_id, sequence, *(c[row] for c in columns)]) + "\n")
