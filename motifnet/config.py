"""The training configuration: typed, validated at load time (pydantic), from YAML and flags."""

from __future__ import annotations

import difflib
import re
import warnings
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from motifnet.errors import ConfigError

RENAMED = {"arch": "architecture"}  # old setting name -> new one


class DataSpec(BaseModel):
    """One labelled set, in exactly one form: positives (+ negatives, else shuffles; or the
    records of the pos files whose id matches ``neg_pattern``, e.g. ``_shuf$``), one file list
    per class, or a table with label columns. BED files need ``genome``."""

    model_config = ConfigDict(extra="forbid")

    pos: list[str] = []
    neg: list[str] = []
    neg_pattern: str | None = None  # ids of the pos files matching this regex are negatives
    classes: dict[str, list[str]] = {}
    table: str | None = None
    label_columns: list[str] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> DataSpec:
        forms = [bool(self.pos), bool(self.classes), self.table is not None]
        if sum(forms) != 1:
            raise ValueError("give exactly one of: pos (with optional neg), classes, or table")
        if self.neg and not self.pos:
            raise ValueError("neg needs pos")
        if self.neg_pattern is not None:
            if not self.pos:
                raise ValueError("neg_pattern needs pos")
            try:
                re.compile(self.neg_pattern)
            except re.error as err:
                raise ValueError(f"neg_pattern is not a regular expression ({err})") from None
        return self

    def files(self) -> list[str]:
        """Every file this spec reads."""
        listed = self.pos + self.neg + [f for files in self.classes.values() for f in files]
        return listed + ([self.table] if self.table else [])


class TrainConfig(BaseModel):
    """Everything `motifnet train` needs; unknown keys and wrong types are refused."""

    model_config = ConfigDict(extra="forbid")

    train: DataSpec
    valid: DataSpec | None = None
    test: DataSpec | None = None
    genome: str | None = None
    outdir: str = "motifnet-run"
    architecture: str = "rc_cnn"
    model: dict[str, Any] = {}
    length: int | None = Field(default=None, ge=1)
    split: Literal["random", "chrom"] = "random"
    valid_fraction: float = Field(default=0.1, ge=0, lt=1)
    test_fraction: float = Field(default=0.1, ge=0, lt=1)
    valid_chroms: list[str] = []
    test_chroms: list[str] = []
    shuffles_per_positive: int = Field(default=1, ge=1)
    batch_size: int = Field(default=128, ge=1)
    max_epochs: int = Field(default=20, ge=1)
    max_minutes: float | None = Field(default=None, gt=0)
    learning_rate: float = Field(default=3e-3, gt=0)
    weight_decay: float = Field(default=1e-2, ge=0)
    rc_augment: bool = False
    shift_augment: int = Field(default=0, ge=0)
    mutate_augment: float = Field(default=0.0, ge=0, lt=1)
    label_smoothing: float = Field(default=0.0, ge=0, lt=1)
    warmup_epochs: float = Field(default=0.0, ge=0)
    ensemble: int = Field(default=1, ge=1)
    class_weight: Literal["none", "balanced"] = "none"
    early_stopping: Literal["auprc", "loss"] = "auprc"
    patience: int = Field(default=5, ge=1)
    seed: int = 0
    logger: Literal["csv", "tensorboard"] = "csv"
    accelerator: str = "auto"
    devices: int | str = "auto"
    num_nodes: int = Field(default=1, ge=1)
    strategy: Literal["auto", "ddp"] = "auto"
    resume: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _given_settings(cls, values: Any) -> Any:
        """Settings files written before a key was renamed keep working, with a warning; then
        the training settings the architecture trains with (its registry entry) fill in what
        is not given."""
        if isinstance(values, dict):
            from motifnet.nn.registry import training_defaults

            values = _renamed(values)
            architecture = values.get("architecture", cls.model_fields["architecture"].default)
            if isinstance(architecture, str):
                values = {**training_defaults(architecture), **values}
        return values

    @model_validator(mode="after")
    def _architecture(self) -> TrainConfig:
        from motifnet.nn.registry import base_name
        from motifnet.nn.registry import make_config as model_config

        if "tasks" in self.model:
            raise ValueError("model.tasks is set from the labels; leave it out")
        if base_name(self.architecture) == "ensemble":
            raise ValueError(
                "train an ensemble with ensemble: K (--ensemble K) and its members' architecture"
            )
        try:
            model_config(self.architecture, **self.model)
        except ConfigError as err:
            raise ValueError(str(err)) from None
        return self

    @model_validator(mode="after")
    def _split_settings(self) -> TrainConfig:
        if self.split == "chrom" and not (self.valid_chroms or self.valid):
            raise ValueError("split 'chrom' needs valid_chroms (or a valid set)")
        return self


def _renamed(values: dict) -> dict:
    """Old setting names replaced by their new ones, with a warning."""
    for old, new in RENAMED.items():
        if old in values:
            if new in values:
                raise ValueError(f"give {new!r} only ({old!r} is its old name)")
            warnings.warn(
                f"setting {old!r} is now called {new!r}; please rename it",
                FutureWarning,
                stacklevel=4,
            )
            values = {**values, new: values[old]}
            del values[old]
    return values


def _message(item: dict) -> str:
    if item["type"] == "extra_forbidden":
        return f"unknown setting{near_match(str(item['loc'][-1]), TrainConfig.model_fields)}"
    return item["msg"].removeprefix("Value error, ")


def near_match(name: str, choices) -> str:
    """'; did you mean 'x'?' for the closest choice, or '' when none is close."""
    found = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {found[0]!r}?" if found else ""


def _messages(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in item['loc']) or 'config'}: {_message(item)}"
        for item in error.errors()
    )


def make_config(values: dict[str, Any], *, source: str = "settings") -> TrainConfig:
    """Validate a dict into a TrainConfig; every problem named in one ConfigError."""
    try:
        return TrainConfig.model_validate(values)
    except ValidationError as error:
        message = _messages(error)
        if "unknown setting" in message and "did you mean" not in message:
            message += f" (settings: {', '.join(TrainConfig.model_fields)})"
        raise ConfigError(f"{source}: {message}" if source else message) from None


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """A YAML file's settings, with ``overrides`` (e.g. from flags) on top, validated; model
    settings in ``overrides`` are added to the file's rather than replacing them."""
    try:
        values = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file (it is not UTF-8)") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({err})") from None
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: a config must be a mapping of settings")
    _check_file(values, path)
    overrides = dict(overrides or {})
    if isinstance(values.get("model"), dict) and "model" in overrides:
        overrides["model"] = {**values["model"], **overrides["model"]}
    return make_config({**values, **overrides}, source=str(path))


def _check_file(values: dict[str, Any], path: str | Path) -> None:
    """Every setting the file gives must be valid on its own, even where a flag overrides
    it: a mistyped value is reported, never silently replaced."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # reported by make_config below
            TrainConfig.model_validate(values)
    except ValidationError as error:
        own = [
            item
            for item in error.errors()
            if item["loc"] and (item["loc"][0] in values or item["type"] == "extra_forbidden")
        ]
        if own:
            parts = [f"{'.'.join(str(p) for p in item['loc'])}: {_message(item)}" for item in own]
            raise ConfigError(f"{path}: {'; '.join(parts)}") from None
