"""A JSON Schema per kind of config file, generated from the marshmallow schemas.

Editors that understand ``# yaml-language-server: $schema=…`` (VS Code's YAML extension,
JetBrains IDEs) then complete keys and flag mistakes while the admin types; ``leadloom
check`` remains the full check (cross-references, lines, data).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from leadloom.metadata import schema as shapes
from leadloom.metadata.funnels import FunnelSchema
from leadloom.metadata.intake import IntakeSchema
from leadloom.metadata.leads import LeadsSchema
from leadloom.metadata.reports import ReportSchema
from leadloom.metadata.workflows import WorkflowSchema

#: file kind → (the schema of such a file, which config files are of that kind)
KINDS: dict[str, tuple[type[Schema], str]] = {
    "app": (shapes.AppSchema, "app.yaml"),
    "options": (shapes.OptionsFileSchema, "options.yaml"),
    "roles": (shapes.RolesFileSchema, "roles.yaml"),
    "entity": (shapes.EntitySchema, "entities/*.yaml"),
    "unit": (shapes.UnitSchema, "units/*.yaml"),
    "report": (ReportSchema, "reports/*.yaml"),
    "funnel": (FunnelSchema, "funnels/*.yaml"),
    "workflow": (WorkflowSchema, "workflows/*.yaml"),
    "leads": (LeadsSchema, "leads.yaml"),
    "intake": (IntakeSchema, "intake/*.yaml"),
}
SCHEMA_FOLDER = ".schema"


def json_schemas() -> dict[str, dict[str, Any]]:
    """kind → a self-contained JSON Schema (draft 2020-12) for that kind of file."""
    result = {}
    for kind, (schema_cls, files) in KINDS.items():
        spec = APISpec(title="leadloom config", version="1", openapi_version="3.1.0",
                       plugins=[MarshmallowPlugin(schema_name_resolver=_name)])
        spec.components.schema(_name(schema_cls), schema=schema_cls)
        components = spec.to_dict()["components"]["schemas"]
        text = json.dumps(components).replace("#/components/schemas/", "#/$defs/")
        defs = json.loads(text)
        root = defs.pop(_name(schema_cls))
        result[kind] = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                        "title": f"leadloom config: {files}", **root, "$defs": defs}
    return result


def _name(schema: Any) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__.removesuffix("Schema")


def write_json_schemas(folder: Path) -> list[Path]:
    """Write one ``<kind>.schema.json`` per file kind into ``folder``; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, document in json_schemas().items():
        path = folder / f"{kind}.schema.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written
