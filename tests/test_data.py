import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from motifnet.data import (
    EpochBatches,
    OneHotCodes,
    augment,
    batches,
    binary_set,
    check_trainable,
    chromosome_split,
    common_length,
    encode,
    fit_length,
    multiclass_set,
    random_split,
    table_set,
)
from motifnet.errors import InputError, MotifnetError
from motifnet.io import Record, SequenceTable
from motifnet.sequence import one_hot


def records(prefix: str, n: int, length: int = 30, seed: int = 0) -> list[Record]:
    rng = np.random.default_rng(seed)
    return [Record(f"{prefix}{i}", "".join(rng.choice(list("ACGT"), length))) for i in range(n)]


def test_binary_set_with_given_and_with_shuffled_negatives():
    data = binary_set(records("p", 5), records("n", 3, seed=1))
    assert data.labels.ravel().tolist() == [1] * 5 + [0] * 3 and data.task_type == "binary"
    shuffled = binary_set(records("p", 5), None, shuffles_per_positive=2, seed=0)
    assert len(shuffled) == 15 and shuffled.ids[5:7] == ["p0_shuf0", "p0_shuf1"]
    assert shuffled.groups[5:7] == ["p0", "p0"]
    assert sorted(shuffled.sequences[5]) == sorted(shuffled.sequences[0])  # same composition
    with pytest.raises(InputError, match="no negative sequences"):
        binary_set(records("p", 5), [])


def test_multiclass_and_table_sets():
    data = multiclass_set({"a": records("a", 2), "b": records("b", 3)})
    assert data.labels.tolist() == [0, 0, 1, 1, 1] and data.task_names == ["a", "b"]
    with pytest.raises(MotifnetError, match="class 'b' has no sequences"):
        multiclass_set({"a": records("a", 2), "b": []})
    rows = [Record(f"r{i}", "ACGT", labels=(i % 2, 1 - i % 2)) for i in range(4)]
    multi = table_set(SequenceTable(rows, ["x", "y"]))
    assert multi.task_type == "multilabel" and multi.labels.shape == (4, 2)
    classes = table_set(
        SequenceTable([Record(f"r{i}", "ACGT", labels=(i % 3,)) for i in range(6)], ["c"])
    )
    assert classes.task_type == "multiclass" and classes.task_names == ["0", "1", "2"]
    with pytest.raises(InputError, match="must be 0 or 1"):
        table_set(
            SequenceTable(
                [Record("a", "AC", labels=(1, 0.5)), Record("b", "AC", labels=(0, 1))], ["x", "y"]
            )
        )


def test_sets_missing_a_class_are_refused():
    one_class = binary_set(records("p", 4), records("n", 2))
    check_trainable(one_class, source="x")
    with pytest.raises(InputError, match="task 'positive' has no negatives"):
        check_trainable(one_class.subset(np.arange(4)), source="x")


def test_random_split_keeps_each_positive_with_its_shuffles():
    data = binary_set(records("p", 200), None, shuffles_per_positive=2, seed=0)
    train, valid, test = random_split(data, valid=0.1, test=0.2, seed=3)
    assert len(train) + len(valid) + len(test) == len(data)
    groups = [set(part.groups) for part in (train, valid, test)]
    assert not (groups[0] & groups[1] or groups[0] & groups[2] or groups[1] & groups[2])
    assert len(groups[1]) == 20 and len(groups[2]) == 40
    again = random_split(data, valid=0.1, test=0.2, seed=3)
    assert again[1].ids == valid.ids


def test_chromosome_split_holds_out_whole_chromosomes():
    located = [
        Record(f"chr{c}:{i * 100}-{i * 100 + 30}", r.sequence)
        for c in (1, 2, 3)
        for i, r in enumerate(records("x", 10, seed=c))
    ]
    data = binary_set(located, None, seed=0)
    train, valid, test = chromosome_split(data, valid_chroms=["chr2"], test_chroms=["chr3"])
    assert {g.split(":")[0] for g in train.groups} == {"chr1"}
    assert {i.split(":")[0] for i in valid.ids} == {"chr2"}  # shuffles follow their positive
    assert len(test) == 20
    with pytest.raises(MotifnetError, match="does not start with chrom:start-end"):
        chromosome_split(binary_set(records("p", 3), None), valid_chroms=["chr1"], test_chroms=[])
    with pytest.raises(MotifnetError, match="no record lies on the valid chromosomes chrX"):
        chromosome_split(data, valid_chroms=["chrX"], test_chroms=[])


def test_length_policy():
    assert common_length(["A" * 5, "A" * 7, "C" * 7]) == 7
    assert fit_length("AACCGGTT", 4) == "CCGG"
    assert fit_length("ACG", 6) == "NACGNN"
    data = binary_set([Record("a", "ACGTACGT"), Record("b", "AC")], [Record("c", "GGGG")])
    x, y = encode(data, 4)
    assert x.shape == (3, 4, 4) and y.shape == (3, 1)
    torch.testing.assert_close(x[1][:, 0], torch.full((4,), 0.25))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="ACGTacgtNnRYKMSWBDHV", max_size=30), min_size=1, max_size=12),
    st.integers(1, 25),
    st.data(),
)
def test_sequences_kept_as_bytes_give_the_one_hot_batches_of_the_whole_set(sequences, length, data):
    """Sets are kept at 1 byte per base and encoded per batch: any batch equals the rows of
    one_hot over the whole fitted set, so training sees exactly what it saw before."""
    codes = OneHotCodes.from_sequences(sequences, length)
    whole = torch.from_numpy(one_hot([fit_length(s, length) for s in sequences]))
    assert codes.shape == tuple(whole.shape) and codes.codes.dtype == torch.uint8
    rows = data.draw(st.lists(st.integers(0, len(sequences) - 1), max_size=8))
    assert torch.equal(codes[rows], whole[rows])
    assert torch.equal(codes[1:5], whole[1:5])


def test_bytes_with_letters_outside_the_alphabet_are_refused_by_place():
    with pytest.raises(ValueError, match=r"'X' at sequence 1, position 2"):
        OneHotCodes.from_sequences(["ACGT", "ACXT"], 4)


def test_labels_are_kept_compact_and_batches_give_float_targets():
    data = binary_set(records("p", 5), records("n", 3, seed=1))
    x, y = encode(data, 30)
    assert y.dtype == torch.uint8
    (inputs, targets), *_ = list(batches(x, y, 4, shuffle=False))
    assert targets.dtype == torch.float32 and targets.ravel().tolist() == [1, 1, 1, 1]
    assert torch.equal(inputs, torch.from_numpy(one_hot([r for r in data.sequences[:4]])))
    classes = multiclass_set({"a": records("a", 3), "b": records("b", 3, seed=2)})
    assert encode(classes, 30)[1].dtype == torch.int64


def test_augment_reverse_complements_and_shifts():
    torch.manual_seed(0)
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (64, 20)), 4).permute(0, 2, 1).float()
    flipped = augment(x, rc=True, max_shift=0)
    same = (flipped == x).flatten(1).all(1)
    rc = (flipped == x.flip((-2, -1))).flatten(1).all(1)
    assert (same | rc).all() and 10 < same.sum() < 54
    shifted = augment(x, rc=False, max_shift=3)
    assert shifted.shape == x.shape
    padded = (shifted == 0.25).all(1).sum(1)
    assert padded.max() <= 3 and padded.sum() > 0


def test_augment_mutates_the_asked_fraction_of_positions_into_bases():
    """EvoAug's random mutation: a drawn position gets a random base (3 in 4 differ)."""
    torch.manual_seed(0)
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (200, 100)), 4).permute(0, 2, 1).float()
    assert torch.equal(augment(x, rc=False, max_shift=0), x)
    mutated = augment(x, rc=False, max_shift=0, mutate=0.2)
    assert (mutated.sum(1) == 1).all() and ((mutated == 0) | (mutated == 1)).all()
    changed = (mutated != x).any(1).float().mean().item()
    assert changed == pytest.approx(0.2 * 3 / 4, abs=0.01)


def test_batches_cover_every_record_once():
    x, y = torch.arange(10.0)[:, None, None], torch.arange(10)
    seen = torch.cat([b[1] for b in batches(x, y, 3, shuffle=True, seed=1)])
    assert sorted(seen.tolist()) == list(range(10))
    assert torch.cat([b[1] for b in batches(x, y, 4, shuffle=False)]).tolist() == list(range(10))


@pytest.mark.parametrize("size", [12, 13, 1])
@pytest.mark.parametrize("processes", [2, 3])
def test_distributed_processes_share_each_epoch_and_see_every_sample(size, processes):
    """Each process keeps every n-th index of the same epoch order: training orders are
    wrapped to whole rounds (equal step counts, at most processes - 1 repeats), evaluation
    orders split without repeats. One process gives exactly the single-process order."""

    def shards(shuffle):
        samplers = [
            EpochBatches(size, 2, shuffle=shuffle, seed=5, rank=r, processes=processes)
            for r in range(processes)
        ]
        for sampler in samplers:
            sampler.set_epoch(3)
        return samplers, [[i for batch in sampler for i in batch] for sampler in samplers]

    alone = EpochBatches(size, 2, shuffle=True, seed=5)
    alone.set_epoch(3)
    samplers, seen = shards(shuffle=True)
    assert {i for part in seen for i in part} == set(range(size))
    assert len({len(part) for part in seen}) == 1  # the same number of steps everywhere
    assert sum(map(len, seen)) - size < processes
    assert [len(list(s)) for s in samplers] == [len(s) for s in samplers]
    round_robin = [i for step in zip(*seen, strict=True) for i in step][:size]
    assert round_robin == [i for batch in alone for i in batch]
    samplers, seen = shards(shuffle=False)
    assert sorted(i for part in seen for i in part) == list(range(size))
    assert [len(list(s)) for s in samplers] == [len(s) for s in samplers]
