"""What the write path can refuse, each with the HTTP status the web layer answers with."""

from __future__ import annotations

from collections.abc import Callable

from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Label


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

    def __init__(self, errors: dict[str, list[str]], entity: Entity | None = None) -> None:
        """``entity``: name its fields by their labels in the summary (核心需求描述, not
        need_description)."""
        names = sorted(errors)
        shown = _names(names[:10], entity)
        if len(names) > 10:
            message = Message("invalid fields: %(fields)s and %(more)s more", fields=shown,
                              more=len(names) - 10)
        else:
            message = Message("invalid fields: %(fields)s", fields=shown)
        super().__init__(message, errors)



#: Each operation's refusal, given the entity's label ("your role may not update lead
#: records": lower-cased in English).
REFUSALS: dict[str, Callable[[Label], Message]] = {
    "list": lambda e: Message("your role may not list %(entity)s records", entity=e),
    "read": lambda e: Message("your role may not read %(entity)s records", entity=e),
    "create": lambda e: Message("your role may not create %(entity)s records", entity=e),
    "update": lambda e: Message("your role may not update %(entity)s records", entity=e),
    "delete": lambda e: Message("your role may not delete %(entity)s records", entity=e),
    "export": lambda e: Message("your role may not export %(entity)s records", entity=e),
}


def not_allowed(operation: str, entity: Label) -> Forbidden:
    """The refusal of ``operation`` on records of the entity labelled ``entity``."""
    return Forbidden(REFUSALS[operation](Label(entity.zh, entity.en.lower())))


def not_found(entity: Label, pk: object) -> NotFound:
    """Record ``pk`` does not exist or lies outside the actor's scope."""
    return NotFound(Message("%(entity)s #%(id)s not found", entity=entity, id=pk))


def _names(codes: list[str], entity: Entity | None) -> Label:
    """Field codes as one label in each language: their labels where ``entity`` has them."""
    labels = [entity.field(c).label if entity is not None and entity.has_field(c)
              else Label(c, c) for c in codes]
    return Label("、".join(label.zh for label in labels), ", ".join(label.en for label in labels))
