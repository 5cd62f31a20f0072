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
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Field, Label
from leadloom.records import Context
from leadloom.web.cascade import plugin_form_field
from leadloom.web.form_widgets import (
    LookupField,
    MoneyField,
    ReadOnlyField,
    RequiredMark,
    no_browser_check,
)
from leadloom.web.labels import current_locale, display, lazy, local_time
from leadloom.web.language import lazy_translated
from leadloom.web.layout import FORM_STAMPS, SYSTEM_LABELS
from leadloom.web.lookup import lookup_url, record_label, user_label

#: the placeholder of a reference or user field's search box
SEARCH_HINT = Message("type to search")
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
                              **_common(f, {"class": "form-control"}))


def _choices(f: Field, current: Any) -> list[tuple[str, str]]:
    kept = current if isinstance(current, list) else [current]
    locale = current_locale()
    return [(o.code, o.label.get(locale)) for o in f.options if o.active or o.code in kept]


def _common(f: Field, render_kw: dict[str, Any] | None = None) -> dict[str, Any]:
    """Label, help and the red * of a required field (the write path checks it)."""
    marks = [RequiredMark()] if f.required else []
    return {"label": lazy(f.label), "description": lazy(f.help) if f.help else "",
            "validators": [Optional(), *marks], "render_kw": no_browser_check(render_kw)}


def _lookup(ctx: Context, target: str | None, **common: Any) -> LookupField:
    """A reference (``target`` an entity) or user (``None``) field searched as one types."""
    if target is None:
        def labeler(pk: int) -> str:
            return user_label(ctx.session, pk)
    else:
        def labeler(pk: int) -> str:
            return record_label(ctx.session, ctx.models, target, pk)
    return LookupField(url=lookup_url(target), labeler=labeler,
                       hint=lazy_translated(SEARCH_HINT), **common)


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
    FieldType.MONEY: lambda f, ctx, cur: MoneyField(unit=f.unit, **_common(f)),
    FieldType.BOOLEAN: lambda f, ctx, cur: BooleanField(**_common(f)),
    FieldType.DATE: lambda f, ctx, cur: DateField(
        format="%Y-%m-%d", widget=DateInput(), **_common(f, {"class": "form-control"})),
    FieldType.DATETIME: lambda f, ctx, cur: _datetime_field(f, ctx),
    FieldType.ENUM: lambda f, ctx, cur: SelectField(
        choices=[("", "—"), *_choices(f, cur)], widget=Select2Widget(), **_common(f)),
    FieldType.MULTI_ENUM: lambda f, ctx, cur: SelectMultipleField(
        choices=_choices(f, cur), widget=Select2ManyWidget(), **_common(f)),
    FieldType.EMAIL: lambda f, ctx, cur: StringField(widget=BS3TextFieldWidget(), **_common(f)),
    FieldType.PHONE: lambda f, ctx, cur: StringField(widget=BS3TextFieldWidget(), **_common(f)),
    FieldType.REFERENCE: lambda f, ctx, cur: _lookup(ctx, f.to, **_common(f)),
    FieldType.USER: lambda f, ctx, cur: _lookup(ctx, None, **_common(f)),
    FieldType.TAGS: lambda f, ctx, cur: SelectMultipleField(
        choices=_tag_choices(ctx, f), coerce=int, widget=Select2ManyWidget(), **_common(f)),
}


def form_class(entity: Entity, ctx: Context, record: Any, owner_label: Any,
               initial: dict[str, Any] | None = None,
               readonly: frozenset[str] = frozenset()) -> type[DynamicForm]:
    """A WTForms class for ``entity`` as ``ctx.actor`` sees it (choices in their scope);
    ``initial`` (an add form's defaults) counts as the current values. Fields in
    ``readonly`` show their value as text, and a saved record's form shows its times."""
    current = form_data(entity, record, ctx) if record is not None else initial or {}
    attrs: dict[str, Any] = {
        f.code: _shown(f.label, _text(f, ctx, current.get(f.code))) if f.code in readonly
        else _form_field(f, ctx, current.get(f.code)) for f in entity.fields}
    if entity.owned:
        owner = current.get("owner")
        attrs["owner"] = (
            _shown(owner_label, user_label(ctx.session, owner) if owner else "")
            if "owner" in readonly else
            _lookup(ctx, None, label=owner_label, validators=[Optional()],
                    render_kw=no_browser_check()))
    if record is not None:
        for stamp in FORM_STAMPS:
            value = getattr(record, stamp)
            attrs[stamp] = _shown(SYSTEM_LABELS[stamp],
                                  local_time(value).strftime("%Y-%m-%d %H:%M") if value else "")
    attrs["version"] = HiddenField()
    return type(f"{entity.code.title()}Form", (DynamicForm,), attrs)


def _form_field(f: Field, ctx: Context, current: Any) -> Any:
    """The form field of ``f``: its type's, or its plugin type's."""
    if f.plugin_type is not None:
        return plugin_form_field(ctx.registry.plugins.field_types[f.plugin_type], _common(f))
    return FORM_FIELDS[f.type](f, ctx, current)


def _text(f: Field, ctx: Context, value: Any) -> str:
    """How a read-only field's value reads: records and users by name, not by id."""
    if value is None or value == []:
        return ""
    if f.type is FieldType.REFERENCE:
        return record_label(ctx.session, ctx.models, str(f.to), value)
    if f.type is FieldType.USER:
        return user_label(ctx.session, value)
    if f.type is FieldType.TAGS:
        return "、".join(name for pk, name in _tag_choices(ctx, f) if pk in value)
    return display(f, value)


def _shown(label: Any, text: str) -> ReadOnlyField:
    return ReadOnlyField(label=lazy(label) if isinstance(label, Label) else label, shown=text)


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
