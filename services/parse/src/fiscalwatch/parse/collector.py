"""The cyclic garbage collector paused while many objects are made at once.

A parse makes tens of thousands of objects (tokens, rows, cells), none in a reference
cycle, many of them alive to the end: the collector, which runs every 700 allocations,
traverses them all again each time and frees nothing (for the flattened 002 seed, about one
instruction in twenty of the parse). Paused, it meets the survivors once, at its next run
after the pause.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

_pause_lock = threading.Lock()
_pauses = 0  # pauses running (a paused parse may run in a thread)
_resume = False  # whether the collector ran before the first of them paused it


@contextmanager
def collector_paused():
    """Counted, so that pauses in several threads resume the collector only when the last
    one ends; a collector already disabled by the program stays disabled."""
    global _pauses, _resume
    with _pause_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
