"""Seed ensembles: models of one architecture trained with different seeds, as one model.

The members' trunks run side by side (``Parallel``) into one feature map, so an ensemble is a
``MotifModel`` like any other: its geometry is its members', a scan runs it in one dense pass
when theirs do, its motif scanners are every member's first-layer filters, and its output is
the mean of the members' logits. The map of an RC ensemble keeps the regular (mirror) layout
(``motifnet.nn.layers.member_channels``), so its filters pair with their RC twins as in one
model. ``motifnet train --ensemble K`` trains the members and saves the ensemble as one model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from motifnet.errors import ConfigError
from motifnet.nn.contract import MotifModel, MotifScanners, PooledHead, layer_steps
from motifnet.nn.layers import GlobalPool, Parallel


@dataclass(frozen=True)
class EnsembleConfig:
    """The members' architecture and settings, and how many members there are."""

    architecture: str = "rc_cnn"
    members: int = 3
    model: dict[str, Any] = field(default_factory=dict)
    tasks: int = 1

    def __post_init__(self) -> None:
        if self.members < 1:
            raise ConfigError("an ensemble needs at least one member")
        if "tasks" in self.model:
            raise ConfigError("give the ensemble's tasks, not its members'")


def _view(module: nn.Module, name: str, value: Any) -> None:
    """Set an attribute that is not registered as a submodule: the members own the weights,
    so a view over them must not add them to the state dict a second time."""
    object.__setattr__(module, name, value)


def _trunk_width(model: MotifModel) -> int:
    """The channels of ``model``'s trunk output (one eval-mode call on a short input)."""
    training = model.training
    model.eval()
    length = model.receptive_field + model.total_stride
    with torch.no_grad():
        width = model.trunk(torch.zeros(1, 4, length)).shape[1]
    model.train(training)
    return width


class Ensemble(MotifModel):
    """The mean of the members' logits, computed from their trunks run side by side."""

    def __init__(self, config: EnsembleConfig, members: list[MotifModel]):
        super().__init__()
        self.config = config
        self.members = nn.ModuleList(members)
        self.rc_invariant = all(m.rc_invariant for m in members)
        if any(layer_steps(m.trunk) != layer_steps(members[0].trunk) for m in members):
            raise ConfigError("ensemble members must have the same trunk geometry")
        widths = [_trunk_width(m) for m in members]
        scanners = [m.motif_scanners() for m in members]
        first_layer = all(
            s is not None and isinstance(m.trunk, nn.Sequential) and s.conv is m.trunk[0]
            for s, m in zip(scanners, members, strict=True)
        )
        if first_layer:  # the scanners as the trunk's first layer: hooks on them see every call
            scanned = [s.conv.out_channels for s in scanners]
            convs = self._parallel([m.trunk[0] for m in members], scanned, shared=True)
            rest = self._parallel([m.trunk[1:] for m in members], widths, shared=False)
            stacks = self._parallel([s.stack for s in scanners], scanned, shared=True)
            scores = self._parallel([s.score for s in scanners], scanned, shared=True)
            total = sum(s.count for s in scanners)
            _view(self, "trunk", nn.Sequential(convs, rest))
            _view(self, "_features", rest)
            _view(
                self,
                "_scanners",
                MotifScanners(convs, stacks, scores, scanners[0].width, total, scanners[0].paired),
            )
        else:
            _view(self, "trunk", self._parallel([m.trunk for m in members], widths, shared=True))
            _view(self, "_features", self.trunk)
            _view(self, "_scanners", None)

    def _parallel(self, branches: list[nn.Module], widths: list[int], *, shared: bool) -> Parallel:
        return Parallel(branches, widths, mirrored=self.rc_invariant, shared_input=shared)

    def _member_inputs(self, features: torch.Tensor) -> list[torch.Tensor]:
        return [
            features.index_select(1, self._features.index(j, features.device))
            for j in range(len(self.members))
        ]

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        outputs = [
            member.forward_head(part)
            for member, part in zip(self.members, self._member_inputs(features), strict=True)
        ]
        return torch.stack(outputs).mean(dim=0)

    def pooled_head(self) -> PooledHead | None:
        heads = [m.pooled_head() for m in self.members]
        if any(h is None for h in heads) or len({h.pool.mode for h in heads}) > 1:
            return None
        if heads[0].pool.mode == "attention":  # each member weighs positions its own way
            return None
        pool = GlobalPool(heads[0].pool.mode)
        return PooledHead(pool, _MemberHeads([h.after for h in heads], self._features, pool.mode))

    def motif_scanners(self) -> MotifScanners | None:
        return self._scanners

    def shift_invariant_head(self) -> bool:
        return all(m.shift_invariant_head() for m in self.members)


class _MemberHeads(nn.Module):
    """The pooled map of the whole ensemble -> each member's pooled vector -> its layers after
    pooling -> the mean."""

    def __init__(self, afters: list[nn.Module], layout: Parallel, mode: str):
        super().__init__()
        self.afters, self.mode = afters, mode
        _view(self, "layout", layout)

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        if self.mode == "maxavg":
            maximum, average = GlobalPool.split(pooled)
        outputs = []
        for j, after in enumerate(self.afters):
            index = self.layout.index(j, pooled.device)
            if self.mode == "maxavg":
                part = GlobalPool.combine(maximum[:, index], average[:, index])
            else:
                part = pooled[:, index]
            outputs.append(after(part))
        return torch.stack(outputs).mean(dim=0)
