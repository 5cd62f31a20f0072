"""Roles from ``config/roles.yaml`` → Flask-AppBuilder roles and permissions, idempotently.

FAB checks operations (``can_list`` … ``can_delete`` on the entity) and menu access;
row scopes and field permissions are leadloom's own (``access``).
"""

from __future__ import annotations

from typing import Any

from leadloom.metadata.registry import Registry
from leadloom.web.approvals import PERMISSIONS as APPROVAL_PERMISSIONS
from leadloom.web.board import PERMISSIONS as BOARD_PERMISSIONS
from leadloom.web.leads import pool_permissions
from leadloom.web.lookup import PERMISSIONS as LOOKUP_PERMISSIONS
from leadloom.web.members import PERMISSIONS as MEMBER_PERMISSIONS
from leadloom.web.notifications import PERMISSIONS as NOTIFICATION_PERMISSIONS
from leadloom.web.reports import PERMISSIONS as REPORT_PERMISSIONS
from leadloom.web.search import PERMISSIONS as SEARCH_PERMISSIONS
from leadloom.web.tasks import PERMISSIONS as TASK_PERMISSIONS

#: Screens every signed-in user needs: their own profile and password.
SELF_SERVICE = [
    ("can_userinfo", "UserDBModelView"),
    ("resetmypassword", "UserDBModelView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    *REPORT_PERMISSIONS,  # the Reports page and its API: each user sees their own copies
    *NOTIFICATION_PERMISSIONS,  # the inbox: each user reads their own messages
    *APPROVAL_PERMISSIONS,  # approvals: what I may decide and what I asked for, in my scope
    *BOARD_PERMISSIONS,  # the funnel board: my scope's records only
    *TASK_PERMISSIONS,  # my tasks: my own open tasks (a supervisor's team), in my scope
    *SEARCH_PERMISSIONS,  # global search: my scope's records, notices for the others
    *LOOKUP_PERMISSIONS,  # form choices searched as one types: my scope's records, users
    *MEMBER_PERMISSIONS,  # 不在岗 (团队与单元): my own (a supervisor: my team's) time away
    ("can_get", "OpenApi"),  # the REST API's document: each user gets it for their rights
]


def sync_roles(sm: Any, registry: Registry) -> None:
    """Make FAB's roles match the config: add what is granted, remove what no longer is."""
    for role in registry.roles:
        if role.admin:
            sm.find_role(role.code) or sm.add_role(role.code)
            continue
        fab_role = sm.find_role(role.code) or sm.add_role(role.code)
        wanted = dict.fromkeys(_wanted(sm, registry, role.code))
        held = list(fab_role.permissions)
        stale = [pv for pv in held if pv not in wanted and _managed(pv, registry)]
        missing = [pv for pv in wanted if pv not in held]
        if stale or missing:  # one commit per role: FAB's own calls commit per permission
            for pv in stale:
                fab_role.permissions.remove(pv)
            fab_role.permissions.extend(missing)
            sm.session.commit()


def _wanted(sm: Any, registry: Registry, role_code: str) -> list[Any]:
    role = registry.role(role_code)
    found: list[Any] = []
    menus: set[str] = set()
    for grant in role.grants:
        for op in sorted(grant.operations):
            found.append(sm.add_permission_view_menu(f"can_{op}", grant.entity))
        if "list" in grant.operations:
            found.append(sm.add_permission_view_menu("menu_access", grant.entity))
            menus.add(registry.entity(grant.entity).menu)
    found += [sm.add_permission_view_menu("menu_access", menu) for menu in sorted(menus)]
    found += [sm.add_permission_view_menu(p, v) for p, v in SELF_SERVICE]
    found += [sm.add_permission_view_menu(p, v) for p, v in pool_permissions(registry, role_code)]
    return [pv for pv in found if pv is not None]


def _managed(pv: Any, registry: Registry) -> bool:
    """Permissions leadloom owns; anything else on a role was granted by hand and stays."""
    entity_names = {e.code for e in registry.entities}
    menu_names = {m.code for m in registry.menus}
    name = pv.view_menu.name
    return name in entity_names or (pv.permission.name == "menu_access" and name in menu_names)
