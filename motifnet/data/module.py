"""Sequences kept as bytes, batch augmentation and the LightningDataModule.

Sequences are fitted to the input length and kept as one byte per base (``OneHotCodes``), and
labels as compact integers; each batch is one-hot encoded when it is taken, a table lookup, so
a set costs 1 byte per base in memory instead of 16 (float32 one-hot). Batches are slices (no
per-item collation). RC and shift augmentation run on the batch, on its device.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytorch_lightning as pl
import torch
from torch.nn import functional as F
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler

from motifnet.data.labelled import LabelledSet, fit_length
from motifnet.sequence import DNA, Alphabet
from motifnet.sequence.encode import byte_table


class OneHotCodes:
    """Equal-length sequences as bytes (N, L), one-hot encoded (float32, (n, 4, L)) when
    indexed: ``codes[a:b]`` or ``codes[[i, j]]`` give what ``one_hot`` gives those sequences."""

    def __init__(self, codes: torch.Tensor, alphabet: Alphabet = DNA):
        self.codes = codes
        self.table = torch.from_numpy(byte_table(alphabet)[0])  # byte -> its column

    @classmethod
    def from_sequences(
        cls, sequences: Sequence[str], length: int, alphabet: Alphabet = DNA
    ) -> OneHotCodes:
        """Fit each sequence to ``length`` (fit_length) and keep its bytes; a character the
        alphabet cannot encode is a ValueError naming the sequence and position."""
        codes = np.empty((len(sequences), length), dtype=np.uint8)
        for row, sequence in enumerate(sequences):
            codes[row] = np.frombuffer(fit_length(sequence, length).encode("ascii"), np.uint8)
        invalid = byte_table(alphabet)[1]
        for first in range(0, len(codes), 4096):  # in blocks: no set-sized temporaries
            bad = np.flatnonzero(invalid[codes[first : first + 4096]].reshape(-1))
            if bad.size:
                index, position = divmod(int(bad[0]), length)
                index += first
                raise ValueError(
                    f"invalid character {chr(codes[index, position])!r} at sequence {index}, "
                    f"position {position}: expected A, C, G, T, N or an IUPAC code"
                )
        return cls(torch.from_numpy(codes), alphabet)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def shape(self) -> tuple[int, int, int]:
        return (len(self.codes), self.table.shape[1], self.codes.shape[1])

    def __getitem__(self, index) -> torch.Tensor:
        rows = self.codes[index]
        return self.table[rows.long()].transpose(-1, -2).contiguous()


def encode(
    data: LabelledSet, length: int, alphabet: Alphabet = DNA
) -> tuple[OneHotCodes, torch.Tensor]:
    """The sequences as ``OneHotCodes`` (one-hot per batch) and the labels: 0/1 labels as uint8
    (N, T), class indices as int64 (N,)."""
    x = OneHotCodes.from_sequences(data.sequences, length, alphabet)
    labels = np.ascontiguousarray(data.labels)
    if data.task_type != "multiclass":
        labels = labels.astype(np.uint8)
    return x, torch.from_numpy(labels)


class _Batches(Dataset):
    """Indexed by a list of indices, returns the whole batch at once: one-hot inputs, and
    labels as float (0/1 labels) or int64 (class indices)."""

    def __init__(self, x: OneHotCodes | torch.Tensor, y: torch.Tensor):
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        y = self.y[index]
        return self.x[index], y.float() if y.dtype == torch.uint8 else y


class EpochBatches(BatchSampler):
    """Batches of indices; shuffled, epoch e's order depends only on (seed, e).

    It is the order a RandomSampler with a generator seeded once gives in its e-th pass, so
    runs match earlier ones; ``set_epoch`` (called by Lightning at each epoch start) lets a
    resumed run see the very order the uninterrupted run would have seen.

    With ``processes`` > 1 (distributed training) every process takes the same epoch order
    and keeps every ``processes``-th index from its ``rank``, so each sample is seen once per
    epoch across the processes. Shuffled (training) orders are first wrapped around to a
    multiple of ``processes``, as torch's DistributedSampler does (up to ``processes - 1``
    samples are seen twice), so that every process runs the same number of steps; in order
    (evaluation) nothing is repeated and the processes' outputs are gathered.
    """

    def __init__(
        self,
        size: int,
        batch_size: int,
        *,
        shuffle: bool,
        seed: int = 0,
        rank: int = 0,
        processes: int = 1,
    ):
        super().__init__(SequentialSampler(range(size)), batch_size, drop_last=False)
        if not 0 <= rank < processes:
            raise ValueError(f"rank {rank} is not one of {processes} processes")
        self.size, self.shuffle, self.seed, self.epoch = size, shuffle, seed, 0
        self.rank, self.processes = rank, processes

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _order(self) -> list[int]:
        if not self.shuffle:
            return list(range(self.size))
        sampler = RandomSampler(
            range(self.size), generator=torch.Generator().manual_seed(self.seed)
        )
        for _ in range(self.epoch):
            for _ in sampler:  # the earlier epochs' draws
                pass
        return list(sampler)

    def indices(self) -> list[int]:
        """This process's indices of the current epoch, in order."""
        order = self._order()
        if self.processes == 1:
            return order
        if self.shuffle and order:
            total = -(-len(order) // self.processes) * self.processes
            order = (order * (-(-total // len(order))))[:total]
        return order[self.rank :: self.processes]

    def __len__(self) -> int:
        if self.processes == 1:
            count = self.size
        elif self.shuffle:
            count = -(-self.size // self.processes)
        else:
            count = len(range(self.rank, self.size, self.processes))
        return -(-count // self.batch_size)

    def __iter__(self):
        mine = self.indices()
        for start in range(0, len(mine), self.batch_size):
            yield mine[start : start + self.batch_size]


def batches(
    x: OneHotCodes | torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    *,
    shuffle: bool,
    seed: int = 0,
    rank: int = 0,
    processes: int = 1,
) -> DataLoader:
    """A DataLoader of whole-tensor slices, shuffled per epoch from ``seed`` when asked, this
    process's share of them in distributed training. It has its own generator, so making its
    iterator leaves the global RNG (dropout, augmentation) alone."""
    sampler = EpochBatches(
        len(x), batch_size, shuffle=shuffle, seed=seed, rank=rank, processes=processes
    )
    return DataLoader(
        _Batches(x, y),
        sampler=sampler,
        batch_size=None,
        generator=torch.Generator().manual_seed(seed),
    )


def augment(
    x: torch.Tensor, *, rc: bool, max_shift: int, pad_value: float = 0.25, mutate: float = 0.0
) -> torch.Tensor:
    """Reverse-complement half of the batch at random, and/or shift each sequence by up to
    ``max_shift`` bp either way (the uncovered end filled with ``pad_value``, i.e. N), and/or
    draw a fraction ``mutate`` of positions anew as random bases (EvoAug's random mutation,
    Lee et al. 2023: a drawn base may be the one already there)."""
    if rc:
        flip = torch.rand(x.shape[0], device=x.device) < 0.5
        x = torch.where(flip[:, None, None], x.flip((-2, -1)), x)
    if max_shift > 0:
        length = x.shape[-1]
        padded = F.pad(x, (max_shift, max_shift), value=pad_value)
        offsets = torch.randint(0, 2 * max_shift + 1, (x.shape[0],), device=x.device)
        positions = offsets[:, None] + torch.arange(length, device=x.device)[None, :]
        x = padded.gather(2, positions[:, None, :].expand(-1, x.shape[1], -1))
    if mutate > 0:
        drawn = torch.rand(x.shape[0], 1, x.shape[-1], device=x.device) < mutate
        bases = torch.randint(0, x.shape[1], (x.shape[0], x.shape[-1]), device=x.device)
        random = F.one_hot(bases, x.shape[1]).transpose(1, 2).to(x.dtype)
        x = torch.where(drawn, random, x)
    return x


class SequenceDataModule(pl.LightningDataModule):
    """Train/valid(/test) sets kept as bytes at ``length``, one-hot encoded per batch; train
    batches shuffled per epoch."""

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
        sets = {"train": train, "valid": valid, "test": test}
        self.tensors = {
            name: encode(data, length) for name, data in sets.items() if data is not None
        }

    def _loader(self, name: str, shuffle: bool) -> DataLoader:
        """The set's batches for this process (all of them outside distributed training)."""
        trainer = getattr(self, "trainer", None)
        rank, processes = (trainer.global_rank, trainer.world_size) if trainer else (0, 1)
        x, y = self.tensors[name]
        return batches(
            x, y, self.batch_size, shuffle=shuffle, seed=self.seed, rank=rank, processes=processes
        )

    def train_dataloader(self) -> DataLoader:
        return self._loader("train", shuffle=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader("valid", shuffle=False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", shuffle=False)
