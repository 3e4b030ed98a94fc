"""The motif report: OUTDIR/index.html showing what a model learned, most influential first."""

from __future__ import annotations

import html
from pathlib import Path

from motifnet.io.atomic import atomic_write
from motifnet.motifs.filters import FilterMotif
from motifnet.motifs.matching import Match

_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; }
td, th { border-bottom: 1px solid #ddd; padding: 6px 10px; text-align: left; }
th { background: #f4f4f4; }
img.logo { height: 90px; }
.small { color: #666; font-size: 0.85em; }
"""


def write_report(
    path: str | Path, title: str, found: list[FilterMotif], matches: list[Match], *, summary: str
) -> Path:
    """One HTML page: per motif its logo and RC logo (images in logos/), sites, information
    content, influence and best known matches with q-values."""
    by_query: dict[str, list[Match]] = {}
    for match in matches:
        by_query.setdefault(match.query, []).append(match)
    rows = []
    for rank, item in enumerate(found, 1):
        name = html.escape(item.motif.id)
        known = (
            "<br>".join(
                f"{html.escape(m.target_id)} {html.escape(m.target_name)} "
                f"<span class='small'>q={m.q:.2g} p={m.p:.2g} {m.strand}</span>"
                for m in by_query.get(item.motif.id, [])
            )
            or "<span class='small'>none</span>"
        )
        rows.append(
            f"<tr><td>{rank}</td><td>{name}</td>"
            f"<td><img class='logo' src='logos/{name}.png' alt='logo of {name}'></td>"
            f"<td><img class='logo' src='logos/{name}_rc.png' alt='RC logo of {name}'></td>"
            f"<td>{item.sites}</td><td>{item.information:.1f}</td><td>{item.influence:.3g}</td>"
            f"<td>{known}</td></tr>"
        )
    page = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(summary)}</p>"
        "<p class='small'>Influence: mean |change of the model's logits| when the filter is "
        "silenced. Information content in bits. Matches: Tomtom (memelite) q-values.</p>"
        "<table><tr><th>#</th><th>motif</th><th>logo</th><th>reverse complement</th><th>sites</th>"
        "<th>IC (bits)</th><th>influence</th><th>best known matches</th></tr>"
        + "".join(rows)
        + "</table><p><a href='motifs.meme'>motifs.meme</a> · <a href='matches.tsv'>matches.tsv</a>"
        " · <a href='logos/overview.png'>overview</a></p></body></html>"
    )
    with atomic_write(path) as out:
        out.write(page)
    return Path(path)
