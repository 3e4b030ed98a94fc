"""What a trained model learned, as one library call: ``discover_motifs`` then ``write_motifs``.

``discover_motifs(trained, records)`` reads filter motifs off the model's motif scanners (any
architecture that declares them), TF-MoDISco motifs off its attributions (any architecture),
and matches both to known motifs; it returns a ``MotifResults``. ``write_motifs`` writes the
files and the report of `motifnet motifs` from it. The CLI, the workflow and notebooks call
these two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from motifnet.checkpoint import TrainedModel
from motifnet.data.labelled import fit_length
from motifnet.io import Record
from motifnet.io.atomic import atomic_write
from motifnet.motifs.attribution import METHODS, AttributionMotif, attributions, modisco_motifs
from motifnet.motifs.filters import FilterMotif, filter_motifs, motif_scanners
from motifnet.motifs.matching import Match, jaspar_collection, match_motifs
from motifnet.motifs.meme import read_motifs, write_meme
from motifnet.motifs.motif import Motif
from motifnet.nn.runtime import batched_forward
from motifnet.sequence import one_hot


@dataclass(frozen=True)
class MotifSettings:
    """How to find and match motifs (the flags of `motifnet motifs`)."""

    threshold: float = 0.5  # fraction of a filter's largest activation a site needs
    weighted: bool = False  # weight filter sites by their activation
    max_sequences: int = 5000
    attribution: str = "gradient"  # or "ism", or "none"
    attribution_sequences: int = 2000
    task: str | None = None  # the task (output) to explain; None: the first
    all_sequences: bool = False  # explain every labelled record, not only the positives
    motif_db: str | None = None  # MEME or JASPAR file; None: JASPAR
    jaspar_release: str = "JASPAR2024"
    collection: str = "CORE"
    tax_group: str = "vertebrates"
    top: int = 3  # matches per motif

    def __post_init__(self) -> None:
        if self.attribution not in (*METHODS, "none"):
            raise ValueError(f"attribution must be one of {(*METHODS, 'none')}")


@dataclass
class MotifResults:
    """Everything a motif run found: filter and TF-MoDISco motifs (most influential or
    largest first), their known matches, the attributions and notes for the reader."""

    architecture: str
    task: str
    sequences: list[Record]
    filters: list[FilterMotif]
    attribution: list[AttributionMotif]
    matches: list[Match]
    database: str
    database_size: int
    one_hot: np.ndarray | None = None  # the explained sequences, (N, 4, L)
    hypothetical: np.ndarray | None = None  # their hypothetical contributions, (N, 4, L)
    scores: np.ndarray | None = None  # their logits for the task
    notes: list[str] = field(default_factory=list)

    @property
    def motifs(self) -> list[Motif]:
        """Every motif in report order: filters, then TF-MoDISco patterns."""
        return [m.motif for m in self.filters] + [m.motif for m in self.attribution]


def positives(records: list[Record], task_type: str, task: int) -> list[Record]:
    """The records labelled positive for ``task`` when they carry the model's labels (e.g. the
    workflow's test.tsv); all records otherwise."""
    if not records or not records[0].labels:
        return records
    if task_type == "multiclass":
        chosen = [r for r in records if len(r.labels) == 1 and r.labels[0] == task]
    else:
        chosen = [r for r in records if len(r.labels) > task and r.labels[task] == 1]
    return chosen or records


def _targets(settings: MotifSettings) -> tuple[list[Motif], str]:
    if settings.motif_db:
        return read_motifs(settings.motif_db), settings.motif_db
    targets = jaspar_collection(settings.jaspar_release, settings.collection, settings.tax_group)
    return targets, f"{settings.jaspar_release} {settings.collection} {settings.tax_group}"


def discover_motifs(
    trained: TrainedModel, records: list[Record], settings: MotifSettings = MotifSettings()
) -> MotifResults:
    """Filter motifs, TF-MoDISco motifs and their known matches for ``trained`` on
    ``records`` (held-out sequences are best)."""
    index = trained.task_index(settings.task)
    notes: list[str] = []
    if not settings.all_sequences:
        records = positives(records, trained.task_type, index)
    records = records[: settings.max_sequences]
    x = torch.from_numpy(one_hot([fit_length(r.sequence, trained.length) for r in records]))
    model = trained.network
    filters: list[FilterMotif] = []
    if motif_scanners(model) is not None:
        filters = filter_motifs(model, x, threshold=settings.threshold, weighted=settings.weighted)
    else:
        notes.append(
            f"no filter motifs: {trained.architecture} has no convolutional motif scanners"
        )
    found: list[AttributionMotif] = []
    hypothetical = scores = explained = None
    if settings.attribution != "none":
        explained = x[: settings.attribution_sequences]
        hypothetical = attributions(model, explained, method=settings.attribution, task=index)
        found = modisco_motifs(explained.numpy(), hypothetical)
        scores = batched_forward(model, explained)[:, index].numpy()
        notes.append(
            f"{len(found)} TF-MoDISco motifs from {settings.attribution} attributions of "
            f"{len(explained)} sequences (task {trained.task_names[index]})"
        )
    targets, database = _targets(settings)
    queries = [m.motif for m in filters if m.sites > 0] + [m.motif for m in found]
    matches = match_motifs(queries, targets, top=settings.top) if queries else []
    if not filters and not found:
        notes.append("no motifs found: the report and files are empty")
    return MotifResults(
        architecture=trained.architecture,
        task=trained.task_names[index],
        sequences=records,
        filters=filters,
        attribution=found,
        matches=matches,
        database=database,
        database_size=len(targets),
        one_hot=None if explained is None else explained.numpy(),
        hypothetical=hypothetical,
        scores=scores,
        notes=notes,
    )


def write_motifs(
    results: MotifResults, outdir: str | Path, *, examples: int = 4, origin: str = ""
) -> Path:
    """Write the files of `motifnet motifs` (see its --help) into ``outdir`` and return the
    report's path; ``examples`` sequences are shown with their attributions, ``origin`` (e.g.
    which checkpoint on which file) heads the report."""
    from motifnet.motifs.logos import save_grid, save_logo, save_weight_logo
    from motifnet.motifs.report import write_report

    outdir = Path(outdir)
    write_meme(results.motifs, outdir / "motifs.meme")
    with atomic_write(outdir / "matches.tsv") as out:
        out.write("motif\tjaspar_id\ttf_name\tp\tq\tstrand\toffset\ttf_family\n")
        for m in results.matches:
            out.write(
                f"{m.query}\t{m.target_id}\t{m.target_name}\t{m.p:.3g}\t{m.q:.3g}\t"
                f"{m.strand}\t{m.offset}\t{m.target_family}\n"
            )
    listed = [
        (item.motif, "filter", item.sites, item.information, f"{item.influence:.6g}")
        for item in results.filters
    ] + [
        (item.motif, f"modisco_{item.metacluster}", item.seqlets, item.information, "")
        for item in results.attribution
    ]
    with atomic_write(outdir / "motifs.tsv") as out:
        out.write("motif\tkind\twidth\tsites\tinformation_bits\tinfluence\n")
        for motif, kind, sites, information, influence in listed:
            out.write(
                f"{motif.id}\t{kind}\t{motif.width}\t{sites}\t{information:.3f}\t{influence}\n"
            )
    for motif in results.motifs:
        save_logo(motif, outdir / "logos" / motif.id)
        save_logo(motif, outdir / "logos" / f"{motif.id}_rc", reverse=True)
    if results.filters:
        save_grid([item.motif for item in results.filters], outdir / "logos" / "overview.png")
    shown = []
    if results.hypothetical is not None:
        ids = [r.id for r in results.sequences[: len(results.hypothetical)]]
        with atomic_write(outdir / "attributions.npz", "wb") as handle:
            np.savez_compressed(
                handle,
                one_hot=results.one_hot,
                hypothetical=results.hypothetical,
                ids=np.array(ids, dtype=str),
            )
        for item in results.attribution:
            stem = outdir / "logos" / f"{item.motif.id}_cwm"
            save_weight_logo(item.cwm, stem, title=item.motif.id)
        for i in np.argsort(-results.scores)[:examples]:
            contributions = results.hypothetical[i] * results.one_hot[i]
            caption = f"{ids[i]}: logit {results.scores[i]:.2f}"
            save_weight_logo(
                contributions,
                outdir / "attributions" / f"seq{i}",
                title=f"{ids[i]} (logit {results.scores[i]:.2f})",
            )
            shown.append((f"attributions/seq{i}.png", caption))
    notes = "; ".join(results.notes)
    summary = (
        f"{results.architecture}{' ' + origin if origin else ''}; {len(results.filters)} "
        f"filter motifs from {len(results.sequences)} sequences; {notes + '; ' if notes else ''}"
        f"matched against {results.database} ({results.database_size} motifs)."
    )
    report = outdir / "index.html"
    write_report(
        report,
        "motifnet: learned motifs",
        results.filters,
        results.matches,
        summary=summary,
        attribution=results.attribution,
        examples=shown,
    )
    return report
