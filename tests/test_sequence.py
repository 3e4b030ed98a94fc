import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from motifnet.sequence import (
    DNA,
    Alphabet,
    decode,
    dinucleotide_shuffle,
    one_hot,
    reverse_complement,
)
from motifnet.sequence.alphabet import IUPAC_BASES

dna = st.text(alphabet="ACGTN", min_size=1, max_size=300)
iupac = st.text(alphabet="ACGT" + "".join(IUPAC_BASES), min_size=1, max_size=200)
mixed_case = st.text(alphabet="ACGTNacgtn", min_size=1, max_size=200)


def test_alphabet_refuses_an_order_whose_reverse_is_not_its_complement():
    with pytest.raises(ValueError, match="not its complement"):
        Alphabet("ATGC")
    with pytest.raises(ValueError, match="four letters"):
        Alphabet("ACGU")
    assert Alphabet("AGCT").letters == "AGCT"
    assert Alphabet("TGCA").letters == "TGCA"


def test_one_hot_shape_dtype_and_channel_order():
    x = one_hot("ACGTN")
    assert x.dtype == np.float32 and x.shape == (4, 5)
    np.testing.assert_array_equal(x[:, :4], np.eye(4, dtype=np.float32))
    np.testing.assert_array_equal(x[:, 4], np.full(4, 0.25, dtype=np.float32))
    batch = one_hot(["ACG", "TTT"])
    assert batch.shape == (2, 4, 3)
    np.testing.assert_array_equal(batch[1], one_hot("TTT"))


def test_iupac_codes_map_to_base_fractions_or_zero():
    np.testing.assert_allclose(one_hot("R")[:, 0], [0.5, 0, 0.5, 0])
    np.testing.assert_allclose(one_hot("B")[:, 0], [0, 1 / 3, 1 / 3, 1 / 3])
    zero = Alphabet(ambiguous="zero")
    np.testing.assert_array_equal(one_hot("NRy", alphabet=zero), np.zeros((4, 3), np.float32))
    assert decode(one_hot("ANRC", alphabet=zero), alphabet=zero) == "ANNC"


def test_other_alphabet_order_is_respected():
    agct = Alphabet("AGCT")
    np.testing.assert_array_equal(one_hot("G", alphabet=agct)[:, 0], [0, 1, 0, 0])
    assert decode(one_hot("ACGTR", alphabet=agct), alphabet=agct) == "ACGTR"


@pytest.mark.parametrize(
    "bad, char, where",
    [
        ("ACGX", "X", "position 3"),
        ("AC-G", "-", "position 2"),
        ("AC1", "1", "position 2"),
        ("ACU", "U", "position 2"),
    ],
)
def test_invalid_characters_are_named(bad, char, where):
    with pytest.raises(ValueError, match=f"invalid character '{char}' at {where}"):
        one_hot(bad)


def test_batch_errors_name_the_sequence_and_unequal_lengths():
    with pytest.raises(ValueError, match="sequence 1, position 0"):
        one_hot(["ACG", "ZCG"])
    with pytest.raises(ValueError, match="equal lengths"):
        one_hot(["ACG", "AC"])


def test_out_buffer_is_reused_and_checked():
    buffer = np.empty((3, 4, 10), dtype=np.float32)
    seqs = ["ACGTACGTAC", "GGGGGCCCCC", "NNNNNAAAAA"]
    result = one_hot(seqs, out=buffer)
    assert result is buffer or np.shares_memory(result, buffer)
    np.testing.assert_array_equal(buffer, one_hot(seqs))
    with pytest.raises(ValueError, match="C-contiguous float32"):
        one_hot(seqs, out=np.empty((3, 4, 9), dtype=np.float32))


@given(dna)
def test_decode_inverts_one_hot(seq):
    assert decode(one_hot(seq)) == seq


@given(iupac)
def test_decode_inverts_one_hot_for_iupac_codes(seq):
    assert decode(one_hot(seq)) == seq


@given(mixed_case)
def test_lowercase_encodes_like_uppercase(seq):
    np.testing.assert_array_equal(one_hot(seq), one_hot(seq.upper()))


@given(iupac)
def test_rc_of_one_hot_is_one_hot_of_rc(seq):
    np.testing.assert_array_equal(
        reverse_complement(one_hot(seq)), one_hot(reverse_complement(seq))
    )


@given(mixed_case)
def test_rc_is_an_involution_on_strings_arrays_and_tensors(seq):
    assert reverse_complement(reverse_complement(seq)) == seq
    x = one_hot(seq)
    np.testing.assert_array_equal(reverse_complement(reverse_complement(x)), x)
    t = torch.from_numpy(x)
    assert torch.equal(reverse_complement(reverse_complement(t)), t)


def test_rc_definition_and_types():
    assert reverse_complement("AACGTn") == "nACGTT"
    assert reverse_complement(b"AAC") == b"GTT"
    assert reverse_complement(["AC", "GG"]) == ["GT", "CC"]
    x = np.random.default_rng(0).random((2, 4, 7)).astype(np.float32)
    rc = reverse_complement(x)
    for c in range(4):
        for pos in range(7):
            assert rc[1, c, pos] == x[1, 3 - c, 6 - pos]
    torch.testing.assert_close(reverse_complement(torch.from_numpy(x)), torch.from_numpy(rc))
    with pytest.raises(ValueError, match=r"\(\.\.\., 4, L\)"):
        reverse_complement(np.zeros((3, 5)))


def _dinucleotides(seq: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for i in range(len(seq) - 1):
        counts[seq[i : i + 2]] = counts.get(seq[i : i + 2], 0) + 1
    return counts


@settings(max_examples=200)
@given(st.text(alphabet="ACGTN", min_size=0, max_size=300), st.integers(0, 2**32 - 1))
def test_shuffle_keeps_dinucleotide_counts_and_ends(seq, seed):
    shuffled = dinucleotide_shuffle(seq, rng=seed)
    assert len(shuffled) == len(seq)
    assert _dinucleotides(shuffled) == _dinucleotides(seq)
    if seq:
        assert shuffled[0] == seq[0] and shuffled[-1] == seq[-1]


def test_shuffle_is_seeded_and_actually_shuffles():
    rng = np.random.default_rng(1)
    seq = "".join(rng.choice(list("ACGT"), 500))
    assert dinucleotide_shuffle(seq, rng=3) == dinucleotide_shuffle(seq, rng=3)
    assert dinucleotide_shuffle(seq, rng=3) != dinucleotide_shuffle(seq, rng=4)
    shuffles = dinucleotide_shuffle([seq, seq], rng=0)
    assert shuffles[0] != seq and shuffles[0] != shuffles[1]


def test_shuffle_samples_every_eulerian_path():
    # "ACAGA" has 2 dinucleotide-preserving orders with first letter A: ACAGA and AGACA.
    seen = {dinucleotide_shuffle("ACAGA", rng=seed) for seed in range(50)}
    assert seen == {"ACAGA", "AGACA"}


def test_default_alphabet_is_acgt():
    assert DNA.letters == "ACGT" and DNA.to_dict() == {"letters": "ACGT", "ambiguous": "fraction"}
