"""Cell text → ids: references by code, name or id; users by login or name; tags by name.

Each is resolved once per distinct text for the whole import (one query per field and
batch), within the importer's reach: a reference only to records the importer may see
(``access.scope_clause``), a user only among active users.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User

from leadloom.access import rights, scope_clause
from leadloom.access.people import display_name
from leadloom.imports.mapping import key
from leadloom.imports.values import CellProblem
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Field
from leadloom.records import Context

#: the columns a record is named by, besides its title field
NAME_FIELDS = ("code", "name", "name_en", "username")


class References:
    """The ids the texts of one import name, resolved per field and cached."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.known: dict[tuple[str, str], int | Message] = {}
        self.users: dict[str, int | Message] | None = None

    def prepare(self, f: Field | None, texts: Iterable[str]) -> None:
        """Resolve ``texts`` of field ``f`` (None: the owner) in one go."""
        wanted = {t for t in texts if t}
        if f is None or f.type is FieldType.USER:
            self._load_users()
            return
        field_key = f.code
        missing = {t for t in wanted if (field_key, key(t)) not in self.known}
        if not missing:
            return
        if f.type is FieldType.TAGS:
            found = self._named(f, "tag", missing, group=f.group)
        else:
            assert f.to is not None
            found = self._named(f, f.to, missing)
        for text in missing:
            self.known[(field_key, key(text))] = found.get(key(text)) or Message(
                "no %(entity)s named '%(text)s'",
                entity=self.ctx.registry.entity("tag" if f.to is None else f.to).label,
                text=text)

    def resolve(self, f: Field | None, text: str) -> int:
        """The id ``text`` names in field ``f`` (None: the owner).

        :raises CellProblem: nothing, or more than one thing, has that name.
        """
        if f is None or f.type is FieldType.USER:
            self._load_users()
            assert self.users is not None
            found = self.users.get(key(text))
            if found is None:
                found = Message("no active user '%(text)s'", text=text)
        else:
            if (f.code, key(text)) not in self.known:
                self.prepare(f, [text])
            found = self.known[(f.code, key(text))]
        if isinstance(found, Message):
            raise CellProblem(found)
        return found

    def _named(self, f: Field, entity_code: str, texts: set[str],
               group: str | None = None) -> dict[str, int | Message]:
        """key(name) -> id (or an ambiguity message) of the records ``texts`` name."""
        ctx = self.ctx
        entity = ctx.registry.entity(entity_code)
        cls = ctx.models.cls(entity_code)
        columns = [getattr(cls, c.column) for c in entity.fields
                   if c.code in (*NAME_FIELDS, entity.title_field) and c.column
                   and c.type in (FieldType.STRING, FieldType.TEXT)]
        ids = [int(t) for t in texts if t.isdigit() and len(t) < 10]
        conditions = [c.in_(sorted(texts)) for c in columns]
        if ids:
            conditions.append(cls.id.in_(ids))
        query = sa.select(cls.id, *columns).where(sa.or_(*conditions))
        if rights(ctx.registry, ctx.actor, entity_code).allows("read"):
            query = query.where(scope_clause(ctx.models, ctx.actor, entity_code))
        if group is not None and "group" in entity.by_code:
            query = query.where(getattr(cls, entity.field("group").column) == group)
        found: dict[str, int | Message] = {}
        for row in ctx.session.execute(query.order_by(cls.id)):
            names = {key(str(v)) for v in row[1:] if v} | {str(row[0])}
            for name in names & {key(t) for t in texts} | names & {str(i) for i in ids}:
                previous = found.get(name)
                if previous is None or previous == row[0]:
                    found[name] = row[0]
                else:
                    found[name] = Message("'%(text)s' names more than one %(entity)s",
                                          text=name, entity=entity.label)
        return found

    def _load_users(self) -> None:
        """Every active user by login and by name (a name two people share names neither)."""
        if self.users is not None:
            return
        users: dict[str, int | Message] = {}
        rows = self.ctx.session.execute(sa.select(
            User.id, User.username, User.first_name, User.last_name).where(
            User.active.is_(True)).order_by(User.id))
        names: dict[str, set[int]] = {}
        for user_id, username, first, last in rows:
            users[key(username)] = user_id
            names.setdefault(key(display_name(first, last, username)), set()).add(user_id)
        for name, ids in names.items():
            if name in users:
                continue
            users[name] = next(iter(ids)) if len(ids) == 1 else Message(
                "'%(text)s' names more than one user", text=name)
        self.users = users
