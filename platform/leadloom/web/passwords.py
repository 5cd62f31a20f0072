"""The password policy on Flask-AppBuilder's screens: its ``FAB_PASSWORD_COMPLEXITY_VALIDATOR``
hook guards adding a user, an admin resetting someone's password, resetting one's own, and
FAB's REST user API; it only sees the password, so the account comes from the request."""

from __future__ import annotations

from flask import g, request
from flask_appbuilder import AppBuilder
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.security import forms
from flask_appbuilder.security.views import ResetMyPasswordView, ResetPasswordView
from flask_appbuilder.validators import PasswordComplexityValidator
from flask_babel import lazy_gettext
from wtforms import PasswordField
from wtforms.validators import DataRequired

from leadloom.access import password_problems
from leadloom.access.passwords import MIN_LENGTH
from leadloom.metadata.messages import Message
from leadloom.web.language import lazy_translated, translated
from leadloom.web.state import state

#: Between two broken rules ("；" in Chinese).
SEPARATOR = Message("; ")
RULE = Message("At least %(min)s characters mixing two of letters, digits and symbols; "
               "not the username, not a common password", min=MIN_LENGTH)


class ResetPasswordForm(forms.ResetPasswordForm):
    """FAB's form, saying the rule instead of "this application does not check this"."""

    password = PasswordField(lazy_gettext("Password"), description=lazy_translated(RULE),
                             validators=[DataRequired(), PasswordComplexityValidator()],
                             widget=BS3PasswordFieldWidget())


def describe_rule(appbuilder: AppBuilder) -> None:
    """Both reset screens (an admin's, one's own) show the rule under the password field."""
    for view in appbuilder.baseviews:
        if isinstance(view, ResetPasswordView | ResetMyPasswordView):
            view.form = ResetPasswordForm


def check_password(password: str) -> None:
    """Refuse ``password`` with every rule it breaks, in the user's language.

    :raises PasswordComplexityValidationError: FAB shows it under the password field.
    """
    problems = password_problems(password, _username())
    if problems:
        raise PasswordComplexityValidationError(
            translated(SEPARATOR).join(translated(p) for p in problems))


def _username() -> str | None:
    """Whose password it is: the add form's or API body's username, the user being reset
    (``?pk=``, or the API's ``/<pk>``), or the signed-in user resetting their own."""
    body = request.get_json(silent=True) if request.is_json else request.form
    named = body.get("username") if isinstance(body, dict) else None  # a form is a dict too
    if isinstance(named, str) and named:
        return named
    pk = request.args.get("pk") or (request.view_args or {}).get("pk")
    if pk is not None:
        account = state().appbuilder.sm.get_user_by_id(pk)
        return account.username if account else None
    user = getattr(g, "user", None)
    return user.username if user is not None and user.is_authenticated else None
