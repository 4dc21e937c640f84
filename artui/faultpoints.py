"""Named places where a fault test kills this process, to prove that nothing
acknowledged is lost and nothing is done twice (tests/integration/test_crash_points.py).

`ARTUI_CRASH_AT=<name>` sends this process SIGKILL at that place, once it has been
passed `ARTUI_CRASH_AFTER` times (default 0: the first time). Both are read once, at
import: anywhere else a call costs one string comparison.
"""

import os
import signal

AT: str | None = os.environ.get("ARTUI_CRASH_AT") or None
AFTER: int = int(os.environ.get("ARTUI_CRASH_AFTER") or 0)
_passed = 0

# the places, for tests to go through: where each `reached(...)` call stands
POINTS = (
    "write.numbered",  # book.py next_number(s): a sequence taken, inside a writing unit
    "write.before_commit",  # db/engine.py write_unit: the work done, COMMIT not yet sent
    "write.after_commit",  # db/engine.py write_unit: committed, the caller not yet told
    "outbox.sent",  # outbox.py deliver: the server has the message, the row not marked
    "batch_post.documents_written",  # batch_post.py: payments inserted, nothing else yet
    "statement_run.marked",  # statement_runs.py _mark_done: between statements
    "statement_run.batch_done",  # statement_runs.py continue_run: between batches
)


def reached(name: str) -> None:
    """Die here (SIGKILL: no cleanup, no flush) when a test asked for this place."""
    if name != AT:
        return
    global _passed
    _passed += 1
    if _passed > AFTER:
        os.kill(os.getpid(), signal.SIGKILL)


def arm(name: str | None, after: int = 0) -> None:
    """Set the place in a process already started (a test's forked worker)."""
    global AT, AFTER, _passed
    AT, AFTER, _passed = name, after, 0
