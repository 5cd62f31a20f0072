"""Read a config folder into a Registry, collecting every problem before giving up.

The folder holds ``app.yaml``, ``options.yaml``, ``roles.yaml``, ``entities/*.yaml`` and
``units/*.yaml``. Each file is parsed with line numbers (``source``), shape-checked with
marshmallow (``schema``), cross-checked as a whole (``checks``) and only then turned into
frozen Registry objects (``build``).
"""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError

from leadloom.metadata import schema as shapes
from leadloom.metadata.build import build_registry
from leadloom.metadata.checks import check_config
from leadloom.metadata.errors import ConfigError, ConfigInvalid
from leadloom.metadata.files import ConfigFiles, read_folder
from leadloom.metadata.funnels import FunnelSchema
from leadloom.metadata.intake import IntakeSchema
from leadloom.metadata.leads import LeadsSchema
from leadloom.metadata.parts import ConfigParts, Part
from leadloom.metadata.plugin_parts import load_plugin_set, mark_plugin_types, with_plugin_types
from leadloom.metadata.registry import Registry
from leadloom.metadata.reports import ReportSchema
from leadloom.metadata.source import Document, KeyPath, read_document
from leadloom.metadata.workflows import WorkflowSchema


def load_registry(config: Path | str | ConfigFiles) -> Registry:
    """Load and validate a config folder, or config files (e.g. a stored version).

    :raises ConfigInvalid: with every problem found, each with file, line and path.
    """
    files = config if isinstance(config, ConfigFiles) else read_folder(config)
    parts, errors = read_parts(files)
    errors += check_config(parts)
    if errors:
        raise ConfigInvalid(errors)
    return build_registry(parts)


def read_parts(files: ConfigFiles) -> tuple[ConfigParts, list[ConfigError]]:
    """Parse and shape-check each file; return what loaded and what did not."""
    parts = ConfigParts(files)
    errors: list[ConfigError] = []
    if files.origin.startswith("missing:"):
        return parts, [ConfigError(Path(files.origin[8:]), None, "", "config folder not found")]
    parts.app = _read(files, "app.yaml", (), shapes.AppSchema(), errors, required=True)
    parts.plugins, refused = load_plugin_set(parts)
    errors += refused
    parts.options = _read(files, "options.yaml", (), shapes.OptionsFileSchema(), errors)
    parts.options_broken = parts.options is None and files.exists("options.yaml")
    parts.roles = _read(files, "roles.yaml", (), shapes.RolesFileSchema(), errors,
                        required=True)
    parts.leads = _read(files, "leads.yaml", ("leads",), LeadsSchema(), errors)
    for name in files.names_in("entities"):
        _read_keyed(files, name, "entities", "entity", shapes.EntitySchema(), parts.entities,
                    errors, parts.broken_entities, parts)
    for name in files.names_in("units"):
        _read_keyed(files, name, "units", "unit", shapes.UnitSchema(), parts.units, errors,
                    parts.broken_units, parts)
    for name in files.names_in("reports"):
        _read_keyed(files, name, "reports", "report", ReportSchema(), parts.reports, errors,
                    set())
    for name in files.names_in("funnels"):
        _read_keyed(files, name, "funnels", "funnel", FunnelSchema(), parts.funnels, errors,
                    set())
    for name in files.names_in("workflows"):
        _read_keyed(files, name, "workflows", "workflow", WorkflowSchema(), parts.workflows,
                    errors, set())
    for name in files.names_in("intake"):
        _read_keyed(files, name, "intake", "form", IntakeSchema(), parts.intake, errors,
                    set())
    if not parts.entities and not parts.broken_entities:
        errors.append(ConfigError(Path("entities"), None, "entities",
                                  "no entity files: add entities/<code>.yaml"))
    return parts, errors


#: What a missing required file must hold, for the "file missing" message.
_MISSING = {
    "app.yaml": "file missing: create it with 'title' and 'menus'",
    "roles.yaml": "file missing: create it with 'roles' and an admin role",
}


def _read(files: ConfigFiles, name: str, prefix: KeyPath, schema: Schema,
          errors: list[ConfigError], *, required: bool = False) -> Part | None:
    if not files.exists(name):
        if required:
            errors.append(ConfigError(Path(name), None, "", _MISSING[name]))
        return None
    doc, problems = read_document(files, name)
    errors += _under(prefix, problems)
    return _shape(doc, prefix, schema, errors) if doc else None


def _read_keyed(files: ConfigFiles, name: str, kind: str, key: str, schema: Schema,
                into: dict[str, Part], errors: list[ConfigError], broken: set[str],
                typed: ConfigParts | None = None) -> None:
    """Read an entity or unit file; its code comes from ``key`` (or the file name);
    with ``typed``, fields of its plugins' types are read as their storage types."""
    doc, problems = read_document(files, name)
    marks = with_plugin_types(doc.data, typed.plugins.field_types, overlay=kind == "units") \
        if doc is not None and typed is not None else []
    raw = doc.data.get(key) if doc and isinstance(doc.data, dict) else None
    stem = Path(name).stem
    code = raw if isinstance(raw, str) and raw else stem
    errors += _under((kind, code), problems)
    part = _shape(doc, (kind, code), schema, errors) if doc else None
    if part is None:
        broken.update({code, stem})  # references by either name are not reported again
        return
    mark_plugin_types(part.data, marks)
    if code in into:
        errors.append(part.error((key,), f"{key} '{code}' is also declared in "
                                            f"{into[code].doc.file}"))
        return
    into[code] = part


def _under(prefix: KeyPath, errors: list[ConfigError]) -> list[ConfigError]:
    """A file's own errors, their paths moved to where the file sits in the config tree."""
    return [dataclasses.replace(e, path=".".join(p for p in (*map(str, prefix), e.path) if p))
            for e in errors]


def _shape(doc: Document, prefix: KeyPath, schema: Schema,
           errors: list[ConfigError]) -> Part | None:
    """Shape-check one parsed file, even one with a duplicate key, so all problems show."""
    if not isinstance(doc.data, dict):
        message = ("the file must hold 'key: value' lines, not a list or a value"
                   if doc.data is not None else "the file is empty: fill it in"
                   + (" or delete it" if prefix else ""))
        errors.append(ConfigError(doc.file, 1, ".".join(map(str, prefix)), message))
        return None
    try:
        data = schema.load(doc.data)
    except ValidationError as exc:
        part = Part(doc, prefix, doc.data)
        errors += [part.error(path, message)
                   for path, message in _flatten(exc.messages, (), doc.data)]
        return _without_broken_fields(doc, prefix, schema, exc.messages)
    return Part(doc, prefix, data)


def _without_broken_fields(doc: Document, prefix: KeyPath, schema: Schema,
                           messages: Any) -> Part | None:
    """An entity whose only shape problems sit inside some fields is still cross-checked,
    without those fields, so its other problems show in the same run."""
    fields = doc.data.get("fields")
    if not isinstance(messages, dict) or set(messages) != {"fields"} or not isinstance(
            fields, dict) or not isinstance(messages["fields"], dict):
        return None
    broken = frozenset(str(code) for code in messages["fields"])
    kept = {code: spec for code, spec in fields.items() if str(code) not in broken}
    try:
        data = schema.load({**doc.data, "fields": kept})
    except ValidationError:
        return None
    return Part(doc, prefix, data, broken_fields=broken)


def _flatten(messages: Any, path: KeyPath, data: Any) -> list[tuple[KeyPath, str]]:
    """marshmallow's nested error dict → (key path, readable message) pairs."""
    if isinstance(messages, list):
        return [(path, _readable(path, str(m))) for m in messages if not isinstance(m, dict)] + [
            pair for m in messages if isinstance(m, dict) for pair in _flatten(m, path, data)]
    found: list[tuple[KeyPath, str]] = []
    for key, sub in messages.items():
        if key == "_schema":  # the value itself has the wrong type, e.g. text for a mapping
            found += [(path, _readable(path, str(m))) for m in sub]
        elif isinstance(sub, dict) and set(sub) <= {"key", "value"} and not isinstance(key, int):
            found += [((*path, key), _readable((*path, key), str(m))) for m in sub.get("key", [])]
            found += _flatten(sub.get("value", {}), (*path, key), _child(data, key))
        else:
            found += _flatten(sub, (*path, key), _child(data, key))
    return found


def _child(data: Any, key: str | int) -> Any:
    if isinstance(data, dict):
        return data.get(key)
    if isinstance(data, list) and isinstance(key, int) and key < len(data):
        return data[key]
    return None


#: marshmallow's wording → what the admin should write instead.
_TYPE_MESSAGES = {
    "Not a valid string.": "must be text: put the value in quotes",
    "Not a valid integer.": "must be a whole number",
    "Not a valid boolean.": "must be true or false",
    "Not a valid list.": "must be a list: [a, b] or '- a' lines",
    "Not a valid mapping type.": "must be a mapping of keys",
    "Invalid input type.": "must be a mapping of keys",
}


def _readable(path: KeyPath, message: str) -> str:
    name = str(path[-1]) if path else ""
    if message == "Unknown field.":
        # a key valid elsewhere (e.g. 'hidden' in roles) is still wrong here: suggest another
        close = difflib.get_close_matches(name, [k for k in shapes.KNOWN_KEYS if k != name],
                                          n=1)
        hint = f"did you mean '{close[0]}'?" if close else "remove it or fix its spelling"
        return f"unknown key '{name}' ({hint})"
    if message == "Missing data for required field.":
        return f"'{name}' is required"
    if message == "Field may not be null.":
        return f"'{name}' needs a value"
    if message in _TYPE_MESSAGES:
        return _TYPE_MESSAGES[message]
    return message[0].lower() + message[1:].rstrip(".") if message else message


def locate_field_key(config: Path | ConfigFiles, entity: str, field: str,
                     key: str) -> ConfigError:
    """An error anchored at ``key`` of ``entity``'s field (file and line), in the entity's
    file or in the unit file that adds the field; the caller fills in the message."""
    files = config if isinstance(config, ConfigFiles) else read_folder(config)
    parts, _ = read_parts(files)
    for unit in parts.units.values():
        if field in unit.data["entities"].get(entity, {}).get("fields", {}):
            return unit.error(("entities", entity, "fields", field, key), "")
    part = parts.entities.get(entity)
    path = f"entities.{entity}.fields.{field}.{key}"
    if part is None:
        return ConfigError(Path("entities") / f"{entity}.yaml", None, path, "")
    if field not in part.data["fields"]:  # a column no field declares now: the entity
        return part.error((), "")
    return part.error(("fields", field, key), "")
