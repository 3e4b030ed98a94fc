"""The sequence layer: alphabets, one-hot encoding, reverse complement, shuffles."""

from motifnet.sequence.alphabet import DNA, Alphabet
from motifnet.sequence.encode import decode, one_hot
from motifnet.sequence.reverse import reverse_complement
from motifnet.sequence.shuffle import dinucleotide_shuffle

__all__ = ["DNA", "Alphabet", "decode", "dinucleotide_shuffle", "one_hot", "reverse_complement"]
