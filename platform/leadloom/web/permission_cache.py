"""Flask-AppBuilder's permission checks from one cached set per role set.

FAB asks the database once per check (an ``EXISTS`` per menu entry, button and view): a
page made two dozen of them. Here a role set's permissions are read once and kept per
process, keyed by the role ids, the published config version and a stamp of the role ↔
permission table; the stamp is read once per request, so a role or permission changed in
FAB's security screens (or by a publish) holds from the next request, in every process.
A page thus spends at most two statements on permissions: the stamp, and the set when the
stamp or the roles are new. The public role, which FAB reads before every API call, is
kept with the stamp too. The signed-in user is loaded with their roles, groups and place
in the organisation in one statement, for the same reason.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from threading import Lock
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from flask_appbuilder.security.sqla.models import (
    Permission,
    PermissionView,
    ViewMenu,
    assoc_permissionview_role,
)
from sqlalchemy.orm import joinedload

from leadloom.records import Membership

#: role sets kept per process; a few roles make few sets, this only bounds odd cases
MOST_SETS = 256
#: weights that make the stamp change when a row is swapped for another (ids can be reused)
_PV_WEIGHT = 7919
_ROLE_WEIGHT = 104729

Grant = tuple[str, str]


class RoleRef(NamedTuple):
    """A role as the checks need it, kept across requests (no session attached)."""

    id: int
    name: str


class PermissionCache:
    """``(permission, view)`` pairs per set of role ids, valid for one stamp."""

    def __init__(self) -> None:
        self._sets: OrderedDict[tuple[Any, ...], frozenset[Grant]] = OrderedDict()
        self._public: tuple[tuple[Any, ...], RoleRef | None] | None = None
        self._lock = Lock()

    def public_role(self, session: Any, read: Callable[[], Any]) -> RoleRef | None:
        """The public role (FAB asks for it before every API call), read again by ``read``
        only when the stamp changed."""
        stamp = _stamp(session)
        kept = self._public
        if kept is not None and kept[0] == stamp:
            return kept[1]
        role = read()
        ref = None if role is None else RoleRef(role.id, role.name)
        self._public = (stamp, ref)
        return ref

    def grants(self, session: Any, role_ids: Iterable[int], version: int | None
               ) -> frozenset[Grant]:
        """The pairs the roles ``role_ids`` hold now."""
        roles = tuple(sorted(set(role_ids)))
        if not roles:
            return frozenset()
        key = (roles, version, _stamp(session))
        on_request = _request_sets()
        if key in on_request:
            return on_request[key]
        with self._lock:
            found = self._sets.get(key)
            if found is not None:
                self._sets.move_to_end(key)
        if found is None:
            found = _read_grants(session, roles)
            with self._lock:
                self._sets[key] = found
                while len(self._sets) > MOST_SETS:
                    self._sets.popitem(last=False)
        on_request[key] = found
        return found


def _request_sets() -> dict[tuple[Any, ...], frozenset[Grant]]:
    """This request's sets (outside a request: a throwaway dict, nothing kept)."""
    if not has_request_context():
        return {}
    if "leadloom_grants" not in g:
        g.leadloom_grants = {}
    return g.leadloom_grants  # type: ignore[no-any-return]


def _stamp(session: Any) -> tuple[Any, ...]:
    """What the role ↔ permission table holds, in a few numbers; read once per request
    (with the signed-in user when they are loaded first: ``get_user_by_id``)."""
    if has_request_context() and "leadloom_grants_stamp" in g:
        return g.leadloom_grants_stamp  # type: ignore[no-any-return]
    stamp = tuple(int(v) for v in session.execute(sa.select(*_stamp_columns())).one())
    _keep_stamp(stamp)
    return stamp


def _stamp_columns() -> list[sa.ColumnElement[Any]]:
    pvr = assoc_permissionview_role.c
    weighted = pvr.permission_view_id * _PV_WEIGHT + pvr.role_id * _ROLE_WEIGHT + pvr.id
    return [sa.func.count().label("stamp_rows"),
            sa.func.coalesce(sa.func.max(pvr.id), 0).label("stamp_top"),
            sa.func.coalesce(sa.func.sum(weighted), 0).label("stamp_weight")]


def _keep_stamp(stamp: tuple[int, ...]) -> None:
    """The request's stamp: the first one read holds for the whole request."""
    if has_request_context() and "leadloom_grants_stamp" not in g:
        g.leadloom_grants_stamp = stamp


def _read_grants(session: Any, roles: tuple[int, ...]) -> frozenset[Grant]:
    pvr = assoc_permissionview_role.c
    rows = session.execute(
        sa.select(Permission.name, ViewMenu.name)
        .select_from(PermissionView)
        .join(Permission, Permission.id == PermissionView.permission_id)
        .join(ViewMenu, ViewMenu.id == PermissionView.view_menu_id)
        .join(assoc_permissionview_role, pvr.permission_view_id == PermissionView.id)
        .where(pvr.role_id.in_(roles))).all()
    return frozenset((permission, view) for permission, view in rows)


class CachedPermissions:
    """A mixin for FAB's SQLAlchemy security manager: ``has_access`` and the menu's
    ``menu_access`` look-up read the cached set instead of the database."""

    permission_cache: PermissionCache | None = None
    #: ``get_user_by_id``'s statement by the organisation table (None before the app is built)
    user_queries: dict[sa.Table | None, sa.Select[Any]] | None = None

    def get_user_by_id(self, pk: Any) -> Any:
        """The user with their roles, groups and place in the organisation in one statement
        (each request loads the signed-in user; lazy loads made it four), which also reads
        the permission stamp (``_stamp``: one statement less per request). The place is
        kept for ``web.actor.current_actor``. ``pk`` may come as text (a form's or a
        session's), as FAB's own look-up allows."""
        try:
            user_id = int(pk)
        except (TypeError, ValueError):
            return None
        org = _org_table()
        row = self.session.execute(  # type: ignore[attr-defined]
            self._user_query(org), {"user_id": user_id}).unique().first()
        if row is None:
            return None
        _keep_stamp((int(row.stamp_rows), int(row.stamp_top), int(row.stamp_weight)))
        if org is not None and has_request_context():
            g.leadloom_place = (row[0].id, Membership(row.team, row.unit))
        return row[0]

    def _user_query(self, org: sa.Table | None) -> sa.Select[Any]:
        """``get_user_by_id``'s statement, built once (it runs on every request)."""
        if self.user_queries is None:
            self.user_queries = {}
        if org not in self.user_queries:
            user_model = self.user_model  # type: ignore[attr-defined]
            query = sa.select(user_model).where(
                user_model.id == sa.bindparam("user_id")).options(
                joinedload(user_model.roles), joinedload(user_model.groups))
            if org is not None:
                query = query.add_columns(org.c.team, org.c.unit).outerjoin(
                    org, org.c.user_id == user_model.id)
            stamp = sa.select(*_stamp_columns()).subquery("stamp")
            self.user_queries[org] = query.join(stamp, sa.true()).add_columns(*stamp.c)
        return self.user_queries[org]

    def _cache(self) -> PermissionCache:
        if self.permission_cache is None:
            self.permission_cache = PermissionCache()
        return self.permission_cache

    def _grants_of(self, roles: list[Any]) -> frozenset[Grant] | None:
        """The roles' pairs; None when one is a built-in role (FAB's own check then)."""
        if any(role.name in self.builtin_roles for role in roles):  # type: ignore[attr-defined]
            return None
        return self._cache().grants(
            self.session, (role.id for role in roles), _config_version())  # type: ignore[attr-defined]

    def _public_role(self) -> RoleRef | None:
        return self._cache().public_role(
            self.session, self.get_public_role)  # type: ignore[attr-defined]

    def _has_view_access(self, user: Any, permission_name: str, view_name: str) -> bool:
        grants = self._grants_of(self.get_user_roles(user))  # type: ignore[attr-defined]
        if grants is None:
            return super()._has_view_access(  # type: ignore[misc,no-any-return]
                user, permission_name, view_name)
        return (permission_name, view_name) in grants

    def is_item_public(self, permission_name: str, view_name: str) -> bool:
        """Whether the public role may do it (FAB asks before every API call)."""
        role = self._public_role()
        grants = self._grants_of([role]) if role is not None else frozenset()
        if grants is None:
            return super().is_item_public(  # type: ignore[misc,no-any-return]
                permission_name, view_name)
        return (permission_name, view_name) in grants

    def _get_user_permission_view_menus(self, user: Any, permission_name: str,
                                        view_menus_name: list[str]) -> set[str]:
        roles = ([self._public_role()] if user is None
                 else self.get_user_roles(user))  # type: ignore[attr-defined]
        grants = self._grants_of([r for r in roles if r is not None])
        if grants is None:
            return super()._get_user_permission_view_menus(  # type: ignore[misc,no-any-return]
                user, permission_name, view_menus_name)
        return {view for permission, view in grants if permission == permission_name}


def _org_table() -> sa.Table | None:
    """Where users' teams and units are kept, once the app is built."""
    st = current_app.extensions.get("leadloom")
    models = getattr(st, "models", None)
    return getattr(models, "org", None)


def _config_version() -> int | None:
    """The published config the app runs (a publish re-syncs the roles)."""
    st = current_app.extensions.get("leadloom")
    return getattr(getattr(st, "registry", None), "version", None)
