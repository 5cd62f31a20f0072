"""marshmallow schemas for the shape of each config file.

They check structure and scalar types only; cross-references (unknown entity, unknown
field, bad default for a type) are ``metadata.checks``' job, once every file is loaded.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import RAISE, Schema, ValidationError, validate, validates
from marshmallow import fields as mf

from leadloom.metadata.field_types import FieldType, MoneyUnit
from leadloom.metadata.funnels import SCHEMAS as FUNNEL_SCHEMAS
from leadloom.metadata.intake import SCHEMAS as INTAKE_SCHEMAS
from leadloom.metadata.leads import SCHEMAS as LEAD_SCHEMAS
from leadloom.metadata.registry import LOCALES, OPERATIONS, SCOPES
from leadloom.metadata.reports import SCHEMAS as REPORT_SCHEMAS
from leadloom.metadata.workflows import SCHEMAS as WORKFLOW_SCHEMAS

CODE = re.compile(r"^[a-z][a-z0-9_]*$")
OPTION_CODE = re.compile(r"^[^,\s][^,]*$")
TEAM_CODE = re.compile(r"^[a-z][a-z0-9_-]*$")

_code = validate.Regexp(CODE, error="'{input}' is not a code: use a-z, 0-9 and _")


def _one_of(choices: tuple[str, ...] | list[str], what: str) -> validate.OneOf:
    known = ", ".join(choices)
    return validate.OneOf(choices, error=f"unknown {what} '{{input}}' (known: {known})")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class LabelSchema(_Strict):
    zh = mf.String(required=True, validate=validate.Length(min=1))
    en = mf.String(required=True, validate=validate.Length(min=1))


class OptionSchema(LabelSchema):
    code = mf.Raw(required=True)
    active = mf.Boolean(load_default=True)

    @validates("code")
    def _code(self, value: Any, **_: Any) -> None:
        if isinstance(value, bool):  # YAML reads yes/no/on/off as true/false
            raise ValidationError("option code reads as true/false: put it in quotes")
        if not isinstance(value, (str, int)) or not OPTION_CODE.match(str(value)):
            raise ValidationError(f"option code '{value}' must be text without commas")


class OptionSetSchema(LabelSchema):
    options = mf.List(mf.Nested(OptionSchema), required=True,
                          validate=validate.Length(min=1, error="give at least one option"))


class FieldSchema(LabelSchema):
    type = mf.String(required=True, validate=_one_of([t.value for t in FieldType], "type"))
    required = mf.Boolean(load_default=False)
    unique = mf.Boolean(load_default=False)
    default = mf.Raw(allow_none=True)
    min = mf.Raw()
    max = mf.Raw()
    length = mf.Integer(validate=validate.Range(min=1, max=10_000_000,
                                                error="give a length from {min} to {max}"))
    pattern = mf.String()
    help = mf.Nested(LabelSchema)
    section = mf.String()
    list = mf.Boolean(load_default=False)
    search = mf.Boolean(load_default=False)
    #: offered in the list's filter bar; also gets a database index (``model.indexes``)
    filter = mf.Boolean(load_default=False)
    #: lists sort by it: a database index (and, with the scope columns, composite ones)
    sort = mf.Boolean(load_default=False)
    index = mf.Boolean(load_default=False)
    #: set only by the system (rules, jobs): read-only for every role
    system = mf.Boolean(load_default=False)
    options = mf.Raw()
    to = mf.String()
    group = mf.String()
    #: money only: entered and shown in 元 (``yuan``, the default) or 万 (``wan``)
    unit = mf.String(validate=_one_of([u.value for u in MoneyUnit], "money unit"))
    renamed_from = mf.String(validate=_code)
    convert = mf.Nested(lambda: ConvertSchema())

    @validates("pattern")
    def _pattern(self, value: str, **_: Any) -> None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValidationError(f"not a valid regular expression: {exc}") from None


class SectionSchema(LabelSchema):
    code = mf.String(required=True, validate=_code)


class SeedSchema(_Strict):
    by = mf.String(required=True)
    rows = mf.List(mf.Dict(keys=mf.String()), required=True)


class ListViewSchema(LabelSchema):
    code = mf.String(required=True, validate=_code)
    filter = mf.Dict(keys=mf.String(), values=mf.String(), load_default=dict)
    sort = mf.String()


class EntitySchema(LabelSchema):
    entity = mf.String(required=True, validate=_code)
    menu = mf.String(required=True)
    title_field = mf.String()
    owned = mf.Boolean(load_default=True)
    order = mf.Integer(load_default=100)
    sections = mf.List(mf.Nested(SectionSchema), load_default=list)
    fields = mf.Dict(keys=mf.String(validate=_code), values=mf.Nested(FieldSchema),
                         required=True, validate=validate.Length(min=1, error="declare a field"))
    seed = mf.Nested(SeedSchema)
    views = mf.List(mf.Nested(ListViewSchema), load_default=list)


class MenuSchema(LabelSchema):
    code = mf.String(required=True, validate=_code)
    icon = mf.String(load_default="")


class ExportSchema(_Strict):
    watermark = mf.Boolean(load_default=False)
    max_rows = mf.Integer(load_default=None, allow_none=True,
                          validate=validate.Range(min=1, error="give at least 1 row"))


class PluginsSchema(_Strict):
    """``plugins:`` in app.yaml: which plugins run here, and each one's settings."""

    enabled = mf.List(mf.String(validate=_code), load_default=list)
    settings = mf.Dict(keys=mf.String(), values=mf.Dict(), load_default=dict)


class AppSchema(_Strict):
    title = mf.Nested(LabelSchema, required=True)
    plugins = mf.Nested(PluginsSchema)
    default_locale = mf.String(load_default="zh", validate=_one_of(LOCALES, "locale"))
    timezone = mf.String(load_default="Asia/Shanghai")
    menus = mf.List(mf.Nested(MenuSchema), required=True)
    export = mf.Nested(ExportSchema, load_default=lambda: {"watermark": False,
                                                           "max_rows": None})

    @validates("timezone")
    def _timezone(self, value: str, **_: Any) -> None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"unknown time zone '{value}'") from None


class OptionsFileSchema(_Strict):
    option_sets = mf.Dict(keys=mf.String(validate=_code),
                              values=mf.Nested(OptionSetSchema), required=True)


class GrantSchema(_Strict):
    operations = mf.List(mf.String(validate=_one_of(OPERATIONS, "operation")),
                             required=True)
    scope = mf.String(load_default="own", validate=_one_of(SCOPES, "scope"))
    hidden = mf.List(mf.String(), load_default=list)
    readonly = mf.List(mf.String(), load_default=list)
    #: hidden fields the role may enter on the records it creates, and see on them until
    #: they have an owner (marketing's phones and e-mails of the leads it brings in)
    shown_to_creator = mf.List(mf.String(), load_default=list)


class RoleSchema(LabelSchema):
    admin = mf.Boolean(load_default=False)
    entities = mf.Dict(keys=mf.String(), values=mf.Nested(GrantSchema),
                           load_default=dict)


class RolesFileSchema(_Strict):
    roles = mf.Dict(keys=mf.String(validate=_code), values=mf.Nested(RoleSchema),
                        required=True)


class TeamSchema(LabelSchema):
    pass


class ConvertSchema(_Strict):
    """How to convert stored values when a field's type changes: old value → new value."""

    map = mf.Dict(keys=mf.String(), values=mf.Raw(), load_default=dict)


class OptionOverlaySchema(_Strict):
    add = mf.List(mf.Nested(OptionSchema), load_default=list)
    deactivate = mf.List(mf.Raw(), load_default=list)
    labels = mf.Dict(keys=mf.String(), values=mf.Nested(LabelSchema), load_default=dict)


class EntityOverlaySchema(_Strict):
    """What one business unit changes in one entity, for its own records only."""

    fields = mf.Dict(keys=mf.String(validate=_code), values=mf.Nested(FieldSchema),
                     load_default=dict)
    hide = mf.List(mf.String(), load_default=list)
    labels = mf.Dict(keys=mf.String(), values=mf.Nested(LabelSchema), load_default=dict)
    options = mf.Dict(keys=mf.String(), values=mf.Nested(OptionOverlaySchema),
                      load_default=dict)
    sections = mf.List(mf.String(), load_default=list)


class UnitSchema(LabelSchema):
    unit = mf.String(required=True, validate=_code)
    teams = mf.Dict(keys=mf.String(validate=validate.Regexp(
        TEAM_CODE, error="'{input}' is not a team code: use a-z, 0-9, - and _")),
        values=mf.Nested(TeamSchema), load_default=dict)
    entities = mf.Dict(keys=mf.String(), values=mf.Nested(EntityOverlaySchema),
                       load_default=dict)
    #: the unit's changes to ``leads.yaml`` (merged key by key; see ``metadata.leads``)
    leads = mf.Dict(keys=mf.String(), load_default=dict)


KNOWN_KEYS = sorted({name for schema in (FieldSchema, EntitySchema, AppSchema, RoleSchema,
                                         GrantSchema, UnitSchema, OptionSchema, SeedSchema,
                                         MenuSchema, ExportSchema, OptionsFileSchema,
                                         RolesFileSchema,
                                         EntityOverlaySchema, OptionOverlaySchema,
                                         ConvertSchema, *REPORT_SCHEMAS, *FUNNEL_SCHEMAS,
                                         *WORKFLOW_SCHEMAS, *LEAD_SCHEMAS, *INTAKE_SCHEMAS)
                     for name in schema._declared_fields})
