"""Readers that stream and validate records (FASTA, CSV/TSV, BED + genome) and atomic writers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from motifnet.errors import InputError
from motifnet.io.atomic import atomic_write
from motifnet.io.bed import read_bed
from motifnet.io.fasta import open_binary, read_fasta, write_fasta
from motifnet.io.records import Record
from motifnet.io.table import SequenceTable, read_table

FASTA_SUFFIXES = (".fa", ".fasta", ".fna", ".fas", ".seq")
TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")
BED_SUFFIXES = (".bed", ".narrowpeak", ".broadpeak")
FORMATS = ("fasta", "table", "bed")


def sequence_format(path: str | Path) -> str:
    """'fasta', 'table' or 'bed', by extension (.gz ignored), else by the first character."""
    suffixes = [s.lower() for s in Path(path).suffixes if s.lower() not in (".gz", ".bgz")]
    last = suffixes[-1] if suffixes else ""
    if last in FASTA_SUFFIXES:
        return "fasta"
    if last in TABLE_SUFFIXES:
        return "table"
    if last in BED_SUFFIXES:
        return "bed"
    with open_binary(path) as handle:
        first = handle.read(4096).lstrip()
    return "fasta" if first.startswith(b">") else "table"


def read_sequences(
    path: str | Path,
    *,
    genome: str | Path | None = None,
    duplicates: str = "error",
    labels: bool = True,
) -> Iterator[Record]:
    """Yield the records of any input every command accepts: FASTA(.gz), CSV/TSV(.gz), or a
    BED file (.bed, .narrowPeak, .broadPeak) cut from ``genome``. ``labels=False`` reads a
    table's sequences without its label columns."""
    kind = sequence_format(path)
    if kind == "bed":
        if not genome:
            raise InputError("is a BED file: give the genome FASTA (--genome)", path=path)
        yield from read_bed(path, genome, duplicates=duplicates)
    elif kind == "fasta":
        yield from read_fasta(path, duplicates=duplicates)
    else:
        yield from read_table(path, duplicates=duplicates, labels=labels).records


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
