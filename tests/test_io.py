import gzip

import numpy as np
import pytest
from Bio import SeqIO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motifnet.errors import InputError
from motifnet.io import (
    Record,
    atomic_write,
    read_bed,
    read_fasta,
    read_sequences,
    read_table,
    sequence_format,
    write_fasta,
)
from motifnet.io import fasta as fasta_module


def write(path, text, mode="w"):
    if mode == "gz":
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


def test_fasta_any_width_crlf_blank_lines_and_descriptions(tmp_path):
    path = write(
        tmp_path / "a.fa", ">r1 first > record\r\nACGT\r\nac\r\n\r\n>r2\nGG\n\nTT\n>r3\tdesc\nN"
    )
    records = list(read_fasta(path))
    assert [r.id for r in records] == ["r1", "r2", "r3"]
    assert [r.sequence for r in records] == ["ACGTac", "GGTT", "N"]
    assert records[0].description == "first > record"
    assert records[2].description == "desc"


def test_fasta_gz_equals_plain(tmp_path):
    text = "".join(f">s{i}\n{'ACGT' * (i + 1)}\n" for i in range(50))
    plain = list(read_fasta(write(tmp_path / "a.fa", text)))
    packed = list(read_fasta(write(tmp_path / "a.fa.gz", text, "gz")))
    assert plain == packed and len(plain) == 50


def test_fasta_records_spanning_read_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(fasta_module, "_BLOCK", 7)
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGTN"), rng.integers(1, 40))) for _ in range(30)]
    text = "".join(
        f">id{i} d{i}\n" + "\n".join(s[j : j + 6] for j in range(0, len(s), 6)) + "\n"
        for i, s in enumerate(seqs)
    )
    records = list(read_fasta(write(tmp_path / "a.fa", text)))
    assert [r.sequence for r in records] == seqs
    assert [r.description for r in records] == [f"d{i}" for i in range(30)]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lengths=st.lists(st.integers(1, 30), min_size=1, max_size=12),
    width=st.integers(1, 9),
    block=st.integers(2, 40),
    data=st.data(),
)
def test_fasta_errors_name_the_header_line_of_the_bad_record(
    tmp_path, monkeypatch, lengths, width, block, data
):
    """For any record (the last one and those crossing read blocks included) the line named
    is its header's."""
    monkeypatch.setattr(fasta_module, "_BLOCK", block)
    bad = data.draw(st.integers(0, len(lengths) - 1))
    lines, header_line = [], 0
    for i, n in enumerate(lengths):
        sequence = "A" * n
        if i == bad:
            header_line = len(lines) + 1
            position = data.draw(st.integers(0, n - 1))
            sequence = sequence[:position] + "7" + sequence[position + 1 :]
        lines.append(f">r{i}")
        lines += [sequence[j : j + width] for j in range(0, n, width)]
    path = write(tmp_path / "bad.fa", "\n".join(lines) + "\n")
    with pytest.raises(InputError, match=rf"record 'r{bad}' \(line {header_line}\)"):
        list(read_fasta(path))


def test_fasta_matches_biopython(tmp_path):
    rng = np.random.default_rng(1)
    text = "".join(
        f">chr{i} x\n" + "".join(rng.choice(list("ACGTacgtN"), 500)) + "\n" for i in range(20)
    )
    path = write(tmp_path / "b.fa", text)
    ours = [(r.id, r.sequence) for r in read_fasta(path)]
    theirs = [(r.id, str(r.seq)) for r in SeqIO.parse(path, "fasta")]
    assert ours == theirs


@pytest.mark.parametrize(
    "text, message",
    [
        (">a\nACG1T\n", r"record 'a' \(line 1\): invalid character '1' at position 4"),
        ("", "no FASTA records: the file is empty"),
        ("\n\n", "no FASTA records"),
        ("ACGT\nACGT\n", "line 1: expected a FASTA header"),
        ("\n>a\nAC\n>b\n>c\nGG\n", r"record 'b' \(line 4\): the record has no sequence"),
        (">a\nAC\n>a\nGG\n", "duplicate id 'a'"),
        ("> \nAC\n", "empty header"),
    ],
)
def test_fasta_errors_name_file_record_and_reason(tmp_path, text, message):
    path = write(tmp_path / "bad.fa", text)
    with pytest.raises(InputError, match=message) as info:
        list(read_fasta(path))
    assert str(path) in str(info.value)


def test_duplicate_ids_can_be_allowed(tmp_path):
    path = write(tmp_path / "d.fa", ">a\nAC\n>a\nGG\n")
    assert [r.sequence for r in read_fasta(path, duplicates="allow")] == ["AC", "GG"]


def test_truncated_gzip_is_reported(tmp_path):
    full = gzip.compress(b"".join(b">s%d\n%s\n" % (i, b"ACGT" * 200) for i in range(200)))
    path = tmp_path / "t.fa.gz"
    path.write_bytes(full[: len(full) // 2])
    with pytest.raises(InputError, match="truncated or corrupt gzip"):
        list(read_fasta(path))


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot open"):
        list(read_fasta(tmp_path / "nope.fa"))


def test_write_fasta_round_trips_and_is_atomic(tmp_path):
    records = [Record("a", "ACGT" * 30, "one"), Record("b", "GG")]
    path = tmp_path / "out" / "w.fa"
    assert write_fasta(records, path, width=50) == 2
    assert list(read_fasta(path)) == records
    with pytest.raises(RuntimeError), atomic_write(path) as handle:
        handle.write(">broken\n")
        raise RuntimeError("interrupted")
    assert list(read_fasta(path)) == records
    assert [p.name for p in path.parent.iterdir()] == ["w.fa"]


def test_table_reads_labels_ids_and_tabs(tmp_path):
    path = write(tmp_path / "t.tsv", "id\tsequence\ty1\ty2\nx\tACGT\t1\t0.5\ny\tggnn\t0\t2\n")
    table = read_table(path)
    assert table.label_names == ["y1", "y2"]
    assert table.records == [
        Record("x", "ACGT", labels=(1.0, 0.5)),
        Record("y", "ggnn", labels=(0.0, 2.0)),
    ]
    csv = write(tmp_path / "t.csv", "sequence,label\nACGT,1\nTTTT,0\n")
    assert [r.id for r in read_table(csv).records] == ["row2", "row3"]


def test_many_label_columns_are_read_as_one_compact_array(tmp_path):
    """A multi-task table's labels are parsed as numbers into one float32 array; records may
    leave them out (a tuple per record would cost ~30 bytes per label)."""
    columns = [f"task{i}" for i in range(40)]
    rows = [f"s{n},ACGT,{','.join(str((n + i) % 2) for i in range(40))}" for n in range(5)]
    path = write(tmp_path / "t.csv", "\n".join([",".join(["id", "sequence", *columns]), *rows]))
    table = read_table(path, record_labels=False)
    assert table.labels.dtype == np.float32 and table.labels.shape == (5, 40)
    assert table.labels[1, :3].tolist() == [1, 0, 1] and table.records[1].labels == ()
    assert read_table(path).records[1].labels == tuple(table.labels[1].tolist())


@pytest.mark.parametrize(
    "text, message",
    [
        ("seq,label\nACGT,1\n", r"no 'sequence' column; the columns are \['seq', 'label'\]"),
        ("sequence,label\nACGT,1\nAC9T,0\n", "line 3: invalid character '9'"),
        ("sequence,label\nACGT,yes\n", "line 2: label column 'label' holds 'yes'"),
        ("sequence,a,b\nACGT,1,0\nACGT,1,\n", "line 3: label column 'b' holds ''"),
        ("sequence,a,b\nACGT,1,0\nACGT,x,1\n", "line 3: label column 'a' holds 'x'"),
        ("sequence,label\n,1\n", "line 2: empty sequence"),
        ("sequence,label\n", "no rows"),
        ("", "empty"),
    ],
)
def test_table_errors(tmp_path, text, message):
    path = write(tmp_path / "bad.csv", text)
    with pytest.raises(InputError, match=message):
        read_table(path)


def test_gue_table(shared_data):
    table = read_table(shared_data / "gue" / "tf" / "0" / "dev.csv")
    assert table.label_names == ["label"] and len(table.records) == 1000
    assert {r.labels for r in table.records} == {(0.0,), (1.0,)}
    assert {len(r.sequence) for r in table.records} == {101}


def test_ctcf_fasta(shared_data):
    records = list(read_fasta(shared_data / "ctcf_chipseq" / "valid.fa"))
    assert len(records) == 1000
    assert sum(r.id.endswith("_shuf") for r in records) == 500


@pytest.fixture
def genome(tmp_path):
    return write(tmp_path / "g.fa", ">chr1\nAAAACCCCGGGGTTTT\n>chr2\nacgtNNacgt\n")


def test_bed_reads_intervals_and_minus_strand(tmp_path, genome):
    bed = write(
        tmp_path / "r.bed", "track name=x\n#c\nchr1\t0\t4\tpeakA\nchr1\t4\t8\tp\t0\t-\nchr2 0 4\n"
    )
    records = list(read_bed(bed, genome))
    assert [(r.id, r.sequence, r.description) for r in records] == [
        ("chr1:0-4", "AAAA", "peakA"),
        ("chr1:4-8(-)", "GGGG", "p"),
        ("chr2:0-4", "acgt", ""),
    ]


@pytest.mark.parametrize(
    "line, message",
    [
        ("chr1\t10\t20\n", r"line 1: interval chr1:10-20 runs past the end of chr1 \(16 bp\)"),
        ("chrX\t0\t5\n", "chromosome 'chrX' is not in the genome"),
        ("chr1\t5\n", "needs chrom, start and end"),
        ("chr1\tfive\t9\n", "whole numbers"),
        ("chr1\t5\t5\n", "0 <= start < end"),
        ("chr1\t1\t5\tn\t0\t*\n", "strand must be"),
    ],
)
def test_bed_errors(tmp_path, genome, line, message):
    with pytest.raises(InputError, match=message):
        list(read_bed(write(tmp_path / "r.bed", line), genome))


def test_bed_padding_is_opt_in(tmp_path, genome):
    bed = write(tmp_path / "r.bed", "chr1\t12\t20\n")
    assert [r.sequence for r in read_bed(bed, genome, off_chrom="pad")] == ["TTTTNNNN"]


def test_read_sequences_dispatches_on_format(tmp_path):
    fa = write(tmp_path / "x.txt", ">a\nAC\n")
    tsv = write(tmp_path / "y.data", "sequence\tlabel\nAC\t1\n")
    assert sequence_format(fa) == "table"  # .txt means a table by extension
    assert (
        sequence_format(tsv) == "table"
        and sequence_format(write(tmp_path / "z", ">q\nA\n")) == "fasta"
    )
    assert [r.sequence for r in read_sequences(tsv)] == ["AC"]
    assert [r.id for r in read_sequences(tmp_path / "z")] == ["q"]
