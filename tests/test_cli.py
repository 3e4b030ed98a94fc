import gzip
import json
import subprocess
import sys

import pytest

from motifnet.cli import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("digit.fa", b">s1\nACG7T\n", "record 's1' (line 1): invalid character '7'"),
        ("empty.fa", b"", "the file is empty"),
        ("nohdr.fa", b"ACGT\nACGT\n", "line 1: expected a FASTA header starting with '>'"),
        ("cut.fa.gz", gzip.compress(b">s\n" + b"ACGT" * 5000)[:60], "truncated or corrupt gzip"),
        ("noseq.csv", b"seq,label\nACGT,1\n", "no 'sequence' column"),
    ],
)
def test_bad_input_exits_nonzero_with_a_clear_message(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = run_cli(capsys, "inspect", str(path))
    assert code == 2
    assert message in err and str(path) in err
    assert "Traceback" not in err


def test_console_script_shows_no_traceback(tmp_path):
    path = tmp_path / "digit.fa"
    path.write_text(">s1\nAC1\n")
    done = subprocess.run(
        [sys.executable, "-m", "motifnet", "inspect", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "invalid character '1'" in done.stderr and "Traceback" not in done.stderr


def test_a_reader_that_leaves_ends_the_command_quietly(tmp_path):
    path = tmp_path / "a.fa"
    path.write_text(">a\nACGT\n")
    command = [sys.executable, "-m", "motifnet", "inspect", str(path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        child.stdout.close()  # as `motifnet inspect a.fa | head -0` would, before any output
        err = child.stderr.read().decode()
    assert child.returncode == 141 and err == ""


def test_a_broken_pipe_that_is_not_stdout_is_an_error(tmp_path, capsys, monkeypatch):
    def pipe_breaks(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr("motifnet.cli.inspect.run", pipe_breaks)
    path = tmp_path / "a.fa"
    path.write_text(">a\nACGT\n")
    code, _, err = run_cli(capsys, "inspect", str(path))
    assert code == 2 and "error: Broken pipe" in err


def test_inspect_summarises(tmp_path, capsys):
    path = tmp_path / "a.fa"
    path.write_text(">a\nACGTNN\n>b\nggcc\n")
    code, out, _ = run_cli(capsys, "inspect", str(path), "--json")
    summary = json.loads(out)[str(path)]
    assert code == 0 and summary["records"] == 2 and summary["max_length"] == 6
    assert summary["gc_fraction"] == pytest.approx(6 / 8) and summary["lowercase_fraction"] == 0.4


def test_simulate_writes_files_and_help_teaches(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "simulate", "-o", str(tmp_path), "-n", "10", "--length", "60")
    assert code == 0
    assert out.split() == [str(tmp_path / n) for n in ("positive.fa", "negative.fa", "truth.json")]
    with pytest.raises(SystemExit):
        main(["simulate", "--help"])
    help_text = capsys.readouterr().out
    for words in ("bag", "grammar", "truth.json", "examples:", "--background-fasta"):
        assert words in help_text


def test_simulate_bad_settings(tmp_path, capsys):
    code, _, err = run_cli(capsys, "simulate", "-o", str(tmp_path), "--motifs", "NOSUCHTF")
    assert code == 2 and "has no motif 'NOSUCHTF'" in err


def test_check_by_name_prints_the_tables(capsys):
    code, out, _ = run_cli(capsys, "check", "rc_cnn", "--set", "filters=8", "-n", "8")
    assert code == 0
    assert "rc_cnn:" in out and "as the architecture claims" in out
    assert "shift  multiple of stride  output error  trunk error  consistency" in out


def test_check_a_saved_model_as_json(tmp_path, capsys):
    from motifnet.checkpoint import save_model
    from motifnet.nn.registry import build

    save_model(build("hybrid", filters=8, hidden=8), tmp_path / "m.pt")
    code, out, _ = run_cli(
        capsys, "check", str(tmp_path / "m.pt"), "--json", "-n", "4", "--shifts", "1", "8"
    )
    report = json.loads(out)
    assert code == 0 and report["model"]["architecture"] == "hybrid"
    assert report["rc_claim_holds"] is None and [r["shift"] for r in report["shifts"]] == [1, 8]
    code, _, err = run_cli(capsys, "check", str(tmp_path / "m.pt"), "--set", "filters=4")
    assert code == 2 and "--set applies to an architecture name" in err


def test_check_fails_when_a_claimed_invariance_does_not_hold(capsys, monkeypatch):
    from motifnet.nn import registry

    def fake_build(name, **config):
        model = registry._entry("cnn")[1](registry.make_config("cnn", filters=8))
        model.architecture, model.config, model.rc_invariant = "cnn", model.config, True
        return model

    monkeypatch.setattr(registry, "build", fake_build)
    code, out, _ = run_cli(capsys, "check", "cnn", "-n", "8")
    assert code == 1 and "BROKEN" in out


def test_check_uses_real_sequences_and_says_which(tmp_path, capsys):
    path = tmp_path / "p.fa"
    path.write_text(">a\n" + "ACGT" * 60 + "\n>short\nACGT\n")
    code, out, _ = run_cli(capsys, "check", "rc_rnn", "--set", "hidden=4", "--input", str(path))
    assert code == 0 and "1 of 2 records" in out and "1 shorter than 203 bp not used" in out


def test_check_bad_settings_are_user_errors(capsys):
    code, _, err = run_cli(capsys, "check", "cnn", "--set", "filterz=3")
    assert code == 2 and "no setting 'filterz'" in err
    code, _, err = run_cli(capsys, "check", "cnn", "--set", "filters")
    assert code == 2 and "KEY=VALUE" in err


def test_check_help_lists_every_registered_architecture():
    from motifnet.cli.check import ARCHITECTURES
    from motifnet.nn.registry import available

    listed = [line.split()[0] for line in ARCHITECTURES.splitlines()[1:-1]]
    assert listed == available()


def test_prepare_writes_one_split_that_reads_back_without_leakage(tmp_path, capsys):
    from motifnet.data import table_set
    from motifnet.io import read_table

    positives = tmp_path / "pos.fa"
    positives.write_text(
        "".join(f">p{i}\n{'ACGTTGCA' * 5}{'GATC'[i % 4] * 4}\n" for i in range(60))
    )
    code, _, err = run_cli(capsys, "prepare", "--pos", str(positives), "-o", str(tmp_path / "p"))
    assert code == 0 and "train 96, valid 12, test 12" in err
    sets = {
        name: table_set(read_table(tmp_path / "p" / f"{name}.tsv"))
        for name in ("train", "valid", "test")
    }
    assert all(s.task_names == ["positive"] and s.task_type == "binary" for s in sets.values())
    groups = {name: {i.split("_shuf")[0] for i in s.ids} for name, s in sets.items()}
    assert not (groups["train"] & groups["test"]) and not (groups["train"] & groups["valid"])
    summary = json.loads((tmp_path / "p" / "summary.json").read_text())
    assert summary["test"]["sequences"] == 12 and summary["length"] == 44


def test_prepare_keeps_class_names_of_a_multiclass_set(tmp_path, capsys):
    from motifnet.data import table_set
    from motifnet.io import read_table

    for name, base in (("enhancer", "ACGT"), ("promoter", "TTGA"), ("silencer", "GGCA")):
        (tmp_path / f"{name}.fa").write_text(
            "".join(f">{name}{i}\n{base * 10}\n" for i in range(20))
        )
    flags = [f"--class={n}={tmp_path / n}.fa" for n in ("promoter", "enhancer", "silencer")]
    code, _, err = run_cli(capsys, "prepare", *flags, "-o", str(tmp_path / "p"))
    assert code == 0, err
    data = table_set(read_table(tmp_path / "p" / "train.tsv"))
    assert data.task_type == "multiclass"
    assert data.task_names == ["enhancer", "promoter", "silencer"]
    first = {i: data.task_names[label] for i, label in zip(data.ids, data.labels, strict=True)}
    assert all(i.startswith(name) for i, name in first.items())


def test_prepare_without_a_test_set_is_refused(tmp_path, capsys):
    positives = tmp_path / "pos.fa"
    positives.write_text("".join(f">p{i}\nACGTACGTAC\n" for i in range(20)))
    code, _, err = run_cli(
        capsys, "prepare", "--pos", str(positives), "--test-fraction", "0", "-o", str(tmp_path)
    )
    assert code == 2 and "test set is empty" in err
