"""The ``motifnet`` command: one subcommand per workflow step."""

from __future__ import annotations

import argparse
import os
import select
import signal
import sys
import threading

from motifnet import __version__, stopping
from motifnet.cli import (
    check,
    evaluate,
    experiment,
    inspect,
    motifs,
    predict,
    prepare,
    scan,
    simulate,
    summarize,
    train,
    variants,
)
from motifnet.errors import MotifnetError

SUBCOMMANDS = (
    prepare,
    train,
    evaluate,
    predict,
    scan,
    variants,
    experiment,
    motifs,
    check,
    summarize,
    simulate,
    inspect,
)

DESCRIPTION = """\
motifnet finds the DNA motifs a neural network learns.

Each subcommand is one step of the workflow; run `motifnet SUBCOMMAND --help` for its options.
"""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand attached."""
    parser = argparse.ArgumentParser(
        prog="motifnet",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"motifnet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True)
    for module in SUBCOMMANDS:
        module.add_parser(commands)
    return parser


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse an output that could not be written before any work starts (-o of a file, or
    of a folder, whichever the subcommand takes)."""
    from motifnet.io.atomic import check_output_file, check_output_folder

    for name in ("output", "sites"):
        output = getattr(args, name, None)
        if output and output != "-":
            check_output_file(output)
    outdir = getattr(args, "outdir", None)
    if outdir:
        check_output_folder(outdir)


def _terminate(signum, frame) -> None:
    """SIGTERM (a killed job, a cluster's time limit) unwinds like Ctrl-C, so temporary
    files are removed and earlier outputs stay intact."""
    stopping.request()
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors print one line to stderr and exit 2, never a traceback."""
    parser = build_parser()
    args = _parse(parser, argv)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    stopping.clear()
    try:
        check_outputs(args)
        status = args.run(args) or 0
        stopping.check()  # a SIGTERM that arrived inside a C callback and was swallowed there
        sys.stdout.flush()  # a reader of stdout that left is noticed here, not at exit
        return status
    except MotifnetError as err:
        return _fail(args, str(err))
    except BrokenPipeError as err:
        if not _stdout_reader_left():  # a pipe other than stdout broke: that is an error
            return _fail(args, str(err.strerror or err))
        _silence_stdout()  # the reader of stdout left (`motifnet check m.ckpt | head -1`)
        return 141
    except OSError as err:  # a file that vanished, a full disk, a folder where a file belongs
        where = f"{err.filename}: " if err.filename else ""
        return _fail(args, f"{where}{err.strerror or err}")
    except UnicodeError as err:
        return _fail(args, f"text that is not UTF-8 ({err})")
    except KeyboardInterrupt:
        print(f"motifnet {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line; a subcommand whose trailing positional takes several values
    (``more_positionals``: its name) also gets those written after options, as in
    `motifnet experiment CKPT -o out GATA1 SOX2`, which argparse alone refuses."""
    args, extra = parser.parse_known_args(argv)
    collect = getattr(args, "more_positionals", None)
    if extra and collect and not any(word.startswith("-") for word in extra):
        setattr(args, collect, [*getattr(args, collect), *extra])
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _stdout_reader_left() -> bool:
    """Whether stdout is a pipe whose reader closed it (poll reports an error on its end)."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # stdout replaced by an object (tests)
        return False
    if not hasattr(select, "poll"):  # Windows: no way to ask, take the reader as gone
        return True
    poller = select.poll()
    poller.register(descriptor, select.POLLOUT)
    return any(events & select.POLLERR for _, events in poller.poll(0))


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's flush at exit does not fail again."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # stdout replaced by an object (tests)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


def _fail(args: argparse.Namespace, message: str) -> int:
    print(f"motifnet {args.command}: error: {message}", file=sys.stderr)
    return 2
