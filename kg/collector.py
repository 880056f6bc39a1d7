"""Python's cycle collector paused while a corpus-wide stage makes its objects.

The collector runs a full collection once enough new objects have come, and a full
collection walks every object alive: at 10,000 articles the extractions alone are
millions. Linking, the graph and graph.html's data each make hundreds of thousands of
dicts, sets and tuples, which set off such walks again and again (linking took twice
as long, graph.html a third longer). None of them is in a cycle, so reference counting
frees them all; the collector is only put off until the stage ends.

>>> import gc
>>> with paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The cycle collector off for the block (left off if it was off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
