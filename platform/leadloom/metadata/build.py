"""Turn checked config data into the frozen Registry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from leadloom.metadata.field_types import CHOICE, FieldType, MoneyUnit
from leadloom.metadata.funnels import build_funnels, funnel_stages
from leadloom.metadata.intake import build_intake
from leadloom.metadata.lead_checks import build_leads
from leadloom.metadata.overlays import build_views
from leadloom.metadata.parts import ConfigParts, Part
from leadloom.metadata.registry import (
    OPERATIONS,
    AppSettings,
    Entity,
    ExportSettings,
    Field,
    Grant,
    Label,
    ListView,
    Menu,
    Option,
    OptionSet,
    Registry,
    Role,
    Section,
    SeedRow,
    Team,
    Unit,
)
from leadloom.metadata.reports import build_reports
from leadloom.metadata.workflows import build_workflows


def build_registry(parts: ConfigParts) -> Registry:
    """Build the Registry; ``parts`` must have passed ``check_config`` without errors."""
    assert parts.app and parts.roles, "check_config reports missing app.yaml / roles.yaml"
    option_sets = _option_sets(parts.options)
    named = {s.code: s.options for s in option_sets}
    base = tuple(sorted((_entity(code, p.data, named) for code, p in parts.entities.items()),
                        key=lambda e: (e.order, e.code)))
    overlays = {unit: p.data["entities"] for unit, p in sorted(parts.units.items())}
    entities, views = build_views(base, overlays, lambda code, spec: field_from_spec(
        code, spec, named))
    app = parts.app.data
    return Registry(
        app=AppSettings(title=label_of(app["title"]), default_locale=app["default_locale"],
                        timezone=app["timezone"], export=ExportSettings(**app["export"])),
        menus=tuple(Menu(m["code"], label_of(m), m["icon"]) for m in app["menus"]),
        option_sets=option_sets,
        entities=entities,
        units=tuple(_unit(code, p.data) for code, p in sorted(parts.units.items())),
        roles=tuple(_role(code, r, entities) for code, r in parts.roles.data["roles"].items()),
        views=funnel_stages(views, build_funnels(parts)),
        reports=build_reports(parts, app["timezone"]),
        funnels=build_funnels(parts),
        workflows=build_workflows(parts),
        lead_rules=build_leads(parts, app["timezone"]),
        plugins=parts.plugins,
        intake_forms=build_intake(parts),
    )


def label_of(data: dict[str, Any]) -> Label:
    return Label(zh=data["zh"], en=data["en"])


def options_of(items: list[dict[str, Any]]) -> tuple[Option, ...]:
    return tuple(Option(str(o["code"]), label_of(o), o.get("active", True)) for o in items)


def _option_sets(part: Part | None) -> tuple[OptionSet, ...]:
    if part is None:
        return ()
    return tuple(OptionSet(code, label_of(s), options_of(s["options"]))
                 for code, s in part.data["option_sets"].items())


def _entity(code: str, data: dict[str, Any], named: dict[str, tuple[Option, ...]]) -> Entity:
    fields = tuple(field_from_spec(fcode, spec, named) for fcode, spec in data["fields"].items())
    title = data.get("title_field") or next(
        (f.code for f in fields if f.type is FieldType.STRING), fields[0].code)
    seed = data.get("seed")
    return Entity(
        code=code, label=label_of(data), menu=data["menu"], title_field=title,
        owned=data["owned"], fields=fields, order=data["order"],
        sections=tuple(Section(s["code"], label_of(s)) for s in data["sections"]),
        seed=tuple(SeedRow(seed["by"], tuple(row.items())) for row in seed["rows"])
        if seed else (),
        views=tuple(ListView(v["code"], label_of(v), tuple(v["filter"].items()), v.get("sort"))
                    for v in data["views"]),
    )


def field_from_spec(code: str, spec: dict[str, Any],
                    named: dict[str, tuple[Option, ...]]) -> Field:
    """A Field from its checked YAML spec; ``named`` resolves option set names."""
    ftype = FieldType(spec["type"])
    options: tuple[Option, ...] = ()
    if ftype in CHOICE:
        raw = spec["options"]
        options = named[raw] if isinstance(raw, str) else options_of(raw)
    return Field(
        code=code, label=label_of(spec), type=ftype,
        required=spec["required"], unique=spec["unique"],
        default=_default(ftype, spec.get("default")),
        min=_bound(ftype, spec.get("min")), max=_bound(ftype, spec.get("max")),
        length=spec.get("length"), pattern=spec.get("pattern"),
        help=label_of(spec["help"]) if "help" in spec else None,
        section=spec.get("section"), list=spec["list"], search=spec["search"],
        filter=spec["filter"], sort=spec["sort"], index=spec["index"], options=options,
        to=spec.get("to"), group=spec.get("group"), renamed_from=spec.get("renamed_from"),
        convert=tuple(spec["convert"]["map"].items()) if "convert" in spec else None,
        system=spec.get("system", False),
        unit=MoneyUnit(spec.get("unit", MoneyUnit.YUAN)),
        plugin_type=spec.get("plugin_type"),
    )


def _default(ftype: FieldType, value: Any) -> Any:
    if value is None:
        return None
    if ftype in (FieldType.DECIMAL, FieldType.MONEY):
        return Decimal(str(value))
    if ftype is FieldType.DATE and not isinstance(value, dt.date):
        return dt.date.fromisoformat(str(value))
    if ftype is FieldType.DATETIME and not isinstance(value, dt.datetime):
        return dt.datetime.fromisoformat(str(value))
    if ftype is FieldType.MULTI_ENUM:
        return tuple(str(v) for v in (value if isinstance(value, list) else [value]))
    if ftype is FieldType.ENUM:
        return str(value)
    return value


def _bound(ftype: FieldType, value: Any) -> Any:
    if value is None:
        return None
    if ftype is FieldType.DATE:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return Decimal(str(value))


def _unit(code: str, data: dict[str, Any]) -> Unit:
    return Unit(code, label_of(data),
                tuple(Team(t, label_of(spec)) for t, spec in data["teams"].items()))


def _role(code: str, data: dict[str, Any], entities: tuple[Entity, ...]) -> Role:
    """A role's grants; the ``*`` entry is the default for entities not named."""
    grants = data["entities"]
    fallback = grants.get("*")
    built = []
    for entity in entities:
        spec = grants.get(entity.code, fallback)
        if data["admin"] and spec is None:
            spec = {"operations": list(OPERATIONS), "scope": "all", "hidden": [], "readonly": [],
                    "shown_to_creator": []}
        if spec is None:
            continue
        known = {f.code for f in entity.fields} | {"owner"}
        built.append(Grant(
            entity=entity.code, operations=frozenset(spec["operations"]), scope=spec["scope"],
            hidden=frozenset(f for f in spec["hidden"] if f in known),
            readonly=frozenset(f for f in spec["readonly"] if f in known),
            shown_to_creator=frozenset(f for f in spec.get("shown_to_creator", ())
                                       if f in known),
        ))
    return Role(code, label_of(data), tuple(built), admin=data["admin"])
