"""`artui serve`: this machine only unless told, and told plainly; each browser session
runs `artui` on the same book as the same user."""

import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from artui.cli_serve import is_local, session_command

ARTUI = str(Path(sys.executable).with_name("artui"))


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.0.2", "::1", "[::1]"])
def test_loopback_addresses_are_local(host):
    assert is_local(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "artui.example.com", ""])
def test_other_addresses_are_not(host):
    assert not is_local(host)


def test_a_sqlite_book_and_the_user_ride_on_the_command():
    command, env = session_command("sqlite:////srv/art ui/book.db", "alice", "2026-11-24")
    args = shlex.split(command)
    assert args[:3] == [sys.executable, "-m", "artui"]
    assert args[args.index("--db") + 1] == "/srv/art ui/book.db"
    assert args[args.index("--user") + 1] == "alice"
    assert args[args.index("--today") + 1] == "2026-11-24"
    assert env == {}


def test_a_postgresql_password_stays_out_of_the_process_list():
    url = "postgresql+psycopg://artui:SECRET@dbhost/artui"
    command, env = session_command(url, "alice")
    assert "SECRET" not in command
    assert "--db" not in command
    assert env == {"ARTUI_DB": url}


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "book.db")
    subprocess.run(
        [ARTUI, "--db", path, "--user", "alice", "init"], check=True, capture_output=True
    )
    return path


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("ARTUI_DB", "ARTUI_USER")}
    return subprocess.run([ARTUI, *args], capture_output=True, text=True, env=env, timeout=timeout)


def test_another_address_is_refused_without_allow_remote(db):
    done = run("--db", db, "--user", "alice", "serve", "--host", "0.0.0.0")
    assert done.returncode == 2
    assert "--allow-remote" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_book_or_a_refused_user_is_said_before_serving(db, tmp_path):
    missing = run("--db", str(tmp_path / "none.db"), "serve")
    assert missing.returncode == 1
    assert "There is no book" in missing.stderr
    stranger = run("--db", db, "--user", "mallory", "serve")
    assert stranger.returncode == 1
    assert "mallory is not a user of this book" in stranger.stderr


def test_allow_remote_serves_with_a_warning(db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("ARTUI_DB", "ARTUI_USER")}
    server = subprocess.Popen(
        [ARTUI, "--db", db, "--user", "alice", "serve", "--host", "0.0.0.0"]
        + ["--allow-remote", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and server.poll() is None:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        assert server.poll() is None, "artui serve --allow-remote ended"
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    assert "warning: listening on 0.0.0.0" in err
    assert "no authentication" in err
