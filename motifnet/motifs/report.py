"""The motif report: OUTDIR/index.html, distinct motifs first, most influential first.

The first table holds the non-redundant motifs (clusters) with logo, reverse complement,
influence, members and the known motif they are named after, which they get only when
influential, significant and specific (motifnet.motifs.discover.named_clusters); otherwise
the best match is shown greyed with the reason. The learned motifs behind each cluster
(filters, TF-MoDISco patterns) follow, then per-sequence attributions.
"""

from __future__ import annotations

import html
from pathlib import Path

from motifnet.io.atomic import atomic_write
from motifnet.motifs.cluster import MotifCluster
from motifnet.motifs.discover import MIN_MEMBERS, NAMED_SHARE, MotifResults
from motifnet.motifs.filters import information_content
from motifnet.motifs.matching import Match, consensus

_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; }
td, th { border-bottom: 1px solid #ddd; padding: 6px 10px; text-align: left; }
th { background: #f4f4f4; }
img.logo { height: 90px; }
.small { color: #666; font-size: 0.85em; }
.grey { color: #999; }
"""


def _image(path: str, alt: str) -> str:
    return f"<img class='logo' src='{html.escape(path)}' alt='{html.escape(alt)}'>"


def _match(match: Match | None, *, named: bool, why: str = "") -> str:
    if match is None:
        return f"<span class='small'>{html.escape(why or 'none')}</span>"
    text = (
        f"{html.escape(match.target_name)} <span class='small'>{html.escape(match.target_id)} "
        f"q={match.q:.2g} {match.strand}</span>"
    )
    if named:
        return f"<b>{text}</b>"
    return f"<span class='grey'>{text} ({html.escape(why)})</span>"


def _why_unnamed(match: Match | None, cluster: MotifCluster, top: float) -> str:
    if len(cluster.members) < MIN_MEMBERS:
        return "learned once: not matched"
    if match is None:
        return "too little information to match"
    influence = cluster.influence
    if match.q >= 0.05:
        return "not significant"
    if not match.specific:
        return "ambiguous: other TF families match almost as well"
    if influence < NAMED_SHARE * top:
        return f"below {NAMED_SHARE:.0%} of the top motif's influence"
    return ""


def write_report(
    path: str | Path,
    results: MotifResults,
    *,
    origin: str = "",
    examples: list[tuple[str, str]] = (),
    member_logos: bool = False,
) -> Path:
    """One HTML page (images in logos/ and attributions/ beside it); the learned motifs are
    shown by their logos with ``member_logos``, else by their consensus."""
    top = max((c.influence for c in results.clusters), default=0.0)
    notes = "; ".join(results.notes)
    summary = (
        f"{results.architecture}{' ' + origin if origin else ''}: {len(results.clusters)} "
        f"distinct motifs from {len(results.filters)} filter motifs and "
        f"{len(results.attribution)} TF-MoDISco motifs over {len(results.sequences)} sequences"
        f"{'; ' + notes if notes else ''}; matched against {results.database} "
        f"({results.database_size} motifs)."
    )
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>motifnet: learned motifs"
        f"</title><style>{_STYLE}</style></head><body><h1>motifnet: learned motifs</h1>"
        f"<p>{html.escape(summary)}</p>",
        "<h2>Motifs</h2><p class='small'>Learned motifs that are the same motif (on either "
        "strand) are merged into one; motifs learned more than once are matched. Influence: the "
        "motif's share of the distinct motifs' summed influence, each measured by silencing all "
        "its filters (TF-MoDISco-only motifs: their share of the attribution). A motif is named "
        f"after a known motif only when it has at least {NAMED_SHARE:.0%} of the top motif's "
        "influence and its best match is significant (Tomtom q &lt; 0.05 over all pairs) and "
        "specific (10x better than any other TF family); otherwise the best match is greyed, "
        "with the reason. Sites: see sites.tsv / sites.bed.</p>"
        "<table><tr><th>#</th><th>motif</th><th>logo</th><th>reverse complement</th>"
        "<th>influence</th><th>members</th><th>sites</th><th>known motif</th></tr>",
    ]
    sites = {}
    for site in results.sites:
        sites[site.motif] = sites.get(site.motif, 0) + (site.source == "fimo")
    for rank, cluster in enumerate(results.clusters, 1):
        name = cluster.motif.id
        match = results.named.get(name) or results.best_match(name)
        named = name in results.named
        kinds = ", ".join(
            sorted({m.kind.replace("modisco_", "TF-MoDISco ") for m in cluster.members})
        )
        parts.append(
            f"<tr><td>{rank}</td><td>{html.escape(name)}</td>"
            f"<td>{_image(f'logos/{name}.png', f'logo of {name}')}</td>"
            f"<td>{_image(f'logos/{name}_rc.png', f'RC logo of {name}')}</td>"
            f"<td>{cluster.influence:.1%}</td>"
            f"<td>{len(cluster.members)} <span class='small'>({html.escape(kinds)})</span></td>"
            f"<td>{sites.get(name, 0)}</td>"
            f"<td>{_match(match, named=named, why=_why_unnamed(match, cluster, top))}"
            "</td></tr>"
        )
    parts.append("</table>")
    members = [(c.motif.id, m) for c in results.clusters for m in c.members]
    members += [("-", m) for m in results.uninformative]
    if members:
        parts.append(
            "<details><summary><h2 style='display:inline'>Learned motifs behind them</h2>"
            "</summary><p class='small'>Every filter and TF-MoDISco motif, by motif ('-': too "
            "little information to place); each shares its motif's known match. Influence: "
            "each alone.</p><table><tr><th>learned motif</th><th>kind</th><th>motif</th>"
            "<th>logo</th><th>sites</th><th>IC (bits)</th><th>influence</th></tr>"
        )
        for cluster_id, member in members:
            name = member.motif.id
            bits = float(information_content(member.motif.ppm).sum())
            shown = f"<code>{html.escape(consensus(member.motif.ppm))}</code>"
            parts.append(
                f"<tr><td>{html.escape(name)}</td><td>{html.escape(member.kind)}</td>"
                f"<td>{html.escape(cluster_id)}</td>"
                f"<td>{_image(f'logos/{name}.png', f'logo of {name}') if member_logos else shown}"
                f"</td><td>{member.sites}</td><td>{bits:.1f}</td><td>{member.influence:.1%}</td>"
                "</tr>"
            )
        parts.append("</table></details>")
    if examples:
        parts.append("<h2>Attributions along sequences</h2>")
        for image, caption in examples:
            parts.append(f"<p class='small'>{html.escape(caption)}</p>{_image(image, caption)}")
    files = ["clusters.tsv", "motifs.tsv", "matches.tsv", "motifs.meme", "sites.tsv", "sites.bed"]
    if results.modisco is not None:
        files.append("modisco.h5")
    if results.clusters:
        files.append("logos/overview.png")
    links = " · ".join(f"<a href='{name}'>{name}</a>" for name in files)
    parts.append(f"<p>{links}</p></body></html>")
    with atomic_write(path) as out:
        out.write("".join(parts))
    return Path(path)
