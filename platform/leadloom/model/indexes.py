"""The indexes an entity table gets, derived from the Registry.

- One single-column index per field flagged ``filter``, ``sort`` or ``index`` (and every
  link: references and users), named ``ix_<table>_<column>`` by SQLAlchemy. Types no
  index helps (``metadata.field_types.UNINDEXED``) get none; a unique field has its
  constraint's index already.
- Composite indexes led by the columns that pick a reader's rows: the scope columns
  ``owner_id`` and ``unit`` (``access.scopes``: ``own`` and ``team`` filter ``owner_id``,
  ``unit`` filters ``unit``; a team is not stored on the row) and the user fields a shared
  view filters with ``me``/``my_team`` (a task's ``assignee``). Each leads an index per
  ordering a list uses: ``id`` (the default, newest first), every field flagged ``sort``
  and every shared view's sort. So "my leads, due next" (``owner_id = ? ORDER BY
  next_followup_due_at LIMIT 50``) and the home page's counts of the same lists read a
  short index range instead of the table; the view's other filters (stage, status) are
  checked on those few rows. Each also leads an index with the column every list filters
  by (``ALWAYS_FILTERED``: a lead's status), for the lists' counts.

Every ordering column is kept with its empties first and the id after it: a list orders
empty values as the smallest (first going up, last going down, ``list_order``; SQLite's own
order, stated for PostgreSQL, whose default puts them last going up) and breaks ties by id,
so one index serves a sort in both directions to its last key and the database stops after
a page. With PostgreSQL's default, "last follow-up, newest first" read every lead never
followed up before the first one that was.

Names are deterministic (``ix_<table>_<column>``, ``ix_<table>__<lead>__<order>``), so the
schema plan creates and drops them like any other change.

A bulk load into empty tables (``leadloom demo-data``) builds the indexes only lists read
after its rows (``drop_for_load``, ``build_after_load``): kept up row by row, every new
row lands on a leaf page of each of the lead table's two dozen indexes, a random one for
most, and once they outgrow the server's buffers each such insert waits on a page read.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from leadloom.metadata.field_types import UNINDEXED, UNSORTABLE, FieldType
from leadloom.metadata.list_filters import PEOPLE
from leadloom.metadata.registry import Entity, Field

#: the scope columns every entity table has (``model.tables``)
SCOPE_COLUMNS = ("owner_id", "unit")
#: columns every list of an entity filters by, whatever its reader asks: a lead's status
#: (invalid leads leave the reps' lists, ``web.leads.hidden_statuses``). Led by each scope
#: column, the list's count (exact up to a limit) reads those index entries alone instead of
#: a heap row per lead: rep1 "contacting" at 1M leads, 137 ms -> 1.7 ms
ALWAYS_FILTERED = {"lead": ("status",)}
#: link types: their columns are joined on, never sorted by
LINKS = (FieldType.REFERENCE, FieldType.USER)
#: PostgreSQL's longest identifier
MAX_NAME = 63
#: sort memory of an index build after a bulk load (PostgreSQL's default is 64MB)
BUILD_MEMORY = "256MB"


def has_own_index(field: Field) -> bool:
    """Whether ``field``'s column gets a single-column index."""
    if field.unique or field.column is None or field.type in UNINDEXED:
        return False
    return (field.index or field.filter or field.sort
            or field.type in LINKS)


def add_indexes(table: sa.Table, entity: Entity) -> None:
    """Declare on ``table`` the indexes of ``entity`` (see the module's docstring)."""
    for f in entity.fields:
        if has_own_index(f):
            column = table.c[f.column]  # a link is joined on, never sorted by
            sa.Index(f"ix_{table.name}_{f.column}",
                     column if f.type in LINKS else empties_first(column))
    leads = [*SCOPE_COLUMNS, *_people_columns(entity)]
    orders = ["id", *_sort_columns(entity)]
    for lead in dict.fromkeys(leads):
        for order in dict.fromkeys(orders):
            if order == lead:
                continue
            keys = [table.c[lead], empties_first(table.c[order])]
            if order != "id":
                keys.append(table.c.id)
            sa.Index(index_name(table.name, lead, order), *keys)
        for column in ALWAYS_FILTERED.get(entity.code, ()):
            if column in table.c:
                sa.Index(index_name(table.name, lead, column), table.c[lead], table.c[column])


def empties_first(column: sa.Column[Any]) -> sa.ColumnElement[Any]:
    """``column`` as an index keeps it: empty values before the others."""
    return column.nulls_first() if column.nullable else column


def list_order(column: sa.Column[Any], descending: bool) -> sa.ColumnElement[Any]:
    """``column`` in a list's ORDER BY: empty values are the smallest (first going up,
    last going down), the order the indexes keep (``empties_first``)."""
    if not column.nullable:
        return column.desc() if descending else column.asc()
    return column.desc().nulls_last() if descending else column.asc().nulls_first()


def key_text(key: Any) -> str:
    """An index key as the schema plan prints it (``next_followup_due_at nulls first``)."""
    if isinstance(key, UnaryExpression) and key.modifier is operators.nulls_first_op:
        return f"{key_text(key.element)} nulls first"
    return str(getattr(key, "name", key))


@compiles(CreateIndex, "sqlite")
def _create_on_sqlite(create: CreateIndex, compiler: Any, **kw: Any) -> str:
    """SQLite's CREATE INDEX takes no NULLS FIRST: its empties come first already."""
    index = create.element
    if any(isinstance(e, UnaryExpression) and e.modifier is operators.nulls_first_op
           for e in index.expressions):
        index = copy.copy(index)
        index.expressions = [e.element if isinstance(e, UnaryExpression) else e
                             for e in index.expressions]
        create = CreateIndex(index, if_not_exists=create.if_not_exists)
    return str(compiler.visit_create_index(create, **kw))


def index_name(table: str, *columns: str) -> str:
    """``ix_<table>__<col>__<col>``, shortened with a hash beyond PostgreSQL's limit."""
    name = "__".join((f"ix_{table}", *columns))
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:MAX_NAME - 9]}_{digest}"


def _column(entity: Entity, code: str) -> str | None:
    """The column a list orders or filters by for ``code`` (a field or a system column)."""
    if code in ("created_at", "updated_at", "id"):
        return code
    if code == "owner":
        return "owner_id"
    if not entity.has_field(code):
        return None
    f = entity.field(code)
    return f.column if f.type not in UNSORTABLE else None


def sort_codes(entity: Entity) -> list[str]:
    """What a list of ``entity`` sorts by with an index behind it: the fields flagged
    ``sort`` and every shared view's sort (field or system column codes, once each)."""
    codes = [f.code for f in entity.fields if f.sort]
    codes += [v.sort.lstrip("-") for v in entity.views if v.sort]
    return list(dict.fromkeys(codes))


def _sort_columns(entity: Entity) -> list[str]:
    return [c for c in (_column(entity, code) for code in sort_codes(entity)) if c]


def _people_columns(entity: Entity) -> list[str]:
    """User columns the shared views filter by the reader (``me``, ``my_team``)."""
    found: list[Any] = []
    for view in entity.views:
        for code, text in view.filters:
            if text in PEOPLE and (code == "owner" or (
                    entity.has_field(code) and entity.field(code).type is FieldType.USER)):
                found.append(_column(entity, code))
    return [c for c in found if c]


def list_indexes(entity: Entity, table: sa.Table) -> list[sa.Index]:
    """The indexes of ``entity``'s table that only lists, sorts and counts read: the
    composites and each field's own index, except a link's (writes look children up by
    their parent: a lead's follow-ups, its open tasks). Unique constraints are not indexes
    here: they check every write."""
    links = {f.column for f in entity.fields if f.type in (FieldType.REFERENCE, FieldType.USER)}
    return sorted((index for index in table.indexes if not index.unique and not (
        len(index.columns) == 1 and next(iter(index.columns)).name in links)),
        key=lambda index: str(index.name))


def drop_for_load(session: Session, indexes: list[sa.Index]) -> None:
    """Drop ``indexes`` before a bulk load into their empty tables (``build_after_load``
    builds them again from the sorted rows; a process killed in between leaves them to
    the next start, whose schema plan creates missing indexes). Commits."""
    connection = session.connection()
    for index in indexes:
        index.drop(connection, checkfirst=True)
    session.commit()


def build_after_load(session: Session, indexes: list[sa.Index]) -> None:
    """Build ``indexes`` again (after a load that failed too: its open transaction is
    rolled back first). Commits."""
    session.rollback()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'"))
    for index in indexes:
        index.create(connection, checkfirst=True)
    session.commit()
