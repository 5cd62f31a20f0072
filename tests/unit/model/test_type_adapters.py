"""Every field type has its column, its input (marshmallow) field and its form field."""

from __future__ import annotations

from leadloom.metadata.field_types import NO_COLUMN, TYPE_OPTIONS, FieldType
from leadloom.model.columns import COLUMN_TYPES
from leadloom.records.schemas import INPUT_FIELDS
from leadloom.web.fields import FORM_FIELDS


def test_every_type_has_every_adapter():
    types = set(FieldType)
    assert set(TYPE_OPTIONS) == types
    assert set(COLUMN_TYPES) == types - NO_COLUMN
    assert set(INPUT_FIELDS) == types
    assert set(FORM_FIELDS) == types
