"""The notification inbox: the page ``/notifications/``, the bell with the unread count in
the menu bar, and ``GET /api/v1/notifications/`` (mine, with the unread count),
``POST /api/v1/notifications/<id>/read`` and ``POST /api/v1/notifications/read``.

Messages are written by the write path and jobs (``records.notify``); this module only
reads them and marks them read, always for the signed-in user alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, redirect, request
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_appbuilder.security.decorators import protect

from leadloom.metadata.catalog import loaded
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Label
from leadloom.model.tables import utcnow
from leadloom.records.notify import Message as Notification
from leadloom.records.notify import inbox, lines, mark_read, one, unread_count
from leadloom.web.actor import current_actor
from leadloom.web.errors import answers_record_errors
from leadloom.web.labels import current_locale, local_time
from leadloom.web.language import translated
from leadloom.web.openapi_docs import DocumentedApi, int_arg
from leadloom.web.serialize import with_offsets
from leadloom.web.state import state

#: What every signed-in user is granted (``web.security``): their own inbox.
PERMISSIONS = [("can_read", "Notifications")]
#: How each kind of message is labelled in the inbox (other kinds show their code).
KINDS = {
    "assignment": Message("Assignment"), "grade": Message("Grade"),
    "duplicate": Message("Duplicate"), "sla_warning": Message("Deadline soon"),
    "sla_breach": Message("Deadline missed"), "followup_due": Message("Follow-up due"),
    "reclaim_warning": Message("Reclaim soon"), "reclaimed": Message("Reclaimed"),
    "stale": Message("Stale leads"), "task_due": Message("Task due"),
    "task_overdue": Message("Tasks overdue"), "digest": Message("Today's tasks"),
    "approval": Message("Approval"),
    "collab_request": Message("Collaboration request"),
    "transfer_request": Message("Transfer request"),
}
#: the label of a kind not in ``KINDS``
OTHER = Message("Other")
#: at most this many unread messages are grouped on the page (counts stay exact up to it)
GROUPED = 2000
#: this many read messages are listed under the groups
RECENT_READ = 50


@dataclass(slots=True)
class Group:
    """Unread messages of one kind on one local day: the inbox shows one line per group."""

    day: dt.date
    kind: str
    label: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [row["m"].id for row in self.rows]


def title(message: Notification) -> str:
    """The message in the reader's language (stored text when it has no msgid)."""
    return translated(loaded(message.body)) if message.body else message.title


def _facts(message: Notification) -> dict[str, str]:
    """A line's lead facts (number, customer, grade, deadline) for the inbox's table."""
    params = loaded(message.body).params if message.body else {}
    shown = {k: translated(v) if isinstance(v, Message) else
             v.get(current_locale()) if isinstance(v, Label) else str(v)
             for k, v in params.items()}
    return {"title": title(message), **shown}


def _row(message: Notification,
         found: dict[int, list[Notification]] | None = None) -> dict[str, Any]:
    return {"m": message, "title": title(message),
            "at": local_time(message.shown_at).strftime("%Y-%m-%d %H:%M"),
            "kind": translated(KINDS.get(message.kind, OTHER)),
            "lines": [{"m": line, **_facts(line)} for line in (found or {}).get(message.id, [])]}


def _json(message: Notification, found: dict[int, list[Notification]]) -> dict[str, Any]:
    """A message for the API, in the reader's language; a gathering one with its lines."""
    answer = {**message.as_json(), "title": title(message)}
    if message.id in found:
        answer["lines"] = [{"id": line.id, "title": title(line), "link": line.link}
                           for line in found[message.id]]
    return answer


def grouped(messages: list[Notification],
            found: dict[int, list[Notification]] | None = None) -> list[Group]:
    """``messages`` (newest first) grouped by local day (the app's time zone) and kind,
    newest group first, so 171 reclaimed leads read as one line; ``found``: the lines of
    the notices that gather several."""
    groups: dict[tuple[dt.date, str], Group] = {}
    for message in messages:
        row = _row(message, found)
        day = local_time(message.shown_at).date()
        group = groups.setdefault((day, message.kind),
                                  Group(day, message.kind, row["kind"]))
        group.rows.append(row)
    return list(groups.values())


def add_notifications(appbuilder: AppBuilder, app: Flask) -> None:
    """Register the inbox page, its API and the menu-bar count."""
    appbuilder.add_view_no_menu(NotificationsView)
    appbuilder.add_api(NotificationsApi)
    app.context_processor(lambda: {"leadloom_unread": _unread_for_template})


def _unread_for_template() -> int:
    """The menu bar's count; a page never fails because of it."""
    actor = current_actor()
    if actor.user_id is None:
        return 0
    st = state()
    try:
        return unread_count(st.db.session, st.models, actor.user_id)
    except Exception:  # the bell is decoration: keep the page
        st.db.session.rollback()
        return 0


class NotificationsView(BaseView):
    """My inbox: unread messages grouped by day and kind (each group expands to its rows and
    can be marked read at once), then the latest read ones; opening a message marks it read
    and follows its link."""

    route_base = "/notifications"
    default_view = "index"
    class_permission_name = "Notifications"
    method_permission_name = {"index": "read", "open": "read", "read_all": "read"}
    base_permissions = ["can_read"]

    @expose("/")
    @has_access
    def index(self) -> Any:
        st = state()
        actor = current_actor()
        unread = inbox(st.db.session, st.models, actor.user_id, unread_only=True,
                       limit=GROUPED)
        read = [m for m in inbox(st.db.session, st.models, actor.user_id,
                                 limit=len(unread) + RECENT_READ) if m.read_at is not None]
        today = local_time(utcnow()).date()
        found = lines(st.db.session, st.models, actor.user_id,
                      [m.id for m in unread + read])
        return self.render_template(
            "leadloom/notifications.html", groups=grouped(unread, found),
            rows=[_row(m, found) for m in read], today=today,
            yesterday=today - dt.timedelta(days=1))

    @expose("/open/<int:pk>")
    @has_access
    def open(self, pk: int) -> Any:
        st = state()
        actor = current_actor()
        mark_read(st.db.session, st.models, actor.user_id, [pk])
        found = one(st.db.session, st.models, actor.user_id, pk)
        return redirect(found.link if found and found.link else "/notifications/")

    @expose("/read", methods=["POST"])
    @has_access
    def read_all(self) -> Any:
        """Mark all my messages read, or only those posted as ``id`` (one group)."""
        st = state()
        ids = request.form.getlist("id", type=int) if "id" in request.form else None
        mark_read(st.db.session, st.models, current_actor().user_id, ids)
        return redirect("/notifications/")


class NotificationsApi(DocumentedApi):
    """``/api/v1/notifications/``: the caller's own messages."""

    resource_name = "notifications"
    class_permission_name = "Notifications"
    method_permission_name = {"mine": "read", "read_one": "read", "read_all": "read"}
    base_permissions = ["can_read"]
    allow_browser_login = True
    openapi_spec_tag = "Notifications"

    @expose("/", methods=["GET"])
    @protect()
    @answers_record_errors
    def mine(self) -> Response:
        """My messages, newest first (``?unread=1``, ``?limit=N``), and ``unread``: how many
        are unread.
        ---
        get:
          summary: My messages, newest first, and how many are unread
          parameters:
          - in: query
            name: unread
            required: false
            schema: {type: string}
            description: '1: unread ones only'
          - in: query
            name: limit
            required: false
            schema: {type: integer, minimum: 1, maximum: 500}
          responses:
            200:
              description: My messages
              content: {application/json: {schema: {$ref: '#/components/schemas/NotificationList'}}}
        """
        st = state()
        user_id = current_actor().user_id
        limit = int_arg("limit", 50, 1, 500)
        messages = inbox(st.db.session, st.models, user_id, limit=limit,
                         unread_only=request.args.get("unread") == "1")
        found = lines(st.db.session, st.models, user_id, [m.id for m in messages])
        return self.response(200, unread=unread_count(st.db.session, st.models, user_id),
                             count=len(messages),
                             result=[with_offsets(_json(m, found), ["created_at"])
                                     for m in messages])

    @expose("/<id:pk>/read", methods=["POST"])
    @protect()
    def read_one(self, pk: int) -> Response:
        """Mark one of my messages read (404 when it is not mine or already read).
        ---
        post:
          summary: Mark one of my messages read
          parameters:
          - pk
          responses:
            200:
              description: Marked
              content: {application/json: {schema: {$ref: '#/components/schemas/Message'}}}
        """
        st = state()
        changed = mark_read(st.db.session, st.models, current_actor().user_id, [pk])
        if not changed:
            return self.response(404, message=f"no unread message #{pk}", errors={})
        return self.response(200, message="OK")

    @expose("/read", methods=["POST"])
    @protect()
    def read_all(self) -> Response:
        """Mark all my messages read; answers how many were unread.
        ---
        post:
          summary: Mark all my messages read
          responses:
            200:
              description: How many were unread
              content:
                application/json:
                  schema:
                    type: object
                    required: [changed]
                    properties: {changed: {type: integer}}
        """
        st = state()
        return self.response(200, changed=mark_read(st.db.session, st.models,
                                                     current_actor().user_id))
