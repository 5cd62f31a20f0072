"""The shipped JSON Schemas are current, and every shipped config file passes its schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from leadloom.metadata.jsonschema import KINDS, SCHEMA_FOLDER, json_schemas

CONFIG = Path(__file__).resolve().parents[3] / "config"


def test_shipped_schemas_are_current():
    for kind, document in json_schemas().items():
        shipped = json.loads((CONFIG / SCHEMA_FOLDER / f"{kind}.schema.json").read_text(
            encoding="utf-8"))
        assert shipped == document, f"run 'leadloom schema': {kind}.schema.json is stale"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_shipped_files_reference_and_pass_their_schema(kind):
    schema = json_schemas()[kind]
    files = sorted(CONFIG.glob(KINDS[kind][1]))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema="), path
        assert f".schema/{kind}.schema.json" in text.splitlines()[0], path
        data = yaml.safe_load(text)
        jsonschema.validate(json.loads(json.dumps(data, default=str)), schema)


def test_schema_rejects_a_typo():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"entity": "x", "zh": "x", "en": "x", "menu": "m",
                             "fields": {"a": {"type": "string", "zh": "a", "en": "a",
                                              "requird": True}}}, json_schemas()["entity"])


def test_money_fields_declare_their_unit():
    unit = json_schemas()["entity"]["$defs"]["Field"]["properties"]["unit"]
    assert unit["enum"] == ["yuan", "wan"]
