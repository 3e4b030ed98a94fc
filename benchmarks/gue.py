"""motifnet architectures on the GUE benchmark (DNABERT-2) and the RC strategies on CTCF ChIP-seq.

GUE: each architecture (and rc_cnn with shift augmentation) is trained on a task's official
train split, selected on dev (early stopping and the best checkpoint by validation AUPRC), and
evaluated once on test. Reported: dev and test MCC, test AUROC and AUPRC, parameters and
training wall time on this machine's 2 cores, beside the published DNABERT-2 test MCC (from
the DNABERT-2 paper, as listed in shared/data/README.md). With --seeds, each run is trained
once per seed: one test set of 1,000 sequences moves MCC by several points between seeds, so
the table gives mean ± standard deviation where there are several.

CTCF (shared/data/ctcf_chipseq, train on test.fa, evaluate on valid.fa): the reverse-complement
strategies of Zhou, Shrikumar & Kundaje (2022): cnn plain, cnn with RC augmentation, post-hoc
conjoined cnn (the same trained models, logits averaged over both strands), and rc_cnn, each
with its measured RC error.

Runs already in benchmarks/results/gue.json are skipped (the benchmark resumes); --rerun
measures the given tasks, architectures and seeds again (e.g. after a default changed); --fresh
starts over. Run: ``python benchmarks/gue.py [--tasks tf/0 tf/1] [--archs rc_cnn cnn]
[--seeds 0 1 2]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import tempfile
from pathlib import Path

from _report import RESULTS, publish
from _settings import until_2026_12

from motifnet.config import make_config
from motifnet.io import read_fasta, write_fasta
from motifnet.train import train

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SPLITS = ("train", "dev", "test")
TASKS = ["tf/0", "tf/1", "tf/2", "tf/3", "tf/4", "prom/prom_core_all", "prom/prom_300_tata"]
# rc_cnn without downsampling, one block after the scanners, max and mean pooled
STRIDE1 = {"pool": 1, "depth": 1, "global_pool": "maxavg"}
# the recipe settings: random mutations, label smoothing, a warm-up epoch
RECIPE = {"mutate_augment": 0.05, "label_smoothing": 0.1, "warmup_epochs": 1}
# the stride-1 rc_cnn with random mutations and a warm-up epoch: the default since 2026-12-03
MUTATE_WARMUP = {"model": STRIDE1, "mutate_augment": 0.05, "warmup_epochs": 1}
# a head that averages the map into 16 stretches and reads them with a linear layer
POSITIONAL16 = {"head": "positional", "bins": 16}
# Columns: an architecture with default settings, or one with a training setting changed.
RUNS = {
    "rc_cnn": ("rc_cnn", {}),
    "rc_cnn+shift10": ("rc_cnn", {"shift_augment": 10}),
    "cnn": ("cnn", {}),
    "hybrid": ("hybrid", {}),
    "rc_hybrid": ("rc_hybrid", {}),
    "rnn": ("rnn", {}),
    "rc_dilated": ("rc_dilated", {}),
    "dilated": ("dilated", {}),
    "cnn+positional": ("cnn", {"model": {"head": "positional"}}),
    "rc_cnn+positional": ("rc_cnn", {"model": {"head": "positional"}}),
    "dilated+positional": ("dilated", {"model": {"head": "positional"}}),
    # finer position for promoters (the TATA box's distance to the TSS)
    "cnn+positional16": ("cnn", {"model": POSITIONAL16}),
    # the same with the recipe, without downsampling, and three of them as one model
    "cnn+positional16+recipe": ("cnn", {"model": POSITIONAL16, **RECIPE}),
    "cnn+stride1+positional16+recipe": ("cnn", {"model": {**POSITIONAL16, "pool": 1}, **RECIPE}),
    "cnn+positional16x3": ("cnn", {"model": POSITIONAL16, "ensemble": 3}),
    "cnn+positional16+recipex3": ("cnn", {"model": POSITIONAL16, **RECIPE, "ensemble": 3}),
    # no downsampling, one block after the scanners, max and mean pooled: the shallow
    # stride-1 RC CNN that beat the pool-4 form on every TF task
    "rc_cnn+stride1": ("rc_cnn", {"model": STRIDE1}),
    # the same with the recipe settings: random mutations, label smoothing, a warm-up epoch
    "rc_cnn+stride1+recipe": ("rc_cnn", {"model": STRIDE1, **RECIPE}),
    # the recipe without label smoothing: targets stay 0/1, so scores keep their scale; the
    # default rc_cnn since 2026-12-03
    "rc_cnn+stride1+mutate+warmup": ("rc_cnn", MUTATE_WARMUP),
    # a seed ensemble of three of them, saved as one model (--ensemble 3); its seed s trains
    # members with seeds 3s, 3s+1, 3s+2, so the ensembles of different seeds share no member
    "rc_cnn+stride1x3": ("rc_cnn", {"model": STRIDE1, "ensemble": 3}),
    # that one with attention pooling (learned softmax weights over length) for max+mean
    "rc_cnn+attention": (
        "rc_cnn",
        {**MUTATE_WARMUP, "model": {**STRIDE1, "global_pool": "attention"}},
    ),
}
ARCHS = list(RUNS)
DNABERT2_MCC = {
    "tf/0": 71.99,
    "tf/1": 76.06,
    "tf/2": 66.52,
    "tf/3": 58.54,
    "tf/4": 77.43,
    "prom/prom_core_all": 69.37,
    "prom/prom_300_tata": 71.59,
}
# Published test MCC x 100 on the same official splits (tf/0-4, prom_core_all, prom_300_tata).
PUBLISHED = {
    "3-layer CNN from scratch (Lindsey et al. 2024, bioRxiv 10.1101/2024.09.09.612081)": (
        58.2,
        64.3,
        54.2,
        35.7,
        63.9,
        61.7,
        71.2,
    ),
    "NT-2500M-multi (as reported in the DNABERT-2 paper, Zhou et al. 2024, ICLR)": (
        66.6,
        70.3,
        58.7,
        51.7,
        69.3,
        70.3,
        79.4,
    ),
    "HyenaDNA fine-tuned (Lindsey et al. 2024)": (67.1, 70.6, 67.1, 51.9, 74.9, 62.6, 46.6),
    "Caduceus fine-tuned, 10 seeds (Lindsey et al. 2024)": (
        66.4,
        71.6,
        70.5,
        53.9,
        78.6,
        65.6,
        58.1,
    ),
    "DNABERT-2, 117M parameters (Zhou et al. 2024)": (72.0, 76.1, 66.5, 58.5, 77.4, 69.4, 71.6),
}
CTCF_STRATEGIES = {
    "cnn": ("cnn", False),
    "cnn + RC augmentation": ("cnn", True),
    "rc_cnn": ("rc_cnn", False),
}


def _members_config(model: dict) -> dict:
    """The settings of a model, or of an ensemble's members."""
    config = model["config"]
    return config["model"] if model["architecture"] == "ensemble" else config


def _summary(report: dict, split: str = "test") -> dict:
    result = report[split]
    return {
        "mcc": result["plain"]["mcc"],
        "valid_mcc": report["valid"]["plain"]["mcc"] if report.get("valid") else None,
        "auroc": result["plain"]["auroc"],
        "auprc": result["plain"]["auprc"],
        "conjoined": result["conjoined"],
        "rc_error_max": result["rc_error"]["max_abs"],
        "parameters": report["model"]["parameters"],
        "train_seconds": report["train_seconds"],
        "epochs": report["epochs"],  # a list for an ensemble: each member's
        "first_activation": _members_config(report["model"]).get("first_activation", "-"),
    }


def _detail_order(key: str) -> tuple[int, int, int]:
    """Detail rows by run, then task, then seed."""
    task, run, seed = split_key(key)
    return ARCHS.index(run), TASKS.index(task), seed


def run_key(task: str, run: str, seed: int) -> str:
    """The results key of one training run (seed 0 keeps the plain ``task|run`` key)."""
    return f"{task}|{run}" if seed == 0 else f"{task}|{run}|seed{seed}"


def split_key(key: str) -> tuple[str, str, int]:
    """Task, run and seed of a results key (the inverse of run_key)."""
    task, run, *seed = key.split("|")
    return task, run, int(seed[0].removeprefix("seed")) if seed else 0


def run_gue(task: str, run: str, seed: int, settings: dict, workdir: Path) -> dict:
    folder = DATA / "gue" / task
    arch, changed = RUNS[run]
    config = make_config(
        {
            "train": {"table": str(folder / "train.csv")},
            "valid": {"table": str(folder / "dev.csv")},
            "test": {"table": str(folder / "test.csv")},
            "architecture": arch,
            "outdir": str(workdir / task.replace("/", "_") / run / f"seed{seed}"),
            "seed": seed * changed.get("ensemble", 1),
            **until_2026_12(arch, {**settings, **changed}),
        }
    )
    return _summary(train(config, progress=False))


KMER_C = (0.01, 0.05, 0.2)


def run_kmer(task: str) -> dict:
    """Logistic regression on the counts of every 1- to 5-mer, C chosen on dev: how much of a
    task k-mer composition alone explains, with no positions and no motifs."""
    import pandas as pd
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, matthews_corrcoef, roc_auc_score

    train, dev, test = (pd.read_csv(DATA / "gue" / task / f"{s}.csv") for s in SPLITS)
    counts = CountVectorizer(analyzer="char", ngram_range=(1, 5), lowercase=False)
    x_train = counts.fit_transform(train.sequence)
    fits = {c: LogisticRegression(C=c, max_iter=3000).fit(x_train, train.label) for c in KMER_C}

    def scores(c: float, frame: pd.DataFrame):
        return fits[c].predict_proba(counts.transform(frame.sequence))[:, 1]

    dev_mcc = {c: matthews_corrcoef(dev.label, scores(c, dev) > 0.5) for c in KMER_C}
    best = max(KMER_C, key=dev_mcc.get)
    test_scores = scores(best, test)
    return {
        "mcc": float(matthews_corrcoef(test.label, test_scores > 0.5)),
        "valid_mcc": float(dev_mcc[best]),
        "auroc": float(roc_auc_score(test.label, test_scores)),
        "auprc": float(average_precision_score(test.label, test_scores)),
        "C": best,
        "features": len(counts.vocabulary_),
    }


def ctcf_files(folder: Path) -> Path:
    """Split the CTCF sets into positives and their shuffled negatives (ids ending in _shuf):
    FOLDER/{test,valid}_{pos,neg}.fa."""
    if not (folder / "valid_neg.fa").exists():
        for name in ("test", "valid"):
            records = list(read_fasta(DATA / "ctcf_chipseq" / f"{name}.fa"))
            write_fasta(
                [r for r in records if not r.id.endswith("_shuf")], folder / f"{name}_pos.fa"
            )
            write_fasta([r for r in records if r.id.endswith("_shuf")], folder / f"{name}_neg.fa")
    return folder


def run_ctcf(arch: str, rc_augment: bool, settings: dict, workdir: Path) -> dict:
    folder = ctcf_files(workdir / "ctcf_data")
    config = make_config(
        {
            "train": {"pos": [str(folder / "test_pos.fa")], "neg": [str(folder / "test_neg.fa")]},
            "test": {"pos": [str(folder / "valid_pos.fa")], "neg": [str(folder / "valid_neg.fa")]},
            "architecture": arch,
            "rc_augment": rc_augment,
            "test_fraction": 0.0,
            "outdir": str(workdir / "ctcf" / f"{arch}{'_rcaug' if rc_augment else ''}"),
            **until_2026_12(arch, settings),
        }
    )
    return _summary(train(config, progress=False))


def _epochs(epochs: int | list[int]) -> str:
    """Epochs trained, per member for an ensemble."""
    return "/".join(map(str, epochs)) if isinstance(epochs, list) else str(epochs)


def seed_mccs(results: dict, task: str, run: str) -> list[float]:
    """Test MCC (in %) of every seed measured for one task and run."""
    return [
        100 * r["mcc"] for key, r in results["gue"].items() if split_key(key)[:2] == (task, run)
    ]


def mcc_cell(values: list[float]) -> str:
    """One MCC, or the mean ± standard deviation over seeds with their number."""
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.mean(values):.1f} ± {statistics.stdev(values):.1f} ({len(values)})"


def table(results: dict) -> str:
    lines = [
        "## GUE and CTCF (`python benchmarks/gue.py`)",
        "",
        "Official train/dev/test splits; best checkpoint on dev, one test evaluation. "
        "Wall time of training on this machine's 2 CPU cores. Every column is trained with "
        "the defaults of before 2026-12-03 unless it says otherwise: `rc_cnn` in its pool-4 "
        "form (`--set pool=4 --set depth=2 --set global_pool=max`), without random mutations "
        "or warm-up. "
        "`rc_cnn+shift10`: that "
        "rc_cnn trained with random shifts of up to 10 bp (`--shift-augment 10`). "
        "`rc_cnn+stride1`: `--set pool=1 --set depth=1 --set global_pool=maxavg`; "
        "`rc_cnn+stride1+recipe`: the same with `--mutate-augment 0.05 --label-smoothing 0.1 "
        "--warmup-epochs 1`; `rc_cnn+stride1+mutate+warmup`: the same without the label "
        "smoothing, the default `rc_cnn` since 2026-12-03; "
        "`rc_cnn+stride1x3`: three of the stride-1 models as one seed ensemble "
        "(`--ensemble 3`; its train time is the three trainings together); `rc_cnn+attention`: "
        "`rc_cnn+stride1+mutate+warmup` with `--set global_pool=attention`. "
        "`cnn+positional`: `--set head=positional` (8 bins); `cnn+positional16`: with "
        "`--set bins=16`; `+recipe` and `x3` as above; `cnn+stride1+positional16+recipe`: "
        "with `--set pool=1` too. "
        "`1-5-mer LR`: a baseline, logistic regression on the counts of every 1- to 5-mer "
        "(scikit-learn; C from {0.01, 0.05, 0.2} chosen on dev). Where a model was trained with "
        "several seeds, the cell is the mean ± standard deviation of test MCC (number of seeds); "
        "the last row averages the five TF tasks.",
        "",
        "| task | DNABERT-2 MCC | " + " | ".join(f"{a} MCC" for a in ARCHS) + " | 1-5-mer LR MCC |",
        "|---|---:|" + "---:|" * (len(ARCHS) + 1),
    ]
    for task in TASKS:
        cells = [mcc_cell(seed_mccs(results, task, arch)) for arch in ARCHS]
        kmer = results["kmer"].get(task)
        cells.append("-" if kmer is None else f"{100 * kmer['mcc']:.2f}")
        lines.append(f"| {task} | {DNABERT2_MCC[task]:.2f} | " + " | ".join(cells) + " |")
    tf_tasks = [t for t in TASKS if t.startswith("tf/")]
    means = [statistics.mean(DNABERT2_MCC[t] for t in tf_tasks)]
    for arch in ARCHS:
        per_task = [seed_mccs(results, t, arch) for t in tf_tasks]
        means.append(statistics.mean(map(statistics.mean, per_task)) if all(per_task) else None)
    kmers = [results["kmer"].get(t) for t in tf_tasks]
    means.append(statistics.mean(100 * k["mcc"] for k in kmers) if all(kmers) else None)
    lines.append(
        "| mean of tf/0-4 | " + " | ".join("-" if m is None else f"{m:.2f}" for m in means) + " |"
    )
    runs = {
        arch: [r for k, r in results["gue"].items() if split_key(k)[1] == arch] for arch in ARCHS
    }
    parameters = [f"{runs[a][0]['parameters']:,}" if runs[a] else "-" for a in ARCHS]
    minutes = [
        f"{statistics.median(r['train_seconds'] for r in runs[a]) / 60:.1f} min" if runs[a] else "-"
        for a in ARCHS
    ]
    lines.append("| parameters | 117M | " + " | ".join(parameters) + " | - |")
    lines.append("| train time, median of runs | - | " + " | ".join(minutes) + " | - |")
    lines += [
        "",
        "Published results on the same splits and metric (test MCC x 100):",
        "",
        "| model | tf/0 | tf/1 | tf/2 | tf/3 | tf/4 | mean tf | prom_core_all | prom_300_tata |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, values in PUBLISHED.items():
        tf = statistics.mean(values[:5])
        cells = [f"{v:.1f}" for v in values[:5]] + [f"{tf:.1f}"]
        cells += [f"{v:.1f}" for v in values[5:]]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| task | model | seed | first activation | dev MCC | MCC | AUROC | AUPRC | params "
        "| epochs | train time |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, r in sorted(results["gue"].items(), key=lambda item: _detail_order(item[0])):
        task, arch, seed = split_key(key)
        dev = "-" if r.get("valid_mcc") is None else f"{100 * r['valid_mcc']:.2f}"
        lines.append(
            f"| {task} | {arch} | {seed} | {r['first_activation']} | {dev} | "
            f"{100 * r['mcc']:.2f} | {r['auroc']:.4f} | {r['auprc']:.4f} | {r['parameters']:,} | "
            f"{_epochs(r['epochs'])} | {r['train_seconds'] / 60:.1f} min |"
        )
    if results["ctcf"]:
        lines += [
            "",
            "CTCF ChIP-seq (train test.fa, evaluate valid.fa): RC strategies.",
            "",
            "| strategy | AUROC | AUPRC | MCC | RC error (max logit gap) | train time |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, r in results["ctcf"].items():
            lines.append(
                f"| {name} | {r['auroc']:.4f} | {r['auprc']:.4f} | {100 * r['mcc']:.2f} | "
                f"{r['rc_error_max']:.1e} | {r['train_seconds'] / 60:.1f} min |"
            )
            if not name.startswith("rc_"):
                c = r["conjoined"]
                lines.append(
                    f"| {name}, post-hoc conjoined | {c['auroc']:.4f} | {c['auprc']:.4f} | "
                    f"{100 * c['mcc']:.2f} | 0 | (same model) |"
                )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=TASKS, choices=TASKS)
    parser.add_argument("--archs", nargs="+", default=ARCHS, choices=ARCHS)
    parser.add_argument("--ctcf", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--kmer", action=argparse.BooleanOptionalAction, default=True, help="the k-mer baseline"
    )
    parser.add_argument(
        "--seeds", nargs="+", type=int, default=[0], help="train each run with these seeds"
    )
    parser.add_argument("--max-epochs", type=int, default=20)
    parser.add_argument("--max-minutes", type=float, default=15.0)
    parser.add_argument("--fresh", action="store_true", help="ignore earlier results")
    parser.add_argument(
        "--rerun", action="store_true", help="measure the given tasks x archs x seeds again"
    )
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"the shared data is not at {DATA}")
    path = RESULTS / "gue.json"
    results = {"gue": {}, "ctcf": {}, "kmer": {}}
    if path.exists() and not args.fresh:
        stored = json.loads(path.read_text())
        results = {key: stored.get(key, {}) for key in results}
    settings = {
        "max_epochs": args.max_epochs,
        "max_minutes": args.max_minutes,
        "learning_rate": 3e-3,
    }
    with tempfile.TemporaryDirectory() as work:
        for task in args.tasks:
            if args.kmer and (task not in results["kmer"] or args.rerun):
                results["kmer"][task] = run_kmer(task)
                publish("gue", {**results, "settings": settings}, table(results))
                print(task, "k-mer LR", results["kmer"][task]["mcc"], flush=True)
            for arch, seed in itertools.product(args.archs, args.seeds):
                key = run_key(task, arch, seed)
                if key not in results["gue"] or args.rerun:
                    results["gue"][key] = run_gue(task, arch, seed, settings, Path(work))
                    publish("gue", {**results, "settings": settings}, table(results))
                    print(key, results["gue"][key]["mcc"], flush=True)
        for name, (arch, rc_augment) in CTCF_STRATEGIES.items():
            if args.ctcf and name not in results["ctcf"]:
                results["ctcf"][name] = run_ctcf(arch, rc_augment, settings, Path(work))
                publish("gue", {**results, "settings": settings}, table(results))
                print(name, results["ctcf"][name]["auroc"], flush=True)
    print(table(results))


if __name__ == "__main__":
    main()
