"""Form fields per field type, and the conversions between forms and the write path.

Forms only collect raw values; every rule (required, ranges, options, references, scope)
is checked by ``records`` so the UI and the REST API can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_appbuilder.fieldwidgets import (
    BS3TextAreaFieldWidget,
    BS3TextFieldWidget,
    DatePickerWidget,
    DateTimePickerWidget,
    Select2ManyWidget,
    Select2Widget,
)
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.sqla.models import User
from wtforms import (
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import Field as FormField
from wtforms.validators import Optional

from leadloom.access import scope_clause
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity, Field
from leadloom.records import Context
from leadloom.web.labels import current_locale, lazy, local_time

#: How many choices a reference drop-down offers (most recent first, plus the current one).
REFERENCE_CHOICES = 500
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _int_or_none(value: Any) -> int | None:
    return None if value in (None, "", "None") else int(value)


def _choices(f: Field, current: Any) -> list[tuple[str, str]]:
    kept = current if isinstance(current, list) else [current]
    locale = current_locale()
    return [(o.code, o.label.get(locale)) for o in f.options if o.active or o.code in kept]


def _common(f: Field) -> dict[str, Any]:
    return {"label": lazy(f.label), "description": lazy(f.help) if f.help else "",
            "validators": [Optional()]}


def _reference_choices(ctx: Context, target: str, current: Any) -> list[tuple[int | str, str]]:
    cls = ctx.models.cls(target)
    title = getattr(cls, ctx.registry.entity(target).title_field)
    query = (sa.select(cls.id, title)
             .where(scope_clause(ctx.models, ctx.actor, target))
             .order_by(cls.id.desc()).limit(REFERENCE_CHOICES))
    rows = list(ctx.session.execute(query))
    if current is not None and all(r.id != current for r in rows):
        rows += list(ctx.session.execute(sa.select(cls.id, title).where(cls.id == current)))
    return [("", "—")] + [(r.id, str(r[1] or f"#{r.id}")) for r in rows]


def user_choices(ctx: Context) -> list[tuple[int | str, str]]:
    users = ctx.session.execute(
        sa.select(User.id, User.first_name, User.last_name, User.username)
        .where(User.active.is_(True)).order_by(User.username))
    return [("", "—")] + [(u.id, f"{u.first_name}{u.last_name} ({u.username})") for u in users]


def _tag_choices(ctx: Context, f: Field) -> list[tuple[int, str]]:
    tag = ctx.models.cls("tag")
    query = sa.select(tag.id, tag.name).order_by(tag.name)
    if f.group:
        query = query.where(tag.group == f.group)
    return [(t.id, t.name) for t in ctx.session.execute(query)]


FormBuilder = Callable[[Field, Context, Any], FormField]

FORM_FIELDS: dict[FieldType, FormBuilder] = {
    FieldType.STRING: lambda f, ctx, cur: StringField(widget=BS3TextFieldWidget(), **_common(f)),
    FieldType.TEXT: lambda f, ctx, cur: TextAreaField(widget=BS3TextAreaFieldWidget(),
                                                      **_common(f)),
    FieldType.INTEGER: lambda f, ctx, cur: IntegerField(widget=BS3TextFieldWidget(),
                                                        **_common(f)),
    FieldType.DECIMAL: lambda f, ctx, cur: DecimalField(places=4, widget=BS3TextFieldWidget(),
                                                        **_common(f)),
    FieldType.MONEY: lambda f, ctx, cur: DecimalField(places=2, widget=BS3TextFieldWidget(),
                                                      **_common(f)),
    FieldType.BOOLEAN: lambda f, ctx, cur: BooleanField(**_common(f)),
    FieldType.DATE: lambda f, ctx, cur: DateField(format="%Y-%m-%d", widget=DatePickerWidget(),
                                                  **_common(f)),
    FieldType.DATETIME: lambda f, ctx, cur: DateTimeField(
        format=DATETIME_FORMAT, widget=DateTimePickerWidget(), **_common(f)),
    FieldType.ENUM: lambda f, ctx, cur: SelectField(
        choices=[("", "—"), *_choices(f, cur)], widget=Select2Widget(), **_common(f)),
    FieldType.MULTI_ENUM: lambda f, ctx, cur: SelectMultipleField(
        choices=_choices(f, cur), widget=Select2ManyWidget(), **_common(f)),
    FieldType.EMAIL: lambda f, ctx, cur: StringField(widget=BS3TextFieldWidget(), **_common(f)),
    FieldType.PHONE: lambda f, ctx, cur: StringField(widget=BS3TextFieldWidget(), **_common(f)),
    FieldType.REFERENCE: lambda f, ctx, cur: SelectField(
        choices=_reference_choices(ctx, f.to, cur), coerce=_int_or_none,
        widget=Select2Widget(), **_common(f)),
    FieldType.USER: lambda f, ctx, cur: SelectField(
        choices=user_choices(ctx), coerce=_int_or_none, widget=Select2Widget(), **_common(f)),
    FieldType.TAGS: lambda f, ctx, cur: SelectMultipleField(
        choices=_tag_choices(ctx, f), coerce=int, widget=Select2ManyWidget(), **_common(f)),
}


def form_class(entity: Entity, ctx: Context, record: Any, owner_label: Any) -> type[DynamicForm]:
    """A WTForms class for ``entity`` as ``ctx.actor`` sees it (choices in their scope)."""
    current = form_data(entity, record, ctx) if record is not None else {}
    attrs: dict[str, Any] = {
        f.code: FORM_FIELDS[f.type](f, ctx, current.get(f.code)) for f in entity.fields}
    if entity.owned:
        attrs["owner"] = SelectField(label=owner_label, choices=user_choices(ctx),
                                     coerce=_int_or_none, widget=Select2Widget(),
                                     validators=[Optional()])
    attrs["version"] = HiddenField()
    return type(f"{entity.code.title()}Form", (DynamicForm,), attrs)


def form_data(entity: Entity, record: Any, ctx: Context) -> dict[str, Any]:
    """A record's values as the form shows them (ids for references, local times)."""
    data: dict[str, Any] = {"version": record.version}
    for f in entity.fields:
        if f.type is FieldType.TAGS:
            data[f.code] = [t.id for t in getattr(record, f.code)]
        elif f.type is FieldType.DATETIME and getattr(record, f.column) is not None:
            data[f.code] = local_time(getattr(record, f.column)).replace(tzinfo=None)
        else:
            data[f.code] = getattr(record, f.column)
    if entity.owned:
        data["owner"] = record.owner_id
    return data


def submitted_values(entity: Entity, form: DynamicForm, ctx: Context,
                     skip: frozenset[str]) -> dict[str, Any]:
    """The form's values as write-path input: local times become aware datetimes."""
    zone = ZoneInfo(ctx.registry.app.timezone)
    values: dict[str, Any] = {}
    for name in [f.code for f in entity.fields] + (["owner"] if entity.owned else []):
        if name in skip or name not in form:
            continue
        value = form[name].data
        if isinstance(value, dt.datetime):
            value = value.replace(tzinfo=zone)
        if value == "":
            value = None
        values[name] = value
    return values
