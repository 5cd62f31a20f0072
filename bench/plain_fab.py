"""The baseline for the REST list: a minimal Flask-AppBuilder app with a plain ModelRestApi
over the same ``lead`` table (reflected), no scope, no leadloom code.

Served by gunicorn like leadloom (``bench.plain_fab:create_app()``), on the database of
``LEADLOOM_DATABASE_URL`` with ``LEADLOOM_SECRET_KEY``. Its API's permission is registered
once beforehand (``create_app(update_perms=True)`` in the benchmark's process: FAB gives new
permissions to the admin role, ``admin`` as in leadloom); the workers only read it.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask
from flask_appbuilder import AppBuilder
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.const import AUTH_DB
from flask_appbuilder.models.sqla.base import SQLA
from flask_appbuilder.models.sqla.interface import SQLAInterface
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

#: the resource (and permission) name of the baseline API: ``/api/v1/plain_lead/``
RESOURCE = "plain_lead"


def create_app(database_url: str | None = None, *, update_perms: bool = False) -> Flask:
    """The baseline app on ``database_url`` (default: ``LEADLOOM_DATABASE_URL``)."""
    app = Flask("plain_fab")
    app.config.update(
        SECRET_KEY=os.environ.get("LEADLOOM_SECRET_KEY") or "plain-fab-" + "x" * 40,
        SQLALCHEMY_DATABASE_URI=database_url or os.environ["LEADLOOM_DATABASE_URL"],
        SQLALCHEMY_TRACK_MODIFICATIONS=False,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        AUTH_TYPE=AUTH_DB,
        AUTH_ROLE_ADMIN="admin",
        AUTH_ROLE_PUBLIC="Public",
        FAB_UPDATE_PERMS=update_perms,
        FAB_API_SWAGGER_UI=False,
        FAB_ADD_MENU_API=False,
    )
    db = SQLA()
    db.init_app(app)
    with app.app_context():
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        appbuilder.add_api(_lead_api(db))
    return app


def _lead_api(db: SQLA) -> type[ModelRestApi]:
    table = sa.Table("lead", db.metadata, autoload_with=db.engine)
    model = type("PlainLead", (db.Model,), {"__table__": table})
    columns = [c.name for c in table.columns]
    # FAB's generated schema leaves foreign keys out; leadloom's list answers them
    schema = type("PlainLeadSchema", (SQLAlchemyAutoSchema,), {
        "Meta": type("Meta", (), {"model": model, "include_fk": True})})()
    return type("PlainLeadApi", (ModelRestApi,), {
        "resource_name": RESOURCE,
        "class_permission_name": RESOURCE,
        "datamodel": SQLAInterface(model),
        "list_columns": columns,
        "show_columns": columns,
        "search_columns": columns,
        "order_columns": columns,
        "list_model_schema": schema,
        "show_model_schema": schema,
    })
