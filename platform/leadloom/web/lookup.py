"""Search as you type for reference and user fields: ``GET /api/v1/lookup/<entity>`` and
``GET /api/v1/lookup/_users`` (``?q=&limit=``) answer ids and display labels.

Records come from the caller's whole scope (``access.scope_clause``), not from a capped
drop-down, and are matched on their title and the searchable text fields the caller may see.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, request
from flask_appbuilder import AppBuilder, expose
from flask_appbuilder.security.decorators import protect
from flask_appbuilder.security.sqla.models import User

from leadloom.access import Actor, rights, scope_clause
from leadloom.access.people import display_name
from leadloom.metadata.field_types import TEXTUAL
from leadloom.metadata.messages import Message
from leadloom.model import Models
from leadloom.records import Forbidden, NotFound, RecordInvalid
from leadloom.web.actor import current_actor
from leadloom.web.cascade import type_choices
from leadloom.web.errors import answers_record_errors
from leadloom.web.openapi_docs import DocumentedApi, add_schemas
from leadloom.web.state import state

#: What every signed-in user is granted (``web.security``); each entity's rights still apply.
PERMISSIONS = [("can_read", "Lookup")]
USERS = "_users"
DEFAULT_LIMIT, MAX_LIMIT = 20, 50
#: at most this many characters are searched
MAX_LENGTH = 100
ANSWER = {"type": "object", "required": ["results"], "properties": {"results": {
    "type": "array", "items": {"type": "object", "required": ["id", "label"], "properties": {
        "id": {"type": "integer"}, "label": {"type": "string"}}}}}}
def lookup_url(target: str | None) -> str:
    """Where a form field of ``target`` (an entity; ``None``: users) searches."""
    return f"/api/v1/lookup/{target or USERS}"


def record_label(session: Any, models: Models, entity: str, pk: int) -> str:
    """A record's title as choices show it (``#7`` when it has none)."""
    cls = models.cls(entity)
    title = getattr(cls, models.registry.entity(entity).title_field)
    value = session.execute(sa.select(title).where(cls.id == pk)).scalar()
    return str(value) if value not in (None, "") else f"#{pk}"


def user_label(session: Any, pk: int) -> str:
    """A user as choices show them: name in Chinese order, then the login."""
    user = session.get(User, pk)
    return choice_label(user) if user is not None else f"#{pk}"


def choice_label(user: Any) -> str:
    """How a pick list names a user: their name and, to tell namesakes apart, login."""
    return f"{display_name(user.first_name, user.last_name, user.username)} ({user.username})"


def find_records(session: Any, models: Models, actor: Actor, entity: str, text: str,
                 limit: int) -> list[dict[str, Any]]:
    """Records of ``entity`` in ``actor``'s scope whose title or visible searchable text
    contains ``text``, newest first.

    :raises Forbidden: the actor's roles may not read ``entity``.
    """
    granted = rights(models.registry, actor, entity)
    if not (granted.allows("read") or granted.allows("list")):
        raise Forbidden(Message("your role may not read these records"))
    cls = models.cls(entity)
    spec = models.registry.entity(entity)
    title = getattr(cls, spec.title_field)
    query = sa.select(cls.id, title).where(scope_clause(models, actor, entity))
    if text:
        pattern = f"%{_escaped(text)}%"
        columns = [title] + [getattr(cls, f.code) for f in spec.fields
                             if f.search and f.type in TEXTUAL and f.code not in granted.hidden]
        query = query.where(sa.or_(*(c.ilike(pattern, escape="\\") for c in columns)))
    rows = session.execute(query.order_by(cls.id.desc()).limit(limit))
    return [{"id": r.id, "label": str(r[1]) if r[1] not in (None, "") else f"#{r.id}"}
            for r in rows]


def find_users(session: Any, text: str, limit: int) -> list[dict[str, Any]]:
    """Active users whose login or name (either order) contains ``text``."""
    query = sa.select(User).where(User.active.is_(True))
    if text:
        pattern = f"%{_escaped(text)}%"
        query = query.where(sa.or_(*(c.ilike(pattern, escape="\\") for c in (
            User.username, User.first_name, User.last_name, User.last_name + User.first_name,
            User.first_name + " " + User.last_name))))
    users = session.scalars(query.order_by(User.username).limit(limit))
    return [{"id": u.id, "label": choice_label(u)} for u in users]


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _arguments() -> tuple[str, int]:
    """``q`` and ``limit``, checked.

    :raises RecordInvalid: ``limit`` is not a whole number from 1 to ``MAX_LIMIT``.
    """
    text = request.args.get("q", "").replace("\x00", "").strip()[:MAX_LENGTH]  # no NUL in SQL
    raw = request.args.get("limit", str(DEFAULT_LIMIT)).strip()
    if not raw.isdecimal() or not 1 <= int(raw) <= MAX_LIMIT:
        raise RecordInvalid({"limit": [Message("must be a whole number from %(low)s to "
                                               "%(high)s", low=1, high=MAX_LIMIT)]})
    return text, int(raw)


class LookupApi(DocumentedApi):
    """``/api/v1/lookup/<entity>``: choices for reference and user fields."""

    resource_name = "lookup"
    class_permission_name = "Lookup"
    method_permission_name = {"choices": "read", "type_choices": "read"}
    base_permissions = ["can_read"]
    allow_browser_login = True
    openapi_spec_tag = "Lookup"

    def add_apispec_components(self, api_spec: Any) -> None:
        super().add_apispec_components(api_spec)
        add_schemas(api_spec, {"LookupAnswer": ANSWER})

    @expose("/<entity>", methods=["GET"])
    @protect()
    @answers_record_errors
    def choices(self, entity: str) -> Response:
        """Records of ``entity`` in the caller's scope (or users) matching ``q``.
        ---
        get:
          summary: Choices for a reference or user field, searched as the user types
          parameters:
          - in: path
            name: entity
            required: true
            schema: {type: string}
            description: the referenced entity's code (e.g. lead), or _users for users
          - in: query
            name: q
            schema: {type: string, maxLength: 100}
            description: part of the title or of a searchable text field; empty - the newest
          - in: query
            name: limit
            schema: {type: integer, minimum: 1, maximum: 50, default: 20}
          responses:
            200:
              description: Records newest first (users by login), with their display label
              content: {application/json: {schema: {$ref: '#/components/schemas/LookupAnswer'}}}
        """
        st = state()
        if entity != USERS and entity not in {e.code for e in st.registry.entities}:
            raise NotFound(Message("no such entity: %(entity)s", entity=entity))
        text, limit = _arguments()
        if entity == USERS:
            return self.response(200, results=find_users(st.db.session, text, limit))
        return self.response(200, results=find_records(
            st.db.session, st.models, current_actor(), entity, text, limit))

    @expose("/_type/<name>", methods=["GET"])
    @protect()
    @answers_record_errors
    def type_choices(self, name: str) -> Response:
        """The choices of a plugin field type under a parent code (a cascading picker).
        ---
        get:
          summary: Choices of a plugin field type (e.g. region 省/市/区) under a parent
          parameters:
          - in: path
            name: name
            required: true
            schema: {type: string}
          - in: query
            name: parent
            schema: {type: string, maxLength: 32}
            description: the parent's code; none - the top level
          responses:
            200:
              description: The choices, in the list's order
        """
        found = type_choices(name, request.args.get("parent") or None)
        return self.response(200, results=[{"code": c.code, "label": c.name} for c in found])


def add_lookup(appbuilder: AppBuilder) -> None:
    """Register the API."""
    appbuilder.add_api(LookupApi)
