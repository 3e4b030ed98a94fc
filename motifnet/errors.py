"""Errors that motifnet reports to users: each names the file, the record and what is wrong."""

from __future__ import annotations

from pathlib import Path


class MotifnetError(Exception):
    """Base class for problems a user can fix; the CLI prints these without a traceback."""


class InputError(MotifnetError):
    """Malformed input: the message names the file, the record (id or line) and the reason."""

    def __init__(self, reason: str, *, path: str | Path | None = None, record: str | None = None):
        self.path = None if path is None else str(path)
        self.record = record
        self.reason = reason
        where = ": ".join(part for part in (self.path, record) if part)
        super().__init__(f"{where}: {reason}" if where else reason)


class ConfigError(MotifnetError, ValueError):
    """A setting that does not exist or has a value that cannot work."""
