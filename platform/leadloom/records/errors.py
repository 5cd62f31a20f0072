"""What the write path can refuse, each with the HTTP status the web layer answers with."""

from __future__ import annotations

from leadloom.metadata.messages import Message


class RecordError(Exception):
    status = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class Forbidden(RecordError):
    """The actor's roles do not grant this operation."""

    status = 403


class NotFound(RecordError):
    """No such record, or not in the actor's scope (indistinguishable on purpose)."""

    status = 404


class Conflict(RecordError):
    """Someone saved the record since it was read, or the database refused for integrity."""

    status = 409


class RecordInvalid(RecordError):
    """One or more fields are wrong; ``errors`` maps each field code to its messages."""

    status = 422

    def __init__(self, errors: dict[str, list[str]]) -> None:
        names = sorted(errors)
        shown = ", ".join(names[:10])
        if len(names) > 10:
            message = Message("invalid fields: %(fields)s and %(more)s more", fields=shown,
                              more=len(names) - 10)
        else:
            message = Message("invalid fields: %(fields)s", fields=shown)
        super().__init__(message, errors)
