"""Read a config folder into a Registry, collecting every problem before giving up.

The folder holds ``app.yaml``, ``options.yaml``, ``roles.yaml``, ``entities/*.yaml`` and
``units/*.yaml``. Each file is parsed with line numbers (``source``), shape-checked with
marshmallow (``schema``), cross-checked as a whole (``checks``) and only then turned into
frozen Registry objects (``build``).
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError

from leadloom.metadata import schema as shapes
from leadloom.metadata.build import build_registry
from leadloom.metadata.checks import check_config
from leadloom.metadata.errors import ConfigError, ConfigInvalid
from leadloom.metadata.parts import ConfigParts, Part
from leadloom.metadata.registry import Registry
from leadloom.metadata.source import Document, KeyPath, read_document


def load_registry(config_dir: Path | str) -> Registry:
    """Load and validate ``config_dir``.

    :raises ConfigInvalid: with every problem found, each with file, line and path.
    """
    parts, errors = read_parts(Path(config_dir))
    errors += check_config(parts)
    if errors:
        raise ConfigInvalid(errors)
    return build_registry(parts)


def read_parts(root: Path) -> tuple[ConfigParts, list[ConfigError]]:
    """Parse and shape-check each file; return what loaded and what did not."""
    parts = ConfigParts(root)
    errors: list[ConfigError] = []
    if not root.is_dir():
        return parts, [ConfigError(root, None, "", "config folder not found")]
    parts.app = _read(root, "app.yaml", (), shapes.AppSchema(), errors, required=True)
    parts.options = _read(root, "options.yaml", (), shapes.OptionsFileSchema(), errors)
    parts.roles = _read(root, "roles.yaml", (), shapes.RolesFileSchema(), errors, required=True)
    for file in sorted((root / "entities").glob("*.y*ml")):
        _read_keyed(root, file, "entities", "entity", shapes.EntitySchema(), parts.entities,
                    errors, parts.broken_entities)
    for file in sorted((root / "units").glob("*.y*ml")):
        _read_keyed(root, file, "units", "unit", shapes.UnitSchema(), parts.units, errors, set())
    if not parts.entities and not parts.broken_entities:
        errors.append(ConfigError(root / "entities", None, "entities", "declare an entity"))
    return parts, errors


def _read(root: Path, name: str, prefix: KeyPath, schema: Schema, errors: list[ConfigError],
          *, required: bool = False) -> Part | None:
    file = root / name
    if not file.exists():
        if required:
            errors.append(ConfigError(Path(name), None, "", "file missing"))
        return None
    part = _validated(root, file, prefix, schema, errors)
    return part


def _read_keyed(root: Path, file: Path, kind: str, key: str, schema: Schema,
                into: dict[str, Part], errors: list[ConfigError], broken: set[str]) -> None:
    """Read an entity or unit file; its code comes from ``key`` (or the file name)."""
    display = file.relative_to(root)
    doc, syntax = read_document(file, display)
    errors += syntax
    raw = doc.data if doc and isinstance(doc.data, dict) else {}
    code = str(raw.get(key) or file.stem)
    if doc is None or syntax:
        broken.add(code)
        return
    part = _shape(doc, (kind, code), schema, errors)
    if part is None:
        broken.add(code)
        return
    if code in into:
        errors.append(part.error((key,), f"{key} '{code}' is also declared in "
                                            f"{into[code].doc.file}"))
        return
    into[code] = part


def _validated(root: Path, file: Path, prefix: KeyPath, schema: Schema,
               errors: list[ConfigError]) -> Part | None:
    doc, syntax = read_document(file, file.relative_to(root))
    errors += syntax
    if doc is None or syntax:
        return None
    return _shape(doc, prefix, schema, errors)


def _shape(doc: Document, prefix: KeyPath, schema: Schema,
           errors: list[ConfigError]) -> Part | None:
    if not isinstance(doc.data, dict):
        errors.append(ConfigError(doc.file, 1, ".".join(map(str, prefix)),
                                  "the file must hold a mapping of keys"))
        return None
    try:
        data = schema.load(doc.data)
    except ValidationError as exc:
        part = Part(doc, prefix, doc.data)
        errors += [part.error(path, message)
                   for path, message in _flatten(exc.messages, (), doc.data)]
        return None
    return Part(doc, prefix, data)


def _flatten(messages: Any, path: KeyPath, data: Any) -> list[tuple[KeyPath, str]]:
    """marshmallow's nested error dict → (key path, readable message) pairs."""
    if isinstance(messages, list):
        return [(path, _readable(path, str(m))) for m in messages if not isinstance(m, dict)] + [
            pair for m in messages if isinstance(m, dict) for pair in _flatten(m, path, data)]
    found: list[tuple[KeyPath, str]] = []
    for key, sub in messages.items():
        if isinstance(sub, dict) and set(sub) <= {"key", "value"} and not isinstance(key, int):
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


def _readable(path: KeyPath, message: str) -> str:
    name = str(path[-1]) if path else ""
    if message == "Unknown field.":
        close = difflib.get_close_matches(name, shapes.KNOWN_KEYS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown key '{name}'{hint}"
    if message == "Missing data for required field.":
        return f"'{name}' is required"
    if message == "Field may not be null.":
        return f"'{name}' needs a value"
    return message[0].lower() + message[1:].rstrip(".") if message else message


def locate_field_key(config_dir: Path, entity: str, field: str, key: str) -> ConfigError:
    """An error anchored at ``entities.<entity>.fields.<field>.<key>`` (file and line)."""
    parts, _ = read_parts(Path(config_dir))
    part = parts.entities.get(entity)
    path = f"entities.{entity}.fields.{field}.{key}"
    if part is None:
        return ConfigError(Path("entities") / f"{entity}.yaml", None, path, "")
    return part.error(("fields", field, key), "")
