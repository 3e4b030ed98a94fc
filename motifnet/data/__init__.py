"""Labelled data for training: sets, splits, length policy, encoding and the DataModule."""

from motifnet.data.labelled import (
    LabelledSet,
    binary_set,
    check_trainable,
    common_length,
    fit_length,
    multiclass_set,
    table_set,
    write_labelled,
)
from motifnet.data.module import (
    EpochBatches,
    OneHotCodes,
    SequenceDataModule,
    augment,
    batches,
    encode,
)
from motifnet.data.splits import chromosome_of, chromosome_split, random_split

__all__ = [
    "EpochBatches",
    "LabelledSet",
    "OneHotCodes",
    "SequenceDataModule",
    "augment",
    "batches",
    "binary_set",
    "check_trainable",
    "chromosome_of",
    "chromosome_split",
    "common_length",
    "encode",
    "fit_length",
    "multiclass_set",
    "random_split",
    "table_set",
    "write_labelled",
]
