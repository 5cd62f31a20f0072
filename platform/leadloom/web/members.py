"""Admin page: every user's team and business unit (the row scopes ``team`` and ``unit``).

Roles and passwords stay on Flask-AppBuilder's user screens; this page sets what leadloom
adds to a user, through ``records.set_membership`` like the ``leadloom user`` command, and
hands a leaving user's open leads over (离职交接, ``records.leads.handover``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.security.sqla.models import User

from leadloom.access.people import display_name
from leadloom.metadata.messages import Message
from leadloom.records import RecordError, RecordInvalid, set_membership
from leadloom.records.leads.handover import hand_over
from leadloom.web.actor import request_context
from leadloom.web.labels import current_locale, role_label
from leadloom.web.language import translated
from leadloom.web.list_bulk import report
from leadloom.web.state import state

#: the hand-over's choice for "back to the public pool"
POOL = "pool"


class Members(BaseView):
    route_base = "/members"
    default_view = "index"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def index(self) -> Any:
        st = state()
        if request.method == "POST":
            return self._save()
        org = st.models.org
        rows = st.db.session.execute(
            sa.select(User.id, User.username, User.first_name, User.last_name,
                      org.c.team, org.c.unit)
            .outerjoin(org, org.c.user_id == User.id).order_by(User.username)).all()
        roles = {u.id: "、".join(role_label(r.name) for r in u.roles)
                 for u in st.db.session.scalars(sa.select(User))}
        locale = current_locale()
        teams = [(t.code, f"{u.label.get(locale)} / {t.label.get(locale)}")
                 for u in st.registry.units for t in u.teams]
        units = [(u.code, u.label.get(locale)) for u in st.registry.units]
        names = {r.id: display_name(r.first_name, r.last_name, "") for r in rows}
        return self.render_template("leadloom/members.html", rows=rows, roles=roles,
                                    names=names, teams=teams, units=units,
                                    handover=st.registry.lead_rules is not None)

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
