"""Where a book may live (artui/safety.py), and which database errors are the storage
refusing (db.engine.storage_problem) with their sentences."""

import sqlite3
import time
from pathlib import Path

import pytest

from artui import safety
from artui.book import open_book
from artui.errors import Refused, storage_fault
from db.engine import make_engine, storage_problem

MOUNTINFO = r"""22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro
40 27 0:40 / /srv/shared rw,relatime shared:5 - nfs4 files:/export rw,vers=4.2
41 40 259:3 / /srv/shared/local rw,relatime shared:6 - ext4 /dev/sdb1 rw
42 27 0:42 / /home/al\040ice/remote rw,nosuid - fuse.sshfs al@box:/data rw
43 27 0:43 / /mnt/c rw,noatime - 9p drvfs rw
44 27 0:44 / /mnt/win rw - cifs //pc/share rw
45 27 0:45 / /run/user/1000/doc rw - fuse.portal portal rw
"""
PROC_MOUNTS = """/dev/sda1 / ext4 rw,relatime 0 0
fs:/vol /data nfs rw,vers=3 0 0
"""


@pytest.fixture
def mounts(tmp_path) -> Path:
    path = tmp_path / "mountinfo"
    path.write_text(MOUNTINFO)
    return path


@pytest.mark.parametrize(
    "folder, fstype",
    [
        ("/var/lib/artui", "ext4"),
        ("/srv/shared/books", "nfs4"),
        ("/srv/shared", "nfs4"),
        ("/srv/sharedx/books", "ext4"),  # a prefix of the name is not a parent folder
        ("/srv/shared/local/books", "ext4"),  # a local disk mounted inside the share
        ("/home/al ice/remote/books", "fuse.sshfs"),  # \040 in the table is a space
        ("/mnt/c/Users", "9p"),
        ("/mnt/win", "cifs"),
        ("/run/user/1000/doc/x", "fuse.portal"),
    ],
)
def test_filesystem_of_takes_the_longest_mount_point(mounts, folder, fstype):
    assert safety.filesystem_of(folder, mounts) == fstype


def test_proc_mounts_form_and_an_unreadable_table(tmp_path):
    table = tmp_path / "mounts"
    table.write_text(PROC_MOUNTS)
    assert safety.filesystem_of("/data/books", table) == "nfs"
    assert safety.filesystem_of("/home", table) == "ext4"
    assert safety.filesystem_of("/home", tmp_path / "missing") is None


@pytest.mark.parametrize(
    "fstype, network",
    [
        ("nfs", True),
        ("nfs4", True),
        ("cifs", True),
        ("smb3", True),
        ("fuse.sshfs", True),
        ("9p", True),
        ("ceph", True),
        ("fuse.rclone", True),
        ("ext4", False),
        ("xfs", False),
        ("btrfs", False),
        ("tmpfs", False),
        ("zfs", False),
        ("overlay", False),
        ("fuse.portal", False),
        (None, False),
    ],
)
def test_network_filesystems(fstype, network):
    assert safety.is_network(fstype) is network


def test_a_book_on_a_network_share_is_refused_with_the_reason(mounts):
    with pytest.raises(Refused) as refused:
        safety.check_folder(Path("/srv/shared/artui"), mounts=mounts, env={})
    text = str(refused.value)
    assert "/srv/shared/artui is on a network filesystem (nfs4)" in text
    assert "PostgreSQL for a team on many machines" in text
    # the documented escape hatch, for one person's private book
    safety.check_folder(
        Path("/srv/shared/artui"), mounts=mounts, env={"ARTUI_ALLOW_NETWORK_FS": "1"}
    )
    safety.check_folder(Path("/var/lib/artui"), mounts=mounts, env={})


def test_world_writable_folder_or_book_is_refused_with_the_fix(tmp_path):
    folder = tmp_path / "books"
    folder.mkdir()
    db = folder / "book.db"
    open_book(str(db), "alice", create=True).dispose()
    folder.chmod(0o777)
    with pytest.raises(Refused, match=f"chmod o-w {folder}"):
        open_book(str(db), "alice")
    folder.chmod(0o755)
    db.chmod(0o666)
    with pytest.raises(Refused, match=f"chmod o-w {db}"):
        open_book(str(db), "alice")
    db.chmod(0o644)
    open_book(str(db), "alice").dispose()


def test_a_file_that_is_not_a_book(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database, just some notes\n" * 10)
    with pytest.raises(Refused, match="is not an ARTUI book"):
        open_book(str(notes), "alice")
    with pytest.raises(Refused, match="is a folder"):
        open_book(str(tmp_path), "alice")


def test_the_checks_cost_well_under_two_milliseconds(tmp_path):
    db = tmp_path / "book.db"
    open_book(str(db), "alice", create=True).dispose()
    engine = make_engine(str(db))
    safety.check_journal(engine)  # the first connection is opened by open_book anyway
    rounds = []
    for _ in range(3):  # the best of three: a busy machine is not the checks' cost
        start = time.perf_counter()
        for _ in range(50):
            safety.check_place(engine)
            safety.check_journal(engine)
        rounds.append((time.perf_counter() - start) / 50)
    each = min(rounds)
    engine.dispose()
    assert each < 0.002, f"{each * 1000:.2f} ms"


class PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        self.sqlstate = sqlstate


class Wrapped(Exception):
    def __init__(self, orig: BaseException) -> None:
        self.orig = orig


def sqlite_error(code: int, text: str) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorcode = code
    return exc


def test_storage_problems_are_told_from_other_errors():
    assert storage_problem(Wrapped(sqlite_error(13, "database or disk is full"))) == "full"
    assert storage_problem(Wrapped(sqlite_error(778, "disk I/O error"))) == "io"
    assert storage_problem(Wrapped(sqlite_error(8, "attempt to write a readonly db"))) == (
        "readonly"
    )
    assert storage_problem(Wrapped(sqlite_error(14, "unable to open database file"))) == (
        "cantopen"
    )
    assert storage_problem(Wrapped(sqlite_error(5, "database is locked"))) is None
    assert storage_problem(Wrapped(sqlite_error(1, "no such table: x"))) is None
    assert storage_problem(Wrapped(PgError("53100"))) == "full"
    assert storage_problem(Wrapped(PgError("25006"))) == "readonly"
    assert storage_problem(Wrapped(PgError("23505"))) is None
    assert storage_problem(ValueError("x")) is None


def test_the_sentences(tmp_path):
    full = storage_fault(Wrapped(PgError("53100")), "db1/artui", sqlite=False)
    assert full is not None and "server's disk is full" in str(full)
    ro = storage_fault(Wrapped(PgError("25006")), "db1/artui", sqlite=False)
    assert ro is not None and "read-only" in str(ro)
    place = str(tmp_path / "book.db")
    io = storage_fault(Wrapped(sqlite_error(778, "disk I/O error")), place)
    assert io is not None and f"The disk holding the book ({tmp_path})" in str(io)
    gone = storage_fault(Wrapped(sqlite_error(14, "x")), str(tmp_path / "nowhere" / "book.db"))
    assert gone is not None and "is missing" in str(gone)
    assert storage_fault(Wrapped(sqlite_error(5, "database is locked")), place) is None
