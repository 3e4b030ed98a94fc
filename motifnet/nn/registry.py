"""Architectures by name: list them, build them from typed configs, save and load them.

``build("rc_cnn", filters=32)`` returns the module; ``build("conjoined(cnn)")`` wraps a model in
post-hoc RC averaging. Every built module carries ``architecture`` (its name) and ``config``
(the typed config), so a saved model can be rebuilt from its file alone.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import nn

from motifnet import __version__
from motifnet.errors import ConfigError, InputError
from motifnet.io.atomic import atomic_write
from motifnet.nn.models import CNN, CNNConfig, Conjoined
from motifnet.nn.recurrent import RNN, Hybrid, HybridConfig, RNNConfig
from motifnet.sequence.alphabet import DNA

_ARCHITECTURES: dict[str, tuple[type, Callable[[Any], nn.Module]]] = {
    "cnn": (CNNConfig, lambda c: CNN(c)),
    "rc_cnn": (CNNConfig, lambda c: CNN(c, rc=True)),
    "rnn": (RNNConfig, lambda c: RNN(c)),
    "rc_rnn": (RNNConfig, lambda c: RNN(c, rc=True)),
    "hybrid": (HybridConfig, lambda c: Hybrid(c)),
    "rc_hybrid": (HybridConfig, lambda c: Hybrid(c, rc=True)),
}
_CONJOINED = re.compile(r"^conjoined\((\w+)\)$")
FORMAT = "motifnet-model/1"


def available() -> list[str]:
    """Names ``build`` accepts (each also as ``conjoined(NAME)``)."""
    return list(_ARCHITECTURES)


def make_config(name: str, **config: Any):
    """The typed config of architecture ``name``; unknown keys are refused, naming valid ones."""
    config_type = _entry(name)[0]
    fields = {f.name for f in dataclasses.fields(config_type)}
    unknown = sorted(set(config) - fields)
    if unknown:
        raise ConfigError(
            f"{name} has no setting {', '.join(map(repr, unknown))}; "
            f"valid: {', '.join(sorted(fields))}"
        )
    return config_type(**config)


def build(name: str, **config: Any) -> nn.Module:
    """Build architecture ``name`` (or ``conjoined(NAME)``) with ``config`` overriding defaults."""
    match = _CONJOINED.match(name)
    base = match.group(1) if match else name
    typed = make_config(base, **config)
    model = _entry(base)[1](typed)
    if match:
        model = Conjoined(model)
    model.architecture, model.config = name, typed
    return model


def _entry(name: str):
    if name not in _ARCHITECTURES:
        raise ConfigError(
            f"unknown architecture {name!r}; available: {', '.join(available())} "
            "(or conjoined(NAME))"
        )
    return _ARCHITECTURES[name]


def describe_model(model: nn.Module) -> dict[str, Any]:
    """Name, config, parameter count, receptive field and stride of a built model."""
    return {
        "architecture": getattr(model, "architecture", type(model).__name__),
        "config": dataclasses.asdict(model.config) if hasattr(model, "config") else {},
        "parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "receptive_field": getattr(model, "receptive_field", None),
        "total_stride": getattr(model, "total_stride", 1),
        "rc_invariant": bool(getattr(model, "rc_invariant", False)),
    }


def save_model(model: nn.Module, path: str | Path, **extra: Any) -> None:
    """Save weights with everything needed to rebuild the model (name, typed config, alphabet)."""
    payload = {
        "format": FORMAT,
        "motifnet_version": __version__,
        "architecture": model.architecture,
        "config": dataclasses.asdict(model.config),
        "alphabet": DNA.to_dict(),
        "state_dict": model.state_dict(),
        **extra,
    }
    with atomic_write(path, "wb") as handle:
        torch.save(payload, handle)


def load_model(path: str | Path, *, map_location: str | torch.device = "cpu") -> nn.Module:
    """Rebuild a model saved by ``save_model`` (or a checkpoint holding such a payload under
    the key ``motifnet``) and load its weights; the model is returned in eval mode."""
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except FileNotFoundError:
        raise InputError("no such model file", path=path) from None
    except Exception as err:  # torch raises many types for a file that is not a checkpoint
        raise InputError(
            f"not a motifnet model file ({type(err).__name__}: {err})", path=path
        ) from None
    checkpoint = payload if isinstance(payload, dict) else {}
    payload = checkpoint.get("motifnet", checkpoint)
    if payload.get("format") != FORMAT:
        raise InputError(f"not a motifnet model file (expected format {FORMAT})", path=path)
    model = build(payload["architecture"], **payload["config"])
    if "state_dict" in payload:
        state = payload["state_dict"]
    else:  # a training checkpoint: the model's weights under a prefix of the whole state
        prefix = payload.get("state_dict_prefix", "")
        state = {
            k[len(prefix) :]: v for k, v in checkpoint["state_dict"].items() if k.startswith(prefix)
        }
    model.load_state_dict(state)
    return model.eval()
