"""Form fields per field type, and the conversions between forms and the write path.

Forms only collect raw values; every rule (required, ranges, options, references, scope)
is checked by ``records`` so the UI and the REST API can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_appbuilder.fieldwidgets import (
    BS3TextAreaFieldWidget,
    BS3TextFieldWidget,
    Select2ManyWidget,
    Select2Widget,
)
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.sqla.models import User
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
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
from wtforms.widgets import DateInput

from leadloom.access import scope_clause
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity, Field
from leadloom.records import Context
from leadloom.web.labels import current_locale, lazy

#: How many choices a reference drop-down offers (most recent first, plus the current one).
REFERENCE_CHOICES = 500
#: what ``<input type="datetime-local">`` sends (first: what it is given), then typed forms
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                    "%Y-%m-%d %H:%M:%S"]

#: Add forms that open at "now": when a follow-up happened, when a task is due (the lead
#: rules declare both fields).
NOW_FIELDS = {"followup": "occurred_at", "task": "due_at"}


class ZonedDateTimeField(DateTimeLocalField):
    """A native date-and-time picker in the app's time zone over a naive-UTC column.

    Stored values come in as naive UTC and show in the zone; a submitted value is the typed
    local time, aware of the zone, which the write path stores as UTC. The plain input keeps
    the time (FAB's picker drops it) and FAB's picker script never attaches to it.
    """

    def process_data(self, value: Any) -> None:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        self.data = value


def _datetime_field(f: Field, ctx: Context) -> ZonedDateTimeField:
    return ZonedDateTimeField(format=DATETIME_FORMATS, tz=ZoneInfo(ctx.registry.app.timezone),
                              render_kw={"class": "form-control"}, **_common(f))


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
    FieldType.DATE: lambda f, ctx, cur: DateField(
        format="%Y-%m-%d", widget=DateInput(), render_kw={"class": "form-control"}, **_common(f)),
    FieldType.DATETIME: lambda f, ctx, cur: _datetime_field(f, ctx),
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


def form_class(entity: Entity, ctx: Context, record: Any, owner_label: Any,
               initial: dict[str, Any] | None = None) -> type[DynamicForm]:
    """A WTForms class for ``entity`` as ``ctx.actor`` sees it (choices in their scope);
    ``initial`` (an add form's defaults) counts as the current values."""
    current = form_data(entity, record, ctx) if record is not None else initial or {}
    attrs: dict[str, Any] = {
        f.code: FORM_FIELDS[f.type](f, ctx, current.get(f.code)) for f in entity.fields}
    if entity.owned:
        attrs["owner"] = SelectField(label=owner_label, choices=user_choices(ctx),
                                     coerce=_int_or_none, widget=Select2Widget(),
                                     validators=[Optional()])
    attrs["version"] = HiddenField()
    return type(f"{entity.code.title()}Form", (DynamicForm,), attrs)


def add_defaults(entity: Entity, ctx: Context, args: Mapping[str, str]) -> dict[str, Any]:
    """An add form's first values: the config's defaults, now for ``NOW_FIELDS``, and a
    record named in the query (``?lead=7`` or FAB's ``_flt_0_lead=7``) the user may read."""
    data: dict[str, Any] = {f.code: f.default for f in entity.fields if f.default is not None}
    now = NOW_FIELDS.get(entity.code)
    if now is not None and entity.has_field(now):
        data[now] = dt.datetime.now(dt.UTC)
    for f in entity.fields:
        wanted = args.get(f.code) or args.get(f"_flt_0_{f.code}") or ""
        if f.type is FieldType.REFERENCE and wanted.isdecimal() and _readable(ctx, f.to,
                                                                            int(wanted)):
            data[f.code] = int(wanted)
    return data


def _readable(ctx: Context, target: str, pk: int) -> bool:
    cls = ctx.models.cls(target)
    return ctx.session.execute(sa.select(cls.id).where(
        cls.id == pk, scope_clause(ctx.models, ctx.actor, target))).first() is not None


def form_data(entity: Entity, record: Any, ctx: Context) -> dict[str, Any]:
    """A record's values as the form takes them (ids for references, stored times)."""
    data: dict[str, Any] = {"version": record.version}
    for f in entity.fields:
        if f.type is FieldType.TAGS:
            data[f.code] = [t.id for t in getattr(record, f.code)]
        else:
            data[f.code] = getattr(record, f.column)
    if entity.owned:
        data["owner"] = record.owner_id
    return data


def submitted_values(entity: Entity, form: DynamicForm, skip: frozenset[str]) -> dict[str, Any]:
    """The form's values as write-path input (times aware of the app's zone)."""
    values: dict[str, Any] = {}
    for name in [f.code for f in entity.fields] + (["owner"] if entity.owned else []):
        if name in skip or name not in form:
            continue
        value = form[name].data
        if value == "":
            value = None
        values[name] = value
    return values
