"""The Registry: a frozen, typed description of everything the config declares.

Built once by ``metadata.loader`` and never mutated; every other layer reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from leadloom.metadata.field_types import NO_COLUMN, FieldType, MoneyUnit
from leadloom.plugins import NO_PLUGINS, PluginSet

if TYPE_CHECKING:
    from leadloom.metadata.funnels import Funnel
    from leadloom.metadata.intake import IntakeForm
    from leadloom.metadata.lead_rules import LeadRulesSet
    from leadloom.metadata.reports import Report
    from leadloom.metadata.workflows import Workflow

LOCALES = ("zh", "en")
OPERATIONS = ("list", "read", "create", "update", "delete", "export")
SCOPES = ("own", "team", "unit", "all")


@dataclass(frozen=True, slots=True)
class Label:
    """A name in Chinese and English; ``zh`` is the default."""

    zh: str
    en: str

    def get(self, locale: str | None) -> str:
        return self.en if (locale or "zh").startswith("en") else self.zh


@dataclass(frozen=True, slots=True)
class Option:
    code: str
    label: Label
    active: bool = True


@dataclass(frozen=True, slots=True)
class OptionSet:
    code: str
    label: Label
    options: tuple[Option, ...]


@dataclass(frozen=True, slots=True)
class Field:
    """One declared field; ``column`` is its physical column (``None`` for tags)."""

    code: str
    label: Label
    type: FieldType
    required: bool = False
    unique: bool = False
    default: Any = None
    min: Decimal | None = None
    max: Decimal | None = None
    length: int | None = None
    pattern: str | None = None
    help: Label | None = None
    section: str | None = None
    list: bool = False
    search: bool = False
    filter: bool = False
    #: lists sort by it (``filter``, ``sort`` and ``index`` each give a database index)
    sort: bool = False
    index: bool = False
    options: tuple[Option, ...] = ()
    to: str | None = None
    group: str | None = None
    #: the business units that have this field; ``None``: every unit (a base field)
    units: frozenset[str] | None = None
    #: the column this field took over (its data is kept under the new name)
    renamed_from: str | None = None
    #: ``(old value, new value)`` pairs for a type change; ``None``: no change allowed
    convert: tuple[tuple[str, Any], ...] | None = None
    #: set only by the system (rules, jobs): read-only for every role, never on forms
    system: bool = False
    #: money only: what forms and pages use (the stored value is 元)
    unit: MoneyUnit = MoneyUnit.YUAN
    #: a plugin's field type (``region``), stored as ``type``; ``registry.plugins`` has it
    plugin_type: str | None = None
    #: the table column that stores it (``None``: no column of its own, e.g. tags); set
    #: once, the write path reads it for every field of every row
    column: str | None = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        column = (None if self.type in NO_COLUMN else f"{self.code}_id"
                  if self.type in (FieldType.REFERENCE, FieldType.USER) else self.code)
        object.__setattr__(self, "column", column)

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True, slots=True)
class Section:
    code: str
    label: Label


@dataclass(frozen=True, slots=True)
class SeedRow:
    """A row the platform keeps present, matched on the field ``by``; values by field code."""

    by: str
    values: tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True)
class ListView:
    """A shared, named list of an entity: filters (field code → filter text) and a sort
    (a field code, ``-`` first for descending); the grammar is ``metadata.list_filters``."""

    code: str
    label: Label
    filters: tuple[tuple[str, str], ...] = ()
    sort: str | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    code: str
    label: Label
    menu: str
    title_field: str
    owned: bool
    fields: tuple[Field, ...]
    sections: tuple[Section, ...] = ()
    seed: tuple[SeedRow, ...] = ()
    order: int = 0
    views: tuple[ListView, ...] = ()
    #: field code → field: the write path looks fields up by code for every row it writes
    by_code: dict[str, Field] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_code", {f.code: f for f in self.fields})

    @property
    def table(self) -> str:
        return self.code

    def field(self, code: str) -> Field:
        found = self.by_code.get(code)
        if found is None:
            raise KeyError(f"entity '{self.code}' has no field '{code}'")
        return found

    def has_field(self, code: str) -> bool:
        return code in self.by_code


@dataclass(frozen=True, slots=True)
class Menu:
    code: str
    label: Label
    icon: str = ""


@dataclass(frozen=True, slots=True)
class Team:
    code: str
    label: Label


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    label: Label
    teams: tuple[Team, ...] = ()


@dataclass(frozen=True, slots=True)
class Grant:
    """What one role may do with one entity."""

    entity: str
    operations: frozenset[str]
    scope: str = "own"
    hidden: frozenset[str] = frozenset()
    readonly: frozenset[str] = frozenset()
    #: hidden fields shown (and writable) on the records this role's user created, until
    #: they have an owner
    shown_to_creator: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Role:
    code: str
    label: Label
    grants: tuple[Grant, ...] = ()
    admin: bool = False

    def grant(self, entity: str) -> Grant | None:
        return next((g for g in self.grants if g.entity == entity), None)


@dataclass(frozen=True, slots=True)
class UnitView:
    """The entities as one business unit sees them (``unit`` None: records of no unit)."""

    unit: str | None
    entities: tuple[Entity, ...]


@dataclass(frozen=True, slots=True)
class RetiredField:
    """A field removed from the config: hidden everywhere, its column and values kept."""

    entity: str
    field: Field


@dataclass(frozen=True, slots=True)
class ExportSettings:
    """``app.yaml`` ``export:``: whether files carry who exported them and when, and the
    most rows one export may hold (``None``: no limit)."""

    watermark: bool = False
    max_rows: int | None = None


@dataclass(frozen=True, slots=True)
class AppSettings:
    title: Label
    default_locale: str = "zh"
    timezone: str = "Asia/Shanghai"
    export: ExportSettings = ExportSettings()


@dataclass(frozen=True, slots=True)
class Registry:
    app: AppSettings
    menus: tuple[Menu, ...]
    option_sets: tuple[OptionSet, ...]
    entities: tuple[Entity, ...]
    units: tuple[Unit, ...]
    roles: tuple[Role, ...]
    views: tuple[UnitView, ...] = ()
    retired: tuple[RetiredField, ...] = ()
    #: declared reports (``config/reports/*.yaml``), by name
    reports: tuple[Report, ...] = ()
    #: funnels (``config/funnels/*.yaml``): stages per entity and unit
    funnels: tuple[Funnel, ...] = ()
    #: workflows (``config/workflows/*.yaml``): approval flows and per-state field rights
    workflows: tuple[Workflow, ...] = ()
    #: lead life-cycle rules (``config/leads.yaml`` + units' ``leads:``); None: not used
    lead_rules: LeadRulesSet | None = None
    #: public web-to-lead forms (``config/intake/*.yaml``), by name
    intake_forms: tuple[IntakeForm, ...] = ()
    #: the published config version this registry was loaded from, if any
    version: int | None = None
    #: the plugins ``app.yaml`` enables, and what they contribute
    plugins: PluginSet = field(default=NO_PLUGINS, compare=False, repr=False)

    def entity(self, code: str) -> Entity:
        """The entity with every field of every unit: what the table holds."""
        for e in self.entities:
            if e.code == code:
                return e
        raise KeyError(f"no entity '{code}'")

    def view(self, code: str, unit: str | None) -> Entity:
        """``code`` as records of ``unit`` see it: its fields, labels, options, sections."""
        chosen = next((v for v in self.views if v.unit == unit), None) or next(
            (v for v in self.views if v.unit is None), None)
        if chosen is None:
            return self.entity(code)
        return next(e for e in chosen.entities if e.code == code)

    def role(self, code: str) -> Role:
        for r in self.roles:
            if r.code == code:
                return r
        raise KeyError(f"no role '{code}'")

    def unit(self, code: str) -> Unit:
        for u in self.units:
            if u.code == code:
                return u
        raise KeyError(f"no unit '{code}'")

    def team_unit(self, team: str) -> str | None:
        """The unit a team belongs to."""
        for u in self.units:
            if any(t.code == team for t in u.teams):
                return u.code
        return None
