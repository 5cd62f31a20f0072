"""Admin page: every user's team and business unit (the row scopes ``team`` and ``unit``).

Roles and passwords stay on Flask-AppBuilder's user screens; this page sets what leadloom
adds to a user, through ``records.set_membership`` like the ``leadloom user`` command, and
hands a leaving user's open leads over (离职交接, ``records.leads.handover``).

Everyone else sees the people whose time away (不在岗) they may set — themselves, a
supervisor their team — and sets it here: an ``absence`` record through the write path
(row scope, checks, audit), which assignment reads (``records.absences``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import flash, has_request_context, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.security.sqla.models import User
from flask_babel import LazyString

from leadloom.access import in_scope
from leadloom.access.people import display_name
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Label
from leadloom.records import RecordError, RecordInvalid, create, delete, set_membership
from leadloom.records.absences import ENTITY as ABSENCE
from leadloom.records.absences import has_absences
from leadloom.records.leads import clock
from leadloom.records.leads.handover import hand_over
from leadloom.web.actor import current_actor, request_context
from leadloom.web.labels import current_locale, display, role_label
from leadloom.web.language import translated
from leadloom.web.list_bulk import report
from leadloom.web.state import state

#: the hand-over's choice for "back to the public pool"
POOL = "pool"
#: what every signed-in user needs here: their own (and their team's) time away
PERMISSIONS = [("can_index", "Members"), ("can_away", "Members"),
               ("can_away_remove", "Members"), ("menu_access", "members")]


class Members(BaseView):
    route_base = "/members"
    default_view = "index"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def index(self) -> Any:
        st = state()
        admin = _admin()
        if request.method == "POST":
            if not admin:
                flash(translated(Message("only an administrator may change teams and units")),
                      "danger")
                return redirect(url_for("Members.index"))
            return self._save()
        org = st.models.org
        rows = st.db.session.execute(
            sa.select(User.id, User.username, User.first_name, User.last_name,
                      org.c.team, org.c.unit)
            .outerjoin(org, org.c.user_id == User.id).order_by(User.username)).all()
        if not admin:
            actor = current_actor()
            teams_of = {r.id: r.team for r in rows}
            rows = [r for r in rows if has_absences(st.registry) and in_scope(
                st.models, actor, ABSENCE, r.id, r.unit, teams_of.get)]
        roles = {u.id: "、".join(role_label(r.name) for r in u.roles)
                 for u in st.db.session.scalars(sa.select(User))}
        locale = current_locale()
        teams = [(t.code, f"{u.label.get(locale)} / {t.label.get(locale)}")
                 for u in st.registry.units for t in u.teams]
        units = [(u.code, u.label.get(locale)) for u in st.registry.units]
        names = {r.id: display_name(r.first_name, r.last_name, "") for r in rows}
        return self.render_template("leadloom/members.html", rows=rows, roles=roles,
                                    names=names, teams=teams, units=units, admin=admin,
                                    handover=admin and st.registry.lead_rules is not None,
                                    away=_time_away([r.id for r in rows]),
                                    reasons=_reasons(), today=_today().isoformat())

    @expose("/away", methods=["POST"])
    @has_access
    def away(self) -> Any:
        """Time away for one person, through the write path (its scope and checks)."""
        data = {k: request.form.get(k) or None
                for k in ("owner", "starts_on", "ends_on", "reason")}
        return _written(lambda: create(request_context("ui"), ABSENCE, data))

    @expose("/away/<int:pk>/remove", methods=["POST"])
    @has_access
    def away_remove(self, pk: int) -> Any:
        """Back early, or entered by mistake: the time away goes (write path, audited)."""
        return _written(lambda: delete(request_context("ui"), ABSENCE, pk))

    @expose("/handover", methods=["POST"])
    @has_access
    def handover(self) -> Any:
        """Offboarding: the leaving user's open leads go to a colleague or to the pool in
        write-path batches; the answer says which leads were refused and why."""
        leaving = request.form.get("user_id", type=int)
        to = request.form.get("to", "")
        if leaving is None or not (to == POOL or to.isdecimal()):
            flash(translated(Message("pick the leaving user and who takes the leads over")),
                  "warning")
            return redirect(url_for("Members.index"))
        try:
            result = hand_over(request_context("ui"), leaving,
                               None if to == POOL else int(to))
        except RecordError as error:
            state().db.session.rollback()
            found = [translated(m) for ms in error.errors.values() for m in ms]
            flash("; ".join(found) or translated(error.message), "danger")
            return redirect(url_for("Members.index"))
        if not result.outcomes:
            flash(translated(Message("no open leads to hand over")), "info")
            return redirect(url_for("Members.index"))
        category, message = report(state().registry.entity("lead"), list(result.outcomes),
                                   {pk: o.error for pk, o in result.failed.items()
                                    if o.error is not None})
        flash(message, category)
        return redirect(url_for("Members.index"))

    def _save(self) -> Any:
        st = state()
        user_id = int(request.form["user_id"])
        team = request.form.get("team") or None
        unit = request.form.get("unit") or None
        try:
            set_membership(st.db.session, st.models, user_id, team, None if team else unit)
            flash(translated(Message("saved")), "success")
        except RecordInvalid as error:
            st.db.session.rollback()
            for messages in error.errors.values():
                flash("; ".join(map(translated, messages)), "danger")
        return redirect(url_for("Members.index"))


def members_label() -> LazyString:
    """The menu entry: 团队与单元 for an admin, 不在岗 for everyone else (all they set)."""
    admin, others = Label("团队与单元", "Teams and units"), Label("不在岗", "Time away")
    return LazyString(lambda: (others if has_request_context() and not _admin() else admin)
                      .get(current_locale()))


def _written(write: Callable[[], object]) -> Any:
    """Run ``write`` and say how it went, in the reader's language."""
    try:
        write()
        flash(translated(Message("saved")), "success")
    except RecordError as error:
        state().db.session.rollback()
        found = [translated(m) for ms in error.errors.values() for m in ms]
        flash("; ".join(found) or translated(error.message), "danger")
    return redirect(url_for("Members.index"))


def _admin() -> bool:
    actor = current_actor()
    return actor.system or any(r.admin for r in state().registry.roles
                               if r.code in actor.roles)


def _today() -> dt.date:
    rules = state().registry.lead_rules
    now = clock.now()
    return rules.base.calendar.local(now).date() if rules else now.date()


def _time_away(user_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Each person's time away that has not ended yet, as it reads: 休假 04-01 – 04-03."""
    st = state()
    if not user_ids or not has_absences(st.registry):
        return {}
    entity = st.registry.entity(ABSENCE)
    table = st.models.cls(ABSENCE).__table__
    rows = st.db.session.execute(sa.select(table).where(
        table.c.owner_id.in_(user_ids), table.c.ends_on >= _today())
        .order_by(table.c.starts_on))
    found: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        found.setdefault(row.owner_id, []).append((row.id,
            f"{display(entity.field('reason'), row.reason)} {row.starts_on:%Y-%m-%d} – "
            f"{row.ends_on:%Y-%m-%d}"))
    return found


def _reasons() -> list[tuple[str, str]]:
    st = state()
    if not has_absences(st.registry):
        return []
    field = st.registry.entity(ABSENCE).field("reason")
    locale = current_locale()
    return [(o.code, o.label.get(locale)) for o in field.options if o.active]
