"""The lead life cycle in the web app: the public pool page (公海) with claim and assign, a
lead's follow-up timeline with its actions (return to the pool, merge a duplicate), and
the REST endpoints:

- ``GET  /api/v1/leads/pool``             the pool of my unit (no contact details)
- ``POST /api/v1/leads/<id>/claim``       take a lead from the pool
- ``POST /api/v1/leads/<id>/assign``      ``{"owner": user id}``: a manager hands it out
- ``POST /api/v1/leads/<id>/release``     ``{"reason": ...}``: back to the pool
- ``POST /api/v1/leads/<id>/merge``       ``{"duplicate": lead id}``: merge it into this one
- ``GET  /api/v1/leads/<id>/timeline``    follow-ups, tasks and history

Every rule is ``records.leads``'; this module parses, calls and answers.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, flash, redirect, render_template, request
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_appbuilder.security.decorators import protect
from markupsafe import Markup

from leadloom import records
from leadloom.access import Actor
from leadloom.access.pools import pool_clause, pool_roles
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Label, Registry
from leadloom.records import RecordError
from leadloom.records.leads import merge as merging
from leadloom.records.leads import pools
from leadloom.records.leads.timeline import timeline as lead_timeline
from leadloom.web.actor import request_context
from leadloom.web.errors import answers_record_errors
from leadloom.web.labels import current_locale, display, lazy, local_time
from leadloom.web.language import translated
from leadloom.web.list_bulk import picked, report
from leadloom.web.openapi_docs import DocumentedApi, checked, int_arg
from leadloom.web.panel import Panel
from leadloom.web.serialize import plain, with_offsets
from leadloom.web.state import state

VIEW = "Pool"
#: what the pool's roles are granted (``web.security``)
PERMISSIONS = [("can_read", VIEW), ("menu_access", VIEW)]


def add_leads(appbuilder: AppBuilder, app: Flask) -> None:
    """Register the pool page and the lead API."""
    st = state()
    if st.registry.lead_rules is None:
        return
    menu = next((m for m in st.registry.menus if m.code == "leads"), None)
    appbuilder.add_view(PoolView, VIEW, label=lazy(Label("公海", "Public pool")),
                        icon="fa-water", category=menu.code if menu else "leads",
                        category_label=lazy(menu.label) if menu else None)
    appbuilder.add_api(LeadsApi)


def pool_permissions(registry: Registry, role: str) -> list[tuple[str, str]]:
    """The pool's permissions for ``role`` if it claims, manages or merges anywhere."""
    rules = registry.lead_rules
    if rules is None:
        return []
    every = [rules.base, *(r for _, r in rules.units)]
    roles = {r for rs in every for r in (*rs.pools.claim_roles, *rs.pools.manager_roles,
                                         *rs.duplicates.merge_roles)}
    return PERMISSIONS if role in roles else []


def hidden_statuses(registry: Registry, entity: str, actor: Actor,
                    filtering_status: bool) -> tuple[str, ...]:
    """Statuses kept out of ``entity``'s lists: invalid leads leave the active lists;
    supervisors and admins find them again by filtering on the status."""
    rules = registry.lead_rules
    if rules is None or entity != "lead":
        return ()
    invalid = rules.for_unit(actor.unit).screening.invalid_status
    managers = {r for r in rules.for_unit(actor.unit).pools.manager_roles}
    admin = any(r.admin for r in registry.roles if r.code in actor.roles)
    if filtering_status and (admin or managers & set(actor.roles)):
        return ()
    return (invalid,)


def filtering_status() -> bool:
    """Whether the current list request filters on ``status`` (form or rison filters)."""
    return "status" in request.args or any(
        k.startswith("_flt_") and k.endswith("_status") for k in request.args) or (
        "status" in (request.args.get("q") or ""))


# ---- the panel on a lead's page ---------------------------------------------------------
def followup_panel(entity: Entity, record: Any, actor: Actor) -> Panel | None:
    """Follow-ups, tasks and history, newest first, with the lead's actions."""
    st = state()
    if entity.code != "lead" or st.registry.lead_rules is None:
        return None
    locale = current_locale()
    ctx = request_context("ui")
    entries = lead_timeline(ctx, record.id, locale=locale)
    rows = [{"e": e, "at": local_time(e.at).strftime("%Y-%m-%d %H:%M")} for e in entries]
    _, manages = pool_roles(st.models, actor)
    rules = st.registry.lead_rules.for_unit(record.unit)
    admin = any(r.admin for r in st.registry.roles if r.code in actor.roles)
    html = render_template(
        "leadloom/lead_followups.html", rows=rows, record=record, locale=locale,
        may_release=record.owner_id is not None and (record.owner_id == actor.user_id
                                                     or manages),
        may_merge=admin or bool(set(actor.roles) & set(rules.duplicates.merge_roles)),
        grade_auto=display(entity.field("grade_auto"), record.grade_auto)
        if entity.has_field("grade_auto") else "")
    return Panel(translated(Message("Follow-ups and tasks")), Markup(html))


# ---- the pool page ------------------------------------------------------------------------
#: pool leads on one page
PAGE_SIZE = 50


class PoolView(BaseView):
    """公海: the unowned leads of my unit; claim one, or (managers) hand one out."""

    route_base = "/pool"
    default_view = "index"
    class_permission_name = VIEW
    method_permission_name = {"index": "read", "claim": "read", "assign": "read",
                              "assign_many": "read", "release": "read", "merge": "read"}
    base_permissions = ["can_read", "menu_access"]

    @expose("/")
    @has_access
    def index(self) -> Any:
        st = state()
        ctx = request_context("ui")
        actor = ctx.actor
        claims, manages = pool_roles(st.models, actor)
        view = st.registry.view("lead", actor.unit)
        page = max(request.args.get("page", 1, type=int) or 1, 1)
        query = pools.PoolQuery(
            search=request.args.get("q", "")[:100], industry=request.args.get("industry", ""),
            grade=request.args.get("grade", ""), offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE)
        total, leads = pools.pool_page(ctx, query)
        rows = [{"lead": lead, "industry": display(view.field("industry"), lead.industry),
                 "grade": lead.grade or "-",
                 "value": display(view.field("value_level"), lead.value_level),
                 "created": local_time(lead.created_at).strftime("%Y-%m-%d"),
                 "touch": _last_touch(lead.last_followup)}
                for lead in leads]
        users = pools.assignable_users(ctx, actor.unit) if manages else []
        locale = current_locale()
        choices = {code: (view.field(code).label.get(locale),
                          [(o.code, o.label.get(locale)) for o in view.field(code).options
                           if o.active]) for code in ("industry", "grade")}
        return self.render_template(
            "leadloom/pool.html", rows=rows, claims=claims, manages=manages, users=users,
            total=total, page=page, pages=max(-(-total // PAGE_SIZE), 1),
            query=query, choices=choices, filters={k: v for k, v in (
                ("q", query.search), ("industry", query.industry), ("grade", query.grade))
                if v})

    @expose("/claim/<int:pk>", methods=["POST"])
    @has_access
    def claim(self, pk: int) -> Any:
        return _act(lambda ctx: pools.claim(ctx, pk), f"/lead/show/{pk}", "/pool/",
                    Message("Claimed"))

    @expose("/assign/<int:pk>", methods=["POST"])
    @has_access
    def assign(self, pk: int) -> Any:
        user = request.form.get("owner", type=int)
        if user is None:
            abort(400)
        return _act(lambda ctx: pools.assign_from_pool(ctx, pk, user), "/pool/", "/pool/",
                    Message("Assigned"))

    @expose("/assign-many", methods=["POST"])
    @has_access
    def assign_many(self) -> Any:
        """A manager hands several pool leads to one rep in one write-path batch, and reads
        which were refused and why."""
        user = request.form.get("owner", type=int)
        ids = picked(request.form.getlist("ids"))
        if user is None or not ids:
            flash(translated(Message("pick the records and an action first")), "warning")
            return redirect("/pool/")
        ctx = request_context("ui")
        try:
            refused = pools.assign_many_from_pool(ctx, ids, user)
        except RecordError as error:  # not a pool manager, or the batch failed
            state().db.session.rollback()
            refused = dict.fromkeys(ids, error)
        category, message = report(state().registry.entity("lead"), ids, refused,
                                   seen=pool_clause(ctx.models, ctx.actor))
        flash(message, category)
        return redirect("/pool/")

    @expose("/release/<int:pk>", methods=["POST"])
    @has_access
    def release(self, pk: int) -> Any:
        reason = request.form.get("reason")
        return _act(lambda ctx: pools.release(ctx, pk, reason), "/lead/list/",
                    f"/lead/show/{pk}", Message("Returned to the pool"))

    @expose("/merge/<int:pk>", methods=["POST"])
    @has_access
    def merge(self, pk: int) -> Any:
        other = _lead_id(request.form.get("duplicate", ""))
        if other is None:
            flash(translated(Message("Give the number or id of the lead to merge")), "danger")
            return redirect(f"/lead/show/{pk}")
        return _act(lambda ctx: merging.merge(ctx, pk, other), f"/lead/show/{pk}",
                    f"/lead/show/{pk}", Message("Merged"))


def _act(action: Any, done: str, failed: str, message: Message) -> Any:
    try:
        action(request_context("ui"))
    except RecordError as error:
        detail = "; ".join(translated(m) for ms in error.errors.values() for m in ms)
        flash(detail or translated(error.message), "danger")
        return redirect(failed)
    flash(translated(message), "success")
    return redirect(done)


def _last_touch(touch: pools.LastTouch | None) -> dict[str, str] | None:
    """The latest follow-up as the pool shows it: when (local), how (its label), what."""
    if touch is None:
        return None
    followup = state().registry.view("followup", None)
    method = display(followup.field("method"), touch.method) if followup.has_field(
        "method") else ""
    return {"at": local_time(touch.at).strftime("%m-%d"), "method": method,
            "summary": touch.summary}


def _pool_json(lead: pools.PoolLead) -> dict[str, Any]:
    data = with_offsets(lead.as_json(), ["created_at"])
    if data["last_followup"] is not None:
        with_offsets(data["last_followup"], ["at"])
    return data


def _lead_id(text: str) -> int | None:
    """A lead's id from its id or its number (WEB-20240315-001)."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    st = state()
    cls = st.models.cls("lead")
    found = st.db.session.query(cls.id).filter(cls.lead_no == text).first()
    return found[0] if found else None


# ---- the API ------------------------------------------------------------------------------
class LeadsApi(DocumentedApi):
    """``/api/v1/leads/``: the pool and the lead actions."""

    resource_name = "leads"
    class_permission_name = VIEW
    method_permission_name = {"pool": "read", "claim": "read", "assign": "read",
                              "release": "read", "merge": "read", "timeline": "read"}
    base_permissions = ["can_read", "menu_access"]
    allow_browser_login = True
    openapi_spec_tag = "Leads"

    @expose("/pool", methods=["GET"])
    @protect()
    @answers_record_errors
    def pool(self) -> Response:
        """The public pool of my unit (every pool for admins), oldest first.
        ---
        get:
          summary: The public pool of my unit, oldest first (no contact details)
          parameters:
          - in: query
            name: limit
            required: false
            schema: {type: integer, minimum: 1, maximum: 1000}
          responses:
            200:
              description: Pool leads
              content: {application/json: {schema: {$ref: '#/components/schemas/PoolLeadList'}}}
        """
        limit = int_arg("limit", 200, 1, 1000)
        leads = pools.pool_leads(request_context("api"), limit=limit)
        return self.response(200, count=len(leads), result=[_pool_json(lead) for lead in leads])

    @expose("/<id:pk>/claim", methods=["POST"])
    @protect()
    @answers_record_errors
    def claim(self, pk: int) -> Response:
        """Take the lead from the pool (403 with the reason when a limit says no).
        ---
        post:
          summary: Take the lead from the pool (403 with the reason when a limit says no)
          parameters:
          - pk
          responses:
            200:
              description: Done
              content: {application/json: {schema: {$ref: '#/components/schemas/LeadMoved'}}}
        """
        record = pools.claim(request_context("api"), pk)
        return self.response(200, id=record.id, owner=record.owner_id, status=record.status)

    @expose("/<id:pk>/assign", methods=["POST"])
    @protect()
    @answers_record_errors
    def assign(self, pk: int) -> Response:
        """``{"owner": user id}``: a pool manager hands the lead out.
        ---
        post:
          summary: A pool manager hands the lead to a user
          parameters:
          - pk
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Owner'}
          responses:
            200:
              description: Done
              content: {application/json: {schema: {$ref: '#/components/schemas/LeadMoved'}}}
        """
        owner = checked("Owner", request.get_json(silent=True))["owner"]
        record = pools.assign_from_pool(request_context("api"), pk, owner)
        return self.response(200, id=record.id, owner=record.owner_id, status=record.status)

    @expose("/<id:pk>/release", methods=["POST"])
    @protect()
    @answers_record_errors
    def release(self, pk: int) -> Response:
        """``{"reason": ...}``: return the lead to its unit's pool.
        ---
        post:
          summary: Return the lead to its unit's pool
          parameters:
          - in: path
            name: pk
            required: false
            schema: {type: integer, minimum: 1, maximum: 2147483647}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Reason'}
          responses:
            200:
              description: Done
              content: {application/json: {schema: {$ref: '#/components/schemas/LeadMoved'}}}
        """
        data = request.get_json(silent=True)
        reason = checked("Reason", {} if data is None else data).get("reason")
        record = pools.release(request_context("api"), pk, reason)
        return self.response(200, id=record.id, status=record.status)

    @expose("/<id:pk>/merge", methods=["POST"])
    @protect()
    @answers_record_errors
    def merge(self, pk: int) -> Response:
        """``{"duplicate": lead id}``: merge that lead into this one.
        ---
        post:
          summary: Merge the duplicate lead into this one
          parameters:
          - pk
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Duplicate'}
          responses:
            200:
              description: Done
              content: {application/json: {schema: {$ref: '#/components/schemas/LeadMoved'}}}
        """
        other = checked("Duplicate", request.get_json(silent=True))["duplicate"]
        record = merging.merge(request_context("api"), pk, other)
        return self.response(200, id=record.id, lead_no=record.lead_no)

    @expose("/<id:pk>/timeline", methods=["GET"])
    @protect()
    @answers_record_errors
    def timeline(self, pk: int) -> Response:
        """Follow-ups, tasks and history of a lead I may read, newest first.
        ---
        get:
          summary: Follow-ups, tasks and history of a lead, newest first
          parameters:
          - pk
          responses:
            200:
              description: Timeline entries
              content: {application/json: {schema: {$ref: '#/components/schemas/LeadTimeline'}}}
        """
        ctx = request_context("api")
        records.get(ctx, "lead", pk)
        entries = lead_timeline(ctx, pk, locale=current_locale())
        return self.response(200, result=[{
            "at": plain(e.at), "kind": e.kind, "title": e.title, "detail": e.detail,
            "who": e.who, "link": e.link, "badge": e.badge} for e in entries])


