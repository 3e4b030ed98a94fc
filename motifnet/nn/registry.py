"""Architectures by name: list them, build them from typed configs, describe them.

``build("rc_cnn", filters=32)`` returns the module; ``build("conjoined(cnn)")`` wraps a model in
post-hoc RC averaging. Every built module carries ``architecture`` (its name) and ``config``
(the typed config), so a saved model can be rebuilt from its file alone (motifnet.checkpoint).

Adding an architecture is one module (a ``MotifModel`` subclass and its config dataclass), one
entry here with a tiny config the tests build it with, and its line in the CLI's help
(``motifnet.cli.check.ARCHITECTURES``, checked by a test): every test that iterates over
``available()`` then covers it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from torch import nn

from motifnet.config import near_match
from motifnet.errors import ConfigError
from motifnet.nn.contract import Conjoined, MotifModel, unwrap
from motifnet.nn.dilated import Dilated, DilatedConfig
from motifnet.nn.ensemble import Ensemble, EnsembleConfig
from motifnet.nn.models import CNN, CNNConfig, RCCNNConfig
from motifnet.nn.recurrent import RNN, Hybrid, HybridConfig, RNNConfig


class Entry(NamedTuple):
    """A registered architecture: its config type, its builder, a tiny test config, and the
    training settings it trains with unless told otherwise (TrainConfig keys; chosen on the
    benchmarks, so only where they were measured to help this architecture)."""

    config_type: type
    build: Callable[[Any], MotifModel]
    tiny: dict[str, Any]
    training: Mapping[str, Any] = MappingProxyType({})


_ARCHITECTURES: dict[str, Entry] = {
    "cnn": Entry(
        CNNConfig,
        lambda c: CNN(c),
        {"filters": 6, "channels": 6, "filter_width": 9},
    ),
    "rc_cnn": Entry(
        RCCNNConfig,
        lambda c: CNN(c, rc=True),
        {"filters": 6, "channels": 6, "filter_width": 9},
        # 5% random mutations and a warm-up epoch: mean test MCC over GUE tf/0-4 67.7 against
        # 65.7 (3 seeds, BENCHMARKS.md); the hybrid trained with them lost the demo's GATA1
        {"mutate_augment": 0.05, "warmup_epochs": 1.0},
    ),
    "rnn": Entry(
        RNNConfig,
        lambda c: RNN(c),
        {"hidden": 8, "embedding": 8},
    ),
    "rc_rnn": Entry(
        RNNConfig,
        lambda c: RNN(c, rc=True),
        {"hidden": 8, "embedding": 8},
    ),
    "hybrid": Entry(
        HybridConfig,
        lambda c: Hybrid(c),
        {"filters": 6, "hidden": 8, "filter_width": 9, "pool": 4},
    ),
    "rc_hybrid": Entry(
        HybridConfig,
        lambda c: Hybrid(c, rc=True),
        {"filters": 6, "hidden": 8, "filter_width": 9, "pool": 4},
    ),
    "dilated": Entry(
        DilatedConfig, lambda c: Dilated(c), {"filters": 6, "filter_width": 7, "blocks": 3}
    ),
    "rc_dilated": Entry(
        DilatedConfig,
        lambda c: Dilated(c, rc=True),
        {"filters": 6, "filter_width": 7, "blocks": 3},
    ),
    "ensemble": Entry(
        EnsembleConfig,
        lambda c: _ensemble(c),
        {
            "architecture": "rc_cnn",
            "members": 2,
            "model": {"filters": 4, "channels": 4, "filter_width": 9},
        },
    ),
}
_CONJOINED = re.compile(r"^conjoined\((\w+)\)$")


def available() -> list[str]:
    """Names ``build`` accepts (each also as ``conjoined(NAME)``)."""
    return list(_ARCHITECTURES)


def base_name(name: str) -> str:
    """The registered architecture inside ``conjoined(NAME)``, or ``name`` itself."""
    match = _CONJOINED.match(name)
    return match.group(1) if match else name


def training_defaults(name: str) -> dict[str, Any]:
    """The training settings architecture ``name`` (or ``conjoined(NAME)``) trains with unless
    told otherwise; none for a name that is not registered (the config check reports it)."""
    entry = _ARCHITECTURES.get(base_name(name))
    return dict(entry.training) if entry else {}


def tiny_config(name: str) -> dict[str, Any]:
    """Settings that build a small, fast instance of ``name`` (for tests and examples)."""
    return dict(_entry(base_name(name)).tiny)


def make_config(name: str, **config: Any):
    """The typed config of architecture ``name``; unknown keys are refused, naming valid ones."""
    config_type = _entry(base_name(name)).config_type
    fields = {f.name for f in dataclasses.fields(config_type)}
    unknown = sorted(set(config) - fields)
    if unknown:
        hint = near_match(unknown[0], fields)
        raise ConfigError(
            f"{name} has no setting {', '.join(map(repr, unknown))}"
            + (hint or f"; valid: {', '.join(sorted(fields))}")
        )
    return config_type(**config)


def build(name: str, **config: Any) -> nn.Module:
    """Build architecture ``name`` (or ``conjoined(NAME)``) with ``config`` overriding defaults."""
    base = base_name(name)
    typed = make_config(base, **config)
    model: nn.Module = _entry(base).build(typed)
    model.architecture = base
    if base != name:
        model = Conjoined(model)
    model.architecture, model.config = name, typed
    return model


def _ensemble(config: EnsembleConfig) -> Ensemble:
    """An ensemble of ``config.members`` freshly built members (trained ones are loaded into
    it, see motifnet.train)."""
    _check_member_architecture(config.architecture)
    members = [
        build(config.architecture, tasks=config.tasks, **config.model)
        for _ in range(config.members)
    ]
    return Ensemble(config, members)


def _check_member_architecture(name: str) -> None:
    """Refuse members that cannot be in an ensemble (unknown, conjoined or ensembles)."""
    if name not in _ARCHITECTURES or name == "ensemble":
        kinds = ", ".join(a for a in available() if a != "ensemble")
        raise ConfigError(f"an ensemble's members are one of {kinds}, not {name!r}")


def assemble(members: list[nn.Module]) -> Ensemble:
    """The ensemble of trained ``members`` (one registered architecture, one config), built as
    ``build`` builds one, so it is saved and loaded as one model."""
    first = members[0]
    if any((m.architecture, m.config) != (first.architecture, first.config) for m in members):
        raise ConfigError("ensemble members must share one architecture and its settings")
    settings = dataclasses.asdict(first.config)
    tasks = settings.pop("tasks")
    config = EnsembleConfig(first.architecture, len(members), settings, tasks)
    _check_member_architecture(config.architecture)
    model = Ensemble(config, list(members))
    model.architecture, model.config = "ensemble", config
    return model


def _entry(name: str) -> Entry:
    if name not in _ARCHITECTURES:
        raise ConfigError(
            f"unknown architecture {name!r}; available: {', '.join(available())} "
            "(or conjoined(NAME))"
        )
    return _ARCHITECTURES[name]


def describe_model(model: nn.Module) -> dict[str, Any]:
    """What a model is and declares: name, config, parameters, geometry, RC invariance,
    motif scanners and how a scan runs it (see motifnet.nn.contract)."""
    from motifnet.scanning import dense_mode

    core, _ = unwrap(model)
    geometry = core.geometry
    scanners = core.motif_scanners()
    mode = dense_mode(model)
    return {
        "architecture": getattr(model, "architecture", type(model).__name__),
        "config": dataclasses.asdict(model.config) if hasattr(model, "config") else {},
        "parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "receptive_field": geometry.receptive_field,
        "total_stride": geometry.total_stride,
        "rc_invariant": bool(getattr(model, "rc_invariant", False)),
        "motif_scanners": None if scanners is None else scanners.count,
        # a global-pooling head is shift-invariant; any other sees where things are
        "shift_invariant_head": core.shift_invariant_head(),
        "scan": mode.mode,
        "scan_reason": mode.reason,
    }


def model_name(description: dict[str, Any]) -> str:
    """A model's name from its ``describe_model``: the architecture, with an ensemble's
    members ("ensemble of 3 rc_cnn")."""
    if description["architecture"] != "ensemble":
        return description["architecture"]
    config = description["config"]
    return f"ensemble of {config['members']} {config['architecture']}"
