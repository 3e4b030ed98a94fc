"""`motifnet check`: measured RC and shift equivariance of a model or a saved model."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

from motifnet.cli._parser import add_subcommand
from motifnet.errors import ConfigError, MotifnetError

HELP = "measure a model's RC error, shift error and call consistency"
DEFAULT_LENGTH = 200
DESCRIPTION = """\
Measure how exactly a model is reverse-complement invariant and shift equivariant.

MODEL is a saved model file, or an architecture name (then built with random weights from
--seed and any --set overrides: useful to see what an architecture guarantees before training).

Reported, on logits:
  RC error      max and mean |f(rc x) - f(x)|; a model that claims RC invariance must be
                below --tolerance x max(1, largest |f(x)|) (exit status 1 otherwise: float32
                rounding grows with the logits' scale)
  output error  mean |f(window shifted by s) - f(window)| / mean |f(window)|
  trunk error   the conv feature map of the shifted window against the base map moved by s/D
                steps (D = total stride): 0 for s a multiple of D with 'valid' convolutions
  consistency   fraction of calls (logit > 0) unchanged by the shift

Probe sequences are random (uniform bases) unless --input gives real ones (FASTA or CSV):
the central length + max(shift) bp of each record long enough is used.
"""
# Kept as text so that `motifnet --help` does not import torch; a test checks it against the
# registry.
ARCHITECTURES = """\
architectures:
  cnn        standard CNN: conv motif detectors -> pool -> convs -> global pool -> linear
  rc_cnn     a CNN of RC layers, no downsampling, one block, max+mean pooled: RC-invariant
  rnn        RNN baseline: per-base embedding -> BiLSTM/BiGRU -> pooled over length
  rc_rnn     the RNN run with tied weights on both strands: exactly RC-invariant
  hybrid     DanQ-like: conv motif scanners -> pool -> BiLSTM
  rc_hybrid  RC conv scanners + the BiLSTM on both strands: exactly RC-invariant
  dilated    conv scanners -> residual blocks of dilated convolutions (BPNet-like) -> global pool
  rc_dilated the same from RC layers: exactly RC-invariant
  ensemble   models of one architecture trained with K seeds, logits averaged (train --ensemble K)
  conjoined(NAME)  any of them with post-hoc RC averaging of the logits
"""
EPILOG = (
    ARCHITECTURES
    + """
examples:
  motifnet check rc_cnn
  motifnet check cnn --set pool_type=blur --set pool=4 --length 500
  motifnet check runs/x/model.pt --input peaks.fa --json
"""
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = add_subcommand(commands, "check", help=HELP, description=DESCRIPTION, epilog=EPILOG)
    p.add_argument("model", metavar="MODEL", help="a saved model file or an architecture name")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override an architecture setting (repeatable), e.g. --set filters=32",
    )
    p.add_argument("--input", help="FASTA/CSV/BED of probe sequences (default: random sequences)")
    p.add_argument("--genome", help="genome FASTA, when --input is a BED file")
    p.add_argument(
        "--length",
        type=int,
        help=f"window length in bp (default: a saved model's input length, else {DEFAULT_LENGTH})",
    )
    p.add_argument("-n", type=int, default=64, help="random probe sequences (default: %(default)s)")
    p.add_argument("--shifts", type=int, nargs="+", help="shifts in bp (default: 1..D, 2D, 3D)")
    p.add_argument(
        "--tolerance",
        type=float,
        default=1e-5,
        help="largest RC error accepted from a model that claims invariance, relative to the "
        "largest |logit| when that is above 1 (default: %(default)s)",
    )
    p.add_argument(
        "--seed", type=int, default=0, help="seed for weights and probes (default: %(default)s)"
    )
    p.add_argument("--device", default="auto", help="cpu, cuda or auto (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(run=run)


def parse_settings(pairs: list[str]) -> dict:
    """KEY=VALUE strings to typed values (YAML scalars: 3, 0.1, true, relu)."""
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set takes KEY=VALUE, got {pair!r}")
        settings[key.strip()] = yaml.safe_load(value)
    return settings


def _model(args: argparse.Namespace):
    """The model and the input length to probe it at (its training length for a saved one)."""
    import torch

    from motifnet.checkpoint import load_model, read_checkpoint
    from motifnet.nn.registry import build

    if Path(args.model).exists():
        if args.set:
            raise ConfigError("--set applies to an architecture name, not to a saved model")
        model = load_model(args.model)
        checkpoint = read_checkpoint(args.model)
        trained_length = checkpoint.get("motifnet", checkpoint).get("length")
        return model, args.length or trained_length or DEFAULT_LENGTH
    torch.manual_seed(args.seed)
    return build(args.model, **parse_settings(args.set)), args.length or DEFAULT_LENGTH


def _probes(args: argparse.Namespace, span: int):
    import torch

    from motifnet.equivariance import random_one_hot
    from motifnet.io import read_sequences
    from motifnet.sequence import one_hot

    if not args.input:
        return random_one_hot(args.n, span, seed=args.seed), f"{args.n} random sequences"
    records = list(read_sequences(args.input, genome=args.genome, duplicates="allow", labels=False))
    windows = []
    for record in records:
        if len(record.sequence) >= span:
            start = (len(record.sequence) - span) // 2
            windows.append(record.sequence[start : start + span])
    if not windows:
        raise MotifnetError(
            f"{args.input}: no record is at least {span} bp long (length + max shift)"
        )
    skipped = len(records) - len(windows)
    note = f" ({skipped} shorter than {span} bp not used)" if skipped else ""
    return torch.from_numpy(
        one_hot(windows)
    ), f"{len(windows)} of {len(records)} records of {args.input}{note}"


def run(args: argparse.Namespace) -> int:
    from motifnet.equivariance import check, default_shifts
    from motifnet.nn.registry import describe_model
    from motifnet.nn.runtime import check_input_length, resolve_device

    model, length = _model(args)
    check_input_length(model, length)
    info = describe_model(model)
    shifts = args.shifts or default_shifts(info["total_stride"])
    if min(shifts) < 1:
        raise ConfigError("shifts must be positive")
    probes, source = _probes(args, length + max(shifts))
    result = check(model, probes, length=length, shifts=shifts, device=resolve_device(args.device))
    allowed = args.tolerance * max(1.0, result["rc"]["scale"])  # float32 rounding grows with it
    broken = info["rc_invariant"] and result["rc"]["max_abs"] > allowed
    report = {
        "model": info,
        "probes": source,
        **result,
        "tolerance": allowed,
        "rc_claim_holds": None if not info["rc_invariant"] else not broken,
    }
    print(json.dumps(report, indent=1) if args.json else format_report(report))
    return 1 if broken else 0


def format_report(report: dict) -> str:
    """The human-readable tables."""
    from motifnet.nn.registry import model_name

    info, rc = report["model"], report["rc"]
    if report["rc_claim_holds"] is None:
        verdict = "not RC-invariant by construction"
    elif report["rc_claim_holds"]:
        verdict = f"exact: below {report['tolerance']:.2g}, as the architecture claims"
    else:
        verdict = (
            f"BROKEN: above {report['tolerance']:.2g} although the architecture claims invariance"
        )
    lines = [
        f"{model_name(info)}: {info['parameters']:,} parameters, trunk receptive field "
        f"{info['receptive_field']} bp, total stride {info['total_stride']}",
        f"motif scanners: {info['motif_scanners'] or 'none'}; scan: {info['scan']}"
        + (f" ({info['scan_reason']})" if info["scan_reason"] else ""),
        "head: "
        + (
            "global pooling: the output is shift-invariant"
            if info["shift_invariant_head"]
            else "keeps position: the output is NOT shift-invariant (by design)"
        ),
        f"probes: {report['probes']}, windows of {report['length']} bp",
        "",
        f"RC error  max {rc['max_abs']:.2e}  mean {rc['mean_abs']:.2e}  "
        f"relative {rc['relative']:.2e}  {verdict}",
        "",
        "shift  multiple of stride  output error  trunk error  consistency",
    ]
    for row in report["shifts"]:
        trunk = "-" if row["trunk_error"] is None else f"{row['trunk_error']:.2e}"
        lines.append(
            f"{row['shift']:>5}  {'yes' if row['multiple_of_stride'] else 'no':<18}  "
            f"{row['output_error']:>12.2e}  {trunk:>11}  {row['consistency']:>11.3f}"
        )
    return "\n".join(lines)
