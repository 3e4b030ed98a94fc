"""One-hot encoding and decoding of DNA, channel-major (4, L) float32.

The encoder is compiled (numba): pure A/C/G/T runs take a vectorised compare path, and blocks
holding N, IUPAC codes or invalid bytes go through byte tables that encode and validate.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numba
import numpy as np

from motifnet.sequence.alphabet import DNA, Alphabet

SequenceLike = str | bytes


@lru_cache(maxsize=8)
def _byte_tables(alphabet: Alphabet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The alphabet's letters as bytes, byte -> float32 column (256, 4), byte -> 1 if invalid."""
    columns = np.zeros((256, len(alphabet.letters)), dtype=np.float32)
    invalid = np.ones(256, dtype=np.uint8)
    for symbol in alphabet.symbols:
        for byte in {ord(symbol), ord(symbol.lower())}:
            columns[byte] = alphabet.vector(symbol)
            invalid[byte] = 0
    return np.frombuffer(alphabet.letters.encode(), dtype=np.uint8), columns, invalid


def byte_table(alphabet: Alphabet = DNA) -> tuple[np.ndarray, np.ndarray]:
    """(256, 4) float32: each byte's one-hot column (zeros where invalid), and (256,) uint8: 1
    where a byte is not in the alphabet. Indexing the first with sequence bytes one-hot encodes
    them, as ``one_hot`` does."""
    _, columns, invalid = _byte_tables(alphabet)
    return columns, invalid


_BLOCK = 1 << 14


@numba.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")
def _encode_kernel(data, letters, columns, invalid, out):  # pragma: no cover - compiled
    """Encode data (N*L bytes) into out (N, 4, L); return the first invalid index or -1.

    Blocks of pure A/C/G/T (any case) take a branch-free compare path that the compiler
    vectorises; a block holding anything else is redone through the byte tables, which also
    validate it.
    """
    n, _, length = out.shape
    first, second, third, fourth = letters[0], letters[1], letters[2], letters[3]
    for s in range(n):
        for start in range(0, length, _BLOCK):
            stop = min(start + _BLOCK, length)
            # Slices indexed from 0 let the compiler vectorise this loop.
            block = data[s * length + start : s * length + stop]
            row0, row1 = out[s, 0, start:stop], out[s, 1, start:stop]
            row2, row3 = out[s, 2, start:stop], out[s, 3, start:stop]
            other = 0
            for i in range(stop - start):
                upper = block[i] & np.uint8(0xDF)
                is0 = upper == first
                is1 = upper == second
                is2 = upper == third
                is3 = upper == fourth
                row0[i] = np.float32(is0)
                row1[i] = np.float32(is1)
                row2[i] = np.float32(is2)
                row3[i] = np.float32(is3)
                other += np.int64(not (is0 | is1 | is2 | is3))
            if other:
                for i in range(stop - start):
                    byte = block[i]
                    if invalid[byte]:
                        return s * length + start + i
                    row0[i], row1[i] = columns[byte, 0], columns[byte, 1]
                    row2[i], row3[i] = columns[byte, 2], columns[byte, 3]
    return -1


def _as_bytes(seq: SequenceLike) -> bytes:
    if isinstance(seq, bytes):
        return seq
    if isinstance(seq, str):
        try:
            return seq.encode("ascii")
        except UnicodeEncodeError as err:
            raise ValueError(
                f"non-ASCII character {seq[err.start]!r} at position {err.start}"
            ) from None
    raise TypeError(f"expected a DNA string or bytes, got {type(seq).__name__}")


def one_hot(
    seqs: SequenceLike | Sequence[SequenceLike],
    *,
    alphabet: Alphabet = DNA,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """One-hot encode one sequence to (4, L) or equal-length sequences to (N, 4, L), float32.

    Lowercase (soft-masked) bases encode like uppercase; N and IUPAC codes follow
    ``alphabet.ambiguous``; any other character raises ``ValueError`` naming it and its place.
    Pass ``out`` (float32, C-contiguous, right shape) to reuse a buffer across batches.
    """
    single = isinstance(seqs, str | bytes)
    items = [seqs] if single else list(seqs)
    raw = [_as_bytes(s) for s in items]
    length = len(raw[0]) if raw else 0
    for index, r in enumerate(raw):
        if len(r) != length:
            raise ValueError(
                f"sequences must have equal lengths to be batched: sequence {index} has "
                f"{len(r)} bases, sequence 0 has {length}"
            )
    shape = (len(raw), len(alphabet.letters), length)
    if out is None:
        out = np.empty(shape, dtype=np.float32)
    else:
        want = shape[1:] if single else shape
        if out.shape != want or out.dtype != np.float32 or not out.flags.c_contiguous:
            raise ValueError(f"out must be a C-contiguous float32 array of shape {want}")
        out = out.reshape(shape)
    data = np.frombuffer(raw[0] if len(raw) == 1 else b"".join(raw), dtype=np.uint8)
    bad = _encode_kernel(data, *_byte_tables(alphabet), out)
    if bad >= 0:
        index, position = divmod(int(bad), length)
        where = f"position {position}" if single else f"sequence {index}, position {position}"
        raise ValueError(
            f"invalid character {chr(data[bad])!r} at {where}: expected A, C, G, T, N or an "
            "IUPAC code"
        )
    return out[0] if single else out


@lru_cache(maxsize=8)
def _decode_table(alphabet: Alphabet) -> tuple[np.ndarray, np.ndarray]:
    """Sorted integer keys of every encodable column (x12, base 13) and their symbols."""
    keys: dict[int, str] = {0: "N"}
    for symbol in alphabet.symbols:
        keys.setdefault(int(_column_key(alphabet.vector(symbol)[:, None])[0]), symbol)
    order = sorted(keys)
    return np.array(order, dtype=np.int64), np.array([ord(keys[k]) for k in order], np.uint8)


def _column_key(x: np.ndarray) -> np.ndarray:
    """Exact integer key per column: fractions 1, 1/2, 1/3, 1/4 times 12 are whole numbers."""
    scaled = np.rint(np.asarray(x, dtype=np.float64) * 12).astype(np.int64)
    return (scaled * (13 ** np.arange(scaled.shape[0]))[:, None]).sum(axis=0)


def decode(x: np.ndarray, *, alphabet: Alphabet = DNA) -> str | list[str]:
    """Turn a (4, L) one-hot array back into a string, or (N, 4, L) into a list of strings.

    Ambiguous columns decode to their IUPAC letter (all zeros and 0.25 each decode to N).
    """
    x = np.asarray(x)
    if x.ndim == 3:
        return [decode(item, alphabet=alphabet) for item in x]
    if x.ndim != 2 or x.shape[0] != len(alphabet.letters):
        raise ValueError(f"expected an array of shape (4, L) or (N, 4, L), got {x.shape}")
    keys, symbols = _decode_table(alphabet)
    column = _column_key(x)
    found = np.searchsorted(keys, column).clip(0, len(keys) - 1)
    invalid = np.flatnonzero(keys[found] != column)
    if invalid.size:
        position = int(invalid[0])
        raise ValueError(f"column {position} ({x[:, position]}) is not a valid base encoding")
    return symbols[found].tobytes().decode("ascii")
