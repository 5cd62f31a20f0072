"""The menu's way into importing (导入数据): the entities the user may create, each with a
link to its import wizard (``/<entity>/import``, also a button on each list), and the
user's latest runs with their state, each linking to its page.

In the lead entity's menu, for the roles that may create some entity's records.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder import AppBuilder, BaseView, expose
from flask_appbuilder.security.decorators import has_access

from leadloom.access import rights
from leadloom.imports import import_runs
from leadloom.metadata.registry import Label, Registry
from leadloom.web.actor import current_actor, request_context
from leadloom.web.import_runs import run_state
from leadloom.web.labels import current_locale, lazy, local_time
from leadloom.web.state import state

NAME = "ImportHub"
URL = "/import/"
PERMISSIONS = [("can_list", NAME), ("menu_access", NAME)]
#: the import API's (``web.import_api``), kept here so the role sync need not load the API
API_PERMISSIONS = [("can_read", "Imports"), ("can_write", "Imports")]
#: the user's latest runs listed (an admin's: everyone's)
RECENT = 10


def import_permissions(registry: Registry, role: str) -> list[tuple[str, str]]:
    """The page and its menu item for ``role`` if it may create records of some entity."""
    creates = any("create" in g.operations for g in registry.role(role).grants)
    return PERMISSIONS if creates else []


def add_import_hub(appbuilder: AppBuilder) -> None:
    """The page, in the lead entity's menu (线索管理), or the first entity's."""
    registry = state().registry
    entity = next((e for e in registry.entities if e.code == "lead"), registry.entities[0])
    menu = next(m for m in registry.menus if m.code == entity.menu)
    appbuilder.add_view(ImportHub, NAME, href=URL, label=lazy(Label("导入数据", "Import")),
                        icon="fa-upload", category=menu.code,
                        category_label=lazy(menu.label), category_icon=menu.icon)


class ImportHub(BaseView):
    """The entities whose records the user may import."""

    route_base = "/import"
    default_view = "index"
    class_permission_name = NAME
    method_permission_name = {"index": "list"}
    base_permissions = ["can_list", "menu_access"]

    @expose("/")
    @has_access
    def index(self) -> Any:
        registry, actor = state().registry, current_actor()
        locale = current_locale()
        found = [(e.code, e.label.get(locale)) for e in registry.entities
                 if rights(registry, actor, e.code).allows("create")]
        labels = dict(found)
        runs = [(run, labels.get(run.entity, run.entity), run_state(run))
                for run in import_runs(request_context("import"), limit=RECENT)]
        return self.render_template("leadloom/import_hub.html", entities=found, runs=runs,
                                    local_time=local_time)
