"""Roles from ``config/roles.yaml`` → Flask-AppBuilder roles and permissions, idempotently.

FAB checks operations (``can_list`` … ``can_delete`` on the entity) and menu access;
row scopes and field permissions are leadloom's own (``access``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from leadloom.metadata.registry import Registry
from leadloom.web.approvals import PERMISSIONS as APPROVAL_PERMISSIONS
from leadloom.web.board import PERMISSIONS as BOARD_PERMISSIONS
from leadloom.web.import_hub import API_PERMISSIONS as IMPORT_PERMISSIONS
from leadloom.web.import_hub import import_permissions
from leadloom.web.leads import pool_permissions
from leadloom.web.lookup import PERMISSIONS as LOOKUP_PERMISSIONS
from leadloom.web.members import PERMISSIONS as MEMBER_PERMISSIONS
from leadloom.web.notifications import PERMISSIONS as NOTIFICATION_PERMISSIONS
from leadloom.web.report_menu import PERMISSIONS as REPORT_PERMISSIONS
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
    *IMPORT_PERMISSIONS,  # imports: the write path checks each row's create rights
    ("can_get", "OpenApi"),  # the REST API's document: each user gets it for their rights
]


def sync_roles(sm: Any, registry: Registry) -> None:
    """Make FAB's roles match the config: add what is granted, remove what no longer is.

    The permissions are read in three queries and the missing ones committed with the
    roles, once (FAB's ``add_permission_view_menu`` runs three queries a pair and commits
    each new permission, view and pair: a second of a fresh database's start). Another
    process that adds the same permission meanwhile wins; this one reads again and
    retries once.
    """
    try:
        _sync(sm, registry)
    except IntegrityError:
        sm.session.rollback()
        _sync(sm, registry)


def _sync(sm: Any, registry: Registry) -> None:
    pairs = PermissionViews(sm)
    for role in registry.roles:
        fab_role = sm.find_role(role.code) or sm.add_role(role.code)
        if role.admin:
            continue
        wanted = dict.fromkeys(_wanted(pairs, registry, role.code))
        held = list(fab_role.permissions)
        stale = [pv for pv in held if pv not in wanted and _managed(pv, registry)]
        missing = [pv for pv in wanted if pv not in held]
        for pv in stale:
            fab_role.permissions.remove(pv)
        fab_role.permissions.extend(missing)
    sm.session.commit()


class PermissionViews:
    """FAB's (permission, view) pairs by name, read at once; a missing one is added to the
    session with its permission and view if they are new too."""

    def __init__(self, sm: Any) -> None:
        self.sm = sm
        pv_model = sm.permissionview_model
        self.pairs = {(pv.permission.name, pv.view_menu.name): pv for pv in sm.session.query(
            pv_model).options(joinedload(pv_model.permission), joinedload(pv_model.view_menu))}
        self.permissions = {p.name: p for p in sm.session.query(sm.permission_model)}
        self.views = {v.name: v for v in sm.session.query(sm.viewmenu_model)}

    def get(self, permission: str, view: str) -> Any:
        found = self.pairs.get((permission, view))
        if found is None:
            found = self.sm.permissionview_model()
            found.permission = self._named(self.permissions, self.sm.permission_model,
                                           permission)
            found.view_menu = self._named(self.views, self.sm.viewmenu_model, view)
            self.sm.session.add(found)
            self.pairs[(permission, view)] = found
        return found

    def _named(self, known: dict[str, Any], model: Any, name: str) -> Any:
        if name not in known:
            known[name] = model(name=name)
            self.sm.session.add(known[name])
        return known[name]


def _wanted(pairs: PermissionViews, registry: Registry, role_code: str) -> list[Any]:
    role = registry.role(role_code)
    found: list[tuple[str, str]] = []
    menus: set[str] = set()
    for grant in role.grants:
        found += [(f"can_{op}", grant.entity) for op in sorted(grant.operations)]
        if "list" in grant.operations:
            found.append(("menu_access", grant.entity))
            menus.add(registry.entity(grant.entity).menu)
    found += [("menu_access", menu) for menu in sorted(menus)]
    found += SELF_SERVICE
    found += pool_permissions(registry, role_code)
    found += import_permissions(registry, role_code)
    return [pairs.get(p, v) for p, v in found if p and v]


def _managed(pv: Any, registry: Registry) -> bool:
    """Permissions leadloom owns; anything else on a role was granted by hand and stays."""
    entity_names = {e.code for e in registry.entities}
    menu_names = {m.code for m in registry.menus}
    name = pv.view_menu.name
    return name in entity_names or (pv.permission.name == "menu_access" and name in menu_names)
