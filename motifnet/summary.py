"""Compare trained runs: metrics, equivariance and learned motifs per dataset, as HTML and JSON.

A run folder is what `motifnet train` wrote (metrics.json, config.yaml, roc.png, pr.png), with,
where the workflow made them, equivariance.json
(`motifnet check --json`) and motifs/ (`motifnet motifs`). Folders laid out as
DATASET/ARCH/seedN (the workflow's layout) are grouped by DATASET.
"""

from __future__ import annotations

import csv
import html
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from motifnet.errors import InputError
from motifnet.io.atomic import atomic_write

_MARKS = {"exact": "&#10003;", "family": "&asymp;", "": "&#10007;"}


@dataclass
class Run:
    """What one trained model achieved and learned."""

    folder: str
    dataset: str
    architecture: str
    seed: str
    parameters: int
    epochs: int | list[int]  # an ensemble's: each member's
    train_seconds: float
    test: dict  # plain and conjoined metrics, rc_error
    rc_max_error: float | None
    shift_error: float | None  # output error for a 1 bp shift
    motifs: list[dict] = field(default_factory=list)  # clusters.tsv rows, by influence
    planted: dict[str, str] = field(default_factory=dict)  # planted TF -> 'exact'/'family'/''


def _json(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise InputError(f"not valid JSON ({err})", path=path) from None


def read_clusters(clusters_tsv: Path) -> list[dict]:
    """The distinct motifs of a `motifnet motifs` run (clusters.tsv), most influential first,
    with influence and q as numbers and named as a bool; none when the file is absent."""
    if not clusters_tsv.is_file():
        return []
    with open(clusters_tsv) as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    for row in rows:
        row["influence"] = float(row["influence"])
        row["q"] = float(row["q"]) if row["q"] else 1.0
        row["named"] = row["named"] == "true"
    return rows


def recovery(clusters: list[dict], planted: list[dict]) -> dict[str, str]:
    """Per planted motif (truth.json's name and family) how the named motifs found it:
    'exact' when one is named after the planted TF, 'family' when one is named after another
    TF of its JASPAR family (paralogs such as SOX2 and Sox17 have motifs Tomtom cannot tell
    apart), '' when none is."""
    named = [c for c in clusters if c["named"]]
    names = {c["known_name"].upper() for c in named}
    families = {c.get("known_family", "") for c in named} - {""}
    result = {}
    for motif in planted:
        if motif["name"].upper() in names:
            result[motif["name"]] = "exact"
        elif motif.get("family") and motif["family"] in families:
            result[motif["name"]] = "family"
        else:
            result[motif["name"]] = ""
    return result


def read_run(folder: str | Path, truth: dict[str, list[dict]] | None = None) -> Run:
    """Collect one run folder; ``truth`` maps a dataset to its planted motifs (name, family)."""
    from motifnet.nn.registry import model_name

    folder = Path(folder)
    metrics = _json(folder / "metrics.json")
    if metrics is None:
        raise InputError("no metrics.json: not a run folder of motifnet train", path=folder)
    # the set the ROC/PR curves were drawn on, so the numbers and the curves agree
    evaluation = metrics.get("test") or metrics["valid"]
    check = _json(folder / "equivariance.json")
    dataset = folder.parent.parent.name if folder.name.startswith("seed") else folder.name
    shift = None
    if check:
        ones = [s["output_error"] for s in check.get("shifts", []) if s["shift"] == 1]
        shift = ones[0] if ones else None
    clusters = read_clusters(folder / "motifs" / "clusters.tsv")
    planted = recovery(clusters, (truth or {}).get(dataset, []))
    return Run(
        str(folder),
        dataset,
        model_name(metrics["model"]),
        str(_seed(folder)),
        metrics["model"]["parameters"],
        metrics["epochs"],
        metrics["train_seconds"],
        evaluation,
        check["rc"]["max_abs"] if check else None,
        shift,
        clusters,
        planted,
    )


def _epochs(epochs: int | list[int]) -> str:
    return "/".join(map(str, epochs)) if isinstance(epochs, list) else str(epochs)


def _seed(folder: Path) -> int | str:
    """The run's seed, from the config.yaml `motifnet train` writes beside metrics.json."""
    try:
        return yaml.safe_load((folder / "config.yaml").read_text())["seed"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return folder.name.removeprefix("seed") if folder.name.startswith("seed") else ""


def planted_motifs(truth_json: str | Path) -> list[dict]:
    """The motifs a simulation planted (its truth.json): id, name, family."""
    truth = _json(Path(truth_json))
    if truth is None:
        raise InputError("cannot open: no such file", path=truth_json)
    return [{k: m.get(k, "") for k in ("id", "name", "family")} for m in truth["motifs"]]


def known_motifs(clusters: list[dict]) -> list[dict]:
    """The named motifs, one per known TF, most influential first: the same ranking as the
    motif report, and only the names it gives."""
    chosen: dict[str, dict] = {}
    for cluster in clusters:
        if cluster["named"]:
            chosen.setdefault(cluster["known_name"], cluster)
    return list(chosen.values())


def _cell(value: float | None, digits: str = ".3f") -> str:
    return "&ndash;" if value is None else format(value, digits)


def write_summary(runs: list[Run], outdir: str | Path) -> Path:
    """OUTDIR/index.html (one section per dataset) and OUTDIR/summary.json."""
    outdir = Path(outdir)
    sections = []
    for dataset in dict.fromkeys(run.dataset for run in runs):
        members = [run for run in runs if run.dataset == dataset]
        rows, curves = [], []
        for run in members:
            link = os.path.relpath(Path(run.folder) / "motifs" / "index.html", outdir)
            top = "<br>".join(
                f"{html.escape(m['known_name'])} <span class='small'>"
                f"{html.escape(m['known_id'])} {m['influence']:.0%} q={m['q']:.2g} "
                f"({html.escape(m['motif'])})</span>"
                for m in known_motifs(run.motifs)[:3]
            )
            planted = " ".join(
                f"{_MARKS[how]}&nbsp;{html.escape(name)}" for name, how in run.planted.items()
            )
            plain, conjoined = run.test["plain"], run.test["conjoined"]
            rows.append(
                f"<tr><td>{html.escape(run.architecture)}</td><td>{html.escape(run.seed)}</td>"
                f"<td>{run.parameters:,}</td><td>{_epochs(run.epochs)}</td><td>{run.train_seconds:.0f}</td>"
                f"<td>{plain['auroc']:.3f}</td><td>{plain['auprc']:.3f}</td>"
                f"<td>{plain['mcc']:.3f}</td><td>{conjoined['auroc']:.3f}</td>"
                f"<td>{_cell(run.rc_max_error, '.2g')}</td><td>{_cell(run.shift_error)}</td>"
                f"<td>{top or '&ndash;'}</td>"
                + (f"<td>{planted}</td>" if run.planted else "")
                + f"<td><a href='{html.escape(link)}'>motifs</a></td></tr>"
            )
            for plot in ("roc", "pr"):
                image = os.path.relpath(Path(run.folder) / f"{plot}.png", outdir)
                curves.append(
                    f"<figure><img src='{html.escape(image)}' alt='{plot} of "
                    f"{html.escape(run.architecture)}'><figcaption>{html.escape(run.architecture)}"
                    f" seed {html.escape(run.seed)}: {plot.upper()}</figcaption></figure>"
                )
        planted_header = "<th>planted motifs found</th>" if members[0].planted else ""
        sections.append(
            f"<h2>{html.escape(dataset)}</h2><table><tr><th>architecture</th><th>seed</th>"
            "<th>parameters</th><th>epochs</th><th>train s</th><th>test AUROC</th>"
            "<th>AUPRC</th><th>MCC</th><th>AUROC RC-conjoined</th><th>RC error (max)</th>"
            "<th>shift-1 error</th><th>known motifs (influence)</th>"
            f"{planted_header}<th>report</th></tr>{''.join(rows)}</table>"
            f"<div class='curves'>{''.join(curves)}</div>"
        )
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>motifnet: summary</title>"
        "<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:"
        "collapse}td,th{border-bottom:1px solid #ddd;padding:6px 10px;text-align:left}"
        "th{background:#f4f4f4}.small{color:#666;font-size:.85em}figure{display:inline-block;"
        "margin:4px}figure img{height:220px}</style></head><body><h1>motifnet: summary</h1>"
        "<p class='small'>Test metrics of the selected checkpoint (best on validation). RC "
        "error: largest |f(x) - f(rc x)| of the logits on random probes (0 for RC-invariant "
        "models); shift-1 error: relative change of the output for a 1 bp shift. Known "
        "motifs: the three most influential distinct motifs the motif report names after a "
        "known motif (influential, significant and specific), with their share of the model's "
        "output. Planted motifs: &#10003; a named motif is the planted TF, &asymp; a TF of its "
        "family (e.g. Sox17 for SOX2), &#10007; neither.</p>" + "".join(sections) + "</body></html>"
    )
    with atomic_write(outdir / "index.html") as out:
        out.write(page)
    with atomic_write(outdir / "summary.json") as out:
        json.dump([asdict(run) for run in runs], out, indent=1)
    return outdir / "index.html"
