"""Streaming FASTA / FASTA.gz reader and an atomic FASTA writer.

The reader works on large blocks of whole lines rather than line by line: header lines are
found with ``bytes.find`` and sequence lines are joined with one ``translate`` that drops line
breaks, so long chromosomes and millions of short records both parse at C speed.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from motifnet.errors import InputError
from motifnet.io.atomic import atomic_write
from motifnet.io.records import VALID_BYTES, DuplicateGuard, Record, check_bases

_BLOCK = 1 << 16
_WHITESPACE = b"\r\n \t"
_GZIP_MAGIC = b"\x1f\x8b"


def open_binary(path: str | Path) -> BinaryIO:
    """Open a plain or gzip-compressed file for reading bytes (gzip found by its magic bytes)."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - returned to the caller
    except OSError as err:
        raise InputError(f"cannot open: {err.strerror}", path=path) from None
    if handle.peek(2)[:2] == _GZIP_MAGIC:
        return io.BufferedReader(gzip.GzipFile(fileobj=handle), buffer_size=1 << 20)
    return handle


def read_fasta(path: str | Path, *, duplicates: str = "error") -> Iterator[Record]:
    """Yield the records of a FASTA or FASTA.gz file in order, each validated.

    Any line width, CRLF line ends, blank lines and '>' inside descriptions are fine. The id is
    the header up to the first white space, the rest is the description. Errors name the file,
    the record and the reason; ``duplicates='allow'`` accepts repeated ids.
    """
    guard = DuplicateGuard(path, duplicates)
    count = 0
    try:
        with open_binary(path) as handle:
            for batch in _parse(handle, path):
                guard.check_all(batch)
                count += len(batch)
                yield from batch
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise InputError(f"truncated or corrupt gzip data ({err})", path=path) from None
    if count == 0:
        raise InputError("no FASTA records: the file is empty", path=path)


def _blocks_of_lines(handle: BinaryIO) -> Iterator[tuple[bytes, int]]:
    """Yield (chunk of whole lines, line number of its first line), about _BLOCK bytes each.

    Small chunks keep each batch of records short-lived (cheap for the garbage collector); a
    line longer than a block is gathered in a list, so an unwrapped chromosome stays linear.
    """
    pending: list[bytes] = []
    line = 1
    while block := handle.read(_BLOCK):
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            pending.append(block)
            continue
        chunk = b"".join([*pending, block[:cut]]) if pending else block[:cut]
        pending = [block[cut:]] if cut < len(block) else []
        yield chunk, line
        line += chunk.count(b"\n")
    if pending:
        yield b"".join(pending) + b"\n", line


def _parse(handle: BinaryIO, path: str | Path) -> Iterator[list[Record]]:
    """Yield batches of records. Each chunk of whole lines is split at line-initial '>': every
    piece is a header line and its sequence lines. The last piece of a chunk may go on in the
    next chunk, so it stays open until a later header (or the end) closes it."""
    header: bytes | None = None
    header_line = 0
    parts: list[bytes] = []
    for chunk, line in _blocks_of_lines(handle):
        if header is None:
            pos = len(chunk) - len(chunk.lstrip(_WHITESPACE))
            if pos == len(chunk):
                continue
            if chunk[pos] != ord(">"):
                bad_line = line + chunk.count(b"\n", 0, pos)
                raise InputError(
                    f"line {bad_line}: expected a FASTA header starting with '>' before any "
                    "sequence",
                    path=path,
                )
            line += chunk.count(b"\n", 0, pos) - 1
            chunk = b"\n" + chunk[pos:]
        elif chunk.startswith(b">"):
            chunk = b"\n" + chunk
            line -= 1
        pieces = chunk.split(b"\n>")
        parts.append(pieces[0].translate(None, _WHITESPACE))
        line += pieces[0].count(b"\n")
        if len(pieces) == 1:
            continue
        if header is not None:
            yield [_record(header, parts, header_line, path)]
        complete = pieces[1:-1]
        if complete:
            yield _records(complete, line + 1, path)
        # every line break from the end of the first piece to the start of the last one
        line += chunk.count(b"\n", len(pieces[0]), len(chunk) - len(pieces[-1]))
        header, _, body = pieces[-1].partition(b"\n")
        header_line, parts = line, [body.translate(None, _WHITESPACE)]
        line += pieces[-1].count(b"\n")
    if header is not None:
        yield [_record(header, parts, header_line, path)]


def _records(pieces: list[bytes], first_line: int, path: str | Path) -> list[Record]:
    """Records from complete pieces, validated in bulk; a bad batch is redone one by one so
    that the error names the record and its line."""
    split = [piece.partition(b"\n") for piece in pieces]
    fields = [header.split(None, 1) for header, _, _ in split]
    sequences = [body.translate(None, _WHITESPACE) for _, _, body in split]
    if not all(fields) or not all(sequences) or b"".join(sequences).translate(None, VALID_BYTES):
        line = first_line
        for piece in pieces:
            header, _, body = piece.partition(b"\n")
            _record(header, [body.translate(None, _WHITESPACE)], line, path)
            line += piece.count(b"\n") + 1
    return [
        Record(
            f[0].decode("utf-8", "replace"),
            s.decode("ascii"),
            f[1].decode("utf-8", "replace").strip() if len(f) > 1 else "",
        )
        for f, s in zip(fields, sequences, strict=True)
    ]


def _record(header: bytes, parts: list[bytes], line: int, path: str | Path) -> Record:
    """Build and validate one record from its header and cleaned sequence parts."""
    fields = header.split(None, 1)
    if not fields:
        raise InputError(
            "empty header: a record needs an id after '>'", path=path, record=f"line {line}"
        )
    record_id = fields[0].decode("utf-8", errors="replace")
    where = f"record {record_id!r} (line {line})"
    sequence = parts[0] if len(parts) == 1 else b"".join(parts)
    if not sequence:
        raise InputError("the record has no sequence", path=path, record=where)
    check_bases(sequence, path=path, record=where)
    description = fields[1].decode("utf-8", errors="replace").strip() if len(fields) > 1 else ""
    return Record(record_id, sequence.decode("ascii"), description)


def write_fasta(records: Iterable[Record], path: str | Path, *, width: int = 0) -> int:
    """Write records atomically as FASTA (``width`` > 0 wraps lines); return how many."""
    count = 0
    with atomic_write(path, "w") as handle:
        for record in records:
            title = f"{record.id} {record.description}".rstrip()
            sequence = record.sequence
            if width > 0:
                sequence = "\n".join(
                    sequence[i : i + width] for i in range(0, len(sequence), width)
                )
            handle.write(f">{title}\n{sequence}\n")
            count += 1
    return count
