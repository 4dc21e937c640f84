"""Domain errors: each carries one sentence a clerk understands.

Screens show `str(error)` beside the field; the CLI prints it to stderr and exits 1.
"""


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
