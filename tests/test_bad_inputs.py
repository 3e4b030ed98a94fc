"""A corpus of bad, awkward and hostile inputs, run through every subcommand that reads files.

Each must stop with exit status 2 and one error line that names the file, never a traceback,
and leave no partial output. Checkpoints from strangers must not run code.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
import torch
from conftest import train_one_epoch

from motifnet.cli import main
from motifnet.io import Record, write_fasta

GOOD = "".join("ACGT"[(i * 7 + i // 3) % 4] for i in range(60))


def _fasta_corpus(folder: Path) -> dict[str, Path]:
    """name -> a bad sequence file."""
    texts: dict[str, bytes] = {
        "empty.fa": b"",
        "header_only.fa": b">a\n",
        "digits.fa": f">a\n{GOOD[:20]}7{GOOD[21:]}\n".encode(),
        "protein.fa": b">p\nMKVLATQEEWRSLLPQ\n",
        "binary.fa": bytes(range(256)) * 3,
        "non_utf8.fa": b">seq\xff\xfe\nACGT\n>b\nAC\x80GT\n",
        "duplicate_ids.fa": f">a\n{GOOD}\n>a\n{GOOD}\n".encode(),
        "rna_u.fa": f">a\n{GOOD.replace('T', 'U')}\n".encode(),
        "no_sequence_column.csv": f"id,seq\na,{GOOD}\n".encode(),
        "nan_label.csv": f"sequence,label\n{GOOD},1\n{GOOD},NaN\n".encode(),
        "invalid_label.csv": f"sequence,label\n{GOOD},1\n{GOOD},yes\n".encode(),
    }
    paths = {}
    for name, data in texts.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    full = gzip.compress(f">a\n{GOOD}\n>b\n{GOOD}\n".encode() * 50)
    paths["truncated.fa.gz"] = folder / "truncated.fa.gz"
    paths["truncated.fa.gz"].write_bytes(full[: len(full) // 2])
    paths["fake.fa.gz"] = folder / "fake.fa.gz"
    paths["fake.fa.gz"].write_bytes(b"\x1f\x8b" + b"this is not gzip data at all" * 10)
    return paths


def _bed_corpus(folder: Path) -> dict[str, Path]:
    lines = {
        "out_of_range.bed": "chrA\t100\t9000\n",
        "unknown_chromosome.bed": "chrZ\t0\t60\n",
        "start_after_end.bed": "chrA\t80\t20\n",
        "empty.bed": "",
    }
    paths = {}
    for name, text in lines.items():
        paths[name] = folder / name
        paths[name].write_text(text)
    return paths


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    good = folder / "good.fa"
    write_fasta([Record(f"s{i}", GOOD[i:] + GOOD[:i]) for i in range(40)], good)
    genome = folder / "genome.fa"
    write_fasta([Record("chrA", GOOD * 20)], genome)
    checkpoint = train_one_epoch({"pos": [str(good)]}, folder / "run")
    from motifnet.motifs import fetch_jaspar
    from motifnet.motifs.meme import write_meme

    write_meme(fetch_jaspar(["CTCF"]), folder / "db.meme")
    return {
        "folder": folder,
        "good": good,
        "genome": genome,
        "checkpoint": checkpoint,
        "fasta": _fasta_corpus(folder),
        "bed": _bed_corpus(folder),
    }


def _out(tmp_path: Path) -> Path:
    return tmp_path / "out" / "result.tsv"


def _commands(c: dict, bad: Path, out: Path) -> dict[str, list[str]]:
    """Every subcommand, reading ``bad`` where it reads sequences."""
    ckpt = str(c["checkpoint"])
    outdir = str(out.parent)
    return {
        "inspect": ["inspect", str(bad)],
        "predict": ["predict", ckpt, str(bad), "-o", str(out), "--quiet"],
        "evaluate": ["evaluate", ckpt, "--pos", str(bad)],
        "motifs": [
            "motifs",
            ckpt,
            str(bad),
            "-o",
            outdir,
            "--attribution",
            "none",
            "--motif-db",
            str(c["folder"] / "db.meme"),
        ],
        "check": ["check", ckpt, "--input", str(bad), "--length", "50", "--shifts", "4"],
        "train": ["train", "--pos", str(bad), "-o", outdir, "--max-epochs", "1", "--quiet"],
        "prepare": ["prepare", "--pos", str(bad), "-o", outdir],
        "experiment": ["experiment", ckpt, "GATTACA", "--background", str(bad), "-o", outdir],
        "simulate": [
            "simulate",
            "-o",
            outdir,
            "--background",
            "shuffle",
            "--background-fasta",
            str(bad),
            "-n",
            "20",
        ],
    }


def _assert_refused(code: int, err: str, names: str, out: Path) -> None:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert code == 2, err
    assert "Traceback" not in err
    assert lines and ": error: " in lines[-1] and names in lines[-1], err
    assert not out.exists() and not out.parent.exists(), "partial output left behind"


FASTA_CASES = [
    "empty.fa",
    "header_only.fa",
    "digits.fa",
    "protein.fa",
    "binary.fa",
    "non_utf8.fa",
    "duplicate_ids.fa",
    "rna_u.fa",
    "no_sequence_column.csv",
    "nan_label.csv",
    "invalid_label.csv",
    "truncated.fa.gz",
    "fake.fa.gz",
]
COMMANDS = [
    "inspect",
    "predict",
    "evaluate",
    "motifs",
    "check",
    "train",
    "prepare",
    "experiment",
    "simulate",
]
# inputs a command accepts by design: predict and check read no labels, and duplicate ids
# are kept where every record gets its own row
ACCEPTED = {
    ("predict", "duplicate_ids.fa"),
    ("predict", "nan_label.csv"),
    ("predict", "invalid_label.csv"),
    ("check", "duplicate_ids.fa"),
    ("check", "nan_label.csv"),
    ("check", "invalid_label.csv"),
    ("motifs", "duplicate_ids.fa"),
    ("experiment", "duplicate_ids.fa"),
    ("experiment", "nan_label.csv"),
    ("experiment", "invalid_label.csv"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", FASTA_CASES)
def test_bad_sequence_files(corpus, tmp_path, capsys, command, case):
    bad = corpus["fasta"][case]
    out = _out(tmp_path)
    code = main(_commands(corpus, bad, out)[command])
    if (command, case) in ACCEPTED:
        assert code == 0, capsys.readouterr().err
        return
    _assert_refused(code, capsys.readouterr().err, case, out)


@pytest.mark.parametrize(
    "case", ["out_of_range.bed", "unknown_chromosome.bed", "start_after_end.bed", "empty.bed"]
)
@pytest.mark.parametrize("command", ["predict", "evaluate", "motifs", "check", "train", "scan"])
def test_bad_bed_files(corpus, tmp_path, capsys, command, case):
    bed, genome, out = corpus["bed"][case], str(corpus["genome"]), _out(tmp_path)
    if command == "scan":
        argv = ["scan", str(corpus["checkpoint"]), genome, "--regions", str(bed), "-o", str(out)]
    else:
        argv = [*_commands(corpus, bed, out)[command], "--genome", genome]
    code = main(argv)
    _assert_refused(code, capsys.readouterr().err, case, out)


@pytest.mark.parametrize(
    "case",
    [
        "binary.fa",
        "non_utf8.fa",
        "digits.fa",
        "rna_u.fa",
        "duplicate_ids.fa",
        "header_only.fa",
        "empty.fa",
    ],
)
def test_bad_genomes_for_scan(corpus, tmp_path, capsys, case):
    genome = tmp_path / case
    genome.write_bytes(corpus["fasta"][case].read_bytes())
    out = _out(tmp_path)
    code = main(["scan", str(corpus["checkpoint"]), str(genome), "-o", str(out), "--quiet"])
    _assert_refused(code, capsys.readouterr().err, case, out)


class _RunsCode:
    """A pickled call: loading it with pickle runs os.system."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _bad_checkpoints(folder: Path) -> dict[str, Path]:
    paths = {"text.ckpt": folder / "text.ckpt", "folder.ckpt": folder / "folder.ckpt"}
    paths["text.ckpt"].write_text("not a checkpoint")
    paths["folder.ckpt"].mkdir(exist_ok=True)
    evil = folder / "evil.ckpt"
    real = torch.load(folder / "run" / "model.ckpt", weights_only=True)
    real["callbacks"] = {"x": _RunsCode(folder / "PWNED")}
    torch.save(real, evil)
    paths["evil.ckpt"] = evil
    paths["missing.ckpt"] = folder / "missing.ckpt"
    return paths


@pytest.mark.parametrize("case", ["text.ckpt", "folder.ckpt", "evil.ckpt", "missing.ckpt"])
@pytest.mark.parametrize(
    "command",
    ["predict", "evaluate", "motifs", "check", "scan", "variants", "experiment", "resume"],
)
def test_bad_and_malicious_checkpoints_are_refused_and_run_nothing(
    corpus, tmp_path, capsys, command, case
):
    checkpoint = _bad_checkpoints(corpus["folder"])[case]
    good, out = str(corpus["good"]), _out(tmp_path)
    argv = {
        "predict": ["predict", str(checkpoint), good, "-o", str(out)],
        "evaluate": ["evaluate", str(checkpoint), "--pos", good],
        "motifs": ["motifs", str(checkpoint), good, "-o", str(out.parent)],
        "check": ["check", str(checkpoint)],
        "scan": ["scan", str(checkpoint), str(corpus["genome"]), "-o", str(out)],
        "variants": [
            "variants",
            str(checkpoint),
            str(_good_vcf(corpus)),
            "-g",
            str(corpus["genome"]),
            "-o",
            str(out),
        ],
        "experiment": ["experiment", str(checkpoint), "GATTACA", "-o", str(out.parent)],
        "resume": ["train", "--pos", good, "-o", str(out.parent), "--resume", str(checkpoint)],
    }[command]
    quiet = command in ("predict", "scan", "variants", "experiment", "resume")
    code = main([*argv, "--quiet"] if quiet else argv)
    _assert_refused(code, capsys.readouterr().err, case, out)
    assert not (corpus["folder"] / "PWNED").exists(), "a checkpoint ran code"


@pytest.mark.parametrize(
    "command", ["predict", "scan", "variants", "experiment", "motifs", "train", "prepare"]
)
def test_unwritable_outputs_are_found_before_any_work(corpus, tmp_path, capsys, command):
    blocker = tmp_path / "a_file"
    blocker.write_text("in the way")
    good, ckpt = str(corpus["good"]), str(corpus["checkpoint"])
    for target, name in ((blocker / "out.tsv", "a_file"), (tmp_path, str(tmp_path))):
        argv = {
            "predict": ["predict", ckpt, good, "-o", str(target)],
            "scan": ["scan", ckpt, str(corpus["genome"]), "-o", str(target)],
            "variants": [
                "variants",
                ckpt,
                str(_good_vcf(corpus)),
                "-g",
                str(corpus["genome"]),
                "-o",
                str(target),
            ],
            "experiment": ["experiment", ckpt, "GATTACA", "-o", str(blocker)],
            "motifs": ["motifs", ckpt, good, "-o", str(blocker)],
            "train": ["train", "--pos", good, "-o", str(blocker)],
            "prepare": ["prepare", "--pos", good, "-o", str(blocker)],
        }[command]
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2 and "Traceback" not in err and name in err.strip().splitlines()[-1]
    assert blocker.read_text() == "in the way"


def test_a_failed_run_leaves_the_earlier_output_intact(corpus, tmp_path, capsys):
    out = tmp_path / "predictions.tsv"
    out.write_text("earlier results\n")
    bad = str(corpus["fasta"]["digits.fa"])
    assert main(["predict", str(corpus["checkpoint"]), bad, "-o", str(out), "--quiet"]) == 2
    assert out.read_text() == "earlier results\n"
    assert [p.name for p in tmp_path.iterdir()] == ["predictions.tsv"]  # no temporary left


def test_ids_that_would_break_the_tsv_are_refused(corpus, tmp_path, capsys):
    table = tmp_path / "ids.csv"
    table.write_text(f'id,sequence\nok,{GOOD}\n"two\nlines",{GOOD}\n"a\ttab",{GOOD}\n')
    out = tmp_path / "p.tsv"
    assert main(["predict", str(corpus["checkpoint"]), str(table), "-o", str(out)]) == 2
    assert "line 3: id 'two\\nlines' holds a tab or line break" in capsys.readouterr().err
    assert not out.exists()


def test_a_stray_label_value_is_named_not_turned_into_a_class(tmp_path, capsys):
    rows = "".join(f"{GOOD[i:] + GOOD[:i]},{i % 2}\n" for i in range(200))
    table = tmp_path / "labels.csv"
    table.write_text("sequence,label\n" + rows + f"{GOOD},2\n")
    assert main(["prepare", "--table", str(table), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "labels.csv: line 202: label column 'label' holds 2 on 1 of 201 rows" in err


def test_config_files_are_checked_whole(corpus, tmp_path, capsys):
    config = tmp_path / "settings.yaml"
    config.write_text("max_epochs: ten\n")
    argv = ["train", "--pos", str(corpus["good"]), "--config", str(config), "--max-epochs", "1"]
    assert main([*argv, "-o", str(tmp_path / "run")]) == 2
    assert "settings.yaml: max_epochs: Input should be a valid integer" in capsys.readouterr().err
    config.write_bytes(b"\xff\xfe\x00 not text")
    assert main([*argv, "-o", str(tmp_path / "run")]) == 2
    assert "settings.yaml: not a text file" in capsys.readouterr().err
    assert main(["train", "--pos", str(corpus["good"]), "--config", str(tmp_path)]) == 2
    assert "is a folder, not a config file" in capsys.readouterr().err


def test_overlapping_regions_and_crlf_files(corpus, tmp_path, capsys):
    regions = tmp_path / "overlap.bed"
    regions.write_text("chrA\t0\t100\nchrA\t50\t150\n")
    out = tmp_path / "t.bedGraph"
    command = ["scan", str(corpus["checkpoint"]), str(corpus["genome"]), "-o", str(out)]
    assert main([*command, "--regions", str(regions), "--quiet"]) == 2
    assert "overlap.bed: regions overlap at chrA:50-100" in capsys.readouterr().err
    crlf = tmp_path / "crlf.fa"
    crlf.write_bytes(f">a\r\n{GOOD[:30]}\r\n{GOOD[30:]}\r\n".encode())
    predictions = tmp_path / "p.tsv"
    assert main(["predict", str(corpus["checkpoint"]), str(crlf), "-o", str(predictions)]) == 0
    assert predictions.read_text().splitlines()[1].startswith("a\t")


def test_leftover_temporary_files_of_killed_runs_are_removed(tmp_path):
    from motifnet.io.atomic import atomic_write

    dead = tmp_path / ".track.bedGraph.motifnet-999999999-abc"
    dead.write_text("half a track")
    alive = tmp_path / f".track.bedGraph.motifnet-{os.getpid()}-xyz"
    alive.write_text("being written")
    with atomic_write(tmp_path / "track.bedGraph") as handle:
        handle.write("done\n")
    assert not dead.exists() and alive.exists()


def test_a_terminated_run_removes_its_temporary_file(corpus, tmp_path):
    """SIGTERM (a cluster's time limit, `kill`) unwinds like Ctrl-C: exit 130, nothing left."""
    import signal
    import subprocess
    import sys
    import time

    records = tmp_path / "many.fa"
    with open(records, "w") as handle:
        for i in range(400_000):
            handle.write(f">r{i}\n{GOOD}\n")
    out = tmp_path / "p.tsv"
    command = [sys.executable, "-m", "motifnet.cli", "predict", str(corpus["checkpoint"])]
    process = subprocess.Popen([*command, str(records), "-o", str(out), "--quiet"])
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".p.tsv.motifnet-*")) and process.poll() is None:
        assert time.monotonic() < deadline, "predict never started writing"
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 130
    assert not out.exists() and not list(tmp_path.glob(".p.tsv.*"))


def test_a_stop_swallowed_inside_a_callback_still_keeps_the_output_unwritten(tmp_path):
    """A SIGTERM whose KeyboardInterrupt a C callback dropped must not let the output land."""
    from motifnet import stopping
    from motifnet.io.atomic import atomic_write

    out = tmp_path / "p.tsv"
    stopping.request()
    try:
        with pytest.raises(KeyboardInterrupt), atomic_write(out) as handle:
            handle.write("half\n")
    finally:
        stopping.clear()
    assert not out.exists() and not list(tmp_path.glob(".p.tsv.*"))


def test_a_window_too_short_for_the_model_is_a_clear_error(corpus, capsys):
    assert main(["check", str(corpus["checkpoint"]), "--length", "12"]) == 2
    assert "cnn cannot take 12 bp inputs" in capsys.readouterr().err


def _good_vcf(corpus: dict) -> Path:
    path = corpus["folder"] / "good.vcf"
    if not path.exists():
        path.write_text(f"#CHROM\tPOS\tID\tREF\tALT\nchrA\t10\t.\t{GOOD[9]}\tA\n")
    return path


VARIANT_FILES = {
    "empty.vcf": b"",
    "header_only.vcf": b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\n",
    "four_columns.vcf": b"#CHROM\tPOS\tID\tREF\tALT\nchrA\t10\t.\tA\n",
    "position_zero.vcf": b"#CHROM\tPOS\tID\tREF\tALT\nchrA\t0\t.\tA\tG\n",
    "position_text.vcf": b"#CHROM\tPOS\tID\tREF\tALT\nchrA\tten\t.\tA\tG\n",
    "no_alt_column.tsv": b"chrom\tpos\tref\nchrA\t10\tA\n",
    "short_row.csv": b"chrom,pos,ref,alt\nchrA,10,A\n",
    "binary.vcf": bytes(range(256)) * 3,
    "truncated.vcf.gz": gzip.compress(b"#CHROM\tPOS\tID\tREF\tALT\n" * 500)[:200],
}


@pytest.mark.parametrize("case", list(VARIANT_FILES))
def test_bad_variant_files(corpus, tmp_path, capsys, case):
    bad = tmp_path / case
    bad.write_bytes(VARIANT_FILES[case])
    out = _out(tmp_path)
    argv = ["variants", str(corpus["checkpoint"]), str(bad), "-g", str(corpus["genome"])]
    code = main([*argv, "-o", str(out), "--quiet"])
    _assert_refused(code, capsys.readouterr().err, case, out)


@pytest.mark.parametrize("case", ["binary.fa", "empty.fa", "duplicate_ids.fa"])
def test_bad_genomes_and_site_files_for_variants(corpus, tmp_path, capsys, case):
    genome = tmp_path / case
    genome.write_bytes(corpus["fasta"][case].read_bytes())
    out = _out(tmp_path)
    vcf = str(_good_vcf(corpus))
    code = main(["variants", str(corpus["checkpoint"]), vcf, "-g", str(genome), "-o", str(out)])
    _assert_refused(code, capsys.readouterr().err, case, out)
    sites = corpus["bed"]["start_after_end.bed"]
    argv = ["variants", str(corpus["checkpoint"]), vcf, "-g", str(corpus["genome"])]
    code = main([*argv, "--sites", str(sites), "-o", str(out)])
    _assert_refused(code, capsys.readouterr().err, "start_after_end.bed", out)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["experiment", "CKPT", "A1", "B1", "C1"], "give one or two motifs"),
        (["experiment", "CKPT", "GATTACA", "--gc", "1.5"], "--gc must lie between 0 and 1"),
        (["experiment", "CKPT", "NO_SUCH_TF"], "has no motif 'NO_SUCH_TF'"),
        (["experiment", "CKPT", "GATTACA", "A" * 56], "do not fit side by side"),
        (["predict", "CKPT", "GOOD", "--threads", "0"], "--threads"),
        (["variants", "CKPT", "VCF", "-g", "GENOME", "--batch-size", "0"], "--batch-size"),
    ],
)
def test_impossible_settings_are_one_line_errors(corpus, tmp_path, capsys, argv, message):
    values = {
        "CKPT": str(corpus["checkpoint"]),
        "GOOD": str(corpus["good"]),
        "VCF": str(_good_vcf(corpus)),
        "GENOME": str(corpus["genome"]),
    }
    argv = [values.get(a, a) for a in argv] + ["-o", str(tmp_path / "out")]
    if argv[0] == "experiment":
        argv.append("--quiet")
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    assert message in err.strip().splitlines()[-1], err
