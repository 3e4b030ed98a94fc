"""Shared output of the benchmarks: a JSON file per benchmark and its table in BENCHMARKS.md."""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from motifnet import __version__
from motifnet.io.atomic import atomic_write

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
REPORT = ROOT / "BENCHMARKS.md"


def median_seconds(work: Callable[[], object], repeats: int, warmup: int = 1) -> float:
    """Median wall time of ``work`` over ``repeats`` runs after ``warmup`` untimed runs."""
    for _ in range(warmup):
        work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def machine() -> dict[str, object]:
    """Where the numbers were measured."""
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "motifnet": __version__,
        "date": time.strftime("%Y-%m-%d"),
    }


def publish(name: str, results: dict, table: str) -> None:
    """Write results/NAME.json and replace NAME's section of BENCHMARKS.md with ``table``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    with atomic_write(RESULTS / f"{name}.json") as handle:
        json.dump({"machine": machine(), **results}, handle, indent=1)
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    section = f"{start}\n{table.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    text = (
        pattern.sub(lambda _: section, text)
        if pattern.search(text)
        else f"{text.rstrip()}\n\n{section}\n"
    )
    with atomic_write(REPORT) as handle:
        handle.write(text)
