"""Domain errors: each carries one sentence a clerk understands.

Screens show `str(error)` beside the field; the CLI prints it to stderr and exits 1.
"""

import os


class DomainError(Exception):
    """Something the ledger refuses; nothing was written."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field  # the input field the sentence belongs beside, when known

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """An account, document or record that does not exist."""


class Refused(DomainError):
    """A rule of the ledger says no (over-application, wrong currency, zero amount...)."""


class ClosedPeriod(Refused):
    """A date on or before the date the book is closed through."""


class CreditHold(Refused):
    """A customer on credit hold where the settings forbid new invoices."""


class Conflict(DomainError):
    """A save that lost a race with another clerk's edit; nothing was overwritten."""


class NotAllowed(DomainError):
    """The user's role does not allow this action."""


class ApprovalNeeded(DomainError):
    """The action waits for a supervisor; `request_id` is the approval request made."""

    def __init__(self, message: str, request_id: int) -> None:
        super().__init__(message)
        self.request_id = request_id


class AlreadyPosted(DomainError):
    """The same command (same command id) was posted before; nothing was posted again."""

    def __init__(self, message: str, document_id: int) -> None:
        super().__init__(message)
        self.document_id = document_id


class StorageFault(DomainError):
    """The storage refused: a full disk, a read-only book, a file that cannot be opened.
    Nothing was written; the same action works once the fault is mended."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind  # full | io | readonly | cantopen


def storage_fault(exc: BaseException, place: str, *, sqlite: bool = True) -> StorageFault | None:
    """The clerk's sentence for a database error that is the storage refusing (see
    db.engine.storage_problem), or None when `exc` is something else. For a SQLite book
    the folder and disk are looked at, to say which fault it is."""
    from db.engine import storage_problem

    kind = storage_problem(exc)
    if kind is None:
        return None
    if not sqlite:
        if kind == "readonly":
            return StorageFault(
                f"The database ({place}) is read-only just now: nothing was saved. Ask "
                "whoever looks after the server, then try again.",
                kind,
            )
        return StorageFault(
            f"The database server's disk is full ({place}): nothing was saved. Ask whoever "
            "looks after the server to free some space, then try again.",
            "full",
        )
    kind = _diagnose(kind, place)
    folder = os.path.dirname(place) or "."
    what = {
        "full": f"The disk holding the book ({folder}) is full: nothing was saved. Free some "
        "space, then try again.",
        "io": f"The disk holding the book ({folder}) refused to write (full, over a file "
        "size limit, or failing): nothing was saved. Free some space or have the disk "
        "checked, then try again.",
        "readonly-disk": f"The disk holding the book ({folder}) is read-only (mounted "
        "read-only, or switched to read-only after an error): nothing was saved. Have it "
        "made writable again, then try again.",
        "no-folder": f"The book's folder {folder} is missing: nothing was saved. Check "
        "--db or ARTUI_DB, or whether the disk is mounted.",
        "folder": f"You may not write in the book's folder {folder}, so the book is "
        "read-only for you: nothing was saved. Ask whoever looks after the machine to "
        "give your group write access (see the README: one server, many clerks).",
        "readonly": f"The book {place} is read-only for you: nothing was saved. Ask "
        "whoever looks after the machine to give your group write access (see the README: "
        "one server, many clerks), then try again.",
        "cantopen": f"The book {place} cannot be opened: nothing was saved. Check that the "
        "file and its folder exist and that you may read and write them.",
    }
    return StorageFault(what[kind], kind)


def _diagnose(kind: str, place: str) -> str:
    """Which storage fault it is, from a look at the disk, the folder and the file (only
    after SQLite refused, so the cost never falls on a working book)."""
    folder = os.path.dirname(place) or "."
    try:
        disk = os.statvfs(folder)
    except OSError:
        return "no-folder"
    if disk.f_flag & os.ST_RDONLY:
        return "readonly-disk"
    if kind in ("full", "io") and disk.f_bavail * disk.f_frsize < 1 << 20:
        return "full"
    if kind in ("readonly", "cantopen"):
        if not os.access(folder, os.W_OK | os.X_OK):
            return "folder"
        if os.path.exists(place) and not os.access(place, os.R_OK | os.W_OK):
            return "readonly"
    return kind
