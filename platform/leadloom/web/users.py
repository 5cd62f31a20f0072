"""Creating users: a Flask-AppBuilder account with roles, plus a team and unit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app
from werkzeug.security import generate_password_hash

from leadloom.access import password_problems
from leadloom.records import RecordInvalid, set_membership
from leadloom.web.language import bilingual
from leadloom.web.state import state


def add_user(username: str, *, roles: Sequence[str], password: str, team: str | None = None,
             unit: str | None = None, name: str | None = None,
             email: str | None = None, check_password: bool = True,
             hashed: str | None = None) -> Any:
    """Create ``username`` or update their roles, password, team and unit (app context).

    :param check_password: apply the password policy (off only for the demo's users).
    :param hashed: ``password`` as ``password_hash`` made it (made here when not given).
    :raises RecordInvalid: unknown role, team or unit; a password the policy refuses.
    """
    weak = password_problems(password, username) if check_password else ()
    if weak:
        raise RecordInvalid({"password": [bilingual(p) for p in weak]})
    st = state()
    sm = st.appbuilder.sm
    known = {r.code for r in st.registry.roles}
    unknown = [r for r in roles if r not in known]
    if unknown or not roles:
        raise RecordInvalid({"role": [f"unknown role '{unknown[0]}' (known: "
                                      f"{', '.join(sorted(known))})" if unknown
                                      else "give at least one role"]})
    fab_roles = [sm.find_role(r) for r in roles]
    account = sm.find_user(username=username)
    if account is None:
        # Chinese names are written family name first: keep the whole name in first_name.
        account = sm.add_user(username, name or username, "",
                              email or f"{username}@leadloom.local", fab_roles,
                              hashed_password=hashed or password_hash(password))
        if not account:
            raise RecordInvalid({"username": [f"could not create user '{username}'"]})
    else:
        account.roles = fab_roles
        account.password = hashed or password_hash(password)
        sm.update_user(account)
    set_membership(st.db.session, st.models, account.id, team, unit)
    return account


def password_hash(password: str) -> str:
    """``password`` hashed as Flask-AppBuilder hashes it (method and salt length from the
    app's config), for ``add_user``: hashing costs a tenth of a second on purpose."""
    config = current_app.config
    return generate_password_hash(password,
                                  method=config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
                                  salt_length=config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))
