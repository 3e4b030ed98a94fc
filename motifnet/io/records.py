"""The record every reader yields, and the characters a DNA record may contain."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from motifnet.errors import InputError
from motifnet.sequence.alphabet import IUPAC_BASES

VALID_BYTES = ("ACGT" + "".join(IUPAC_BASES)).encode()
VALID_BYTES += VALID_BYTES.lower()
DUPLICATE_POLICIES = ("error", "allow")


class Record(NamedTuple):
    """One input sequence: its id, bases as written (case kept), description and labels."""

    id: str
    sequence: str
    description: str = ""
    labels: tuple[float, ...] = ()


def check_bases(sequence: bytes, *, path: str | Path, record: str) -> None:
    """Raise an InputError naming the first character that is not a DNA/IUPAC letter."""
    bad = sequence.translate(None, VALID_BYTES)
    if bad:
        position = sequence.find(bad[:1])
        raise InputError(
            f"invalid character {chr(bad[0])!r} at position {position + 1} of the sequence "
            "(expected A, C, G, T, N or an IUPAC code; lowercase is fine)",
            path=path,
            record=record,
        )


class DuplicateGuard:
    """Detects repeated record ids; ``policy='allow'`` lets them through (predict keeps all)."""

    def __init__(self, path: str | Path, policy: str = "error"):
        if policy not in DUPLICATE_POLICIES:
            raise ValueError(f"duplicates must be one of {DUPLICATE_POLICIES}, not {policy!r}")
        self.path, self.seen = path, set[str]()
        self.active = policy == "error"

    def check_all(self, records: list[Record]) -> None:
        """Check a batch at once; on a repeat, find the first repeated id and report it."""
        if not self.active:
            return
        ids = [r.id for r in records]
        if len(set(ids)) == len(ids) and self.seen.isdisjoint(ids):
            self.seen.update(ids)
            return
        for record_id in ids:
            self.check(record_id, record_id)

    def check(self, record_id: str, where: str) -> None:
        if not self.active:
            return
        if record_id in self.seen:
            raise InputError(
                f"duplicate id {record_id!r} (ids must be unique; rename the record)",
                path=self.path,
                record=where,
            )
        self.seen.add(record_id)
