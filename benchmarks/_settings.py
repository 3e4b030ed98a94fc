"""The defaults that stored benchmark results were measured with, where motifnet's have changed.

On 2026-12-03 the default ``rc_cnn`` became the stride-1 form (no downsampling, one block, max
and mean pooled) trained with 5% random mutations and a warm-up epoch. Benchmarks whose rows
were measured before that pin the old form and training here, so a rerun or a resumed run
measures what their tables show; a row that means the new default says so in its settings.
"""

from __future__ import annotations

# rc_cnn until 2026-12-03: pooled by 4 after the motif scanners, two blocks, max pooled
RC_CNN_UNTIL_2026_12 = {"pool": 4, "depth": 2, "global_pool": "max"}
# its training until 2026-12-03: no mutations, cosine decay from the first epoch
RC_CNN_TRAINING_UNTIL_2026_12 = {"mutate_augment": 0.0, "warmup_epochs": 0.0}
# the same as `motifnet train` flags
CLI_NAMES = {"mutate_augment": "--mutate-augment", "warmup_epochs": "--warmup-epochs"}


def until_2026_12(architecture: str, settings: dict) -> dict:
    """``settings`` (TrainConfig keys, the architecture's under ``model``) completed with the
    rc_cnn defaults of before 2026-12-03 wherever they leave a changed default out."""
    if architecture != "rc_cnn":
        return settings
    model = {**RC_CNN_UNTIL_2026_12, **settings.get("model", {})}
    return {**RC_CNN_TRAINING_UNTIL_2026_12, **settings, "model": model}


def flags_until_2026_12(architecture: str, flags: list[str]) -> list[str]:
    """``motifnet train`` flags preceded by the rc_cnn defaults of before 2026-12-03 (later
    flags override them)."""
    if architecture != "rc_cnn":
        return flags
    pinned = [
        f
        for key, value in RC_CNN_TRAINING_UNTIL_2026_12.items()
        for f in (CLI_NAMES[key], str(value))
    ]
    pinned += [
        f for key, value in RC_CNN_UNTIL_2026_12.items() for f in ("--set", f"{key}={value}")
    ]
    return [*pinned, *flags]
