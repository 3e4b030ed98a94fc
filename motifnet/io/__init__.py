"""Readers that stream and validate records (FASTA, CSV/TSV, BED + genome) and atomic writers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from motifnet.io.atomic import atomic_write
from motifnet.io.bed import read_bed
from motifnet.io.fasta import open_binary, read_fasta, write_fasta
from motifnet.io.records import Record
from motifnet.io.table import SequenceTable, read_table

FASTA_SUFFIXES = (".fa", ".fasta", ".fna", ".fas", ".seq")
TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")


def sequence_format(path: str | Path) -> str:
    """'fasta' or 'table', by extension (.gz ignored), else by the file's first character."""
    suffixes = [s.lower() for s in Path(path).suffixes if s.lower() not in (".gz", ".bgz")]
    if suffixes and suffixes[-1] in FASTA_SUFFIXES:
        return "fasta"
    if suffixes and suffixes[-1] in TABLE_SUFFIXES:
        return "table"
    with open_binary(path) as handle:
        first = handle.read(4096).lstrip()
    return "fasta" if first.startswith(b">") else "table"


def read_sequences(path: str | Path, *, duplicates: str = "error") -> Iterator[Record]:
    """Yield the records of a FASTA(.gz) or CSV/TSV(.gz) file, whichever it is."""
    if sequence_format(path) == "fasta":
        yield from read_fasta(path, duplicates=duplicates)
    else:
        yield from read_table(path, duplicates=duplicates).records


__all__ = [
    "Record",
    "SequenceTable",
    "atomic_write",
    "open_binary",
    "read_bed",
    "read_fasta",
    "read_sequences",
    "read_table",
    "sequence_format",
    "write_fasta",
]
