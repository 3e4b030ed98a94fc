"""DNA alphabets whose channel order makes the complement an index flip."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COMPLEMENT = {"A": "T", "C": "G", "G": "C", "T": "A"}

# IUPAC ambiguity codes and the bases each stands for (N is handled with them).
IUPAC_BASES = {
    "R": "AG",
    "Y": "CT",
    "S": "CG",
    "W": "AT",
    "K": "GT",
    "M": "AC",
    "B": "CGT",
    "D": "AGT",
    "H": "ACT",
    "V": "ACG",
    "N": "ACGT",
}
IUPAC_COMPLEMENT = {
    "R": "Y",
    "Y": "R",
    "S": "S",
    "W": "W",
    "K": "M",
    "M": "K",
    "B": "V",
    "V": "B",
    "D": "H",
    "H": "D",
    "N": "N",
}
AMBIGUITY_MODES = ("fraction", "zero")


@dataclass(frozen=True)
class Alphabet:
    """A channel order for one-hot DNA, e.g. ``"ACGT"``.

    The order must make the complement an index flip (the reverse of the order is its
    complement), so that reverse complement is a flip of both axes. ``ambiguous`` says how
    N and IUPAC codes are encoded: ``"fraction"`` spreads 1 over the bases a code stands for
    (N = 0.25 each, R = 0.5 A + 0.5 G), ``"zero"`` encodes every ambiguous base as all zeros.
    """

    letters: str = "ACGT"
    ambiguous: str = "fraction"

    def __post_init__(self) -> None:
        if sorted(self.letters) != sorted("ACGT"):
            raise ValueError(f"alphabet {self.letters!r} must be an order of the four letters ACGT")
        reverse = self.letters[::-1]
        if any(COMPLEMENT[a] != b for a, b in zip(self.letters, reverse, strict=True)):
            raise ValueError(
                f"alphabet {self.letters!r}: its reverse {reverse!r} is not its complement, so "
                "reverse complement would not be an index flip (ACGT is the usual order)"
            )
        if self.ambiguous not in AMBIGUITY_MODES:
            raise ValueError(f"ambiguous must be one of {AMBIGUITY_MODES}, not {self.ambiguous!r}")

    @property
    def symbols(self) -> str:
        """Every letter the encoder accepts (uppercase): the bases, then N and IUPAC codes."""
        return self.letters + "".join(IUPAC_BASES)

    def vector(self, symbol: str) -> np.ndarray:
        """The float32 column that encodes one (uppercase) symbol."""
        column = np.zeros(len(self.letters), dtype=np.float32)
        if symbol in self.letters:
            column[self.letters.index(symbol)] = 1.0
        elif self.ambiguous == "fraction":
            bases = IUPAC_BASES[symbol]
            for base in bases:
                column[self.letters.index(base)] = 1.0 / len(bases)
        return column

    def to_dict(self) -> dict[str, str]:
        """A plain dict for checkpoints and JSON."""
        return {"letters": self.letters, "ambiguous": self.ambiguous}


DNA = Alphabet()
