"""Flask-AppBuilder's user screens with one 姓名 field instead of first and last name.

FAB asks for a first and a last name and joins them "first last", so 孙小明 entered the
Western way reads "小明 孙". leadloom keeps a Chinese name whole, family name first, in
``first_name`` (``last_name`` stays empty, as ``web.users.add_user`` does); a name split
before is joined in Chinese order (``access.people.display_name``) when its form opens.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import UserDBModelView, UserInfoEditView
from wtforms import StringField
from wtforms.validators import DataRequired

from leadloom.access.people import display_name
from leadloom.metadata.messages import Message
from leadloom.web.labels import NO, YES, role_label
from leadloom.web.language import lazy_translated, translated
from leadloom.web.permission_cache import CachedPermissions
from leadloom.web.token_cache import RememberingTokens

NAME = Message("Full name")
NAME_HELP = Message("family name first, as it is written: 孙小明")


def whole_name(user: Any) -> str:
    """The user's name as one text in Chinese order (empty if they have none)."""
    return display_name(user.first_name, user.last_name, "")


def _without_last_name(columns: list[str]) -> list[str]:
    return [c for c in columns if c != "last_name"]


def _personal(fieldsets: list[Any]) -> list[Any]:
    return [(title, {**spec, "fields": _without_last_name(spec["fields"])})
            for title, spec in fieldsets]


class UserView(UserDBModelView):
    """The admin's user list and forms: one 姓名 field."""

    add_columns = _without_last_name(UserDBModelView.add_columns)
    edit_columns = _without_last_name(UserDBModelView.edit_columns)
    #: leadloom's teams and units are its own (config), not FAB's groups
    list_columns = [c for c in _without_last_name(UserDBModelView.list_columns)
                    if c != "groups"]
    formatters_columns = {
        "active": lambda active: translated(YES if active else NO),
        "roles": lambda roles: "、".join(role_label(r.name) for r in roles or ()),
    }
    search_columns = _without_last_name(UserDBModelView.search_columns)
    show_fieldsets = _personal(UserDBModelView.show_fieldsets)
    user_show_fieldsets = _personal(UserDBModelView.user_show_fieldsets)
    label_columns = {**UserDBModelView.label_columns, "first_name": lazy_translated(NAME)}
    description_columns = {**UserDBModelView.description_columns,
                           "first_name": lazy_translated(NAME_HELP)}

    def prefill_form(self, form: Any, pk: Any) -> None:
        """A name split into first and last before shows whole, family name first."""
        form.first_name.data = whole_name(self.datamodel.get(pk))

    def pre_add(self, item: Any) -> None:
        item.last_name = ""
        super().pre_add(item)  # hashes the password

    def pre_update(self, item: Any) -> None:
        item.last_name = ""
        super().pre_update(item)


class NameEditForm(DynamicForm):
    """A user's own information: their name, whole."""

    first_name = StringField(lazy_translated(NAME), validators=[DataRequired()],
                             widget=BS3TextFieldWidget(), description=lazy_translated(NAME_HELP))


class NameEditView(UserInfoEditView):
    """A user edits their own name as one text (FAB's route and permission name kept)."""

    route_base = "/userinfoeditview"
    class_permission_name = "UserInfoEditView"
    form = NameEditForm

    def form_get(self, form: DynamicForm) -> None:
        form.first_name.data = whole_name(self.appbuilder.sm.get_user_by_id(g.user.id))

    def form_post(self, form: DynamicForm) -> None:
        self.appbuilder.sm.get_user_by_id(g.user.id).last_name = ""  # all in first_name
        super().form_post(form)


class LeadloomSecurityManager(CachedPermissions, RememberingTokens, SecurityManager):
    """FAB's security manager with the user screens above, permission checks from a
    cached set per role set (``web.permission_cache``) and bearer tokens verified once
    (``web.token_cache``)."""

    userdbmodelview = UserView
    userinfoeditview = NameEditView
