"""End to end: a model trained with default settings on simulated data finds the planted motifs.

The simulator plants CTCF, GATA1 and SOX2 (JASPAR) into random DNA; `motifnet train` with its
default settings, then `motifnet motifs` against all of JASPAR CORE vertebrates, must report
each planted motif among the known matches (q < 0.05) of the learned motifs, by its own name
or, where JASPAR holds paralogs Tomtom cannot tell apart (SOX2, Sox17, ...), by its family.
"""

from __future__ import annotations

import pytest

from motifnet.cli import main
from motifnet.simulate import SimulationConfig, simulate, write_simulation
from motifnet.summary import planted_motifs, read_matches, recovery


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("recovery")
    config = SimulationConfig(n=8000, length=100, max_sites=4, seed=0)
    write_simulation(config, *simulate(config, progress=False), folder)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["cnn", "rc_cnn"])
def test_default_model_recovers_the_planted_motifs(simulated, tmp_path, arch):
    run = tmp_path / arch
    data = ["--pos", str(simulated / "positive.fa"), "--neg", str(simulated / "negative.fa")]
    assert main(["train", *data, "--arch", arch, "-o", str(run), "--quiet"]) == 0
    positives = str(simulated / "positive.fa")
    motifs = ["motifs", str(run / "model.ckpt"), positives, "-o", str(run / "motifs")]
    assert main([*motifs, "--max-sequences", "2000"]) == 0
    matches = read_matches(run / "motifs" / "matches.tsv")
    found = recovery(matches, planted_motifs(simulated / "truth.json"))
    assert set(found) == {"CTCF", "GATA1", "SOX2"}
    assert all(found.values()), f"{arch}: {found}"
