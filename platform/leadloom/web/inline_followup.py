"""Logging a follow-up on the page of the record it is about (a lead): a small form of the
follow-up's own fields (method, time at now, feedback, summary, next step and its due
date), saved through the write path, whose follow-up rules make the next task."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.forms import DynamicForm

from leadloom import records
from leadloom.access import rights
from leadloom.metadata.registry import Field
from leadloom.records import Context, RecordError, RecordInvalid
from leadloom.web.fields import FORM_FIELDS, add_defaults, submitted_values
from leadloom.web.language import translated
from leadloom.web.record_header import FOLLOWUP, link_field


def inline_fields(ctx: Context, parent: str) -> list[Field]:
    """The follow-up fields the actor fills in on ``parent``'s page: all but the system's,
    the link to the page's record, and those their roles may not set."""
    link = link_field(ctx.registry, FOLLOWUP, parent)
    granted = rights(ctx.registry, ctx.actor, FOLLOWUP)
    view = ctx.registry.view(FOLLOWUP, ctx.actor.unit)
    return [f for f in view.fields if not f.system and f.code != link
            and f.code not in granted.hidden | granted.readonly]


def followup_form(ctx: Context, parent: str, formdata: Any = None) -> DynamicForm:
    """The form, filled from ``formdata`` (a submitted one) or with the defaults (now)."""
    fields = inline_fields(ctx, parent)
    attrs: dict[str, Any] = {f.code: FORM_FIELDS[f.type](f, ctx, None) for f in fields}
    form_cls = type("InlineFollowupForm", (DynamicForm,), attrs)
    if formdata is not None:
        return form_cls(formdata)
    view = ctx.registry.view(FOLLOWUP, ctx.actor.unit)
    return form_cls(data=add_defaults(view, ctx, {}))


def log_followup(ctx: Context, parent: str, pk: int, form: DynamicForm) -> list[str] | None:
    """Save the follow-up about record ``pk``: None when saved; else the messages that
    belong to no field of the form (the others go on their fields)."""
    if not form.validate():
        return []
    view = ctx.registry.view(FOLLOWUP, ctx.actor.unit)
    names = {f.code for f in inline_fields(ctx, parent)}
    values = submitted_values(view, form, frozenset(f.code for f in view.fields
                                                    if f.code not in names))
    values[link_field(ctx.registry, FOLLOWUP, parent) or parent] = pk
    try:
        records.create(ctx, FOLLOWUP, values)
    except RecordInvalid as error:
        general = []
        for name, messages in error.errors.items():
            texts = [translated(m) for m in messages]
            target = form._fields.get(name)
            if target is None:
                general += texts
            else:
                target.errors = [*list(target.errors), *texts]
        return general
    except RecordError as error:
        return [translated(error.message)]
    return None
