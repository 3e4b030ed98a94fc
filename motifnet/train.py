"""From a TrainConfig to a trained checkpoint, metrics.json, ROC/PR plots and Lightning logs."""

from __future__ import annotations

import datetime
import json
import logging
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytorch_lightning as pl
import yaml
from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint
from pytorch_lightning.loggers import CSVLogger, TensorBoardLogger
from torch import nn

from motifnet.checkpoint import describe, load_model, read_checkpoint, save_model
from motifnet.config import DataSpec, TrainConfig
from motifnet.data import (
    LabelledSet,
    SequenceDataModule,
    binary_set,
    check_trainable,
    chromosome_split,
    common_length,
    multiclass_set,
    random_split,
    table_set,
)
from motifnet.errors import ConfigError, InputError
from motifnet.io import read_sequences, read_table
from motifnet.io.atomic import atomic_write, check_output_folder
from motifnet.lightning import MotifModule, balanced_weights, output_count
from motifnet.metrics import evaluate
from motifnet.nn.registry import assemble, describe_model
from motifnet.nn.runtime import batched_forward, release_freed_memory
from motifnet.plots import save_curves
from motifnet.progress import EpochReport, StderrProgressBar, stop_reason

# Lightning's notices that say nothing about the user's run.
_HARMLESS_WARNINGS = (
    r".*exists and is not empty.*",
    r".*LeafSpec.*is deprecated.*",
    r".*does not have many workers.*",
    r".*The `srun` command is available on your system but is not used.*",
)
_LIGHTNING_NOTICES = logging.getLogger("pytorch_lightning.utilities.rank_zero")


def read_spec(spec: DataSpec, *, genome: str | None, shuffles: int, seed: int) -> LabelledSet:
    """The labelled set a DataSpec describes."""
    if spec.pos:
        positives = [r for path in spec.pos for r in read_sequences(path, genome=genome)]
        negatives = [r for path in spec.neg for r in read_sequences(path, genome=genome)]
        if spec.neg_pattern is not None:
            pattern = re.compile(spec.neg_pattern)
            negatives += [r for r in positives if pattern.search(r.id)]
            positives = [r for r in positives if not pattern.search(r.id)]
            if not negatives or not positives:
                which = "none" if not negatives else "every one"
                raise InputError(
                    f"--neg-pattern {spec.neg_pattern!r} matches {which} of the ids",
                    path=", ".join(spec.pos),
                )
        return binary_set(
            positives,
            negatives or None,
            shuffles_per_positive=shuffles,
            seed=seed,
            source=", ".join(spec.pos + spec.neg),
        )
    if spec.classes:
        return multiclass_set(
            {
                name: [r for path in files for r in read_sequences(path, genome=genome)]
                for name, files in spec.classes.items()
            }
        )
    table = read_table(spec.table, label_columns=spec.label_columns, record_labels=False)
    return table_set(table, source=spec.table)


def prepare_data(config: TrainConfig) -> tuple[LabelledSet, LabelledSet, LabelledSet | None, int]:
    """Read the sets; split the training set for whichever of valid/test was not given."""

    def read(spec: DataSpec) -> LabelledSet:
        return read_spec(
            spec, genome=config.genome, shuffles=config.shuffles_per_positive, seed=config.seed
        )

    train = read(config.train)
    valid = read(config.valid) if config.valid else None
    test = read(config.test) if config.test else None
    if valid is None or test is None:
        if config.split == "chrom":
            train, valid_part, test_part = chromosome_split(
                train,
                valid_chroms=[] if valid else config.valid_chroms,
                test_chroms=[] if test else config.test_chroms,
            )
        else:
            train, valid_part, test_part = random_split(
                train,
                valid=0 if valid else config.valid_fraction,
                test=0 if test else config.test_fraction,
                seed=config.seed,
            )
        valid = valid or valid_part
        test = test or (test_part if len(test_part) else None)
    source = ", ".join(config.train.files())
    for name, data in (("valid", valid), ("test", test)):
        if data is not None and (data.task_type, data.task_names) != (
            train.task_type,
            train.task_names,
        ):
            raise InputError(
                f"the {name} set has tasks {data.task_names} ({data.task_type}), "
                f"training has {train.task_names} ({train.task_type})",
                path=source,
            )
    check_trainable(train, source=source)
    if not len(valid):
        raise ConfigError("the validation set is empty: raise valid_fraction or give a valid set")
    check_trainable(valid, source=f"validation set of {source}")
    return train, valid, test, config.length or common_length(train.sequences)


def _logger(kind: str, outdir: Path):
    """Lightning's CSV logs, or TensorBoard's (tensorboardX, the `tensorboard` extra)."""
    if kind == "csv":
        return CSVLogger(outdir, name="lightning_logs")
    try:
        import tensorboardX  # noqa: F401
    except ImportError:
        raise ConfigError(
            "logger 'tensorboard' needs tensorboardX: pip install tensorboardX (or the "
            "'tensorboard' extra of motifnet)"
        ) from None
    return TensorBoardLogger(outdir, name="lightning_logs")


def check_resumable(path: str, module: MotifModule) -> None:
    """Refuse, before training, a --resume file that is not a motifnet training checkpoint of
    this very model (architecture and settings)."""
    checkpoint = read_checkpoint(path)
    if "motifnet" not in checkpoint or "optimizer_states" not in checkpoint:
        raise InputError(
            "not a training checkpoint of motifnet train (resume from OUTDIR/last.ckpt)", path=path
        )
    found, expected = checkpoint["motifnet"], describe(module.model)
    if (found.get("architecture"), found.get("config")) != (
        expected["architecture"],
        expected["config"],
    ):
        raise InputError(
            f"was trained as {found.get('architecture')} with other settings than this run's "
            f"{expected['architecture']}: resume with the settings of its config.yaml",
            path=path,
        )


def _strategy(config: TrainConfig) -> str:
    """DDP when several devices or nodes are asked for (Lightning would pick a spawning
    variant on CPUs), else Lightning's choice."""
    several = config.num_nodes > 1 or str(config.devices) not in ("1", "auto")
    return "ddp" if config.strategy == "ddp" or (config.strategy == "auto" and several) else "auto"


@dataclass
class _Fit:
    """One trained model: its best checkpoint and how its training went."""

    network: nn.Module
    path: Path
    monitor: str
    epochs: int
    processes: int
    stopped: str
    best_score: float
    train_seconds: float


def _fit(
    config: TrainConfig,
    data: SequenceDataModule,
    outdir: Path,
    task_type: str,
    task_names: list[str],
    *,
    class_weights: list[float] | None,
    progress: bool,
) -> _Fit | None:
    """Train one model on ``data`` into ``outdir`` (model.ckpt: the best by the early-stopping
    metric, last.ckpt); None in the processes of a distributed run other than the first."""
    pl.seed_everything(config.seed, workers=True, verbose=False)
    data.seed = config.seed
    module = MotifModule(
        config.architecture,
        config.model,
        task_names,
        task_type,
        data.length,
        learning_rate=config.learning_rate,
        weight_decay=config.weight_decay,
        max_epochs=config.max_epochs,
        rc_augment=config.rc_augment,
        shift_augment=config.shift_augment,
        mutate_augment=config.mutate_augment,
        label_smoothing=config.label_smoothing,
        warmup_epochs=config.warmup_epochs,
        class_weights=class_weights,
    )
    if config.resume:
        check_resumable(config.resume, module)
    monitor, mode = (
        ("val_auprc", "max") if config.early_stopping == "auprc" else ("val_loss", "min")
    )
    best = ModelCheckpoint(
        dirpath=outdir,
        filename="model",
        monitor=monitor,
        mode=mode,
        save_top_k=1,
        save_last=True,
        enable_version_counter=False,
    )
    early = EarlyStopping(monitor=monitor, mode=mode, patience=config.patience)
    callbacks: list[pl.Callback] = [best, early]
    if progress:
        callbacks += [StderrProgressBar(), EpochReport(monitor)]
    level = _LIGHTNING_NOTICES.level
    _LIGHTNING_NOTICES.setLevel(logging.WARNING)  # no "GPU available" / tips banner
    try:
        with warnings.catch_warnings():
            for message in _HARMLESS_WARNINGS:
                warnings.filterwarnings("ignore", message=message)
            trainer = pl.Trainer(
                max_epochs=config.max_epochs,
                max_time=(
                    datetime.timedelta(minutes=config.max_minutes) if config.max_minutes else None
                ),
                accelerator=config.accelerator,
                devices=config.devices,
                num_nodes=config.num_nodes,
                strategy=_strategy(config),
                use_distributed_sampler=False,  # SequenceDataModule shards per process itself
                deterministic="warn",
                logger=_logger(config.logger, outdir),
                callbacks=callbacks,
                enable_progress_bar=progress,
                enable_model_summary=False,
                log_every_n_steps=10,
            )
            trainer.fit(module, datamodule=data, ckpt_path=config.resume, weights_only=True)
    finally:
        _LIGHTNING_NOTICES.setLevel(level)
    if trainer.global_rank != 0:
        return None  # the other processes of a distributed run: rank 0 evaluates and writes
    stopped = stop_reason(trainer, early, config.max_minutes)
    if stopped == "max_minutes":
        print(
            f"train: stopped by --max-minutes {config.max_minutes:g} during epoch "
            f"{trainer.current_epoch + 1} of {config.max_epochs}; the best checkpoint so far "
            "is kept",
            file=sys.stderr,
        )
    return _Fit(
        load_model(best.best_model_path),
        Path(best.best_model_path).resolve(),
        monitor,
        trainer.current_epoch,
        trainer.world_size,
        stopped,
        float(best.best_model_score),
        module.train_seconds,
    )


def train(config: TrainConfig, *, progress: bool = True) -> dict:
    """Train, keep the best checkpoint by the early-stopping metric, evaluate it on the
    validation and test sets (plain and RC-conjoined), and write everything to the outdir.
    In distributed training every process trains on its share of each batch and the first
    one (rank 0) evaluates and writes; the others return an empty report. With
    ``config.ensemble`` K > 1, K models are trained with seeds seed..seed+K-1 on the same
    split (in outdir/member{i}) and model.ckpt is their ensemble (motifnet.nn.ensemble)."""
    outdir = Path(config.outdir)
    check_output_folder(outdir)
    if config.ensemble > 1 and config.resume:
        raise ConfigError("--resume continues one model: resume a member with its last.ckpt")
    pl.seed_everything(config.seed, workers=True, verbose=False)
    train_set, valid_set, test_set, length = prepare_data(config)
    data = SequenceDataModule(
        train_set,
        valid_set,
        test_set,
        length=length,
        batch_size=config.batch_size,
        seed=config.seed,
    )
    sizes = {name: len(x) for name, (x, _) in data.tensors.items()}
    sizes.setdefault("test", 0)
    task_type, task_names = train_set.task_type, train_set.task_names
    del train_set, valid_set, test_set  # the sequences as text: the data module holds bytes
    release_freed_memory()
    outputs = output_count(task_type, task_names)
    class_weights = (
        balanced_weights(data.tensors["train"][1], task_type, outputs)
        if config.class_weight == "balanced"
        else None
    )
    fits: list[_Fit | None] = []  # None in a distributed run's other processes
    for member in range(config.ensemble):
        member_config = config.model_copy(update={"seed": config.seed + member})
        where = outdir if config.ensemble == 1 else outdir / f"member{member}"
        if config.ensemble > 1 and progress:
            print(
                f"train: ensemble member {member + 1} of {config.ensemble} "
                f"(seed {member_config.seed})",
                file=sys.stderr,
            )
        fit = _fit(
            member_config,
            data,
            where,
            task_type,
            task_names,
            class_weights=class_weights,
            progress=progress,
        )
        fits.append(fit)
    if fits[0] is None:
        return {}  # the other processes of a distributed run: rank 0 evaluates and writes
    if config.ensemble == 1:
        network, checkpoint = fits[0].network, fits[0].path
    else:
        network = assemble([fit.network for fit in fits])
        checkpoint = (outdir / "model.ckpt").resolve()
        save_model(network, checkpoint, length=length, task_names=task_names, task_type=task_type)
    report = {
        "checkpoint": str(checkpoint),
        "model": describe_model(network),
        "task_type": task_type,
        "task_names": task_names,
        "length": length,
        "sizes": sizes,
        "epochs": fits[0].epochs if len(fits) == 1 else [fit.epochs for fit in fits],
        "processes": fits[0].processes,
        "stopped": fits[0].stopped if len(fits) == 1 else [fit.stopped for fit in fits],
        "best_epoch_score": (
            fits[0].best_score if len(fits) == 1 else [fit.best_score for fit in fits]
        ),
        "monitor": fits[0].monitor,
        "train_seconds": round(sum(fit.train_seconds for fit in fits), 1),
    }
    final = "test" if sizes["test"] else "valid"
    for name in ("valid", "test"):
        if name in data.tensors:
            report[name] = evaluate(
                network,
                *data.tensors[name],
                task_type,
                batch_size=config.batch_size,
                task_names=task_names,
            )
    x, y = data.tensors[final]
    save_curves(
        batched_forward(network, x, batch_size=config.batch_size),
        y,
        task_type,
        task_names,
        outdir,
        title=(
            f"{config.architecture}, {final} set"
            if config.ensemble == 1
            else f"{config.architecture} x {config.ensemble} (ensemble), {final} set"
        ),
    )
    with atomic_write(outdir / "metrics.json") as handle:
        json.dump(report, handle, indent=1)
    with atomic_write(outdir / "config.yaml") as handle:
        yaml.safe_dump(config.model_dump(), handle, sort_keys=False)
    return report
