import pytest
import torch
from torch import nn

from motifnet.equivariance import check, default_shifts, random_one_hot, rc_error, shift_error
from motifnet.nn import RCConv1d
from motifnet.nn.registry import build


def test_rc_error_is_zero_for_rc_cnn_and_not_for_cnn():
    torch.manual_seed(0)
    x = random_one_hot(16, 101)
    assert rc_error(build("rc_cnn", filters=8), x)["max_abs"] < 1e-5
    assert rc_error(build("cnn", filters=8), x)["max_abs"] > 1e-3


def test_rc_error_of_per_position_output_flips_and_swaps_strands():
    torch.manual_seed(0)
    x = random_one_hot(4, 60)
    assert rc_error(nn.Sequential(RCConv1d(4, 3, 5), nn.ReLU()), x)["max_abs"] < 1e-5
    assert rc_error(nn.Sequential(nn.Conv1d(4, 6, 5), nn.ReLU()), x)["max_abs"] > 1e-3


@pytest.mark.parametrize("name", ["cnn", "rc_cnn"])
def test_trunk_is_exactly_equivariant_for_multiples_of_the_stride_only(name):
    torch.manual_seed(0)
    model = build(name, filters=8, channels=8, pool=4)
    rows = shift_error(model, random_one_hot(16, 160), length=140)
    assert [r["shift"] for r in rows] == default_shifts(4) == [1, 2, 3, 4, 8, 12]
    for row in rows:
        if row["multiple_of_stride"]:
            assert row["trunk_error"] < 1e-6
        else:
            assert row["trunk_error"] > 1e-2
        assert 0 <= row["consistency"] <= 1


def test_stride_one_trunk_is_exactly_equivariant_for_every_shift():
    torch.manual_seed(0)
    model = build("cnn", filters=8, channels=8, pool=1)
    rows = shift_error(model, random_one_hot(8, 130), length=120, shifts=[1, 2, 5])
    assert all(row["trunk_error"] < 1e-6 for row in rows)


def test_models_without_a_trunk_report_output_error_only_and_inputs_must_be_long_enough():
    model = nn.Sequential(nn.Conv1d(4, 2, 3), nn.AdaptiveMaxPool1d(1), nn.Flatten())
    rows = shift_error(model, random_one_hot(8, 110), length=100, shifts=[1, 2])
    assert all(row["trunk_error"] is None and row["output_error"] >= 0 for row in rows)
    with pytest.raises(ValueError, match="at least 112 bp"):
        shift_error(model, random_one_hot(8, 110), length=100, shifts=[12])


def test_check_bundles_rc_and_shift_results():
    result = check(build("rc_rnn", hidden=8), random_one_hot(8, 60), length=50)
    assert result["rc"]["max_abs"] < 1e-5 and result["length"] == 50
    assert [r["shift"] for r in result["shifts"]] == [1, 2, 3]
