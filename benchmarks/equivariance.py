"""What does each architecture guarantee, and what does it cost?

For every registered architecture (default settings, random seeded weights) plus rc_cnn at the
same channel width as cnn, in its pool-4 form of before 2026-12 and with attention pooling, cnn
with BlurPool and conjoined(cnn): RC error, shift error of the output and of the conv trunk
(shift 1 and shift D = total stride), parameter count, and forward throughput on 1,000 bp inputs
(sequences/s, batch 64, eval mode, this machine's 2 cores, timed round-robin), as a ratio to
``cnn`` in the same run.

Run: ``python benchmarks/equivariance.py``. Writes benchmarks/results/equivariance.json and the
equivariance table in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from _report import publish
from _settings import RC_CNN_UNTIL_2026_12

from motifnet.equivariance import check, random_one_hot
from motifnet.nn.registry import available, build, describe_model

VARIANTS = {name: (name, {}) for name in available()}
VARIANTS["rc_cnn (filters=32, channels=32)"] = ("rc_cnn", {"filters": 32, "channels": 32})
VARIANTS["rc_cnn, pool 4 (default until 2026-12)"] = ("rc_cnn", RC_CNN_UNTIL_2026_12)
VARIANTS["rc_cnn (global_pool=attention)"] = ("rc_cnn", {"global_pool": "attention"})
VARIANTS["cnn (pool_type=blur)"] = ("cnn", {"pool_type": "blur"})
VARIANTS["conjoined(cnn)"] = ("conjoined(cnn)", {})


def measure(label: str, name: str, settings: dict) -> tuple[torch.nn.Module, dict]:
    """Build the model and measure its RC and shift errors."""
    torch.manual_seed(0)
    model = build(name, **settings).eval()
    info = describe_model(model)
    stride = info["total_stride"]
    result = check(
        model,
        random_one_hot(128, 200 + max(stride, 1) * 3, seed=1),
        length=200,
        shifts=sorted({1, stride}),
    )
    by_shift = {row["shift"]: row for row in result["shifts"]}
    return model, {
        "label": label,
        "architecture": name,
        "settings": settings,
        "parameters": info["parameters"],
        "receptive_field": info["receptive_field"],
        "total_stride": stride,
        "rc_invariant": info["rc_invariant"],
        "rc_error_max": result["rc"]["max_abs"],
        "output_shift_error_1": by_shift[1]["output_error"],
        "output_shift_error_D": by_shift[stride]["output_error"],
        "trunk_shift_error_1": by_shift[1]["trunk_error"],
        "trunk_shift_error_D": by_shift[stride]["trunk_error"],
    }


def throughput(models: list[torch.nn.Module], batch: torch.Tensor, repeats: int) -> list[float]:
    """Sequences/s of each model, timed round-robin so that drift of the machine hits all alike."""
    times: list[list[float]] = [[] for _ in models]
    with torch.no_grad():
        for round_index in range(repeats + 3):  # the first 3 rounds warm up
            for model, bucket in zip(models, times, strict=True):
                start = time.perf_counter()
                model(batch)
                if round_index >= 3:
                    bucket.append(time.perf_counter() - start)
    return [batch.shape[0] / statistics.median(bucket) for bucket in times]


def table(rows: list[dict], threads: int) -> str:
    base = next(r for r in rows if r["label"] == "cnn")["sequences_per_second"]

    def number(value) -> str:
        return "-" if value is None else f"{value:.1e}"

    lines = [
        "## Equivariance and cost per architecture (`python benchmarks/equivariance.py`)",
        "",
        "Default settings, random seeded weights (what the architecture guarantees before any "
        "training). RC error: max |f(rc x) - f(x)| on logits. Shift errors are relative "
        "(mean |change| / mean |value|) at shift 1 bp and at D = total stride; the trunk is the "
        f"conv feature map. Throughput: 1,000 bp inputs, batch 64, eval, {threads} threads.",
        "",
        "| model | params | RF (bp) | D | RC error | output shift 1 | output shift D | "
        "trunk shift 1 | trunk shift D | seq/s | vs cnn |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        field = "all" if r["receptive_field"] is None else r["receptive_field"]
        lines.append(
            f"| {r['label']} | {r['parameters']:,} | {field} | {r['total_stride']} | "
            f"{r['rc_error_max']:.1e} | {number(r['output_shift_error_1'])} | "
            f"{number(r['output_shift_error_D'])} | {number(r['trunk_shift_error_1'])} | "
            f"{number(r['trunk_shift_error_D'])} | {r['sequences_per_second']:.0f} | "
            f"{r['sequences_per_second'] / base:.2f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    batch = random_one_hot(64, 1000, seed=2)
    measured = [measure(label, name, settings) for label, (name, settings) in VARIANTS.items()]
    speeds = throughput([model for model, _ in measured], batch, args.repeats)
    rows = [
        {**row, "sequences_per_second": speed}
        for (_, row), speed in zip(measured, speeds, strict=True)
    ]
    threads = torch.get_num_threads()
    publish("equivariance", {"threads": threads, "rows": rows}, table(rows, threads))
    print(table(rows, threads))


if __name__ == "__main__":
    main()
