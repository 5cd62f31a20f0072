"""Approvals: the inbox page ``/approvals/`` and ``GET /api/v1/approvals/`` (requests I may
decide now; ``?mine=1``: requests I made), ``GET /api/v1/approvals/<id>``,
``POST /api/v1/approvals/<id>/approve|reject`` (``{"comment"}``, a rejection needs one)
and ``POST /api/v1/approvals/<id>/cancel`` (the requester withdraws).

Deciding is ``records.approvals``' (the last approval applies the request through the
write path); this module parses, calls it and answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask import Response, g, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import protect
from flask_appbuilder.security.sqla.models import User

from leadloom.access import rights, scope_clause
from leadloom.access.people import display_name
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity, Field
from leadloom.records import RecordError
from leadloom.records.approvals import cancel, decide
from leadloom.web.actor import current_actor, request_context
from leadloom.web.errors import answers_record_errors
from leadloom.web.labels import current_locale, display, local_time
from leadloom.web.openapi_docs import DocumentedApi, checked
from leadloom.web.page_people import known_names
from leadloom.web.serialize import datetime_values, with_offsets
from leadloom.web.state import state
from leadloom.workflow.inbox import Item, inbox, one, requested_by

#: What every signed-in user is granted (``web.security``): the inbox and its API (each
#: user sees only requests they may decide or made, on records they may read).
PERMISSIONS = [("can_read", "Approvals"), ("menu_access", "Approvals")]


def _comment() -> str | None:
    data = request.get_json(silent=True)
    if data is None:
        return None
    comment = checked("Comment", data).get("comment")
    return comment.strip() or None if comment is not None else None


class ApprovalsApi(DocumentedApi):
    resource_name = "approvals"
    class_permission_name = "Approvals"
    method_permission_name = {"listing": "read", "get_one": "read", "approve": "read",
                              "reject": "read", "withdraw": "read"}
    #: the page's permissions too: FAB drops those a view of the same name lacks
    base_permissions = ["can_read", "menu_access"]
    allow_browser_login = True
    openapi_spec_tag = "Approvals"

    @expose("/", methods=["GET"])
    @protect()
    def listing(self) -> Response:
        """My inbox: pending requests I may approve or reject now (``?mine=1``: the
        requests I made, newest first).
        ---
        get:
          summary: Requests I may decide now, or (mine=1) the ones I made
          parameters:
          - in: query
            name: mine
            required: false
            schema: {type: string}
            description: '1: the requests I made'
          responses:
            200:
              description: Approval requests
              content: {application/json: {schema: {$ref: '#/components/schemas/ApprovalList'}}}
        """
        st = state()
        actor = current_actor()
        locale = current_locale()
        if request.args.get("mine") == "1":
            items = requested_by(st.db.session, st.models, actor, locale)
        else:
            items = inbox(st.db.session, st.models, actor, locale)
        return self.response(200, count=len(items), result=[item_json(i) for i in items])

    @expose("/<id:pk>", methods=["GET"])
    @protect()
    def get_one(self, pk: int) -> Response:
        """One request I may see.
        ---
        get:
          summary: One approval request I may decide or made
          parameters:
          - pk
          responses:
            200:
              description: The request
              content: {application/json: {schema: {$ref: '#/components/schemas/ApprovalAnswer'}}}
        """
        st = state()
        item = one(st.db.session, st.models, current_actor(), pk, current_locale())
        if item is None:
            return self.response(404, message=f"approval #{pk} not found", errors={})
        return self.response(200, result=item_json(item))

    @expose("/<id:pk>/approve", methods=["POST"])
    @protect()
    @answers_record_errors
    def approve(self, pk: int) -> Response:
        """Approve ``{"comment": "..."}`` (optional); the last approval carries it out.
        ---
        post:
          summary: Approve (the last approval carries the change out)
          parameters:
          - pk
          requestBody:
            required: false
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Comment'}
          responses:
            200:
              description: Decided
              content: {application/json: {schema: {$ref: '#/components/schemas/Decided'}}}
        """
        return self._decided(decide(request_context("api"), pk, approve=True,
                                    comment=_comment()))

    @expose("/<id:pk>/reject", methods=["POST"])
    @protect()
    @answers_record_errors
    def reject(self, pk: int) -> Response:
        """Reject ``{"comment": "why"}``: the record stays as it was.
        ---
        post:
          summary: Reject with a comment saying why
          parameters:
          - pk
          requestBody:
            required: false
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Comment'}
          responses:
            200:
              description: Decided
              content: {application/json: {schema: {$ref: '#/components/schemas/Decided'}}}
        """
        return self._decided(decide(request_context("api"), pk, approve=False,
                                    comment=_comment()))

    @expose("/<id:pk>/cancel", methods=["POST"])
    @protect()
    @answers_record_errors
    def withdraw(self, pk: int) -> Response:
        """The requester withdraws a pending request.
        ---
        post:
          summary: The requester withdraws a pending request.
          parameters:
          - pk
          responses:
            200:
              description: Decided
              content: {application/json: {schema: {$ref: '#/components/schemas/Decided'}}}
        """
        return self._decided(cancel(request_context("api"), pk))

    def _decided(self, row: Any) -> Response:
        st = state()
        item = one(st.db.session, st.models, current_actor(), row.id, current_locale())
        return self.response(200, status=row.status,
                             result=item_json(item) if item else {"id": row.id})


def item_json(item: Item) -> dict[str, Any]:
    """An approval as JSON, its times and any datetime values in the app's zone."""
    view = state().registry.entity(item.entity)
    data = with_offsets(item.as_json(), ["created_at", "decided_at"])
    data["votes"] = [with_offsets(v, ["at"]) for v in data["votes"]]
    data["proposal"] = datetime_values(view, data["proposal"] or {})
    data["before"] = datetime_values(view, data["before"] or {})
    return data


class ApprovalsView(BaseView):
    """The inbox page: requests waiting for me, and the ones I made."""

    route_base = "/approvals"
    default_view = "index"
    class_permission_name = "Approvals"
    method_permission_name = {"index": "read"}
    base_permissions = ["can_read", "menu_access"]

    @expose("/")
    @has_access
    def index(self) -> Any:
        st = state()
        actor = current_actor()
        locale = current_locale()
        try:
            waiting = inbox(st.db.session, st.models, actor, locale)
            mine = requested_by(st.db.session, st.models, actor, locale, limit=30)
        except RecordError:
            waiting, mine = [], []
        return self.render_template("leadloom/approvals.html", waiting=[_row(i) for i in waiting],
                                    mine=[_row(i) for i in mine])


def _row(item: Item) -> dict[str, Any]:
    st = state()
    view = st.registry.entity(item.entity)
    return {"item": item, "at": local_time(item.created_at).strftime("%Y-%m-%d %H:%M"),
            "entity": view.label.get(current_locale()),
            "requester": user_name(item.requester_id) if item.requester_id else item.requester,
            "changes": describe(view, item.before, item.proposal)}


def describe(view: Entity, before: dict[str, Any], after: dict[str, Any]
             ) -> list[tuple[str, str, str]]:
    """(label, old, new) of stored JSON values, as the page shows them."""
    locale = current_locale()
    rows = []
    for code in after:
        if not view.has_field(code):
            continue
        f = view.field(code)
        rows.append((f.label.get(locale), shown(f, before.get(code)), shown(f, after[code])))
    return rows


def shown(f: Field, value: Any) -> str:
    """A JSON value of field ``f`` (money as text, times in ISO UTC) as a page shows it:
    option labels, the title of a referenced record the reader may see, a user's name."""
    if value in (None, "", []):
        return "—"
    if f.type is FieldType.DATETIME and isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if f.type is FieldType.DECIMAL:
        try:
            return format(Decimal(str(value)).normalize(), "f")
        except InvalidOperation:
            return str(value)
    if f.type is FieldType.REFERENCE and f.to:
        return reference_title(f.to, value)
    if f.type is FieldType.USER:
        return user_name(value)
    return display(f, value) or "—"


def reference_title(entity: str, pk: Any) -> str:
    """The title of record ``pk`` of ``entity`` if the reader may see it, else ``#pk``;
    read once a request (a record's header and history may both name it)."""
    titles = g.setdefault("leadloom_titles", {})
    if (entity, pk) not in titles:
        prime_reference_titles([(entity, pk)])
    return titles[(entity, pk)]  # type: ignore[no-any-return]


def prime_reference_titles(wanted: Iterable[tuple[str, Any]]) -> None:
    """Read the titles of the ``(entity, pk)`` records not read yet this request, in one
    statement whatever their number (a long history names many): ``#pk`` for those the
    reader may not see, the text as given for a pk that is not a number."""
    st = state()
    actor = current_actor()
    titles = g.setdefault("leadloom_titles", {})
    asked: dict[str, dict[int, list[Any]]] = {}
    for entity, pk in wanted:
        if (entity, pk) in titles:
            continue
        try:
            key = int(pk)
        except (TypeError, ValueError):
            titles[(entity, pk)] = str(pk)
            continue
        titles[(entity, pk)] = f"#{pk}"
        if rights(st.registry, actor, entity).allows("read"):
            asked.setdefault(entity, {}).setdefault(key, []).append(pk)
    if not asked:
        return
    parts = []
    for entity, keys in asked.items():
        cls = st.models.cls(entity)
        title = getattr(cls, st.registry.entity(entity).title_field)
        parts.append(sa.select(sa.cast(sa.literal(entity), sa.String).label("entity"), cls.id,
                               sa.cast(title, sa.String).label("title"))
                     .where(cls.id.in_(keys), scope_clause(st.models, actor, entity)))
    for row in st.db.session.execute(sa.union_all(*parts)):
        for pk in asked[row.entity][row.id] if row.title else ():
            titles[(row.entity, pk)] = str(row.title)


def user_name(pk: Any) -> str:
    """A user's name by id, read once a request (a record's page reads its people at once:
    ``web.page_people``)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        return str(pk)
    by_id, _ = known_names()
    if key not in by_id:
        user = state().db.session.get(User, key)
        by_id[key] = display_name(user.first_name, user.last_name, user.username) \
            if user is not None else f"#{pk}"
    return by_id[key]
