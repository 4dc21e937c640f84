"""A book shared by the clerks of one server through an OS group (`artui init --group`).

The folder is the group's, setgid and 2770: files made in it take the group, and only the
group may enter. The book and its -wal/-shm files are 0660. SQLite gives a -wal or -shm
file the book's own permissions when it makes one, and db.engine sets a umask of 007 for
a book in a setgid folder, so what a clerk makes there later stays group-writable.
"""

import grp
import os
from pathlib import Path

from artui.errors import Refused

FOLDER_MODE = 0o2770
FILE_MODE = 0o660
BOOK_FILES = ("", "-wal", "-shm", "-journal")


def group_id(group: str) -> int:
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise Refused(
            f"There is no group {group} on this machine; create it first (groupadd {group}) "
            f"and add the clerks to it (usermod -aG {group} NAME)."
        ) from None


def prepare_folder(book: Path, group: str) -> int:
    """Make the book's folder the group's (setgid, 2770) before the book is made; returns
    the group id. A folder that already holds other files is refused: it is not the
    book's own, and its mode would change."""
    gid = group_id(group)
    folder = book.parent
    others = (
        [p.name for p in folder.iterdir() if p.name not in {book.name + s for s in BOOK_FILES}]
        if folder.is_dir()
        else []
    )
    if others:
        raise Refused(
            f"The folder {folder} already holds other files ({', '.join(sorted(others)[:3])}); "
            "a shared book needs a folder of its own, e.g. /srv/artui/book.db."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.chown(folder, -1, gid)
        os.chmod(folder, FOLDER_MODE)
    except PermissionError:
        raise Refused(
            f"You may not give {folder} to the group {group}; run `artui init --group` as "
            "root or as a member of the group who owns the folder."
        ) from None
    os.umask(0o007)
    return gid


def share_files(book: Path, gid: int) -> None:
    """The book and its companions: the group's, 0660."""
    for suffix in BOOK_FILES:
        path = Path(str(book) + suffix)
        if path.exists():
            os.chown(path, -1, gid)
            os.chmod(path, FILE_MODE)
