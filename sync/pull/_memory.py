"""Keeping a big pull's memory down where the C library decides it: glibc's malloc arenas.

The pull allocates in several threads (fetch threads decode pages, a thread reads mapped pages
back from the worker, the writer frees them after each commit). glibc gives threads arenas of
their own, up to eight per core, and memory freed into one arena is not reused by the others:
at 100k work orders a first sync's peak RSS was 5-6 MB higher than with two arenas
(``tests/benchmarks/bench_pull.py``), for no speed in return. Elsewhere than glibc nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util

__all__ = ["limit_malloc_arenas"]

_M_ARENA_MAX = -8  # glibc's mallopt() parameter number
_done = False


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas for this process (once; threads started later share them).

    Returns whether the cap is in force. It applies to the whole process, which suits the
    command line and the daemon; a program embedding the pull gets the same cap.
    """
    global _done
    if _done:
        return True
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        _done = bool(libc is not None and hasattr(libc, "mallopt") and libc.mallopt(_M_ARENA_MAX, arenas) == 1)
    except OSError:
        _done = False
    return _done
