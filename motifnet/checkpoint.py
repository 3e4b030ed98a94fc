"""The checkpoint format: this module alone writes, reads and validates it.

A motifnet model file (``save_model``) or training checkpoint (``motifnet train``'s
``model.ckpt``) holds tensors and plain values only and is read with
``torch.load(weights_only=True)``: a file carrying a pickled object (which could run code)
is refused before anything in it runs. The self-description, at the top level of a model file
or under the key ``motifnet`` of a training checkpoint:

  format            "motifnet-model/1"
  motifnet_version  the version that wrote it
  architecture      registry name, e.g. "rc_cnn" or "conjoined(cnn)"
  config            the architecture's settings (its typed config as a dict)
  alphabet          {"letters": "ACGT", "ambiguous": "fraction"}: checked on load
  length            input length in bp; task_names, task_type: the outputs (training
                    checkpoints; optional in model files)
  state_dict        the weights, or state_dict_prefix: where they sit in the checkpoint's
                    Lightning state_dict
"""

from __future__ import annotations

import dataclasses
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from motifnet import __version__
from motifnet.errors import ConfigError, InputError
from motifnet.io.atomic import atomic_write
from motifnet.nn.registry import build
from motifnet.sequence.alphabet import DNA

FORMAT = "motifnet-model/1"
TASK_TYPES = ("binary", "multiclass", "multilabel")


@dataclass(frozen=True)
class TrainedModel:
    """A trained network with what applying it needs: its input length and its tasks."""

    network: nn.Module
    length: int
    task_names: tuple[str, ...]
    task_type: str
    source: str = ""

    @property
    def architecture(self) -> str:
        return getattr(self.network, "architecture", type(self.network).__name__)

    def task_index(self, name: str | None) -> int:
        """The output index of task ``name`` (the first task for None); a clear error else."""
        if name is None:
            return 0
        if name not in self.task_names:
            raise ConfigError(f"no task {name!r}; the model has {list(self.task_names)}")
        return self.task_names.index(name)


def describe(
    model: nn.Module,
    *,
    length: int | None = None,
    task_names: list[str] | None = None,
    task_type: str | None = None,
) -> dict[str, Any]:
    """The self-description of ``model`` (everything but the weights)."""
    payload: dict[str, Any] = {
        "format": FORMAT,
        "motifnet_version": __version__,
        "architecture": model.architecture,
        "config": dataclasses.asdict(model.config),
        "alphabet": DNA.to_dict(),
    }
    if length is not None:
        payload.update(length=int(length), task_names=list(task_names or []), task_type=task_type)
    return payload


def save_model(model: nn.Module, path: str | Path, **outputs: Any) -> None:
    """Write ``model`` with its self-description (``outputs``: length, task_names, task_type)."""
    payload = {**describe(model, **outputs), "state_dict": model.state_dict()}
    with atomic_write(path, "wb") as handle:
        torch.save(payload, handle)


def read_checkpoint(path: str | Path, *, map_location: str | torch.device = "cpu") -> dict:
    """The whole checkpoint as plain values and tensors; anything else is refused unread."""
    if Path(path).is_dir():
        raise InputError("is a folder, not a checkpoint file", path=path)
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except FileNotFoundError:
        raise InputError("no such checkpoint file", path=path) from None
    except pickle.UnpicklingError as err:
        found = re.search(r"GLOBAL ([\w.]+)", str(err))
        if found is None:
            detail = re.search(r"WeightsUnpickler error: \s*(.+)", str(err))
            reason = detail.group(1).strip() if detail else str(err).splitlines()[0]
            raise InputError(f"not a motifnet checkpoint ({reason})", path=path) from None
        raise InputError(
            f"refused: the file holds a Python object ({found.group(1)}) that would run code "
            "when loaded; motifnet checkpoints hold only tensors and plain values, so this "
            "file was not written by motifnet or was altered",
            path=path,
        ) from None
    except Exception as err:  # torch raises many types for a file that is not a checkpoint
        raise InputError(
            f"not a motifnet checkpoint ({type(err).__name__}: {err})", path=path
        ) from None
    if not isinstance(payload, dict):
        raise InputError("not a motifnet checkpoint (no self-description)", path=path)
    return payload


def _description(checkpoint: dict, path: str | Path) -> dict:
    payload = checkpoint.get("motifnet", checkpoint)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise InputError(f"not a motifnet checkpoint (expected format {FORMAT})", path=path)
    alphabet = payload.get("alphabet", DNA.to_dict())
    if alphabet != DNA.to_dict():
        raise InputError(
            f"the model was trained on one-hot input in the alphabet {alphabet}; motifnet "
            f"encodes {DNA.to_dict()}, so its predictions would be wrong",
            path=path,
        )
    return payload


def _network(checkpoint: dict, payload: dict, path: str | Path) -> nn.Module:
    try:
        model = build(payload["architecture"], **payload["config"])
    except (ConfigError, KeyError, TypeError) as err:
        raise InputError(f"its model description is not valid ({err})", path=path) from None
    if "state_dict" in payload:
        state = payload["state_dict"]
    else:  # a training checkpoint: the model's weights under a prefix of the whole state
        prefix = payload.get("state_dict_prefix", "")
        state = {
            k[len(prefix) :]: v
            for k, v in checkpoint.get("state_dict", {}).items()
            if k.startswith(prefix)
        }
    try:
        model.load_state_dict(state)
    except RuntimeError as err:
        reason = str(err).splitlines()[0]
        raise InputError(
            f"its weights do not fit {payload['architecture']} ({reason})", path=path
        ) from None
    return model.eval()


def load_model(path: str | Path, *, map_location: str | torch.device = "cpu") -> nn.Module:
    """The network of a model file or training checkpoint, in eval mode."""
    checkpoint = read_checkpoint(path, map_location=map_location)
    return _network(checkpoint, _description(checkpoint, path), path)


def load_trained(path: str | Path, *, map_location: str | torch.device = "cpu") -> TrainedModel:
    """A trained model with its input length and tasks, from a checkpoint of ``motifnet
    train`` (or a model file saved with them)."""
    checkpoint = read_checkpoint(path, map_location=map_location)
    payload = _description(checkpoint, path)
    if "length" not in payload or payload.get("task_type") not in TASK_TYPES:
        raise InputError(
            "the model file does not say its input length and tasks: use the model.ckpt of "
            "`motifnet train`, or save_model(..., length=, task_names=, task_type=)",
            path=path,
        )
    return TrainedModel(
        _network(checkpoint, payload, path),
        int(payload["length"]),
        tuple(payload["task_names"]),
        payload["task_type"],
        str(path),
    )


def as_trained(
    model: TrainedModel | nn.Module | str | Path, *, length: int | None = None
) -> TrainedModel:
    """A TrainedModel from a checkpoint path, a TrainedModel, or a bare network (then
    ``length`` is needed; tasks are named task0, task1, ...)."""
    if isinstance(model, TrainedModel):
        return model
    if isinstance(model, str | Path):
        return load_trained(model)
    if length is None:
        raise ConfigError("a bare network needs length= (the input length it was trained on)")
    network = model.eval()
    with torch.no_grad():
        outputs = network(torch.zeros(1, 4, length)).shape[-1]
    names = tuple(f"task{i}" for i in range(outputs))
    return TrainedModel(network, length, names, "binary" if outputs == 1 else "multilabel")
