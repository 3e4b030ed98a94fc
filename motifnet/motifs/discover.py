"""What a trained model learned, as one library call: ``discover_motifs`` then ``write_motifs``.

``discover_motifs(trained, records)`` reads filter motifs off the model's motif scanners (any
architecture that declares them) and TF-MoDISco motifs off its attributions (any
architecture), groups them into non-redundant clusters ranked by influence
(motifnet.motifs.cluster), matches the clusters to known motifs in one Tomtom call
(motifnet.motifs.matching), names a cluster after a known TF only when it is influential,
learned more than once and its match significant and specific, and finds the clusters' sites
in the sequences (motifnet.motifs.sites). It returns a ``MotifResults``; ``write_motifs``
(motifnet.motifs.outputs) writes the files and the report. Progress goes to stderr.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from motifnet.checkpoint import TrainedModel
from motifnet.data.labelled import fit_length
from motifnet.io import Record
from motifnet.motifs.attribution import (
    METHODS,
    AttributionMotif,
    ModiscoResult,
    attributions,
    modisco_motifs,
)
from motifnet.motifs.cluster import LearnedMotif, MotifCluster, cluster_motifs
from motifnet.motifs.filters import FilterMotif, filter_motifs, motif_scanners, silencing_effect
from motifnet.motifs.matching import Match, MatchSettings, jaspar_collection, match_motifs
from motifnet.motifs.meme import read_motifs
from motifnet.motifs.motif import Motif
from motifnet.motifs.sites import Site, call_sites, seqlet_sites
from motifnet.nn.runtime import batched_forward
from motifnet.sequence import one_hot

# A cluster gets a known TF's name only with at least this share of the top cluster's influence.
NAMED_SHARE = 0.05
# A distinct motif is matched and named only when two or more learned motifs (filters,
# TF-MoDISco patterns) are it: a lone filter is often a partial or distributed detector.
MIN_MEMBERS = 2
EXPLAIN = ("positives", "all")


@dataclass(frozen=True)
class MotifSettings:
    """How to find and match motifs (the flags of `motifnet motifs`)."""

    threshold: float = 0.7  # fraction of a filter's best score a site needs
    weighted: bool = False  # weight filter sites by their activation
    max_sequences: int = 5000
    attribution: str = "gradient"  # or "ism", or "none"
    attribution_sequences: int = 2000
    task: str | None = None  # the task (output) to explain; None: the first
    explain: str = "positives"  # labelled input: the records positive for the task, or "all"
    motif_db: str | None = None  # MEME or JASPAR file; None: JASPAR
    jaspar_release: str = "JASPAR2024"
    collection: str = "CORE"
    tax_group: str = "vertebrates"
    top: int = 3  # matches per motif
    site_fdr: float = 0.1  # estimated false discovery rate of the FIMO sites

    def __post_init__(self) -> None:
        if self.attribution not in (*METHODS, "none"):
            raise ValueError(f"attribution must be one of {(*METHODS, 'none')}")
        if self.explain not in EXPLAIN:
            raise ValueError(f"explain must be one of {EXPLAIN}")


@dataclass
class MotifResults:
    """Everything a motif run found: non-redundant clusters (most influential first) and the
    learned motifs they merge, known matches, names, sites, attributions and notes."""

    architecture: str
    task: str
    sequences: list[Record]
    clusters: list[MotifCluster]
    filters: list[FilterMotif]
    attribution: list[AttributionMotif]
    matches: list[Match]  # of the clusters
    named: dict[str, Match]  # cluster id -> the known motif it is named after
    sites: list[Site]
    site_thresholds: dict[str, float]  # cluster id -> FIMO p-value threshold of its sites
    database: str
    database_size: int
    uninformative: list[LearnedMotif] = field(default_factory=list)
    modisco: ModiscoResult | None = None
    one_hot: np.ndarray | None = None  # the explained sequences, (N, 4, L)
    hypothetical: np.ndarray | None = None  # their hypothetical contributions, (N, 4, L)
    scores: np.ndarray | None = None  # their logits for the task
    notes: list[str] = field(default_factory=list)

    @property
    def learned(self) -> list[Motif]:
        """Every learned motif: filters, then TF-MoDISco patterns."""
        return [m.motif for m in self.filters] + [m.motif for m in self.attribution]

    @property
    def motifs(self) -> list[Motif]:
        """Clusters first, then every learned motif."""
        return [c.motif for c in self.clusters] + self.learned

    def best_match(self, motif_id: str) -> Match | None:
        """The best known match of a cluster or learned motif, if any."""
        return next((m for m in self.matches if m.query == motif_id and m.rank == 1), None)


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
    return list(targets), f"{settings.jaspar_release} {settings.collection} {settings.tax_group}"


class _Progress:
    """Stage-by-stage progress on stderr, with the seconds each stage took."""

    def __init__(self, enabled: bool):
        self.enabled, self.started = enabled, time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            seconds = time.perf_counter() - self.started
            print(f"motifs: [{seconds:6.1f} s] {message}", file=sys.stderr, flush=True)


def named_clusters(
    clusters: list[MotifCluster],
    matches: list[Match],
    *,
    settings: MatchSettings | None = None,
) -> dict[str, Match]:
    """Cluster id -> the known motif it is named after: clusters with at least NAMED_SHARE of
    the top influence, learned at least MIN_MEMBERS times, whose best match is significant
    (q over all pairs) and specific. Parsimony: when a target nearly as good as the best
    (within the specificity margin) is one a more influential motif is already named after, a
    motif takes that name (a CTCF fragment matching ZIC4 a little better than CTCF is CTCF)."""
    settings = settings or MatchSettings()
    if not clusters:
        return {}
    top = max(c.influence for c in clusters)
    by_query: dict[str, list[Match]] = {}
    for match in sorted(matches, key=lambda m: m.rank):
        by_query.setdefault(match.query, []).append(match)
    named: dict[str, Match] = {}
    for cluster in sorted(clusters, key=lambda c: -c.influence):
        candidates = by_query.get(cluster.motif.id, [])
        if not (
            candidates
            and cluster.influence >= NAMED_SHARE * top
            and len(cluster.members) >= MIN_MEMBERS
            and candidates[0].q < settings.significance
            and candidates[0].specific
        ):
            continue
        established = {m.target_name for m in named.values()}
        near = candidates[0].p * 10**settings.margin
        named[cluster.motif.id] = next(
            (
                m
                for m in candidates
                if m.target_name in established and m.p <= near and m.q < settings.significance
            ),
            candidates[0],
        )
    return named


def _learned(
    filters: list[FilterMotif], found: list[AttributionMotif], total_filter_effect: float
) -> list[LearnedMotif]:
    """Filters and TF-MoDISco patterns with influence as a share: of the logit change when
    all filters are silenced, and of all patterns' summed attribution."""
    mass = [m.seqlets * float(np.abs(m.cwm).sum()) for m in found]
    learned = [
        LearnedMotif(f.motif, "filter", f.influence / total_filter_effect, f.sites, f.filter_index)
        for f in filters
        if f.sites > 0
    ]
    learned += [
        LearnedMotif(m.motif, f"modisco_{m.metacluster}", share / (sum(mass) or 1.0), m.seqlets)
        for m, share in zip(found, mass, strict=True)
    ]
    return learned


def discover_motifs(
    trained: TrainedModel,
    records: list[Record],
    settings: MotifSettings = MotifSettings(),
    *,
    progress: bool = False,
) -> MotifResults:
    """Clusters of learned motifs, their known matches and sites for ``trained`` on
    ``records`` (held-out sequences are best)."""
    say = _Progress(progress)
    index = trained.task_index(settings.task)
    notes: list[str] = []
    if settings.explain == "positives":
        chosen = positives(records, trained.task_type, index)
        if len(chosen) < len(records):
            notes.append(
                f"explained the {len(chosen)} records labelled positive for "
                f"{trained.task_names[index]} (of {len(records)})"
            )
        records = chosen
    records = records[: settings.max_sequences]
    x = torch.from_numpy(one_hot([fit_length(r.sequence, trained.length) for r in records]))
    model = trained.network
    scanners = motif_scanners(model)
    filters: list[FilterMotif] = []
    total = 1.0
    if scanners is not None:
        say(f"filter motifs: {scanners.count} filters over {len(records)} sequences")
        filters = filter_motifs(model, x, threshold=settings.threshold, weighted=settings.weighted)
        sample = x[:500]
        everything = [list(range(scanners.count))]
        total = float(silencing_effect(model, scanners, sample, everything)[0]) or 1.0
    else:
        notes.append(
            f"no filter motifs: {trained.architecture} has no convolutional motif scanners"
        )
    modisco = hypothetical = scores = explained = None
    if settings.attribution != "none":
        explained = x[: settings.attribution_sequences]
        say(f"{settings.attribution} attributions of {len(explained)} sequences")
        hypothetical = attributions(model, explained, method=settings.attribution, task=index)
        say("TF-MoDISco")
        modisco = modisco_motifs(explained.numpy(), hypothetical)
        scores = batched_forward(model, explained)[:, index].numpy()
        notes.append(
            f"{len(modisco.motifs)} TF-MoDISco motifs from {settings.attribution} attributions "
            f"of {len(explained)} sequences (task {trained.task_names[index]})"
        )
    found = modisco.motifs if modisco else []
    learned = _learned(filters, found, total)

    def joint(members: list[LearnedMotif]) -> float:
        """A cluster's filters silenced together; patterns alone: their attribution share."""
        indices = [m.filter_index for m in members if m.filter_index is not None]
        if not indices or scanners is None:
            return max(m.influence for m in members)
        return float(silencing_effect(model, scanners, x[:500], [indices])[0]) / total

    say(f"clustering {len(learned)} learned motifs")
    clusters, uninformative = cluster_motifs(learned, influence=joint)
    # shares of the distinct motifs' summed influence: silencing filters is not additive
    # (one motif alone can move the output more than all filters at once), so the raw
    # fractions of "all silenced" do not add up to a whole
    summed = sum(c.influence for c in clusters) or 1.0
    for cluster in clusters:
        cluster.influence /= summed
    targets, database = _targets(settings)
    corroborated = [c for c in clusters if len(c.members) >= MIN_MEMBERS]
    say(
        f"matching the {len(corroborated)} motifs learned more than once against {database} "
        f"({len(targets)} motifs)"
    )
    # Only distinct motifs learned more than once are matched, and the learned motifs behind
    # one share its match: matched alone, a lone filter's or a blurred copy's view found
    # whatever its flanks resembled, and every extra query weakens the q-values of all.
    matches = match_motifs([c.motif for c in corroborated], targets, top=settings.top)
    named = named_clusters(clusters, matches)
    say(f"sites of {len(clusters)} motifs in {len(records)} sequences")
    sites, thresholds = call_sites([c.motif for c in clusters], records, fdr=settings.site_fdr)
    if modisco is not None:
        cluster_of = {m.motif.id: c.motif.id for c in clusters for m in c.members}
        contributions = hypothetical * explained.numpy()
        sites += seqlet_sites(modisco.seqlets, records, contributions, cluster_of)
    if not learned:
        notes.append("no motifs found: the report and files are empty")
    say(f"{len(clusters)} motifs from {len(learned)} learned ones; {len(named)} named")
    return MotifResults(
        architecture=trained.architecture,
        task=trained.task_names[index],
        sequences=records,
        clusters=clusters,
        filters=filters,
        attribution=found,
        matches=matches,
        named=named,
        sites=sites,
        site_thresholds=thresholds,
        database=database,
        database_size=len(targets),
        uninformative=uninformative,
        modisco=modisco,
        one_hot=None if explained is None else explained.numpy(),
        hypothetical=hypothetical,
        scores=scores,
        notes=notes,
    )
