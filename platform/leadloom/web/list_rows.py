"""A REST list page read as plain rows: the listed columns and the page's tags, no ORM objects.

FAB's data model loads each record as an object with its owner, users and references
joined in (``lazy="joined"``) and its tags with their owners; the list answers none of those
but ids. Here the page is the same scoped, filtered, ordered statement FAB builds, selecting
only the columns a record's JSON shows, plus one statement per tags field for the page's
records; each row is turned into JSON by a shape worked out once per unit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity, Registry
from leadloom.model.columns import CodeList
from leadloom.model.tables import Models
from leadloom.web.serialize import Shape, plain, record_shape

#: column types whose values need no conversion to be JSON (exactly these types: a
#: subclass may convert its values, e.g. ``sa.Numeric`` holds ``Decimal``)
AS_IS = frozenset({sa.String, sa.Text, sa.Integer, sa.BigInteger, sa.Boolean, sa.JSON})
#: turns a column's value into JSON (None: the value is JSON already)
Converter = Callable[[Any], Any] | None


def listed_columns(model: type[Any], entity: Entity) -> list[sa.Column[Any]]:
    """The table columns a record's JSON may show (every unit's fields, no tags)."""
    table = model.__table__
    names = {column for _, column in record_shape(entity, frozenset()) if column}
    return [c for c in table.columns if c.name in names]


@dataclass(frozen=True, slots=True)
class Opened:
    """Hidden fields the reader sees on the rows they created that have no owner yet
    (``access.on_record``: a role's ``shown_to_creator``)."""

    user_id: int
    fields: frozenset[str]


def page_json(session: Any, models: Models, registry: Registry, code: str, page: Any,
              hidden: frozenset[str], opened: Opened | None = None) -> list[dict[str, Any]]:
    """The records of ``page`` (FAB's query of the list, filtered, ordered and paged) as
    their business units show them to a reader who may not see ``hidden`` (``opened``:
    but may see some of it on their own unowned rows)."""
    model = models.cls(code)
    entity = registry.entity(code)
    columns = listed_columns(model, entity)
    stamps = [c for c in _owner_stamps(model) if c not in columns] if opened else []
    rows = session.execute(page.statement.with_only_columns(*columns, *stamps)).all()
    index = {c.name: i for i, c in enumerate([*columns, *stamps])}
    tags = _page_tags(session, models, entity, [row[index["id"]] for row in rows], hidden)
    convert = _converters(columns, ZoneInfo(registry.app.timezone))
    shapes: dict[tuple[str | None, bool], tuple[tuple[str, int | None, Converter], ...]] = {}
    answer = []
    for row in rows:
        unit = row[index["unit"]]
        mine = opened is not None and row[index["created_by_id"]] == opened.user_id and (
            "owner_id" not in index or row[index["owner_id"]] is None)
        if (unit, mine) not in shapes:
            seen = hidden - opened.fields if mine and opened else hidden
            shapes[unit, mine] = _indexed(record_shape(registry.view(code, unit), seen),
                                          index, convert)
        record_id = row[index["id"]]
        answer.append({key: tags[key].get(record_id, []) if i is None
                       else row[i] if to_json is None or row[i] is None else to_json(row[i])
                       for key, i, to_json in shapes[unit, mine]})
    return answer


def _owner_stamps(model: type[Any]) -> list[sa.Column[Any]]:
    """Who created a row and who owns it: whether ``Opened`` applies to it."""
    table = model.__table__
    return [table.c[name] for name in ("created_by_id", "owner_id") if name in table.c]


def _converters(columns: list[sa.Column[Any]], zone: ZoneInfo) -> dict[str, Converter]:
    """How each column's values become JSON, chosen once per page by the column's type (a
    call per value, not ``plain``'s look-up by the value's type): as they are (texts, whole
    numbers, booleans, JSON, multi-enum code lists), times in the app's zone with their
    offset, exact decimals as text, dates in ISO form; anything else by ``plain``."""
    utc = dt.UTC

    def local_iso(value: Any) -> Any:
        return None if value is None else value.replace(tzinfo=utc).astimezone(zone).isoformat()

    def decimal(value: Any) -> Any:
        return None if value is None else str(value)

    def date(value: Any) -> Any:
        return None if value is None else value.isoformat()

    found: dict[str, Converter] = {}
    for c in columns:
        kind = type(c.type)
        found[c.name] = (None if kind is CodeList or (kind in AS_IS)
                         else local_iso if kind is sa.DateTime
                         else decimal if kind is sa.Numeric
                         else date if kind is sa.Date
                         else plain)
    return found


def _indexed(shape: Shape, index: dict[str, int], convert: dict[str, Converter]
             ) -> tuple[tuple[str, int | None, Converter], ...]:
    """``(key, row index or None for tags, converter or None)`` per key of the shape."""
    return tuple((key, None if column is None else index[column],
                  None if column is None else convert[column]) for key, column in shape)


def _page_tags(session: Any, models: Models, entity: Entity, ids: list[int],
               hidden: frozenset[str]) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """Each visible tags field's ``{id, name}`` lists by record id, for the page's records."""
    found: dict[str, dict[int, list[dict[str, Any]]]] = {}
    tag = models.metadata.tables["tag"]
    as_array = session.get_bind().dialect.name == "postgresql"
    for f in entity.fields:
        if f.type is not FieldType.TAGS or f.code in hidden:
            continue
        link = models.tag_tables[(entity.code, f.code)]
        by_record: dict[int, list[dict[str, Any]]] = defaultdict(list)
        if ids:
            for record_id, tag_id, name in session.execute(
                    sa.select(link.c.record_id, tag.c.id, tag.c.name)
                    .join(tag, tag.c.id == link.c.tag_id)
                    .where(_among(link.c.record_id, ids, as_array))
                    .order_by(tag.c.id)):  # as the record shows them (``model.tables``)
                by_record[record_id].append({"id": tag_id, "name": name})
        found[f.code] = by_record
    return found


def _among(column: sa.Column[Any], ids: list[int], as_array: bool) -> sa.ColumnElement[bool]:
    """``column IN ids``; on PostgreSQL ``= ANY(array)``: one parameter, not one rendered
    (and cast) per id on every request."""
    if as_array:
        return column == sa.any_(sa.bindparam("ids", ids, type_=sa.ARRAY(sa.Integer)))
    return column.in_(ids)
