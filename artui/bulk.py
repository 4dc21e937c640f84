"""Making many small objects at once: the cyclic collector paused meanwhile.

A whole-book report makes a tuple a customer or a document (80,000 to 270,000 of
them). Each 700 allocations start a young collection, and every tenth of those an
older one; in a workstation that holds a large screen's objects, the oldest
generation's pass over them all came in the middle of a report, 50-150 ms each time.
Tuples of numbers and text hold no cycles, so nothing is lost by waiting: the
collector counts them afterwards as usual.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def bulk() -> Iterator[None]:
    """The cyclic garbage collector paused for the block (as it was before, after)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
