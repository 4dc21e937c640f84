"""Storage faults met by the real `artui`: a full disk (a file size limit; a small
filesystem), a read-only disk, a book the user may not write. Each gives one sentence and
exit 1, leaves a book that `artui check` passes, and the same command works once the
fault is gone. Small filesystems and other users need root (CI runs as root)."""

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from artui.book import open_book

from .conftest import TODAY

ARTUI = str(Path(sys.executable).with_name("artui"))
ROOT = os.geteuid() == 0


def env_for(home: Path) -> dict[str, str]:
    env = {**os.environ, "ARTUI_USER": "alice", "ARTUI_TODAY": TODAY.isoformat()}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"))
    env.pop("ARTUI_DB", None)
    return env


def artui(db: Path, *args: str, preexec=None, prefix=(), home: Path | None = None):  # noqa: ANN001
    home = home or db.parent
    return subprocess.run(
        [*prefix, ARTUI, "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env_for(home),
        preexec_fn=preexec,
        timeout=120,
    )


def can_run_artui(prefix) -> bool:  # noqa: ANN001
    """Whether another user can start this interpreter and import ARTUI at all (a
    checkout under /root cannot be entered by them)."""
    probe = [*prefix, sys.executable, "-c", "import artui.cli"]
    return subprocess.run(probe, capture_output=True, cwd="/").returncode == 0


def customers_csv(path: Path, count: int, prefix: str = "N") -> Path:
    lines = ["account,name"] + [
        f"{prefix}{i},Customer number {i} of a long run" for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_book(db: Path) -> None:
    open_book(str(db), "alice", create=True, company="Fault Co", today=TODAY).dispose()


def assert_refused(run: subprocess.CompletedProcess, *words: str) -> None:
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    for word in words:
        assert word in run.stderr, run.stderr


def assert_whole(db: Path) -> None:
    check = artui(db, "check")
    assert check.returncode == 0, check.stderr
    assert "every invariant holds" in check.stdout


def file_size_limit(limit: int):  # noqa: ANN201
    def apply() -> None:
        # ignored SIGXFSZ: the write fails with EFBIG instead of the process dying
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_disk_full_under_a_file_size_limit(tmp_path):
    db = tmp_path / "book.db"
    make_book(db)
    big = customers_csv(tmp_path / "customers.csv", 300)
    refused = artui(db, "import", "customers", str(big), preexec=file_size_limit(64_000))
    assert_refused(refused, "The disk holding the book", "refused to write", "nothing was saved")
    assert_whole(db)
    again = artui(db, "import", "customers", str(big))
    assert again.returncode == 0, again.stderr
    assert "Imported 300 customers" in again.stdout


@contextlib.contextmanager
def small_disk(size: str):  # noqa: ANN201
    """A tmpfs of `size` (root only); skipped where mounting is not allowed."""
    if not ROOT or not shutil.which("mount"):
        pytest.skip("a small filesystem needs root")
    point = Path(tempfile.mkdtemp(prefix="artui-disk-"))
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(point)],
        capture_output=True,
    )
    if made.returncode != 0:
        point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)
        point.rmdir()


def remount(point: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(point)], check=True)


def test_full_disk_and_read_only_disk(tmp_path):
    with small_disk("1m") as disk:
        db = disk / "book.db"
        make_book(db)
        big = customers_csv(tmp_path / "big.csv", 1500)
        full = artui(db, "import", "customers", str(big), home=tmp_path)
        assert_refused(full, f"The disk holding the book ({disk}) is full", "nothing was saved")
        assert_whole(db)

        remount(disk, "size=64m")  # space freed
        small = customers_csv(tmp_path / "small.csv", 100)
        done = artui(db, "import", "customers", str(small), home=tmp_path)
        assert done.returncode == 0, done.stderr

        remount(disk, "ro")  # as ext4 does after an error (errors=remount-ro)
        more = customers_csv(tmp_path / "more.csv", 10, prefix="M")
        ro = artui(db, "import", "customers", str(more), home=tmp_path)
        assert_refused(ro, f"The disk holding the book ({disk}) is read-only")
        remount(disk, "rw")
        assert_whole(db)
        done = artui(db, "import", "customers", str(more), home=tmp_path)
        assert done.returncode == 0, done.stderr


@pytest.mark.skipif(not ROOT or not shutil.which("setpriv"), reason="needs root and setpriv")
def test_book_the_user_may_not_write(tmp_path):
    """Root ignores file permissions, so the clerk here is `nobody`."""
    top = Path(tempfile.mkdtemp(prefix="artui-ro-"))
    try:
        top.chmod(0o755)
        folder = top / "books"
        folder.mkdir(mode=0o755)
        db = folder / "book.db"
        make_book(db)
        db.chmod(0o644)
        more = customers_csv(top / "more.csv", 10)
        more.chmod(0o644)
        nobody = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
        if not can_run_artui(nobody):
            pytest.skip("nobody cannot run this checkout's Python (its folder is private)")
        ro = artui(db, "import", "customers", str(more), prefix=nobody, home=top)
        assert_refused(ro, f"You may not write in the book's folder {folder}", "nothing was saved")
        assert_whole(db)
        os.chown(folder, 65534, -1)
        os.chown(db, 65534, -1)
        done = artui(db, "import", "customers", str(more), prefix=nobody, home=top)
        assert done.returncode == 0, done.stderr
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_world_writable_book_folder_is_refused_at_start(tmp_path):
    folder = tmp_path / "open"
    folder.mkdir()
    db = folder / "book.db"
    make_book(db)
    folder.chmod(0o777)
    refused = artui(db, "aging", home=tmp_path)
    assert_refused(refused, "world-writable", f"chmod o-w {folder}")
    folder.chmod(0o750)
    assert_whole(db)


@pytest.mark.postgres
def test_read_only_postgresql_database(pg_url):
    """SQLSTATE 25006: the database set read-only (as a standby is); a write says so and
    works again once the database is writable."""
    from sqlalchemy import create_engine, text

    from artui.customers import CustomerInput, create_customer
    from artui.errors import StorageFault

    from .conftest import _fresh_pg_url

    url = _fresh_pg_url(pg_url)
    name = url.rsplit("/", 1)[1]
    book = open_book(url, "alice", create=True, today=TODAY)
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")

    def read_only(on: bool) -> None:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {on}'))
        book.engine.dispose()  # new sessions take the setting

    try:
        read_only(True)
        with pytest.raises(StorageFault, match="read-only just now: nothing was saved"):
            create_customer(book, CustomerInput("R1", "Read Only Ltd"))
        read_only(False)
        create_customer(book, CustomerInput("R1", "Read Only Ltd"))
    finally:
        book.dispose()
        admin.dispose()
