"""Distinct motifs, trustworthy matching and motif sites, on known motifs (no training)."""

from __future__ import annotations

import numpy as np
import pytest

from motifnet.io import Record
from motifnet.motifs import fetch_jaspar
from motifnet.motifs.cluster import LearnedMotif, cluster_motifs, similarity
from motifnet.motifs.matching import core, jaspar_collection, match_motifs
from motifnet.motifs.motif import Motif
from motifnet.motifs.sites import Site, genome_interval, scan_sites, site_recall

UNIFORM = np.full((4, 1), 0.25)


def padded(ppm: np.ndarray, left: int, right: int) -> np.ndarray:
    return np.concatenate([np.repeat(UNIFORM, left, 1), ppm, np.repeat(UNIFORM, right, 1)], 1)


def rc(ppm: np.ndarray) -> np.ndarray:
    return ppm[::-1, ::-1].copy()


@pytest.fixture(scope="module")
def known():
    return {m.name: m for m in fetch_jaspar(["CTCF", "SOX2", "GATA1"])}


def test_similarity_finds_the_strand_and_offset(known):
    ctcf = known["CTCF"].ppm
    assert similarity(ctcf, ctcf)[:2] == pytest.approx((1.0, 0))
    score, offset, reverse = similarity(ctcf, padded(rc(ctcf), 3, 1))
    assert score == pytest.approx(1.0) and reverse and offset == 1  # col i of a ~ col i+1 of rc b
    score, offset, reverse = similarity(ctcf, padded(ctcf, 4, 0))
    assert score == pytest.approx(1.0) and offset == 4 and not reverse
    assert similarity(ctcf, known["SOX2"].ppm)[0] < 0.75


def test_copies_and_twins_become_one_motif_ranked_by_influence(known):
    ctcf, sox2 = known["CTCF"].ppm, known["SOX2"].ppm
    noise = np.random.default_rng(0).dirichlet(np.full(4, 50.0), size=12).T  # ~0 bits
    learned = [
        LearnedMotif(Motif("f0", "f0", padded(ctcf, 2, 2)), "filter", 0.2, 30, 0),
        LearnedMotif(Motif("f1", "f1", padded(rc(ctcf), 0, 3)), "filter", 0.5, 40, 1),
        LearnedMotif(Motif("f2", "f2", padded(sox2, 3, 3)), "filter", 0.1, 20, 2),
        LearnedMotif(Motif("p0", "p0", ctcf[:, 2:13]), "modisco_pos", 0.3, 50),
        LearnedMotif(Motif("f3", "f3", noise), "filter", 0.9, 5, 3),
    ]
    clusters, left_out = cluster_motifs(learned)
    assert [m.motif.id for m in left_out] == ["f3"]
    assert [[m.motif.id for m in c.members] for c in clusters] == [["f1", "p0", "f0"], ["f2"]]
    assert [c.motif.id for c in clusters] == ["motif1", "motif2"]
    shown = clusters[0].motif.ppm  # the core of its sharpest member
    assert clusters[0].source in {"f0", "f1", "p0"}
    assert similarity(shown, ctcf)[0] > 0.95 and shown.shape[1] <= ctcf.shape[1]


def test_a_motif_is_shown_by_a_member_seen_in_enough_sites(known):
    """A TF-MoDISco pattern of 27 seqlets (frequencies in 27ths, as one demo model learned
    GATA1) looks sharper than the filter that saw GATA1 in 343 sites, but only the filter's
    PPM matches GATA1: with one pseudocount site per base the well-counted member is shown;
    seen in as many sites, the sharper one would be."""
    few = np.array(
        [  # A C G T rows; AGATTAG with three columns split 12:15
            [1.0, 0.0, 1.0, 12 / 27, 1 / 27, 15 / 27, 0.0],
            [0.0, 12 / 27, 0.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 15 / 27, 0.0, 0.0, 0.0, 12 / 27, 1.0],
            [0.0, 0.0, 0.0, 15 / 27, 26 / 27, 0.0, 0.0],
        ]
    )
    gata1 = known["GATA1"].ppm
    for pattern_sites, shown in ((27, "f0"), (343, "p0")):
        learned = [
            LearnedMotif(Motif("f0", "f0", padded(gata1, 2, 2)), "filter", 0.15, 343, 0),
            LearnedMotif(Motif("p0", "p0", few), "modisco_pos", 0.09, pattern_sites),
        ]
        clusters, _ = cluster_motifs(learned)
        assert len(clusters) == 1 and clusters[0].source == shown, (pattern_sites, clusters)


def test_matching_uses_the_informative_core_and_corrects_over_all_pairs(known):
    targets = jaspar_collection()
    ctcf = Motif("learned_ctcf", "x", padded(known["CTCF"].ppm, 5, 5))
    uniform = Motif("flat", "x", np.repeat(UNIFORM, 10, 1))
    matches = match_motifs([ctcf, uniform], targets, top=3)
    assert {m.query for m in matches} == {"learned_ctcf"}  # too little information to match
    best = matches[0]
    assert best.rank == 1 and best.target_name == "CTCF" and best.specific
    assert best.q < 0.05 and best.q >= best.q_query and best.offset >= -5
    assert core(ctcf.ppm)[1] == 5 + core(known["CTCF"].ppm)[1]  # flanks are not in the core


def test_long_gc_rich_matrices_do_not_explain_short_gc_motifs():
    """A short GC-rich motif of another family (SP/KLF GC box) must not best-match the long
    CTCF matrices, the artefact that named CTCF in reports of other TFs."""
    targets = jaspar_collection()
    gc_box = fetch_jaspar(["KLF4"])[0]
    learned = Motif("gc_box", "x", padded(gc_box.ppm, 6, 6))
    best = next(m for m in match_motifs([learned], targets) if m.rank == 1)
    assert best.target_id not in ("MA1929.2", "MA1930.2")
    assert "Kruppel" in best.target_family or "zinc" in best.target_family.lower()


def test_fimo_sites_and_genome_coordinates(known):
    rng = np.random.default_rng(1)
    ctcf = known["CTCF"]
    instance = "".join("ACGT"[i] for i in ctcf.ppm.argmax(axis=0))
    records = []
    for i in range(20):
        bases = "".join(rng.choice(list("ACGT"), 80))
        records.append(
            Record(f"chr1:{1000 * i}-{1000 * i + 80}", bases[:30] + instance + bases[45:])
        )
    sites = scan_sites([Motif("motif1", "m", ctcf.ppm)], records, threshold=1e-5)
    planted = [(r.id, 30, 30 + ctcf.width) for r in records]
    recall, false = site_recall([(s.record, s.start, s.end) for s in sites], planted)
    assert recall == 1.0 and false <= 0.1
    site = Site("chr2:100-200", "m", 10, 20, "+", 5.0, 1e-6, "fimo")
    assert genome_interval(site) == ("chr2", 110, 120, "+")
    minus = Site("chr2:100-200(-)", "m", 10, 20, "+", 5.0, 1e-6, "fimo")
    assert genome_interval(minus) == ("chr2", 180, 190, "-")
    assert genome_interval(Site("read7", "m", 1, 4, "-", 1.0, None, "seqlet"))[:3] == (
        "read7",
        1,
        4,
    )


def test_tf_modisco_results_are_saved_in_modiscos_own_h5(known, tmp_path):
    """modisco-lite's reader (the one `modisco report` uses) opens the .h5 motifnet writes."""
    from modiscolite.io import write_meme_from_h5
    from modiscolite.util import MemeDataType

    from motifnet.motifs.attribution import modisco_motifs
    from motifnet.motifs.meme import read_motifs
    from motifnet.sequence import one_hot

    rng = np.random.default_rng(2)
    instance = "".join("ACGT"[i] for i in known["CTCF"].ppm.argmax(axis=0))
    sequences = ["".join(rng.choice(list("ACGT"), 100)) for _ in range(400)]
    sequences = [s[:40] + instance + s[40 + len(instance) :] for s in sequences]
    x = one_hot(sequences)
    hypothetical = np.zeros_like(x)
    hypothetical[:, :, 40 : 40 + len(instance)] = x[:, :, 40 : 40 + len(instance)]
    hypothetical += rng.normal(0, 0.01, x.shape).astype(np.float32)
    result = modisco_motifs(x, hypothetical, max_seqlets=400, leiden_runs=2)
    assert result.motifs and result.seqlets
    path = result.save_h5(tmp_path / "modisco.h5")
    write_meme_from_h5(str(path), MemeDataType.PFM, str(tmp_path / "from_h5.meme"), True)
    assert len(read_motifs(tmp_path / "from_h5.meme")) == len(result.motifs)


def test_names_need_influence_corroboration_significance_and_specificity():
    from motifnet.motifs.cluster import MotifCluster
    from motifnet.motifs.discover import named_clusters
    from motifnet.motifs.matching import Match

    def cluster(name: str, influence: float, members: int) -> MotifCluster:
        learned = LearnedMotif(Motif("f", "f", np.repeat(UNIFORM, 4, 1)), "filter", 0.1, 5)
        return MotifCluster(
            Motif(name, name, np.repeat(UNIFORM, 4, 1)), [learned] * members, influence
        )

    def match(query, target, p, q, rank=1, specific=True):
        return Match(query, target, target, p, q, "+", 0, "fam", rank=rank, specific=specific)

    clusters = [
        cluster("motif1", 0.80, 5),
        cluster("motif2", 0.10, 2),  # a fragment: ZIC4 a little better than CTCF
        cluster("motif3", 0.06, 1),  # learned once
        cluster("motif4", 0.02, 3),  # below 5% of the top
        cluster("motif5", 0.05, 2),  # ambiguous
    ]
    matches = [
        match("motif1", "CTCF", 1e-20, 1e-16),
        match("motif2", "ZIC4", 1e-5, 0.01),
        match("motif2", "CTCF", 3e-5, 0.02, rank=2, specific=None),
        match("motif3", "FOXP3", 1e-6, 0.01),
        match("motif4", "GATA1", 1e-6, 0.01),
        match("motif5", "PRDM9", 1e-5, 0.04, specific=False),
    ]
    named = named_clusters(clusters, matches)
    assert {name: m.target_name for name, m in named.items()} == {
        "motif1": "CTCF",
        "motif2": "CTCF",
    }
