"""Variants from a VCF (plain, gzip or bgzip) or a ref/alt table, one per alternative allele.

Only the first five VCF columns matter here (CHROM, POS, ID, REF, ALT), so the reader is a
streaming split of those rather than a full VCF library: it keeps every record in input order,
splits a multi-allelic record into one variant per ALT allele, and keeps symbolic alleles
(``<DEL>``, ``*``, breakends) as variants that cannot be scored, so none is dropped. A table
has a header with the columns chrom, pos, ref and alt (id optional), tab- or comma-separated;
positions are 1-based in both forms, as in VCF. A line that cannot be read at all (too few
columns, a position that is not a number) is an error naming the file and the line.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from motifnet.errors import InputError
from motifnet.io.fasta import open_binary

_ALLELE = re.compile(r"^[ACGTNacgtn]+$")
TABLE_COLUMNS = ("chrom", "pos", "ref", "alt")


class Variant(NamedTuple):
    """One alternative allele at a 1-based position; ``line`` is where it was read."""

    chrom: str
    pos: int
    id: str
    ref: str
    alt: str
    line: int

    @property
    def start(self) -> int:
        """0-based start of the reference allele."""
        return self.pos - 1

    @property
    def sequence_alleles(self) -> bool:
        """Both alleles are bases (not symbolic, breakend or missing)."""
        return bool(_ALLELE.match(self.ref)) and bool(_ALLELE.match(self.alt))


def read_variants(path: str | Path) -> Iterator[Variant]:
    """Yield the variants of a VCF or a table, in order (a VCF is recognised by its ``##``
    or ``#CHROM`` header lines)."""
    with open_binary(path) as handle:
        lines = (
            (number, raw.decode("utf-8", errors="replace").rstrip("\r\n"))
            for number, raw in enumerate(handle, 1)
        )
        content = ((number, text) for number, text in lines if text.strip())
        first = next(content, None)
        if first is None:
            raise InputError("no variants (the file is empty)", path=path)
        if first[1].startswith("#"):
            yield from _vcf(itertools.chain([first], content), path)
        else:
            yield from _table(first, content, path)


def _vcf(lines: Iterator[tuple[int, str]], path) -> Iterator[Variant]:
    count = 0
    for number, text in lines:
        if text.startswith("#"):
            continue
        fields = text.split("\t")
        if len(fields) < 5:
            raise InputError(
                f"a VCF record needs at least CHROM, POS, ID, REF and ALT (tab-separated); got "
                f"{len(fields)} column(s)",
                path=path,
                record=f"line {number}",
            )
        chrom, pos, name, ref, alts = fields[:5]
        position = _position(pos, path, number)
        for alt in alts.split(","):
            count += 1
            yield Variant(chrom, position, name, ref, alt, number)
    if count == 0:
        raise InputError("no variant records (only header lines)", path=path)


def _table(header: tuple[int, str], lines: Iterator[tuple[int, str]], path) -> Iterator[Variant]:
    separator = "\t" if "\t" in header[1] else ","
    names = [name.strip().lower() for name in header[1].split(separator)]
    missing = [c for c in TABLE_COLUMNS if c not in names]
    if missing:
        raise InputError(
            f"a variant table needs the columns {', '.join(TABLE_COLUMNS)} (and optionally id), "
            f"or a VCF; the header lacks {', '.join(missing)}",
            path=path,
            record=f"line {header[0]}",
        )
    index = {c: names.index(c) for c in (*TABLE_COLUMNS, "id") if c in names}
    count = 0
    for number, text in lines:
        fields = [field.strip() for field in text.split(separator)]
        if len(fields) < len(names):
            raise InputError(
                f"{len(fields)} column(s) where the header has {len(names)}",
                path=path,
                record=f"line {number}",
            )
        position = _position(fields[index["pos"]], path, number)
        name = fields[index["id"]] if "id" in index else "."
        ref = fields[index["ref"]]
        for alt in fields[index["alt"]].split(","):
            count += 1
            yield Variant(fields[index["chrom"]], position, name, ref, alt, number)
    if count == 0:
        raise InputError("no variants (a header only)", path=path)


def _position(text: str, path, number: int) -> int:
    try:
        position = int(text)
    except ValueError:
        position = 0
    if position < 1:
        raise InputError(
            f"POS must be a 1-based position (a whole number >= 1), got {text!r}",
            path=path,
            record=f"line {number}",
        )
    return position
