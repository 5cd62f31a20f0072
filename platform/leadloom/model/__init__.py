"""Registry → SQLAlchemy models, and schema plans that never lose data."""

from __future__ import annotations

from leadloom.model.apply import Outcome as Outcome
from leadloom.model.apply import lock_schema as lock_schema
from leadloom.model.apply import migrate as migrate
from leadloom.model.apply import migrate_on as migrate_on
from leadloom.model.apply import security_tables as security_tables
from leadloom.model.engine import atomic as atomic
from leadloom.model.engine import create_engine as create_engine
from leadloom.model.engine import prepare_engine as prepare_engine
from leadloom.model.errors import DestructiveChange as DestructiveChange
from leadloom.model.errors import SchemaError as SchemaError
from leadloom.model.plan import Plan as Plan
from leadloom.model.plan import Step as Step
from leadloom.model.plan import StepKind as StepKind
from leadloom.model.plan import make_plan as make_plan
from leadloom.model.tables import Models as Models
from leadloom.model.tables import build_models as build_models
from leadloom.model.tables import utcnow as utcnow
