"""The files of `motifnet motifs`, written from a MotifResults (each atomically).

clusters.tsv      the non-redundant motifs, most influential first: rank, motif,
                  influence (share of the model's output), members, sites, width,
                  information_bits, consensus, and its best known match: known_id,
                  known_name, known_family, q, specific; named (true when the report
                  names it after that match)
motifs.tsv        every learned motif: motif, kind, cluster ("-": too little information
                  to place), width, sites, information_bits, influence
matches.tsv       Tomtom's TSV layout (Query_ID, Target_ID, Optimal_offset, p-value,
                  E-value, q-value, Overlap, Query_consensus, Target_consensus, Orientation),
                  then Target_name, Target_family, q-value_query, Rank, Specific
motifs.meme       clusters, then every learned motif (MEME minimal format)
sites.tsv/.bed    motif sites (motifnet.motifs.sites)
modisco.h5        TF-MoDISco's results in modisco-lite's own format
attributions.npz  one_hot, hypothetical (N, 4, L each) and ids of the explained sequences
logos/            NAME.png (and NAME_rc.png for clusters; .svg too with svg=True),
                  NAME_cwm.png for TF-MoDISco patterns, overview.png
attributions/     contribution logos of the highest-scoring sequences
index.html        the report (motifnet.motifs.report)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from motifnet.io.atomic import atomic_write
from motifnet.motifs.discover import MotifResults
from motifnet.motifs.filters import information_content
from motifnet.motifs.matching import consensus
from motifnet.motifs.meme import write_meme
from motifnet.motifs.sites import write_sites

TOMTOM_COLUMNS = (
    "Query_ID",
    "Target_ID",
    "Optimal_offset",
    "p-value",
    "E-value",
    "q-value",
    "Overlap",
    "Query_consensus",
    "Target_consensus",
    "Orientation",
)
EXTRA_COLUMNS = ("Target_name", "Target_family", "q-value_query", "Rank", "Specific")


def _bits(ppm: np.ndarray) -> float:
    return float(information_content(ppm).sum())


def write_tables(results: MotifResults, outdir: Path) -> None:
    """clusters.tsv, motifs.tsv, matches.tsv, motifs.meme."""
    write_meme(results.motifs, outdir / "motifs.meme")
    with atomic_write(outdir / "clusters.tsv") as out:
        out.write(
            "rank\tmotif\tinfluence\tmembers\tsites\twidth\tinformation_bits\tconsensus\t"
            "known_id\tknown_name\tknown_family\tq\tspecific\tnamed\n"
        )
        for rank, cluster in enumerate(results.clusters, 1):
            motif = cluster.motif
            best = results.named.get(motif.id) or results.best_match(motif.id)
            known = "\t".join(
                (
                    best.target_id,
                    best.target_name,
                    best.target_family,
                    f"{best.q:.3g}",
                    str(best.specific).lower(),
                )
                if best
                else ("", "", "", "", "")
            )
            out.write(
                f"{rank}\t{motif.id}\t{cluster.influence:.4g}\t"
                f"{','.join(m.motif.id for m in cluster.members)}\t{cluster.sites}\t"
                f"{motif.width}\t{_bits(motif.ppm):.2f}\t{consensus(motif.ppm)}\t"
                f"{known}\t{str(motif.id in results.named).lower()}\n"
            )
    cluster_of = {m.motif.id: c.motif.id for c in results.clusters for m in c.members}
    influence = {m.motif.id: m.influence for c in results.clusters for m in c.members} | {
        m.motif.id: m.influence for m in results.uninformative
    }
    with atomic_write(outdir / "motifs.tsv") as out:
        out.write("motif\tkind\tcluster\twidth\tsites\tinformation_bits\tinfluence\n")
        rows = [(f.motif, "filter", f.sites) for f in results.filters] + [
            (a.motif, f"modisco_{a.metacluster}", a.seqlets) for a in results.attribution
        ]
        for motif, kind, sites in rows:
            share = influence.get(motif.id)
            out.write(
                f"{motif.id}\t{kind}\t{cluster_of.get(motif.id, '-')}\t{motif.width}\t{sites}\t"
                f"{_bits(motif.ppm):.2f}\t{'' if share is None else f'{share:.4g}'}\n"
            )
    with atomic_write(outdir / "matches.tsv") as out:
        out.write("\t".join(TOMTOM_COLUMNS + EXTRA_COLUMNS) + "\n")
        for m in results.matches:
            specific = "" if m.specific is None else str(m.specific).lower()
            out.write(
                f"{m.query}\t{m.target_id}\t{m.offset}\t{m.p:.3g}\t{m.e_value:.3g}\t{m.q:.3g}\t"
                f"{m.overlap}\t{m.query_consensus}\t{m.target_consensus}\t{m.strand}\t"
                f"{m.target_name}\t{m.target_family}\t{m.q_query:.3g}\t{m.rank}\t{specific}\n"
            )


def write_logos(
    results: MotifResults, outdir: Path, *, svg: bool = False, members: bool = False
) -> None:
    """Logos of the distinct motifs with their reverse complements, CWMs of TF-MoDISco
    patterns, an overview; the learned motifs' own logos too with ``members`` (drawing a logo
    costs ~0.25 s: 65 filters took longer than the rest of a run)."""
    from motifnet.motifs.logos import save_grid, save_logo, save_weight_logo

    formats = ("png", "svg") if svg else ("png",)
    logos = outdir / "logos"
    for cluster in results.clusters:
        save_logo(cluster.motif, logos / cluster.motif.id, formats=formats)
        save_logo(cluster.motif, logos / f"{cluster.motif.id}_rc", reverse=True, formats=formats)
    for motif in results.learned if members else []:
        save_logo(motif, logos / motif.id, formats=formats)
    for item in results.attribution:
        save_weight_logo(item.cwm, logos / f"{item.motif.id}_cwm", title=item.motif.id)
    if results.clusters:
        save_grid([c.motif for c in results.clusters], logos / "overview.png")


def write_attributions(results: MotifResults, outdir: Path, *, examples: int) -> list:
    """attributions.npz and the contribution logos of the ``examples`` highest-scoring
    sequences; returns (image, caption) per example."""
    from motifnet.motifs.logos import save_weight_logo

    if results.hypothetical is None:
        return []
    ids = [r.id for r in results.sequences[: len(results.hypothetical)]]
    with atomic_write(outdir / "attributions.npz", "wb") as handle:
        np.savez_compressed(
            handle,
            one_hot=results.one_hot,
            hypothetical=results.hypothetical,
            ids=np.array(ids, dtype=str),
        )
    shown = []
    for i in np.argsort(-results.scores)[:examples]:
        caption = f"{ids[i]}: logit {results.scores[i]:.2f}"
        contributions = results.hypothetical[i] * results.one_hot[i]
        save_weight_logo(contributions, outdir / "attributions" / f"seq{i}", title=caption)
        shown.append((f"attributions/seq{i}.png", caption))
    return shown


def write_motifs(
    results: MotifResults,
    outdir: str | Path,
    *,
    examples: int = 4,
    origin: str = "",
    svg: bool = False,
    member_logos: bool = False,
) -> Path:
    """Write every file of the module docstring into ``outdir``; returns the report's path.
    ``origin`` (e.g. which checkpoint on which file) heads the report."""
    from motifnet.motifs.report import write_report

    outdir = Path(outdir)
    write_tables(results, outdir)
    write_sites(results.sites, outdir / "sites.tsv", outdir / "sites.bed")
    if results.modisco is not None:
        results.modisco.save_h5(outdir / "modisco.h5")
    shown = write_attributions(results, outdir, examples=examples)
    write_logos(results, outdir, svg=svg, members=member_logos)
    return write_report(
        outdir / "index.html", results, origin=origin, examples=shown, member_logos=member_logos
    )
