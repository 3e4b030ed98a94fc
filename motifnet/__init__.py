"""motifnet: find the DNA motifs a neural network learns."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("motifnet")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from motifnet.errors import InputError, MotifnetError
from motifnet.io import Record, read_bed, read_fasta, read_sequences, read_table, write_fasta
from motifnet.sequence import (
    DNA,
    Alphabet,
    decode,
    dinucleotide_shuffle,
    one_hot,
    reverse_complement,
)

_API = ("attribute", "find_motifs", "load", "predict", "scan")


def __getattr__(name: str):
    """The model API (``motifnet.load``, ``predict``, ``attribute``, ``find_motifs``,
    ``scan``) loads torch only when first used."""
    if name in _API:
        from motifnet import api

        return getattr(api, name)
    raise AttributeError(f"module 'motifnet' has no attribute {name!r}")


__all__ = [
    "DNA",
    "Alphabet",
    "InputError",
    "MotifnetError",
    "Record",
    "__version__",
    "attribute",
    "decode",
    "dinucleotide_shuffle",
    "find_motifs",
    "load",
    "one_hot",
    "predict",
    "read_bed",
    "read_fasta",
    "read_sequences",
    "read_table",
    "reverse_complement",
    "scan",
    "write_fasta",
]
