"""CSV/TSV tables of sequences with one or more label columns (e.g. the GUE benchmark files)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from motifnet.errors import InputError
from motifnet.io.fasta import open_binary
from motifnet.io.records import DuplicateGuard, Record, check_bases

ID_COLUMNS = ("id", "name")


@dataclass(frozen=True)
class SequenceTable:
    """The records of a table, in file order, the names of its label columns and the labels
    as one (rows, columns) float32 array. A single label column of names (not numbers) is a
    class column: ``class_names`` lists the classes in sorted order and each row's label is
    its class's index. Records carry their row of labels too unless read with
    ``record_labels=False`` (large multi-task tables: a tuple per record costs ~30 bytes per
    label)."""

    records: list[Record]
    label_names: list[str]
    class_names: list[str] | None = None
    labels: np.ndarray | None = None


def _separator(path: Path) -> str:
    """Tab for .tsv/.tab/.txt, comma for .csv; otherwise whichever the header line uses."""
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz", ".bgz")]
    if suffixes and suffixes[-1] in (".tsv", ".tab", ".txt"):
        return "\t"
    if suffixes and suffixes[-1] == ".csv":
        return ","
    with open_binary(path) as handle:
        first = handle.readline()
    return "\t" if b"\t" in first else ","


def read_table(
    path: str | Path,
    *,
    sequence_column: str = "sequence",
    label_columns: list[str] | None = None,
    duplicates: str = "error",
    labels: bool = True,
    record_labels: bool = True,
) -> SequenceTable:
    """Read a CSV/TSV (optionally gzipped) with a sequence column and numeric label columns.

    Labels default to every column but the sequence and an ``id``/``name`` column; ids come
    from that column, else ``row<line>``. ``labels=False`` reads no labels (for commands that
    only apply a model). An id holding a tab or line break is refused: it would break every
    TSV written from it. Errors name the file, the line and the reason. Several label columns
    are parsed as numbers directly (a table's bulk); anything else in them is named by line.
    """
    path = Path(path)
    separator = _separator(path)
    header = _read(path, separator, nrows=0)
    columns = [str(c).strip() for c in header.columns]
    if sequence_column not in columns:
        raise InputError(f"no {sequence_column!r} column; the columns are {columns}", path=path)
    id_column = next((c for c in ID_COLUMNS if c in columns), None)
    if not labels:
        label_columns = []
    elif label_columns is None:
        label_columns = [c for c in columns if c not in (sequence_column, id_column)]
    missing = [c for c in label_columns if c not in columns]
    if missing:
        raise InputError(f"label columns {missing} not found; columns: {columns}", path=path)
    frame = None
    if len(label_columns) > 1:  # numbers: parsed as float32, not as a string per cell
        numeric = {raw: np.float32 for raw in header.columns if str(raw).strip() in label_columns}
        with contextlib.suppress(ValueError):  # not all numbers: read as text, named below
            frame = _read(path, separator, dtype={**dict.fromkeys(header.columns, str), **numeric})
    if frame is None:
        frame = _read(path, separator, dtype=str)
    frame.columns = columns
    if frame.empty:
        raise InputError("the table has a header but no rows", path=path)

    if id_column:
        broken = frame[id_column].str.contains(r"[\t\r\n]", regex=True)
        if broken.any():
            row = int(broken.to_numpy().argmax())
            raise InputError(
                f"id {frame[id_column].iat[row]!r} holds a tab or line break, which would break "
                "the TSV files written from it; remove it from the id",
                path=path,
                record=f"line {row + 2}",
            )
    class_names = _class_names(frame, label_columns)
    if not label_columns:
        labels_array = np.empty((len(frame), 0), dtype=np.float32)
    elif class_names is None:
        labels_array = _numeric_labels(frame, label_columns, path)
    else:
        index = {name: i for i, name in enumerate(class_names)}
        column = frame[label_columns[0]].str.strip().map(index)
        labels_array = column.to_numpy(dtype=np.float32)[:, None]
    guard = DuplicateGuard(path, duplicates)
    ids = frame[id_column] if id_column else None
    records = []
    for row, sequence in enumerate(frame[sequence_column]):
        line = f"line {row + 2}"
        record_id = ids.iat[row] if ids is not None else f"row{row + 2}"
        sequence = sequence.strip()  # the same string when there is nothing to strip
        if not sequence:
            raise InputError("empty sequence", path=path, record=line)
        check_bases(sequence.encode("ascii", errors="replace"), path=path, record=line)
        guard.check(record_id, line)
        row_labels = tuple(labels_array[row].tolist()) if record_labels else ()
        records.append(Record(record_id, sequence, labels=row_labels))
    return SequenceTable(records, list(label_columns), class_names, labels_array)


def _read(path: Path, separator: str, **options) -> pd.DataFrame:
    """pandas' reader, its failures as InputErrors naming the file."""
    try:
        return pd.read_csv(
            path, sep=separator, keep_default_na=False, compression="infer", **options
        )
    except FileNotFoundError:
        raise InputError("cannot open: no such file", path=path) from None
    except pd.errors.EmptyDataError:
        raise InputError("the table is empty (no header line)", path=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError) as err:
        raise InputError(f"cannot parse the table: {err}", path=path) from None


def _class_names(frame: pd.DataFrame, columns: list[str]) -> list[str] | None:
    """Sorted class names when the only label column holds two or more names and no numbers,
    else None."""
    if len(columns) != 1:
        return None
    values = frame[columns[0]].str.strip()
    if pd.to_numeric(values, errors="coerce").notna().any():
        return None
    names = sorted(values.unique())
    if "" in names or len(names) < 2:
        return None  # left to _numeric_labels, which names the offending row
    return names


def _numeric_labels(frame: pd.DataFrame, columns: list[str], path: Path) -> np.ndarray:
    values = np.empty((len(frame), len(columns)), dtype=np.float32)
    for j, column in enumerate(columns):
        if frame[column].dtype == np.float32:  # parsed as numbers already
            values[:, j] = frame[column].to_numpy()
            continue
        parsed = pd.to_numeric(frame[column].str.strip(), errors="coerce")
        bad = np.flatnonzero(parsed.isna().to_numpy())
        if bad.size:
            row = int(bad[0])
            raise InputError(
                f"label column {column!r} holds {frame[column].iat[row]!r}, not a number",
                path=path,
                record=f"line {row + 2}",
            )
        values[:, j] = parsed.to_numpy(dtype=np.float64)
    return values
