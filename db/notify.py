"""Change notices on PostgreSQL: one listening connection per workstation.

Every committed write appends an audit event, and on PostgreSQL a statement trigger on
`audit_event` (migration 0012) sends `NOTIFY artui_changes` with it; the server delivers
it when the transaction commits, once per transaction. A `ChangeListener` holds one
autocommit psycopg connection that LISTENs and calls back from its own thread, so a
screen can refresh at once instead of waiting for its poll. SQLite has no such thing:
screens keep polling there (one indexed max, cheap).
"""

import contextlib
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine

CHANNEL = "artui_changes"
# A link that dies without a word (a laptop's network gone) leaves a listener waiting
# forever on a socket that says nothing: TCP keepalives find it out in about a minute.
_KEEPALIVE = {
    "application_name": "artui-listen",  # what an admin sees in pg_stat_activity
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}


def _dsn(engine: Engine) -> str:
    """The engine's URL as libpq wants it (no `+psycopg`, the password kept)."""
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class ChangeListener(threading.Thread):
    """Calls `on_change()` (from this thread) soon after anyone commits a change.

    The connection is made again after a failure (a restarted server, a dropped link),
    and `on_change` is then called once, since notices sent meanwhile were lost.
    """

    def __init__(
        self,
        engine: Engine,
        on_change: Callable[[], None],
        *,
        wait: float = 1.0,
        retry: float = 2.0,
        gap: float = 1.0,
    ) -> None:
        super().__init__(name="artui-listen", daemon=True)
        self.dsn = _dsn(engine)
        self.on_change = on_change
        self.wait = wait  # how long one wait for notices lasts: how soon stop() is seen
        self.retry = retry
        self.gap = gap
        self.listening = threading.Event()  # set while LISTEN is in force
        self._halt = threading.Event()

    def stop(self, timeout: float | None = None) -> None:
        self._halt.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout if timeout is not None else self.wait + 1)

    def run(self) -> None:
        import psycopg

        first = True
        while not self._halt.is_set():
            try:
                with psycopg.connect(self.dsn, autocommit=True, **_KEEPALIVE) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    if not first:
                        self._notify()  # what changed while we were not listening
                    first = False
                    last = 0.0
                    while not self._halt.is_set():
                        if not any(True for _ in conn.notifies(timeout=self.wait, stop_after=1)):
                            continue
                        # the first change is told at once; a busy book (twenty clerks
                        # posting) once per `gap`, not a screen reload per commit
                        since = time.monotonic() - last
                        if since < self.gap:
                            for _ in conn.notifies(timeout=self.gap - since):
                                pass
                        self._notify()
                        last = time.monotonic()
            except psycopg.Error:
                self.listening.clear()
                self._halt.wait(self.retry)
        self.listening.clear()

    def _notify(self) -> None:
        # a failing callback must not end the listening
        with contextlib.suppress(Exception):
            self.on_change()


def listen(engine: Engine, on_change: Callable[[], None]) -> ChangeListener | None:
    """A started listener for a PostgreSQL book; None for SQLite (screens poll there)."""
    if engine.dialect.name != "postgresql":
        return None
    listener = ChangeListener(engine, on_change)
    listener.start()
    return listener
