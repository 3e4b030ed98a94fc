"""BED intervals read from an indexed genome FASTA (pyfaidx)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pyfaidx

from motifnet.errors import InputError
from motifnet.io.fasta import open_binary
from motifnet.io.records import DuplicateGuard, Record, check_bases
from motifnet.sequence.reverse import reverse_complement

OFF_CHROM_POLICIES = ("error", "pad")


def open_genome(path: str | Path) -> pyfaidx.Fasta:
    """Open a genome FASTA with random access (builds the .fai index beside it if missing)."""
    try:
        genome = pyfaidx.Fasta(str(path), as_raw=True, sequence_always_upper=False)
    except FileNotFoundError:
        raise InputError("cannot open the genome: no such file", path=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a genome FASTA", path=path) from None
    except UnicodeDecodeError:
        raise InputError(
            "not a FASTA text file (it holds bytes that are not UTF-8 text)", path=path
        ) from None
    except ValueError as err:  # pyfaidx: duplicate sequence names
        raise InputError(
            f"cannot index the genome ({err}); ids must be unique", path=path
        ) from None
    except (pyfaidx.FastaIndexingError, pyfaidx.UnsupportedCompressionFormat, OSError) as err:
        raise InputError(
            f"cannot index the genome ({err}); it must be plain or bgzip-compressed FASTA in a "
            "folder where the .fai index can be written",
            path=path,
        ) from None
    if not any(len(genome[name]) for name in genome.keys()):  # noqa: SIM118
        raise InputError("the genome has no bases (headers only)", path=path)
    return genome


class Interval(NamedTuple):
    """One BED interval: 0-based, half-open, with its name ('' for none) and strand."""

    chrom: str
    start: int
    end: int
    name: str
    strand: str
    line: int


def read_intervals(
    bed_path: str | Path,
    genome: pyfaidx.Fasta,
    *,
    genome_path: str | Path,
    off_chrom: str = "error",
) -> Iterator[Interval]:
    """Yield the validated intervals of a BED file: known chromosome, 0 <= start < end, and
    inside the chromosome unless ``off_chrom='pad'``. Errors name the file and the line."""
    if off_chrom not in OFF_CHROM_POLICIES:
        raise ValueError(f"off_chrom must be one of {OFF_CHROM_POLICIES}, not {off_chrom!r}")
    count = 0
    with open_binary(bed_path) as handle:
        for number, raw in enumerate(handle, 1):
            text = raw.decode("utf-8", errors="replace").strip()
            if not text or text.startswith(("#", "track", "browser")):
                continue
            where = f"line {number}"
            chrom, start, end, name, strand = _fields(text, bed_path, where)
            if chrom not in genome:
                known = ", ".join(list(genome.keys())[:5])
                raise InputError(
                    f"chromosome {chrom!r} is not in the genome {genome_path} "
                    f"(it has {known}, ...)",
                    path=bed_path,
                    record=where,
                )
            size = len(genome[chrom])
            if end > size and off_chrom == "error":
                raise InputError(
                    f"interval {chrom}:{start}-{end} runs past the end of {chrom} ({size} bp)",
                    path=bed_path,
                    record=where,
                )
            count += 1
            yield Interval(chrom, start, end, name, strand, number)
    if count == 0:
        raise InputError("no intervals in the BED file", path=bed_path)


def read_bed(
    bed_path: str | Path,
    genome_path: str | Path,
    *,
    off_chrom: str = "error",
    duplicates: str = "error",
) -> Iterator[Record]:
    """Yield the genome sequence of each BED interval, reverse-complemented on the '-' strand.

    Ids are ``chrom:start-end`` (0-based, half-open, as in BED) with ``(-)`` for minus-strand
    intervals; the name column becomes the description. An interval that runs off the end of
    its chromosome is an error, or with ``off_chrom='pad'`` is padded with N to its full length.
    """
    genome = open_genome(genome_path)
    guard = DuplicateGuard(bed_path, duplicates)
    for interval in read_intervals(bed_path, genome, genome_path=genome_path, off_chrom=off_chrom):
        chrom, start, end, name, strand, number = interval
        where = f"line {number}"
        size = len(genome[chrom])
        sequence = genome[chrom][start : min(end, size)] + "N" * max(0, end - size)
        check_bases(sequence.encode("ascii", errors="replace"), path=genome_path, record=where)
        if strand == "-":
            sequence = reverse_complement(sequence)
        record_id = f"{chrom}:{start}-{end}" + ("(-)" if strand == "-" else "")
        guard.check(record_id, where)
        yield Record(record_id, sequence, description=name)


def _fields(text: str, path: str | Path, where: str) -> tuple[str, int, int, str, str]:
    fields = text.split("\t") if "\t" in text else text.split()
    if len(fields) < 3:
        raise InputError(
            f"a BED line needs chrom, start and end; got {text!r}", path=path, record=where
        )
    try:
        start, end = int(fields[1]), int(fields[2])
    except ValueError:
        raise InputError(
            f"start and end must be whole numbers, got {fields[1]!r} and {fields[2]!r}",
            path=path,
            record=where,
        ) from None
    if not 0 <= start < end:
        raise InputError(f"need 0 <= start < end, got {start} and {end}", path=path, record=where)
    name = fields[3] if len(fields) > 3 and fields[3] != "." else ""
    strand = fields[5] if len(fields) > 5 else "+"
    if strand not in ("+", "-", "."):
        raise InputError(f"strand must be +, - or ., got {strand!r}", path=path, record=where)
    return fields[0], start, end, name, strand
