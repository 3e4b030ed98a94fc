"""How fast are predictions on many FASTA records, against a straightforward loop?

predict: 100,000 records of 200 bp through ``motifnet.prediction.write_predictions`` as
``motifnet predict`` runs it (the allocator setting ``retain_freed_memory``, streaming parser,
batched one-hot into a reused buffer, the network's inference form from
``motifnet.nn.inference``, TSV) against a naive loop: Biopython SeqIO.parse, per-record numpy
encoding, np.stack into batches of the same size, the same model in eval mode, the same TSV.
Every run is a fresh process (the allocator's state would carry over otherwise); the naive loop
also runs once more with the allocator setting, to show what that setting alone gives. In fp32
(the default; equal to the loop's probabilities to 1e-5) and in bf16 (bfloat16 autocast; the
largest probability change is reported). For the default rc_cnn and for a small cnn (where the
model costs little and the data path shows).

scan: a 2 Mbp sequence scored at every base by the dense pass (``motifnet.scanning.scan``) against
sliding windows (every window cut and run through the model in batches of 512). Sliding windows
are timed on the first ``--sliding-bp`` bp (their cost per window is constant), and the largest
difference between the two is taken there.

Run: ``python benchmarks/scan.py``. Writes benchmarks/results/scan.json and BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from _report import publish
from Bio import SeqIO

from motifnet.checkpoint import load_model, save_model
from motifnet.io import read_fasta
from motifnet.nn.registry import build
from motifnet.nn.runtime import PRECISIONS, retain_freed_memory
from motifnet.prediction import PredictionSettings, write_predictions
from motifnet.scanning import scan, sliding_windows
from motifnet.sequence import one_hot

MODELS = {
    "rc_cnn (default)": ("rc_cnn", {}),
    "cnn (filters=16, channels=16)": ("cnn", {"filters": 16, "channels": 16}),
}


def naive_loop(model: torch.nn.Module, fasta: Path, output: Path, batch_size: int) -> int:
    lut = np.zeros((256, 4), dtype=np.float32)
    for i, base in enumerate(b"ACGT"):
        lut[base, i] = 1
    lut[ord("N")] = 0.25
    ids, batch, count = [], [], 0
    with open(output, "w") as out:
        out.write("id\tpositive\n")

        def flush():
            with torch.no_grad():
                scores = torch.sigmoid(model(torch.from_numpy(np.stack(batch)))).numpy()
            for record_id, score in zip(ids, scores[:, 0], strict=True):
                out.write(f"{record_id}\t{score:.6g}\n")
            ids.clear()
            batch.clear()

        for record in SeqIO.parse(str(fasta), "fasta"):
            ids.append(record.id)
            batch.append(lut[np.frombuffer(str(record.seq).upper().encode(), np.uint8)].T)
            count += 1
            if len(batch) == batch_size:
                flush()
        if batch:
            flush()
    return count


def bench_scan(length: int, sliding_bp: int, window: int = 200) -> list[dict]:
    rng = np.random.default_rng(1)
    sequence = "".join(rng.choice(list("ACGT"), length))
    rows = []
    for label, (name, settings) in MODELS.items():
        torch.manual_seed(0)
        model = build(name, **settings).eval()
        start = time.perf_counter()
        track = scan(model, sequence, window, chunk=200_000)
        dense_seconds = time.perf_counter() - start
        part = torch.from_numpy(one_hot(sequence[: sliding_bp + window - 1]))[None]
        start = time.perf_counter()
        with torch.inference_mode():
            sliding = sliding_windows(model, part, window)[0].numpy()
        sliding_seconds = (time.perf_counter() - start) * (length / sliding_bp)
        difference = np.abs(track[window // 2 : window // 2 + sliding_bp] - sliding).max()
        rows.append(
            {
                "model": label,
                "bp": length,
                "dense_seconds": dense_seconds,
                "sliding_seconds_extrapolated": sliding_seconds,
                "sliding_bp_timed": sliding_bp,
                "speedup": sliding_seconds / dense_seconds,
                "max_abs_difference": float(difference),
            }
        )
        print(rows[-1], flush=True)
    return rows


# What each timed predict run does, in a fresh process as a user runs it: the naive loop as is,
# the naive loop after the allocator setting `motifnet predict` makes, and motifnet in each
# precision.
PREDICT_MODES = ("naive", "naive + allocator", *(f"motifnet {p}" for p in PRECISIONS))


def predict_worker(mode: str, model_path: Path, fasta: Path, output: Path, batch: int) -> None:
    """One timed predict run (the body of a fresh process); prints its seconds as JSON."""
    model = load_model(model_path).eval()
    if mode != "naive":
        retain_freed_memory()
    start = time.perf_counter()
    if mode.startswith("naive"):
        count = naive_loop(model, fasta, output, batch)
    else:
        precision = mode.split()[-1]
        settings = PredictionSettings(
            length=200, task_names=("positive",), batch_size=batch, precision=precision
        )
        count = write_predictions(model, read_fasta(fasta), settings, output, progress=False)
    print(json.dumps({"seconds": time.perf_counter() - start, "records": count}))


def bench_predict(
    label: str, model: torch.nn.Module, fasta: Path, work: Path, args: argparse.Namespace
) -> list[dict]:
    """Median seconds of each mode over ``args.rounds`` rounds; every run is a fresh process
    (allocator state carries over within a process), and each round runs all modes back to
    back, so that a slow spell of the machine hits all of them."""
    model_path = work / "model.pt"
    save_model(model, model_path)
    seconds: dict[str, list[float]] = {mode: [] for mode in PREDICT_MODES}
    for _ in range(args.rounds):
        for mode in PREDICT_MODES:
            output = work / f"{mode.replace(' ', '_')}.tsv"
            command = [sys.executable, __file__, "--worker", mode, str(model_path), str(fasta)]
            command += [str(output), str(args.batch_size)]
            result = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
            assert result["records"] == args.records
            seconds[mode].append(result["seconds"])
    naive = np.loadtxt(work / "naive.tsv", skiprows=1, usecols=1)
    naive_seconds = float(np.median(seconds["naive"]))
    rows = []
    for mode in PREDICT_MODES:
        values = np.loadtxt(work / f"{mode.replace(' ', '_')}.tsv", skiprows=1, usecols=1)
        mode_seconds = float(np.median(seconds[mode]))
        rows.append(
            {
                "model": label,
                "mode": mode,
                "records": args.records,
                "rounds": args.rounds,
                "records_per_second": args.records / mode_seconds,
                "speedup": naive_seconds / mode_seconds,
                "max_abs_probability_difference": float(np.abs(values - naive).max()),
            }
        )
        print(rows[-1], flush=True)
    assert all(r["max_abs_probability_difference"] < 1e-5 for r in rows if "bf16" not in r["mode"])
    return rows


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        mode, model_path, fasta, output, batch = sys.argv[2:]
        return predict_worker(mode, Path(model_path), Path(fasta), Path(output), int(batch))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3, help="predict: median of N rounds")
    parser.add_argument("--scan-bp", type=int, default=2_000_000)
    parser.add_argument("--sliding-bp", type=int, default=50_000)
    args = parser.parse_args()
    scan_rows = bench_scan(args.scan_bp, args.sliding_bp)
    rng = np.random.default_rng(0)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        fasta = Path(work) / "records.fa"
        with open(fasta, "w") as handle:
            for i in range(args.records):
                handle.write(f">rec{i}\n{''.join(rng.choice(list('ACGT'), 200))}\n")
        for label, (name, settings) in MODELS.items():
            torch.manual_seed(0)
            model = build(name, **settings).eval()
            rows += bench_predict(label, model, fasta, Path(work), args)
    lines = [
        "## Predict throughput (`python benchmarks/scan.py`)",
        "",
        f"{args.records:,} FASTA records of 200 bp to TSV, batch {args.batch_size}, "
        f"{torch.get_num_threads()} threads; each run a fresh process, median of {args.rounds} "
        "interleaved rounds. The naive loop is Biopython parsing, per-record numpy encoding and "
        "np.stack batches through the same model in eval mode, fp32; `+ allocator` is the same "
        "loop after the malloc setting motifnet predict makes (retain_freed_memory), to show "
        "how much of the gain is that setting. Last column: the largest difference from the "
        "naive loop's probabilities.",
        "",
        "| model | run | records/s | speedup vs naive | max abs difference (probability) |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['model']} | {r['mode']} | {r['records_per_second']:,.0f} | {r['speedup']:.2f}x | "
        f"{r['max_abs_probability_difference']:.1e} |"
        for r in rows
    ]
    lines += [
        "",
        f"Dense scan of {args.scan_bp / 1e6:g} Mbp (a 200 bp window centred on every base) "
        f"against sliding windows (timed on {args.sliding_bp:,} bp, scaled to the whole "
        "sequence); max |difference| of the logits where both ran.",
        "",
        "| model | dense scan | sliding windows | speedup | max abs difference |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['model']} | {r['dense_seconds']:.1f} s | "
        f"{r['sliding_seconds_extrapolated']:.0f} s | {r['speedup']:.0f}x | "
        f"{r['max_abs_difference']:.1e} |"
        for r in scan_rows
    ]
    publish("scan", {"predict": rows, "scan": scan_rows}, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
