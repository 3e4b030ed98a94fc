"""Encoded tensors, batch augmentation and the LightningDataModule.

Sequences are fitted to the input length and one-hot encoded once; batches are slices of one
tensor (no per-item collation). RC and shift augmentation run on the batch, on its device.
"""

from __future__ import annotations

import numpy as np
import pytorch_lightning as pl
import torch
from torch.nn import functional as F
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler

from motifnet.data.labelled import LabelledSet, fit_length
from motifnet.sequence import DNA, Alphabet, one_hot


def encode(
    data: LabelledSet, length: int, alphabet: Alphabet = DNA
) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, 4, length) float32 inputs and the labels as a tensor."""
    x = one_hot([fit_length(s, length) for s in data.sequences], alphabet=alphabet)
    y = torch.from_numpy(np.ascontiguousarray(data.labels))
    return torch.from_numpy(x), y


class _Batches(Dataset):
    """Indexed by a list of indices, returns the whole batch at once."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor):
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        return self.x[index], self.y[index]


class EpochBatches(BatchSampler):
    """Batches of indices; shuffled, epoch e's order depends only on (seed, e).

    It is the order a RandomSampler with a generator seeded once gives in its e-th pass, so
    runs match earlier ones; ``set_epoch`` (called by Lightning at each epoch start) lets a
    resumed run see the very order the uninterrupted run would have seen.
    """

    def __init__(self, size: int, batch_size: int, *, shuffle: bool, seed: int = 0):
        super().__init__(SequentialSampler(range(size)), batch_size, drop_last=False)
        self.size, self.shuffle, self.seed, self.epoch = size, shuffle, seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self):
        if not self.shuffle:
            yield from super().__iter__()
            return
        sampler = RandomSampler(
            range(self.size), generator=torch.Generator().manual_seed(self.seed)
        )
        for _ in range(self.epoch):
            for _ in sampler:  # the earlier epochs' draws
                pass
        order = list(sampler)
        for start in range(0, self.size, self.batch_size):
            yield order[start : start + self.batch_size]


def batches(
    x: torch.Tensor, y: torch.Tensor, batch_size: int, *, shuffle: bool, seed: int = 0
) -> DataLoader:
    """A DataLoader of whole-tensor slices, shuffled per epoch from ``seed`` when asked. It has
    its own generator, so making its iterator leaves the global RNG (dropout, augmentation)
    alone."""
    return DataLoader(
        _Batches(x, y),
        sampler=EpochBatches(len(x), batch_size, shuffle=shuffle, seed=seed),
        batch_size=None,
        generator=torch.Generator().manual_seed(seed),
    )


def augment(x: torch.Tensor, *, rc: bool, max_shift: int, pad_value: float = 0.25) -> torch.Tensor:
    """Reverse-complement half of the batch at random, and/or shift each sequence by up to
    ``max_shift`` bp either way (the uncovered end filled with ``pad_value``, i.e. N)."""
    if rc:
        flip = torch.rand(x.shape[0], device=x.device) < 0.5
        x = torch.where(flip[:, None, None], x.flip((-2, -1)), x)
    if max_shift > 0:
        length = x.shape[-1]
        padded = F.pad(x, (max_shift, max_shift), value=pad_value)
        offsets = torch.randint(0, 2 * max_shift + 1, (x.shape[0],), device=x.device)
        positions = offsets[:, None] + torch.arange(length, device=x.device)[None, :]
        x = padded.gather(2, positions[:, None, :].expand(-1, x.shape[1], -1))
    return x


class SequenceDataModule(pl.LightningDataModule):
    """Train/valid(/test) sets encoded once at ``length``; train batches shuffled per epoch."""

    def __init__(
        self,
        train: LabelledSet,
        valid: LabelledSet,
        test: LabelledSet | None = None,
        *,
        length: int,
        batch_size: int = 128,
        seed: int = 0,
    ):
        super().__init__()
        self.length, self.batch_size, self.seed = length, batch_size, seed
        self.sets = {"train": train, "valid": valid, "test": test}
        self.tensors = {
            name: encode(data, length) for name, data in self.sets.items() if data is not None
        }

    def train_dataloader(self) -> DataLoader:
        return batches(*self.tensors["train"], self.batch_size, shuffle=True, seed=self.seed)

    def val_dataloader(self) -> DataLoader:
        return batches(*self.tensors["valid"], self.batch_size, shuffle=False)

    def test_dataloader(self) -> DataLoader:
        return batches(*self.tensors["test"], self.batch_size, shuffle=False)
