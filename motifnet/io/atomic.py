"""Atomic file output: write to a temporary file beside the target, then rename over it.

The temporary file is named ``.NAME.motifnet-PID-XXXX``. An interrupted run (Ctrl-C, SIGTERM)
removes it on the way out; one that was killed outright leaves it, and the next write to the
same target removes it once its process is gone. ``check_output_file``/``check_output_folder``
find an unwritable output before any work starts.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from motifnet import stopping
from motifnet.errors import InputError

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer that opens files itself (e.g. pyBigWig);
    on success it replaces ``path``, on error it is removed."""
    target = Path(path)
    created = _missing_folders(target.parent)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(target)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.motifnet-{os.getpid()}-", dir=target.parent
    )
    os.close(descriptor)
    try:
        yield Path(temporary)
        stopping.check()
        os.chmod(temporary, 0o666 & ~_UMASK)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        _remove_empty(created)
        raise


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", **open_kwargs) -> Iterator[IO]:
    """Open a temporary file for writing; on success it replaces ``path``, on error it is removed.

    A reader never sees a half-written file, and an interrupted run leaves the old file intact.
    """
    with atomic_path(path) as temporary, open(temporary, mode, **open_kwargs) as handle:
        yield handle


def _remove_stale(target: Path) -> None:
    """Remove temporary files of ``target`` left by processes that no longer run."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.motifnet-(\d+)-")
    for leftover in target.parent.glob(f".{_glob_escape(target.name)}.motifnet-*"):
        found = pattern.match(leftover.name)
        if found and not _running(int(found.group(1))):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _glob_escape(name: str) -> str:
    """``name`` with glob's special characters taken literally."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _probe(folder: Path, path: str | Path) -> None:
    """Create and remove a file in ``folder``: the one sure test that writing works there.
    Folders it had to create are removed again: a run that fails later leaves nothing."""
    created = _missing_folders(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise InputError(f"cannot write the output here: {err.strerror}", path=path) from None
    finally:
        _remove_empty(created)


def _missing_folders(folder: Path) -> list[Path]:
    """The folders ``mkdir(parents=True)`` would create, deepest first."""
    return [p for p in (folder, *folder.parents) if not p.exists()]


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders this process created, if still empty (deepest first)."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def check_output_file(path: str | Path) -> None:
    """Refuse, before any work, an output file that could not be written."""
    target = Path(path)
    if target.is_dir():
        raise InputError("is a folder: give a file name for the output", path=path)
    if target.parent.exists() and not target.parent.is_dir():
        raise InputError(f"{target.parent} is a file, not a folder", path=path)
    _probe(target.parent, path)


def check_output_folder(path: str | Path) -> None:
    """Refuse, before any work, an output folder that could not be written."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise InputError("is a file: give a folder for the outputs", path=path)
    _probe(folder, path)
