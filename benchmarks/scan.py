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

dense pass: the default rc_cnn's scan (``motifnet.scanning.scan_sequence``, as ``motifnet scan``
runs it), and that of the pool-4 rc_cnn that was the default until 2026-12, of ``--scan-bp`` bp
at step 1 and at step = the total stride, fp32 and bf16, each in a fresh process after a 200 kb
warm-up (median of ``--rounds`` interleaved rounds), against the
same scan in 200 kb passes (the default before 10 kb passes). Beside bp/s: the model's FLOPs
per base (torch's FlopCounterMode on the pass), the achieved GFLOP/s, their share of the
machine's GEMM peak (the fastest of 10 4096 x 4096 matmuls, measured in the same run), and the
projected time for hg38 (3.1 Gbp) in one process.

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
from _settings import RC_CNN_UNTIL_2026_12
from Bio import SeqIO

from motifnet.checkpoint import load_model, save_model
from motifnet.io import read_fasta
from motifnet.nn.registry import build
from motifnet.nn.runtime import PRECISIONS, retain_freed_memory
from motifnet.prediction import PredictionSettings, write_predictions
from motifnet.scanning import scan, sliding_windows
from motifnet.scanning.dense import DenseScanner
from motifnet.scanning.genome import CHUNK, scan_sequence
from motifnet.sequence import one_hot

MODELS = {
    "rc_cnn (default)": ("rc_cnn", {}),
    "cnn (filters=16, channels=16)": ("cnn", {"filters": 16, "channels": 16}),
}
# the dense pass of the default and of the pool-4 form it replaced (same first layer)
DENSE_MODELS = {
    "rc_cnn (default)": {},
    "rc_cnn, pool 4 (default until 2026-12)": RC_CNN_UNTIL_2026_12,
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
        track = scan(model, sequence, window)
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


HG38_BP = 3.1e9
OLD_CHUNK = 200_000  # bases per pass before the cache-sized default


def gemm_peak(dtype: torch.dtype, size: int = 4096, repeats: int = 10) -> float:
    """GFLOP/s of the fastest of ``repeats`` square matmuls (after two untimed ones) on every
    thread torch uses: the machine's practical peak for dense layers."""
    a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
    for _ in range(2):
        a @ b
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = max(best, 2 * size**3 / (time.perf_counter() - start) / 1e9)
    return best


def flops_per_base(model: torch.nn.Module, step: int, window: int = 200) -> float:
    """FLOPs of the dense pass per base of sequence, counted by torch."""
    from torch.utils.flop_counter import FlopCounterMode

    bases = 20_000
    x = torch.from_numpy(one_hot("ACGT" * ((bases + window) // 4)))[None, :, : bases + window - 1]
    counter = FlopCounterMode(display=False)
    with torch.inference_mode(), counter:
        DenseScanner(model)(x, window, step)
    return counter.get_total_flops() / bases


def dense_worker(model_label: str, step: int, precision: str, chunk: int, bp: int) -> None:
    """One timed dense scan of an rc_cnn of DENSE_MODELS (the body of a fresh process)."""
    retain_freed_memory()
    torch.manual_seed(0)
    model = build("rc_cnn", **DENSE_MODELS[model_label]).eval()
    sequence = "".join(np.random.default_rng(1).choice(list("ACGT"), bp))
    kwargs = {"step": step, "chunk": chunk, "precision": precision}
    fetch = sequence.__getitem__
    for _ in scan_sequence(model, lambda a, b: fetch(slice(a, b)), 200_000, 200, **kwargs):
        pass  # warm up: a genome scan runs for hours, so time the steady state
    start = time.perf_counter()
    for _ in scan_sequence(model, lambda a, b: fetch(slice(a, b)), bp, 200, **kwargs):
        pass
    print(json.dumps({"seconds": time.perf_counter() - start}))


def bench_dense(bp: int, rounds: int) -> tuple[list[dict], dict]:
    """bp/s (median of ``rounds`` interleaved rounds of fresh processes), FLOPs per base and
    achieved GFLOP/s of the dense pass of each of DENSE_MODELS, at step 1 and its total
    stride."""
    torch.manual_seed(0)
    models = {label: build("rc_cnn", **s).eval() for label, s in DENSE_MODELS.items()}
    strides = {label: model.total_stride for label, model in models.items()}
    peaks = {p: gemm_peak(torch.float32 if p == "fp32" else torch.bfloat16) for p in PRECISIONS}
    runs = [
        (label, step, p, chunk)
        for label in models
        for step in sorted({1, strides[label]})
        for p in PRECISIONS
        for chunk in (OLD_CHUNK, CHUNK)
    ]
    seconds: dict[tuple, list[float]] = {run: [] for run in runs}
    for _ in range(rounds):
        for run in runs:
            label, step, precision, chunk = run
            command = [sys.executable, __file__, "--dense-worker", label, str(step), precision]
            command += [str(chunk), str(bp)]
            result = subprocess.run(command, check=True, capture_output=True, text=True)
            seconds[run].append(json.loads(result.stdout)["seconds"])
    rows = []
    for run in runs:
        label, step, precision, chunk = run
        flops = flops_per_base(models[label], step)
        rate = bp / float(np.median(seconds[run]))
        rows.append(
            {
                "model": label,
                "total_stride": strides[label],
                "step": step,
                "precision": precision,
                "chunk": chunk,
                "bp": bp,
                "rounds": rounds,
                "seconds": seconds[run],
                "bp_per_second": rate,
                "flops_per_base": flops,
                "gflops": flops * rate / 1e9,
                "peak_share": flops * rate / 1e9 / peaks[precision],
                "hg38_hours": HG38_BP / rate / 3600,
            }
        )
        print(rows[-1], flush=True)
    baseline = next(r for r in rows if (r["step"], r["chunk"]) == (1, OLD_CHUNK))
    for row in rows:
        row["speedup"] = row["bp_per_second"] / baseline["bp_per_second"]
    return rows, {"gemm_peak_gflops": peaks}


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
    if sys.argv[1:2] == ["--dense-worker"]:
        label, step, precision, chunk, bp = sys.argv[2:]
        return dense_worker(label, int(step), precision, int(chunk), int(bp))
    if sys.argv[1:2] == ["--worker"]:
        mode, model_path, fasta, output, batch = sys.argv[2:]
        return predict_worker(mode, Path(model_path), Path(fasta), Path(output), int(batch))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3, help="median of N rounds")
    parser.add_argument("--scan-bp", type=int, default=2_000_000)
    parser.add_argument("--sliding-bp", type=int, default=50_000)
    args = parser.parse_args()
    dense_rows, machine = bench_dense(args.scan_bp, args.rounds)
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
    peaks = machine["gemm_peak_gflops"]
    lines += [
        "",
        f"The dense pass of the default rc_cnn (total stride 1) and of the pool-4 rc_cnn that "
        f"was the default until 2026-12 (total stride 4) over {args.scan_bp / 1e6:g} Mbp "
        f"({torch.get_num_threads()} threads, each run a fresh process after a 200 kb warm-up, "
        f"median of {args.rounds} interleaved rounds) at step 1 and at each model's total "
        f"stride, in {OLD_CHUNK // 1000} kb passes (the default before) and {CHUNK // 1000} kb "
        "passes (the default: a pass stays in the CPU cache). FLOPs per base of sequence are "
        "counted by torch's FlopCounterMode; peak: this machine's GEMM, measured in the same "
        f"run ({peaks['fp32']:.0f} GFLOP/s fp32, {peaks['bf16']:.0f} bf16). hg38: 3.1 Gbp in "
        "one process on this machine. The speed-up column compares with the default's step 1, "
        "fp32, 200 kb passes.",
        "",
        "| model | step | precision | pass | kbp/s | speed-up | kFLOP/base | GFLOP/s "
        "| of GEMM peak | hg38, one process |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['model']} | {r['step']} | {r['precision']} | {r['chunk'] // 1000} kb | "
        f"{r['bp_per_second'] / 1e3:,.0f} | {r['speedup']:.2f}x | "
        f"{r['flops_per_base'] / 1e3:.0f} | {r['gflops']:.0f} | {r['peak_share']:.0%} | "
        f"{r['hg38_hours']:.1f} h |"
        for r in dense_rows
    ]
    fp32 = {
        (r["model"], r["step"]): r["bp_per_second"]
        for r in dense_rows
        if (r["precision"], r["chunk"]) == ("fp32", CHUNK)
    }
    default, pooled = DENSE_MODELS
    pooled_stride = next(r["total_stride"] for r in dense_rows if r["model"] == pooled)
    lines += [
        "",
        f"fp32, {CHUNK // 1000} kb passes: the default at step 1 runs "
        f"{fp32[default, 1] / fp32[pooled, 1]:.1f}x the speed of the pool-4 form at step 1 and "
        f"{fp32[default, 1] / fp32[pooled, pooled_stride]:.2f}x its speed at step "
        f"{pooled_stride}.",
    ]
    results = {"predict": rows, "scan": scan_rows, "dense": dense_rows, "machine": machine}
    publish("scan", results, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
