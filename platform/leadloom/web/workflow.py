"""Wire the workflow screens and APIs into an app: the transition and timeline API of
every entity, the approvals inbox and the funnel board (with their menu entries)."""

from __future__ import annotations

from flask_appbuilder import AppBuilder

from leadloom.metadata.registry import Label
from leadloom.web.approvals import ApprovalsApi, ApprovalsView
from leadloom.web.board import BoardApi, BoardView, funnel_entities
from leadloom.web.labels import lazy
from leadloom.web.state import state
from leadloom.web.transitions import workflow_api

BOARD = Label("漏斗看板", "Funnel board")
APPROVALS = Label("审批中心", "Approvals")


def add_workflow(appbuilder: AppBuilder) -> None:
    """Register the workflow APIs, pages and menu entries (under the menu of the first
    entity with a funnel, else the first menu)."""
    registry = state().registry
    for entity in registry.entities:
        appbuilder.add_api(workflow_api(entity))
    appbuilder.add_api(ApprovalsApi)
    appbuilder.add_api(BoardApi)
    entities = funnel_entities()
    menu_code = registry.entity(entities[0]).menu if entities else (
        registry.menus[0].code if registry.menus else None)
    menu = next((m for m in registry.menus if m.code == menu_code), None)
    category = {"category": menu.code, "category_label": lazy(menu.label),
                "category_icon": menu.icon} if menu else {}
    if entities:
        appbuilder.add_view(BoardView, "Board", href=f"/board/{entities[0]}/",
                            label=lazy(BOARD), icon="fa-columns", **category)
    else:
        appbuilder.add_view_no_menu(BoardView)
    appbuilder.add_view(ApprovalsView, "Approvals", href="/approvals/", label=lazy(APPROVALS),
                        icon="fa-stamp", **category)
