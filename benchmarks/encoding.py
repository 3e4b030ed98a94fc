"""How fast does motifnet one-hot encode and parse FASTA, against baselines in the same run?

* one_hot of one 20 Mbp sequence (float32, fresh output, one thread) vs the numpy lookup
  table ``lut[np.frombuffer(seq, np.uint8)]`` (and tangermeme's one_hot_encode if installed);
* the batch path: 10,000 sequences of 1 kb into a reused (N, 4, L) buffer;
* FASTA parsing (MB/s) of many short records and of one long chromosome vs Biopython.

Run: ``python benchmarks/encoding.py`` (or ``make bench``). Writes
benchmarks/results/encoding.json and the encoding table in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np
from _report import median_seconds, publish
from Bio import SeqIO
from Bio.SeqIO.FastaIO import SimpleFastaParser

from motifnet.io import read_fasta
from motifnet.sequence import one_hot


def _lut_baseline(seq: bytes) -> np.ndarray:
    lut = np.zeros((256, 4), dtype=np.float32)
    for i, base in enumerate(b"ACGT"):
        lut[base, i] = lut[base + 32, i] = 1
    lut[ord("N")] = lut[ord("n")] = 0.25
    return lut[np.frombuffer(seq, np.uint8)]


def _tangermeme():
    try:
        import torch
        from tangermeme.utils import one_hot_encode
    except ImportError:
        return None
    return lambda seq: one_hot_encode(seq, dtype=torch.float32)


def bench_one_hot(length: int, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    seq = rng.choice(np.frombuffer(b"ACGT", np.uint8), length).tobytes()
    text = seq.decode()
    np.testing.assert_array_equal(one_hot(seq), _lut_baseline(seq).T)
    mbp = length / 1e6
    rows = {
        "motifnet one_hot": mbp / median_seconds(lambda: one_hot(seq), repeats),
        "numpy LUT baseline": mbp / median_seconds(lambda: _lut_baseline(seq), repeats),
    }
    tangermeme = _tangermeme()
    if tangermeme is not None:
        rows["tangermeme one_hot_encode"] = mbp / median_seconds(
            lambda: tangermeme(text), max(1, repeats // 3)
        )
    return {name: round(value, 1) for name, value in rows.items()}


def bench_batch(count: int, length: int, repeats: int) -> dict:
    rng = np.random.default_rng(1)
    seqs = [rng.choice(np.frombuffer(b"ACGT", np.uint8), length).tobytes() for _ in range(count)]
    buffer = np.empty((count, 4, length), dtype=np.float32)
    joined = b"".join(seqs)
    mbp = count * length / 1e6
    return {
        "motifnet one_hot(list, out=buffer)": round(
            mbp / median_seconds(lambda: one_hot(seqs, out=buffer), repeats), 1
        ),
        "numpy LUT baseline (joined, reshaped)": round(
            mbp
            / median_seconds(
                lambda: _lut_baseline(joined).reshape(count, length, 4).transpose(0, 2, 1), repeats
            ),
            1,
        ),
    }


def _write_fasta(path: Path, records: int, length: int, width: int) -> int:
    rng = np.random.default_rng(2)
    with open(path, "wb") as handle:
        for i in range(records):
            seq = rng.choice(np.frombuffer(b"ACGTacgtN", np.uint8), length).tobytes()
            lines = b"\n".join(seq[j : j + width] for j in range(0, length, width))
            handle.write(b">rec%d some description\n%s\n" % (i, lines))
    return path.stat().st_size


def _simple_parser(path: Path) -> int:
    with open(path) as handle:
        return sum(len(sequence) for _, sequence in SimpleFastaParser(handle))


def bench_fasta(folder: Path, repeats: int) -> dict:
    cases = {
        "100,000 records x 200 bp": (100_000, 200, 60),
        "1 chromosome x 50 Mbp": (1, 50_000_000, 60),
    }
    out = {}
    for name, (records, length, width) in cases.items():
        path = folder / f"{records}.fa"
        megabytes = _write_fasta(path, records, length, width) / 1e6
        ours = median_seconds(lambda p=path: sum(len(r.sequence) for r in read_fasta(p)), repeats)
        bio = median_seconds(
            lambda p=path: sum(len(str(r.seq)) for r in SeqIO.parse(p, "fasta")), repeats
        )
        simple = median_seconds(lambda p=path: _simple_parser(p), repeats)
        out[name] = {
            "motifnet read_fasta": round(megabytes / ours, 1),
            "Biopython SeqIO.parse": round(megabytes / bio, 1),
            "Biopython SimpleFastaParser": round(megabytes / simple, 1),
        }
        path.unlink()
    return out


def table(results: dict) -> str:
    single, batch, fasta = results["one_hot_20mbp"], results["batch_1kb"], results["fasta"]
    base = single["numpy LUT baseline"]
    lines = [
        "## Encoding and FASTA parsing (`python benchmarks/encoding.py`)",
        "",
        f"One thread, float32 output; median of {results['repeats']} runs. Machine: 2 cores.",
        "",
        "| one_hot, one 20 Mbp sequence, fresh output | Mbp/s | vs numpy LUT |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {value} | {value / base:.1f}x |" for name, value in single.items()]
    base = batch["numpy LUT baseline (joined, reshaped)"]
    lines += [
        "",
        "| batch: 10,000 x 1 kb into a reused buffer | Mbp/s | vs numpy LUT |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {value} | {value / base:.1f}x |" for name, value in batch.items()]
    lines += [
        "",
        "| FASTA parse, MB/s | motifnet read_fasta | Biopython SeqIO.parse | SimpleFastaParser "
        "| vs SeqIO |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in fasta.items():
        values = list(row.values())
        lines.append(
            f"| {name} | {values[0]} | {values[1]} | {values[2]} | {values[0] / values[1]:.1f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results = {
            "repeats": args.repeats,
            "one_hot_20mbp": bench_one_hot(20_000_000, args.repeats),
            "batch_1kb": bench_batch(10_000, 1000, args.repeats),
            "fasta": bench_fasta(Path(folder), max(3, args.repeats // 2)),
        }
    publish("encoding", results, table(results))
    print(table(results))


if __name__ == "__main__":
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    main()
