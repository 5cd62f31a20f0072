"""A stale-object error that escapes the write path is answered 409, never 500: JSON on
the API, a page elsewhere, in the user's language."""

from __future__ import annotations

from flask import session
from sqlalchemy.orm.exc import StaleDataError

STALE = StaleDataError("UPDATE statement on table 'lead' expected to update 1 row(s); "
                       "0 were matched.")


def test_stale_data_on_the_api_is_a_409_json_answer(app):
    with app.test_request_context("/api/v1/lead/1", method="PUT"):
        response = app.handle_user_exception(STALE)
    assert response.status_code == 409
    assert response.get_json()["message"] == "记录已被他人修改，请刷新后重试"


def test_stale_data_on_a_page_is_a_409_page_in_the_users_language(app):
    with app.test_request_context("/lead/edit/1", method="POST"):
        session["locale"] = "en"  # as FAB's language menu sets it
        page = app.handle_user_exception(STALE)
    assert page.status_code == 409 and page.mimetype == "text/html"
    assert "changed by someone else" in page.get_data(as_text=True)
