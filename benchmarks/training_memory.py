"""How much memory does training hold, and does encoding per batch cost time?

N random sequences of 1 kb are read as ``motifnet train`` reads them, from FASTA (half labelled
positive: read_fasta, binary_set) or from a CSV with ``--tasks`` 0/1 label columns (read_table
without per-record labels, table_set: a multi-task set), held as the training data and trained
on with the pool-4 rc_cnn (the default until 2026-12) for ``--steps`` batches of 128 (forward,
backward, AdamW). Two ways to hold the set, each in a fresh process: ``bytes``
(motifnet.data.encode: 1 byte per base, one-hot per batch, the current path) and ``float32``
(the whole set one-hot encoded up front, the path before it; a baseline kept here). Reported:
the process's peak RSS (ru_maxrss), the set's own size, and the seconds per step (median of the
steps after a warm-up) with the seconds per epoch it implies. float32 runs only where its tensor
fits this machine comfortably.

Run: ``python benchmarks/training_memory.py``. Writes benchmarks/results/training_memory.json
and BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from _report import publish
from _settings import RC_CNN_UNTIL_2026_12

from motifnet.data import batches, binary_set, encode, table_set
from motifnet.io import read_fasta, read_table
from motifnet.nn.registry import build
from motifnet.sequence import one_hot

LENGTH = 1000
BATCH = 128
DEEPSEA = (4_400_000, 1000, 919)  # sequences, length, tasks (Zhou & Troyanskaya 2015)


def write_fasta(path: Path, count: int, seed: int = 0) -> None:
    """``count`` random sequences of LENGTH bases, written in blocks."""
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    with open(path, "wb") as handle:
        for start in range(0, count, 10_000):
            block = letters[rng.integers(0, 4, (min(10_000, count - start), LENGTH))]
            for i, row in enumerate(block, start=start):
                handle.write(b">s%d\n%s\n" % (i, row.tobytes()))


def write_table(path: Path, count: int, tasks: int, seed: int = 0) -> None:
    """``count`` random sequences of LENGTH bases with ``tasks`` random 0/1 labels (~5% ones,
    as in sparse multi-task sets), as CSV."""
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    with open(path, "wb") as handle:
        names = ",".join(f"task{i}" for i in range(tasks))
        handle.write(f"id,sequence,{names}\n".encode())
        for start in range(0, count, 10_000):
            size = min(10_000, count - start)
            block = letters[rng.integers(0, 4, (size, LENGTH))]
            labels = (rng.random((size, tasks)) < 0.05).astype(np.uint8) + ord("0")
            labels = np.insert(labels, np.arange(1, tasks), ord(","), axis=1)
            for i, (row, label) in enumerate(zip(block, labels, strict=True), start=start):
                handle.write(b"s%d,%s,%s\n" % (i, row.tobytes(), label.tobytes()))


def read_set(inputs: list[Path]):
    """The labelled set as train reads it: two FASTA files, or one table."""
    if len(inputs) == 2:
        return binary_set(list(read_fasta(inputs[0])), list(read_fasta(inputs[1])))
    return table_set(read_table(inputs[0], record_labels=False))


def worker(mode: str, inputs: list[Path], steps: int) -> None:
    """One measured run (the body of a fresh process); prints its figures as JSON."""
    data = read_set(inputs)
    if mode == "float32":  # the data module before: one tensor, float labels
        x = torch.from_numpy(one_hot(list(data.sequences)))
        y = torch.from_numpy(np.ascontiguousarray(data.labels))
        held = x.numel() * 4 + y.numel() * y.element_size()
    else:
        x, y = encode(data, LENGTH)
        held = x.codes.numel() + y.numel() * y.element_size()
        del data  # as train does: the bytes are what training holds
    torch.manual_seed(0)
    model = build("rc_cnn", tasks=y.shape[1], **RC_CNN_UNTIL_2026_12)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    seconds = []
    loader = iter(batches(x, y, BATCH, shuffle=True))
    for _ in range(steps + 2):
        start = time.perf_counter()
        inputs, targets = next(loader)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(inputs), targets.float())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        seconds.append(time.perf_counter() - start)
    step = statistics.median(seconds[2:])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"peak_bytes": peak, "held_bytes": held, "step_seconds": step}))


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        mode, steps, *inputs = sys.argv[2:]
        return worker(mode, [Path(i) for i in inputs], int(steps))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--tasks", type=int, default=100, help="label columns of the table")
    parser.add_argument("--table-size", type=int, default=1_000_000, help="rows of the table")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument(
        "--float32-up-to", type=int, default=100_000, help="largest N run the old way"
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        runs = []
        for size in args.sizes:
            positives, negatives = Path(work) / f"pos{size}.fa", Path(work) / f"neg{size}.fa"
            write_fasta(positives, size // 2, seed=size)
            write_fasta(negatives, size - size // 2, seed=size + 1)
            modes = ["bytes"] + (["float32"] if size <= args.float32_up_to else [])
            runs += [(size, "FASTA, 1 task", mode, [positives, negatives]) for mode in modes]
        if args.table_size:
            table = Path(work) / "table.csv"
            write_table(table, args.table_size, args.tasks, seed=7)
            runs.append((args.table_size, f"table, {args.tasks} tasks", "bytes", [table]))
        for size, source, mode, inputs in runs:
            command = [sys.executable, __file__, "--worker", mode, str(args.steps)]
            run = subprocess.run(
                [*command, *map(str, inputs)], check=True, capture_output=True, text=True
            )
            result = json.loads(run.stdout)
            result.update(
                {
                    "sequences": size,
                    "source": source,
                    "mode": mode,
                    "epoch_seconds": result["step_seconds"] * size / BATCH,
                }
            )
            rows.append(result)
            print(result, flush=True)
    count, length, tasks = DEEPSEA
    projection = {
        "bytes_gb": (count * length + count * tasks) / 1e9,
        "float32_gb": (count * length * 16 + count * tasks * 4) / 1e9,
    }
    lines = [
        "## Training memory (`python benchmarks/training_memory.py`)",
        "",
        f"Random sequences of {LENGTH} bp from FASTA (half positive) or from a CSV with "
        f"{args.tasks} 0/1 label columns (~5% ones), read as `motifnet train` reads them and "
        f"trained on with the pool-4 rc_cnn (the default until 2026-12), batches of {BATCH} "
        f"({torch.get_num_threads()} threads, each run a fresh process; seconds per step: "
        f"median of {args.steps} steps after 2). `bytes`: the set held at 1 byte per base, "
        "one-hot per batch (the default); `float32`: the whole set one-hot encoded up front "
        "(before). Peak: the process's max RSS (the FASTA records, the set, the model).",
        "",
        "| sequences | input | data held as | set in memory | peak RSS | s / step | s / epoch |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['sequences']:,} | {r['source']} | {r['mode']} | {r['held_bytes'] / 1e9:.2f} GB | "
        f"{r['peak_bytes'] / 1e9:.2f} GB | {r['step_seconds']:.3f} | {r['epoch_seconds']:,.0f} |"
        for r in rows
    ]
    lines += [
        "",
        f"DeepSEA's training set ({count / 1e6:g}M x {length} bp x {tasks} tasks) held as bytes "
        f"(0/1 labels as one byte each): {projection['bytes_gb']:.1f} GB; as float32 one-hot "
        f"with float32 labels: {projection['float32_gb']:.0f} GB.",
    ]
    publish("training_memory", {"runs": rows, "deepsea_projection": projection}, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
