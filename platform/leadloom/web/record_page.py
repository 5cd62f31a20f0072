"""A record's page, built for work: the header (number, customer, grade, owner, deadline,
stage path with the next move), an action bar, the fields as tabs next to the timeline,
and the page's own posts: move, transfer, log a follow-up.

Every post goes through the write path with the screen's channel (``ui``), answers with
a message on the page and leaves the user on the record.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import flash, redirect, request
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access

from leadloom import records
from leadloom.access import on_record, rights
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity
from leadloom.records import Conflict, RecordError
from leadloom.records.transitions import transition
from leadloom.web.actor import current_actor, request_context
from leadloom.web.inline_followup import followup_form, log_followup
from leadloom.web.labels import current_locale
from leadloom.web.language import translated
from leadloom.web.layout import STAMPS
from leadloom.web.openapi import checked_body
from leadloom.web.page_people import prime_people
from leadloom.web.panels import panels_for
from leadloom.web.record_fields import field_sections
from leadloom.web.record_header import may_transfer, record_header
from leadloom.web.state import state
from leadloom.workflow.stages import funnel_of, stage_label

#: the page's routes → the entity permission each needs (``EntityView``'s mapping)
PAGE_PERMISSIONS = {"move": "update", "transfer": "update", "log_followup": "read"}
STALE = Message("the record was changed by someone else meanwhile; reload it")


class RecordPage:
    """The record page's routes, for ``EntityView`` (which provides the record lookup,
    the unit's view and the hidden fields)."""

    entity: Entity

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        """The record's page (FAB's show route and permission)."""
        item = self._record_or_404(pk)
        self.update_redirect()
        return self._record_page(item)

    def _record_page(self, item: Any, followup: Any = None,
                     followup_errors: list[str] | None = None) -> Any:
        actor = current_actor()
        view = self._view(item.unit)
        hidden = on_record(rights(state().registry, actor, self.entity.code), actor,
                           item.created_by_id, getattr(item, "owner_id", None)).hidden
        new_owners = prime_people(self.entity, item, NEW_OWNERS
                                  if may_transfer(state().registry, view, actor) else 0)
        panels = panels_for(view, item, actor)  # first: the timeline reads every title
        header = record_header(view, item, actor)
        columns = [f.code for f in view.fields if f.code not in hidden] + list(STAMPS)
        values = dict(zip(columns, self.datamodel.get_values_item(item, columns), strict=True))
        if followup is None and header["actions"]["followup"]:
            followup = followup_form(request_context("ui"), self.entity.code)
        return self.render_template(
            "leadloom/show.html", pk=item.id, base=self.route_base, title=self.show_title,
            record=item, header=header, tabs=field_sections(view, item, values, hidden),
            panels=panels, followup=followup,
            followup_errors=followup_errors or [],
            users=new_owners)

    @expose("/move/<pk>", methods=["POST"])
    @has_access
    def move(self, pk: Any) -> Any:
        """Move the record to the posted stage ``to`` with the fields the move needs."""
        item = self._record_or_404(pk)
        view = self._view(item.unit)
        ctx = request_context("ui")
        try:
            values = checked_body(view, _need_values(view, request.form),
                                  ctx.registry.app.timezone)
            done = transition(ctx, self.entity.code, item.id, request.form.get("to", ""),
                              comment=request.form.get("comment"),
                              expected_version=form_version(request.form.get("version")),
                              values=values)
        except RecordError as error:
            flash(_refusal(error), "danger")
            return redirect(_here(self.entity, item.id))
        if done.moved:
            funnel = funnel_of(ctx.registry, self.entity.code, item.unit)
            stage = stage_label(view, funnel, request.form["to"], current_locale()) \
                if funnel else request.form["to"]
            flash(translated(Message("Moved to %(stage)s", stage=stage)), "success")
        for notice in done.notices:
            flash(translated(notice), "info")
        return redirect(_here(self.entity, item.id))

    @expose("/transfer/<pk>", methods=["POST"])
    @has_access
    def transfer(self, pk: Any) -> Any:
        """Hand the record to the posted ``owner`` (an owner change through the write
        path, which says who may)."""
        item = self._record_or_404(pk)
        owner = request.form.get("owner", "")
        if not owner.isdecimal():
            flash(translated(Message("pick the new owner")), "danger")
            return redirect(_here(self.entity, item.id))
        try:
            records.update(request_context("ui"), self.entity.code, item.id,
                           {"owner": int(owner)},
                           expected_version=form_version(request.form.get("version")))
        except RecordError as error:
            flash(_refusal(error), "danger")
        else:
            flash(translated(Message("Transferred")), "success")
        return redirect(_here(self.entity, item.id))

    @expose("/followup/<pk>", methods=["POST"])
    @has_access
    def log_followup(self, pk: Any) -> Any:
        """Save a follow-up about the record and come back to it; a refusal shows the page
        again with the form as typed and the messages next to it."""
        item = self._record_or_404(pk)
        ctx = request_context("ui")
        form = followup_form(ctx, self.entity.code, request.form)
        general = log_followup(ctx, self.entity.code, item.id, form)
        if general is None:
            flash(translated(Message("Follow-up logged")), "success")
            return redirect(_here(self.entity, item.id))
        item = self._record_or_404(pk)  # as saved: the failed write was rolled back
        return self._record_page(item, form, general or [translated(Message(
            "the follow-up was not saved: see the fields marked"))])


def _need_values(view: Entity, form: Any) -> dict[str, Any]:
    """The fields a move needs, as posted: filled ones only, whole numbers as numbers,
    money typed in its field's unit (元 or 万) as 元, like the write path takes it."""
    values: dict[str, Any] = {}
    for code, text in form.items():
        if not view.has_field(code) or not text.strip():
            continue
        field = view.field(code)
        values[code] = _typed(field, text.strip())
    return values


def _typed(field: Any, text: str) -> Any:
    if field.type is FieldType.INTEGER and text.isdecimal():
        return int(text)
    if field.type is FieldType.MONEY and field.unit.factor != 1:
        try:
            return str(Decimal(text) * field.unit.factor)
        except InvalidOperation:
            return text  # the write path names the field and says it is not a number
    return text


def _refusal(error: RecordError) -> str:
    """A refused write in the reader's language: the messages of its fields, else its own."""
    if isinstance(error, Conflict):
        return translated(STALE)
    found = [translated(m) for ms in error.errors.values() for m in ms]
    return "; ".join(dict.fromkeys(found)) or translated(error.message)


def form_version(value: Any) -> int | None:
    """The version a form was read at; a tampered value checks nothing (not a 500)."""
    text = str(value or "")
    return int(text) or None if text.isdecimal() else None


def _here(entity: Entity, pk: int) -> str:
    return f"/{entity.code}/show/{pk}"


#: how many people the transfer's pick list offers
NEW_OWNERS = 500

