"""The bearer token's user, loaded before Flask-AppBuilder's checks of an API call.

FAB's ``protect`` first asks whether the operation is public, which needs the permission
stamp (``web.permission_cache``), and only then reads the token and loads its user: two
statements. Loading the token's user first reads the stamp with the user in one
statement, and FAB then finds the user already verified (``current_user_jwt``). A token
that cannot be used is left alone here: FAB's own check refuses it as before (401).
"""

from __future__ import annotations

from flask import Flask, request
from flask_jwt_extended import verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt import PyJWTError

API_PREFIX = "/api/"


def load_bearer_user() -> None:
    """Verify an API call's bearer token and load its user, if it has a usable one."""
    if not request.path.startswith(API_PREFIX):
        return
    if not request.headers.get("Authorization", "").lower().startswith("bearer "):
        return
    try:
        verify_jwt_in_request()
    except (JWTExtendedException, PyJWTError):
        return  # FAB's check answers it, as it would have without this


def load_bearer_users_first(app: Flask) -> None:
    app.before_request(load_bearer_user)
