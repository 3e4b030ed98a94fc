"""Train/valid/test splits without leakage: by group at random, or by chromosome."""

from __future__ import annotations

import re

import numpy as np

from motifnet.data.labelled import LabelledSet
from motifnet.errors import MotifnetError

LOCUS = re.compile(r"^(?P<chrom>[^:\s]+):(?P<start>\d+)-(?P<end>\d+)")


def random_split(
    data: LabelledSet, *, valid: float, test: float, seed: int
) -> tuple[LabelledSet, LabelledSet, LabelledSet]:
    """Split by group (a record and its shuffles stay together), seeded."""
    if valid < 0 or test < 0 or valid + test >= 1:
        raise MotifnetError(f"valid ({valid}) and test ({test}) fractions must sum below 1")
    names, group_index = np.unique(np.array(data.groups, dtype=object), return_inverse=True)
    order = np.random.default_rng(seed).permutation(len(names))
    n_valid, n_test = round(len(names) * valid), round(len(names) * test)
    part = np.zeros(len(names), dtype=np.int8)
    part[order[:n_valid]], part[order[n_valid : n_valid + n_test]] = 1, 2
    record_part = part[group_index]
    return tuple(data.subset(np.flatnonzero(record_part == k)) for k in range(3))  # type: ignore[return-value]


def chromosome_of(record_id: str) -> str:
    """The chromosome of an id that starts ``chrom:start-end``; a clear error otherwise."""
    match = LOCUS.match(record_id)
    if match is None:
        raise MotifnetError(
            f"record id {record_id!r} does not start with chrom:start-end, so it cannot be "
            "split by chromosome (use a random split, or give valid/test files)"
        )
    return match["chrom"]


def chromosome_split(
    data: LabelledSet, *, valid_chroms: list[str], test_chroms: list[str]
) -> tuple[LabelledSet, LabelledSet, LabelledSet]:
    """Hold out whole chromosomes. A record's group (its own id, or for a shuffled negative the
    id of its positive) gives the chromosome, so shuffles follow their positive."""
    overlap = set(valid_chroms) & set(test_chroms)
    if overlap:
        raise MotifnetError(f"chromosomes {sorted(overlap)} are in both valid and test")
    chrom = np.array([chromosome_of(group) for group in data.groups], dtype=object)
    valid = np.isin(chrom, valid_chroms)
    test = np.isin(chrom, test_chroms)
    parts = (np.flatnonzero(~valid & ~test), np.flatnonzero(valid), np.flatnonzero(test))
    for name, chroms, index in zip(
        ("valid", "test"), (valid_chroms, test_chroms), parts[1:], strict=True
    ):
        if chroms and index.size == 0:
            raise MotifnetError(f"no record lies on the {name} chromosomes {', '.join(chroms)}")
    return tuple(data.subset(index) for index in parts)  # type: ignore[return-value]
