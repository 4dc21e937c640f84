"""A throwaway PostgreSQL server for the tests.

`.ci/run` starts one (`python -m tests.pgserver start DIR`) and exports ARTUI_TEST_PG;
without that variable each test process starts its own in a temporary folder, and the
PostgreSQL tests skip (saying why) only when no server can be started here.
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if found:
        candidates.insert(0, str(Path(found).parent))
    for c in candidates:
        if (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def start(base: str | None = None) -> tuple[str | None, str]:
    """Start a server; returns (URL, data folder) or (None, the reason)."""
    bindir = _bindir()
    if bindir is None:
        return None, "no PostgreSQL server programs (initdb, pg_ctl) are installed"
    base = base or tempfile.mkdtemp(prefix="artui-pg-")
    Path(base).mkdir(parents=True, exist_ok=True)
    data = Path(base) / "data"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        os.chmod(base, 0o700)
    port = _free_port()
    try:
        subprocess.run(
            _as_owner(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        opts = (
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200 -c shared_buffers=128MB"
        )
        subprocess.run(
            _as_owner(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    opts,
                    "-l",
                    str(Path(base) / "log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=90,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        return None, f"PostgreSQL could not be started: {exc} {detail.decode(errors='replace')}"
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return url, str(data)
        except OSError:
            time.sleep(0.2)
    return None, "PostgreSQL started but does not answer"


def stop(data: str) -> None:
    """Stop the server of the data folder `data` (`start`'s BASE/data) and remove BASE.
    Given BASE itself, its data folder is meant; anything else is refused: removing
    the parent of a folder that is not a server's once emptied all of /tmp."""
    folder = Path(data)
    if not folder.exists():  # gone already: nothing to stop or remove
        return
    if not (folder / "PG_VERSION").exists() and (folder / "data" / "PG_VERSION").exists():
        folder = folder / "data"
    if folder.name != "data" or not (folder / "PG_VERSION").exists():
        raise SystemExit(f"{data} is not the data folder of a server that start made")
    bindir = _bindir()
    if bindir is not None:
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(folder), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
        )
    shutil.rmtree(folder.parent, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "start":
        url, info = start(sys.argv[2] if len(sys.argv) > 2 else None)
        if url is None:
            print(info, file=sys.stderr)
            sys.exit(1)
        print(url)
    elif len(sys.argv) == 3 and sys.argv[1] == "stop":
        stop(sys.argv[2])
    else:
        print("usage: python -m tests.pgserver start [DIR] | stop DATADIR", file=sys.stderr)
        sys.exit(2)
