"""A stop request (SIGTERM) that survives being swallowed.

The SIGTERM handler raises KeyboardInterrupt wherever Python happens to be; inside a C
callback (numba's compiler cache, a ``__del__``) that exception is printed and dropped.
The request is remembered here too, so an output is never committed after a stop was asked
for and the run still exits 130.
"""

from __future__ import annotations

_requested = False


def request() -> None:
    """Record that the run was asked to stop."""
    global _requested
    _requested = True


def clear() -> None:
    """Forget an earlier request (a new run in the same process)."""
    global _requested
    _requested = False


def requested() -> bool:
    """Whether a stop was asked for since the run began."""
    return _requested


def check() -> None:
    """Raise KeyboardInterrupt if a stop was asked for."""
    if _requested:
        raise KeyboardInterrupt
