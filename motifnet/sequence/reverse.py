"""Reverse complement of strings, one-hot numpy arrays and torch tensors."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

from motifnet.sequence.alphabet import COMPLEMENT, IUPAC_COMPLEMENT

_PAIRS = {**COMPLEMENT, **IUPAC_COMPLEMENT}
_STR_TABLE = str.maketrans(
    "".join(_PAIRS) + "".join(_PAIRS).lower(),
    "".join(_PAIRS.values()) + "".join(_PAIRS.values()).lower(),
)
_BYTES_TABLE = bytes.maketrans(
    ("".join(_PAIRS) + "".join(_PAIRS).lower()).encode(),
    ("".join(_PAIRS.values()) + "".join(_PAIRS.values()).lower()).encode(),
)


def reverse_complement(
    x: str | bytes | np.ndarray | torch.Tensor | list[str],
) -> str | bytes | np.ndarray | torch.Tensor | list[str]:
    """Reverse complement a DNA string/bytes (case and IUPAC codes kept), or a one-hot array.

    Arrays and tensors are (..., 4, L) in an alphabet whose complement is an index flip, so
    RC(x)[c, l] = x[3 - c, L - 1 - l]. Arrays come back as a new contiguous array.
    A list of strings gives a list of their reverse complements.
    """
    if isinstance(x, str):
        return x.translate(_STR_TABLE)[::-1]
    if isinstance(x, bytes):
        return x.translate(_BYTES_TABLE)[::-1]
    torch_module = sys.modules.get("torch")  # a tensor means torch is loaded; never import it here
    if torch_module is not None and isinstance(x, torch_module.Tensor):
        _check_channels(x.shape)
        return x.flip((-2, -1))
    if isinstance(x, np.ndarray):
        _check_channels(x.shape)
        return np.ascontiguousarray(x[..., ::-1, ::-1])
    if isinstance(x, list | tuple):
        return [reverse_complement(item) for item in x]
    raise TypeError(f"cannot reverse complement a {type(x).__name__}")


def _check_channels(shape: tuple[int, ...]) -> None:
    if len(shape) < 2 or shape[-2] != 4:
        raise ValueError(f"expected one-hot input shaped (..., 4, L), got {tuple(shape)}")
