"""The fields an import may fill: what the importer may write when creating a record."""

from __future__ import annotations

from dataclasses import dataclass

from leadloom.access import Actor, rights
from leadloom.imports.errors import ImportRequestError
from leadloom.metadata.field_types import FieldType, MoneyUnit
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Label, Registry

#: the owner column, offered like a user field on owned entities
OWNER = "owner"
OWNER_LABEL = Label("负责人", "Owner")


@dataclass(frozen=True, slots=True)
class ImportField:
    """A target column of the mapping: code, both labels, type, whether a row needs it."""

    code: str
    label: Label
    type: FieldType
    required: bool = False
    #: option codes and labels of an enum; the entity a reference points to
    options: tuple[tuple[str, Label], ...] = ()
    to: str | None = None
    #: what a bare number in a money field means
    unit: MoneyUnit = MoneyUnit.YUAN


def entity_of(registry: Registry, entity_code: str) -> Entity:
    """The entity ``entity_code``.

    :raises ImportRequestError: there is no such entity.
    """
    try:
        return registry.entity(entity_code)
    except KeyError:
        raise ImportRequestError(Message("there is no entity '%(entity)s'",
                                         entity=entity_code), "entity") from None


def importable_fields(registry: Registry, actor: Actor, entity_code: str,
                      unit: str | None = None) -> list[ImportField]:
    """The fields ``actor`` may set on a new ``entity_code`` (in business unit ``unit``):
    neither hidden nor read-only for their roles, nor set by the system.

    :raises ImportRequestError: unknown entity.
    """
    entity = entity_of(registry, entity_code)
    view = registry.view(entity.code, unit) if unit else entity
    granted = rights(registry, actor, entity.code)
    closed = granted.hidden | granted.readonly
    found = [ImportField(f.code, f.label, f.type, f.required and f.default is None,
                         tuple((o.code, o.label) for o in f.options if o.active), f.to, f.unit)
             for f in view.fields if not f.system and f.code not in closed]
    if entity.owned and OWNER not in closed:
        found.append(ImportField(OWNER, OWNER_LABEL, FieldType.USER))
    return found
