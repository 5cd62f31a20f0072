"""Registry → SQLAlchemy tables and mapped classes, on a fresh DeclarativeBase per build.

A fresh base (own registry and MetaData) per build lets one process build the app twice —
tests, and later a live config swap — without the class-name clashes of a shared base.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User
from sqlalchemy.orm import DeclarativeBase, foreign, relationship

from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity, Registry
from leadloom.model.columns import field_column
from leadloom.model.imports import add_import_tables
from leadloom.model.indexes import add_indexes
from leadloom.model.leads import add_lead_tables
from leadloom.model.notifications import add_notification_table
from leadloom.model.reports import add_report_tables
from leadloom.model.saved_views import add_saved_view_table
from leadloom.model.schedules import add_schedule_table
from leadloom.model.sla_records import add_sla_table
from leadloom.model.storage import table_options
from leadloom.model.workflow import add_workflow_tables

ORG_TABLE = "ll_user_org"


def utcnow() -> dt.datetime:
    """Naive UTC: what every DateTime column holds, on SQLite and PostgreSQL alike."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(slots=True)
class Models:
    """The mapped classes of one build, by entity code, plus the organisation table."""

    registry: Registry
    base: type[DeclarativeBase]
    classes: dict[str, type[Any]] = field(default_factory=dict)
    tag_tables: dict[tuple[str, str], sa.Table] = field(default_factory=dict)
    org: sa.Table | None = None

    @property
    def metadata(self) -> sa.MetaData:
        return self.base.metadata

    def cls(self, entity: str) -> type[Any]:
        return self.classes[entity]

    def managed_tables(self) -> set[str]:
        """Tables this build owns; schema planning never looks at any other table."""
        return set(self.metadata.tables)


def class_name(entity: str) -> str:
    return "".join(part.capitalize() for part in entity.split("_"))


def build_models(registry: Registry) -> Models:
    """Create tables and mapped classes for every entity in ``registry``."""
    base = type("EntityBase", (DeclarativeBase,),
                {"metadata": sa.MetaData(), "__abstract__": True})
    models = Models(registry, base)
    models.org = sa.Table(
        ORG_TABLE, base.metadata,
        sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("team", sa.String(32), index=True),
        sa.Column("unit", sa.String(32), index=True),
    )
    add_report_tables(base.metadata)
    add_notification_table(base.metadata)
    add_saved_view_table(base.metadata)
    add_import_tables(base.metadata)
    add_schedule_table(base.metadata)
    add_lead_tables(base.metadata)
    add_sla_table(base.metadata)
    add_workflow_tables(base)
    for entity in registry.entities:
        for f in entity.fields:
            if f.type is FieldType.TAGS:
                models.tag_tables[(entity.code, f.code)] = _tag_table(base, entity.code, f.code)
    for entity in registry.entities:
        models.classes[entity.code] = _entity_class(models, entity)
    return models


def _tag_table(base: type[DeclarativeBase], entity: str, field_code: str) -> sa.Table:
    name = f"{entity}__{field_code}"
    return sa.Table(
        name, base.metadata,
        sa.Column("record_id", sa.Integer, sa.ForeignKey(f"{entity}.id", ondelete="CASCADE",
                                                         name=f"fk_{name}_record"),
                  primary_key=True),
        sa.Column("tag_id", sa.Integer, sa.ForeignKey("tag.id", ondelete="CASCADE",
                                                      name=f"fk_{name}_tag"),
                  primary_key=True),
    )


def _system_columns() -> dict[str, Any]:
    return {
        "id": sa.Column(sa.Integer, primary_key=True),
        # indexed by the composite indexes they lead (``model.indexes``)
        "owner_id": sa.Column(sa.Integer),
        "unit": sa.Column(sa.String(32)),
        "created_at": sa.Column(sa.DateTime, default=utcnow),
        "created_by_id": sa.Column(sa.Integer),
        "updated_at": sa.Column(sa.DateTime, default=utcnow),
        "updated_by_id": sa.Column(sa.Integer),
        "version": sa.Column(sa.Integer, nullable=False, server_default="1"),
        "config_version": sa.Column(sa.Integer),
        "extra": sa.Column(sa.JSON),
    }


def _entity_class(models: Models, entity: Entity) -> type[Any]:
    name = class_name(entity.code)
    attrs: dict[str, Any] = {"__tablename__": entity.table, **_system_columns()}
    for f in entity.fields:
        if f.type is FieldType.TAGS:
            attrs[f.code] = relationship("Tag", secondary=models.tag_tables[(entity.code, f.code)],
                                         lazy="selectin", order_by="Tag.id")
            continue
        attrs[f.code if f.column == f.code else f.column] = field_column(f, entity.table)
        if f.type is FieldType.REFERENCE:
            attrs[f.code] = relationship(class_name(f.to), foreign_keys=f"{name}.{f.column}",
                                         lazy="joined", viewonly=True)
    attrs["__mapper_args__"] = {"version_id_col": attrs["version"]}
    attrs["__table_args__"] = (table_options(entity.table),)
    attrs["__str__"] = lambda self, _title=entity.title_field: str(
        getattr(self, _title, None) or f"#{self.id}")
    attrs["__leadloom_entity__"] = entity.code
    cls = type(name, (models.base,), attrs)
    add_indexes(cls.__table__, entity)
    # User lives in Flask-AppBuilder's registry: relate to the class itself, once it exists.
    cls.owner = _user_relationship(cls.__table__.c.owner_id)
    for f in entity.fields:
        if f.type is FieldType.USER:
            setattr(cls, f.code, _user_relationship(cls.__table__.c[f.column]))
    return cls


def _user_relationship(column: sa.Column[Any]) -> Any:
    return relationship(User, primaryjoin=foreign(column) == User.id, lazy="joined",
                        viewonly=True)
