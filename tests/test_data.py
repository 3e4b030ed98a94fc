import numpy as np
import pytest
import torch

from motifnet.data import (
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
    torch.testing.assert_close(x[1, :, 0], torch.full((4,), 0.25))


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


def test_batches_cover_every_record_once():
    x, y = torch.arange(10.0)[:, None, None], torch.arange(10)
    seen = torch.cat([b[1] for b in batches(x, y, 3, shuffle=True, seed=1)])
    assert sorted(seen.tolist()) == list(range(10))
    assert torch.cat([b[1] for b in batches(x, y, 4, shuffle=False)]).tolist() == list(range(10))
