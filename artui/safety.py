"""Where a SQLite book may live, checked when it is opened.

SQLite's locking and its write-ahead log (shared memory beside the book) are not safe on a
network filesystem: two machines can both believe they hold the write lock and damage the
book. A book or folder anyone may write in can be replaced, or given a forged -wal file.
So a book is refused, with the reason, when it sits on a network filesystem, when it or its
folder is world-writable, when the file is not a SQLite database, or when it cannot use
write-ahead logging. The checks are a few stat calls and one read of the mount table
(well under a millisecond); none reads the book beyond its 100-byte header.

ARTUI_ALLOW_NETWORK_FS=1 lets one person keep a private book on a network home folder
(one machine, one clerk at a time); a team on many machines uses PostgreSQL.
"""

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import Engine

from artui.errors import Refused

MOUNTS = "/proc/self/mountinfo"
ALLOW_NETWORK_FS = "ARTUI_ALLOW_NETWORK_FS"

NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb3",
        "smbfs",
        "sshfs",
        "9p",
        "afs",
        "ceph",
        "glusterfs",
        "davfs",
        "lustre",
        "gpfs",
        "ocfs2",
        "gfs2",
        "ncpfs",
        "coda",
        "beegfs",
        "orangefs",
        "vboxsf",
        "prl_fs",
        "vmhgfs",
    }
)
# FUSE filesystems show as fuse.<name>; these reach their files over a network.
NETWORK_FUSE = frozenset(
    {
        "sshfs",
        "s3fs",
        "rclone",
        "gcsfuse",
        "glusterfs",
        "davfs",
        "davfs2",
        "cephfs",
        "ceph-fuse",
        "goofys",
        "juicefs",
        "moosefs",
        "mfs",
        "lizardfs",
        "vmhgfs-fuse",
    }
)

SQLITE_HEADER = b"SQLite format 3\x00"


def is_network(fstype: str | None) -> bool:
    if not fstype:
        return False
    if fstype in NETWORK_FILESYSTEMS:
        return True
    return fstype.startswith("fuse.") and fstype[5:] in NETWORK_FUSE


def _unescape(field: str) -> str:
    """Mount points in the mount table write space, tab, newline and backslash in octal."""
    if "\\" not in field:
        return field
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def filesystem_of(path: str | os.PathLike, mounts: str | os.PathLike = MOUNTS) -> str | None:
    """The type of the filesystem holding `path`: the mount with the longest mount point
    above it, from a mountinfo file (or one in /proc/mounts form). None when unknown."""
    target = os.path.realpath(path)
    try:
        with open(mounts, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    best, best_type = -1, None
    for line in lines:
        if " - " in line:  # mountinfo: ... mount-point options ... - fstype source ...
            left, right = line.split(" - ", 1)
            fields, after = left.split(), right.split()
            if len(fields) < 5 or not after:
                continue
            point, fstype = _unescape(fields[4]), after[0]
        else:  # /proc/mounts: source mount-point fstype options
            fields = line.split()
            if len(fields) < 3:
                continue
            point, fstype = _unescape(fields[1]), fields[2]
        inside = target == point or point == "/" or target.startswith(point.rstrip("/") + "/")
        # a later mount on the same point hides the earlier one, hence >=
        if inside and len(point) >= best:
            best, best_type = len(point), fstype
    return best_type


def check_folder(
    folder: Path,
    *,
    mounts: str | os.PathLike = MOUNTS,
    env: Mapping[str, str] | None = None,
) -> None:
    """Refuse a book folder on a network filesystem or writable by everyone."""
    env = os.environ if env is None else env
    fstype = filesystem_of(folder, mounts)
    if is_network(fstype) and env.get(ALLOW_NETWORK_FS) != "1":
        raise Refused(
            f"The book's folder {folder} is on a network filesystem ({fstype}), where "
            "SQLite's locking is not safe and the book could be damaged. Keep the book on "
            "a local disk of one server that the clerks log in to (over SSH), or use "
            "PostgreSQL for a team on many machines."
        )
    try:
        mode = folder.stat().st_mode
    except OSError:
        return  # missing: made later; unreadable: opening it says so
    if mode & stat.S_IWOTH:
        raise Refused(
            f"Anyone on this machine may replace files in {folder} (it is world-writable), "
            f"so the book is not safe there. Make the folder private: chmod o-w {folder} "
            "(or keep the book in a folder of its own)."
        )


def check_file(path: Path) -> None:
    """Refuse a book file writable by everyone, or one that is not a SQLite database."""
    try:
        st = path.stat()
    except OSError:
        return  # not made yet
    if stat.S_ISDIR(st.st_mode):
        raise Refused(f"{path} is a folder, not a book; name the book's file (book.db).")
    if st.st_mode & stat.S_IWOTH:
        raise Refused(
            f"Anyone on this machine may change the book {path} (it is world-writable). "
            f"Make it private: chmod o-w {path}"
        )
    if st.st_size == 0:
        return  # an empty file becomes a book
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError:
        return  # unreadable: opening it says so
    if head != SQLITE_HEADER:
        raise Refused(
            f"{path} is not an ARTUI book (it is not a SQLite database); check --db or ARTUI_DB."
        )


def book_file(engine: Engine) -> Path | None:
    """The book's file, for a SQLite book on disk; None otherwise."""
    if engine.dialect.name != "sqlite":
        return None
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def check_place(engine: Engine, *, mounts: str | os.PathLike = MOUNTS) -> None:
    """The checks made before a book is opened (see the module's note)."""
    path = book_file(engine)
    if path is None:
        return
    check_folder(path.parent, mounts=mounts)
    check_file(path)


def check_journal(engine: Engine) -> None:
    """Refuse a book that cannot use write-ahead logging (every connection asks for it;
    a filesystem without shared memory, or a read-only file not already in WAL, says no)."""
    path = book_file(engine)
    if path is None:
        return
    with engine.connect() as conn:
        mode = str(conn.exec_driver_sql("PRAGMA journal_mode").scalar() or "").lower()
    if mode != "wal":
        raise Refused(
            f"The book {path} cannot keep a write-ahead log here (its journal mode is "
            f"{mode or 'unknown'}), so clerks cannot safely share it; keep it on a local "
            "disk where it can be written."
        )
