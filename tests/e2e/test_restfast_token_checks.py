"""The REST list's per-request shortcuts keep every check: the bearer token's user is loaded
before FAB's checks with the permission stamp in the same statement, and the role sets
are cached per process; a revoked permission, a role taken away, a deactivated user or a
token that is not good any more is refused from the very next request."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
import sqlalchemy as sa
from flask_jwt_extended import create_access_token, decode_token

from bench.pages import captured, permission_statements
from leadloom.web.state import state
from leadloom.web.users import add_user
from tests.conftest import PASSWORD

LIST = "/api/v1/lead/?q=(page_size:5)"


def get(client, token, url=LIST):
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture()
def rep(app):
    """A sales rep of their own (deactivated or stripped by a test), and their token."""
    name = f"fast{uuid.uuid4().hex[:8]}"
    with app.app_context():
        user = add_user(name, roles=("rep",), password=PASSWORD, team="east-1",
                        unit=None)
        token = create_access_token(identity=str(user.id), fresh=True)
    return name, token


def _set_user(app, name, **values):
    with app.app_context():
        sm = state().appbuilder.sm
        sm.session.execute(sa.update(sm.user_model).where(
            sm.user_model.username == name).values(**values))
        sm.session.commit()


def test_a_deactivated_user_is_refused_from_the_next_request(app, rep):
    name, token = rep
    client = app.test_client()
    assert get(client, token).status_code == 200
    _set_user(app, name, active=False)
    assert get(client, token).status_code == 401
    _set_user(app, name, active=True)
    assert get(client, token).status_code == 200


def test_a_role_taken_away_is_refused_from_the_next_request(app, rep):
    name, token = rep
    client = app.test_client()
    assert get(client, token).status_code == 200
    with app.app_context():
        sm = state().appbuilder.sm
        user = sm.find_user(username=name)
        user.roles = [sm.find_role("marketing")]  # marketing may not list followups
        sm.session.commit()
    assert get(client, token, "/api/v1/followup/").status_code == 403
    with app.app_context():
        sm = state().appbuilder.sm
        user = sm.find_user(username=name)
        user.roles = [sm.find_role("rep")]
        sm.session.commit()
    assert get(client, token, "/api/v1/followup/").status_code == 200


def test_a_revoked_permission_is_refused_from_the_next_request(app, tokens):
    client = app.test_client()
    assert get(client, tokens["mkt1"]).status_code == 200
    with app.app_context():
        sm = state().appbuilder.sm
        sm.del_permission_role(sm.find_role("marketing"),
                               sm.find_permission_view_menu("can_list", "lead"))
    try:
        assert get(client, tokens["mkt1"]).status_code == 403
    finally:
        with app.app_context():
            sm = state().appbuilder.sm
            sm.add_permission_role(sm.find_role("marketing"),
                                   sm.find_permission_view_menu("can_list", "lead"))
    assert get(client, tokens["mkt1"]).status_code == 200


def test_tokens_that_are_not_good_are_refused(app, tokens):
    client = app.test_client()
    good = tokens["rep1"]
    assert get(client, good).status_code == 200
    head, claims, signature = good.split(".")
    forged = f"{head}.{claims}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    with app.app_context():
        user = state().appbuilder.sm.find_user(username="rep1")
        expired = create_access_token(identity=str(user.id),
                                      expires_delta=dt.timedelta(seconds=-1))
        nobody = create_access_token(identity="2147483000")
    for token in (forged, expired, nobody, "not-a-token"):
        assert get(client, token).status_code == 401, token
    assert client.get(LIST).status_code == 401  # no token at all


def test_the_permission_stamp_is_read_with_the_user(app, tokens):
    client = app.test_client()
    get(client, tokens["sup1"])  # the role set is read once
    with app.app_context():
        engine = state().db.engine
    with captured(engine) as found:
        assert get(client, tokens["sup1"]).status_code == 200
    checks = permission_statements(found)
    assert len(checks) == 1 and "ab_user" in checks[0].sql, [s.sql[:120] for s in checks]


def test_a_token_verified_before_is_refused_once_it_expires(app):
    """Tokens are verified once per process (``web.token_cache``); expiry is checked on
    every request."""
    client = app.test_client()
    with app.app_context():
        user = state().appbuilder.sm.find_user(username="rep2")
        token = create_access_token(identity=str(user.id), expires_delta=dt.timedelta(seconds=2))
    assert get(client, token).status_code == 200
    assert get(client, token).status_code == 200  # answered from the kept claims
    time.sleep(2.1)
    answer = get(client, token)
    assert answer.status_code == 401, answer.get_json()


def test_kept_claims_are_a_copy(app, tokens):
    """A caller changing the claims it got does not change what the next request gets."""
    with app.test_request_context():
        first = decode_token(tokens["fin1"])
        first["sub"] = "0"
        assert decode_token(tokens["fin1"])["sub"] != "0"
