"""The motif report: OUTDIR/index.html showing what a model learned, most influential first."""

from __future__ import annotations

import html
from pathlib import Path

from motifnet.io.atomic import atomic_write
from motifnet.motifs.attribution import AttributionMotif
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


def _image(path: str, alt: str) -> str:
    return f"<img class='logo' src='{html.escape(path)}' alt='{html.escape(alt)}'>"


def _known(matches: list[Match]) -> str:
    return (
        "<br>".join(
            f"{html.escape(m.target_id)} {html.escape(m.target_name)} "
            f"<span class='small'>q={m.q:.2g} p={m.p:.2g} {m.strand}</span>"
            for m in matches
        )
        or "<span class='small'>none</span>"
    )


def write_report(
    path: str | Path,
    title: str,
    found: list[FilterMotif],
    matches: list[Match],
    *,
    summary: str,
    attribution: list[AttributionMotif] = (),
    examples: list[tuple[str, str]] = (),
) -> Path:
    """One HTML page (images in logos/ and attributions/ beside it): the filter motifs with
    logo, RC logo, sites, information content, influence and best known matches; then the
    TF-MoDISco motifs with logo, contribution logo and matches; then per-sequence attribution
    logos (``examples``: image path, caption)."""
    by_query: dict[str, list[Match]] = {}
    for match in matches:
        by_query.setdefault(match.query, []).append(match)
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(summary)}</p>"
    ]
    if found:
        parts.append(
            "<h2>Filter motifs</h2><p class='small'>Influence: mean |change of the model's "
            "logits| when the filter is silenced. Information content in bits. Matches: Tomtom "
            "(memelite) q-values.</p><table><tr><th>#</th><th>motif</th><th>logo</th>"
            "<th>reverse complement</th><th>sites</th><th>IC (bits)</th><th>influence</th>"
            "<th>best known matches</th></tr>"
        )
        for rank, item in enumerate(found, 1):
            name = item.motif.id
            parts.append(
                f"<tr><td>{rank}</td><td>{html.escape(name)}</td>"
                f"<td>{_image(f'logos/{name}.png', f'logo of {name}')}</td>"
                f"<td>{_image(f'logos/{name}_rc.png', f'RC logo of {name}')}</td>"
                f"<td>{item.sites}</td><td>{item.information:.1f}</td>"
                f"<td>{item.influence:.3g}</td><td>{_known(by_query.get(name, []))}</td></tr>"
            )
        parts.append("</table>")
    if attribution:
        parts.append(
            "<h2>Attribution motifs (TF-MoDISco)</h2><p class='small'>Seqlets of high "
            "attribution clustered by modisco-lite; 'pos' patterns raise the output, 'neg' "
            "lower it. The contribution logo is the seqlets' mean attribution (CWM).</p>"
            "<table><tr><th>motif</th><th>logo</th><th>contributions</th><th>seqlets</th>"
            "<th>IC (bits)</th><th>best known matches</th></tr>"
        )
        for item in attribution:
            name = item.motif.id
            parts.append(
                f"<tr><td>{html.escape(name)}</td>"
                f"<td>{_image(f'logos/{name}.png', f'logo of {name}')}</td>"
                f"<td>{_image(f'logos/{name}_cwm.png', f'contributions of {name}')}</td>"
                f"<td>{item.seqlets}</td><td>{item.information:.1f}</td>"
                f"<td>{_known(by_query.get(name, []))}</td></tr>"
            )
        parts.append("</table>")
    if examples:
        parts.append("<h2>Attributions along sequences</h2>")
        for image, caption in examples:
            parts.append(f"<p class='small'>{html.escape(caption)}</p>{_image(image, caption)}")
    parts.append(
        "<p><a href='motifs.meme'>motifs.meme</a> · <a href='matches.tsv'>matches.tsv</a>"
        " · <a href='logos/overview.png'>overview</a></p></body></html>"
    )
    with atomic_write(path) as out:
        out.write("".join(parts))
    return Path(path)
