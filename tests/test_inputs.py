"""One input layer: every command that reads sequences takes FASTA, tables and BED + genome."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import train_one_epoch

from motifnet.cli import main
from motifnet.io import Record, read_sequences, write_fasta


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A two-sequence genome, a BED of 40 intervals of 60 bp, the same intervals as FASTA,
    and a one-epoch cnn trained on them."""
    folder = tmp_path_factory.mktemp("inputs")
    rng = np.random.default_rng(11)
    chroms = {name: "".join(rng.choice(list("ACGT"), 3000)) for name in ("chrA", "chrB")}
    genome = folder / "genome.fa"
    write_fasta([Record(name, bases) for name, bases in chroms.items()], genome, width=60)
    intervals = [("chrA" if i % 2 else "chrB", 50 * i, 50 * i + 60) for i in range(40)]
    bed = folder / "peaks.bed"
    bed.write_text("".join(f"{c}\t{s}\t{e}\tpeak{i}\n" for i, (c, s, e) in enumerate(intervals)))
    fasta = folder / "peaks.fa"
    write_fasta([Record(f"{c}:{s}-{e}", chroms[c][s:e]) for c, s, e in intervals], fasta)
    checkpoint = train_one_epoch({"pos": [str(fasta)]}, folder / "run")
    return {"genome": genome, "bed": bed, "fasta": fasta, "checkpoint": checkpoint}


def test_bed_records_are_the_genome_intervals(inputs):
    from_bed = list(read_sequences(inputs["bed"], genome=inputs["genome"]))
    from_fasta = list(read_sequences(inputs["fasta"]))
    assert [(r.id, r.sequence) for r in from_bed] == [(r.id, r.sequence) for r in from_fasta]


def test_predict_reads_bed_with_genome_like_fasta(inputs, tmp_path):
    common = [str(inputs["checkpoint"])]
    out_bed, out_fasta = tmp_path / "bed.tsv", tmp_path / "fasta.tsv"
    bed_args = [str(inputs["bed"]), "--genome", str(inputs["genome"])]
    assert main(["predict", *common, *bed_args, "-o", str(out_bed), "--quiet"]) == 0
    assert main(["predict", *common, str(inputs["fasta"]), "-o", str(out_fasta), "--quiet"]) == 0
    assert out_bed.read_text() == out_fasta.read_text()


def test_evaluate_check_and_motifs_read_bed_with_genome(inputs, tmp_path, capsys):
    genome = ["--genome", str(inputs["genome"])]
    checkpoint, bed = str(inputs["checkpoint"]), str(inputs["bed"])
    assert main(["evaluate", checkpoint, "--pos", bed, *genome, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 80  # 40 peaks + 40 shuffles
    assert (
        main(["check", checkpoint, "--input", bed, *genome, "--length", "50", "--shifts", "4"]) == 0
    )
    assert "40 of 40 records" in capsys.readouterr().out
    from motifnet.motifs import fetch_jaspar
    from motifnet.motifs.meme import write_meme

    database = tmp_path / "db.meme"
    write_meme(fetch_jaspar(["SOX2", "CTCF"]), database)
    out = tmp_path / "motifs"
    command = ["motifs", checkpoint, bed, *genome, "-o", str(out), "--motif-db", str(database)]
    assert main([*command, "--attribution", "none"]) == 0
    assert (out / "index.html").is_file() and (out / "motifs.meme").is_file()


def test_scan_takes_bed_regions(inputs, tmp_path):
    out = tmp_path / "track.bedGraph"
    command = ["scan", str(inputs["checkpoint"]), str(inputs["genome"]), "-o", str(out)]
    assert main([*command, "--regions", str(inputs["bed"]), "--quiet"]) == 0
    assert len(out.read_text().splitlines()) == 40 * 60


@pytest.mark.parametrize("command", ["predict", "motifs"])
def test_bed_without_a_genome_is_a_clear_error(inputs, tmp_path, capsys, command):
    code = main([command, str(inputs["checkpoint"]), str(inputs["bed"]), "-o", str(tmp_path / "x")])
    assert code == 2
    assert "peaks.bed: is a BED file: give the genome FASTA (--genome)" in capsys.readouterr().err
