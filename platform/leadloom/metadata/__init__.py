"""Config files → a frozen Registry. Pure Python: no database, no Flask."""

from __future__ import annotations

from leadloom.metadata.errors import ConfigError as ConfigError
from leadloom.metadata.errors import ConfigInvalid as ConfigInvalid
from leadloom.metadata.field_types import FieldType as FieldType
from leadloom.metadata.loader import load_registry as load_registry
from leadloom.metadata.registry import Entity as Entity
from leadloom.metadata.registry import Field as Field
from leadloom.metadata.registry import Grant as Grant
from leadloom.metadata.registry import Label as Label
from leadloom.metadata.registry import Registry as Registry
from leadloom.metadata.registry import Role as Role
