"""The REST list's second baseline: its own statements served by a bare WSGI app.

The raw SQL baseline of ``bench/rest_list.py`` runs the page's statements in-process, so
the REST figure's HTTP and gunicorn costs count against leadloom. This app pays them too
and nothing else: ``GET /<user>`` runs the statements the list request ran for that user
(captured by ``rest_list.py``, handed over as JSON in the file named by
``RAW_WSGI_STATEMENTS``) on the worker's own DBAPI connection (psycopg; sqlite3 for the
smoke run), fetches the rows and answers them as JSON (``page_answer``, the same work as
the in-process baseline). No
framework, no sign-in, no permission check. Served by gunicorn with the same settings as
leadloom (``bench.raw_wsgi:create_app()``, on ``LEADLOOM_DATABASE_URL``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

import psycopg
import sqlalchemy as sa

#: ``(sql, params)`` pairs, as a DBAPI cursor takes them
Statements = list[tuple[str, Any]]


def page_answer(cursor: Any, statements: Statements) -> bytes:
    """Run ``statements`` on ``cursor``, fetch their rows and encode them as JSON objects
    (column names as keys): the least any endpoint does with a page."""
    answers = []
    for sql, params in statements:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        answers.append([dict(zip(names, row, strict=True)) for row in cursor.fetchall()])
    return json.dumps(answers, default=str).encode()


def create_app() -> Callable[..., Iterable[bytes]]:
    """The WSGI app; its connection is opened by the first request of each worker."""
    with open(os.environ["RAW_WSGI_STATEMENTS"], encoding="utf-8") as file:
        by_user: dict[str, Statements] = {
            user: [(sql, params) for sql, params in found]
            for user, found in json.load(file).items()}
    connect = _connector(sa.make_url(os.environ["LEADLOOM_DATABASE_URL"]))
    kept: list[Any] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        statements = by_user.get(environ.get("PATH_INFO", "").strip("/"))
        if statements is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"no such user"]
        if not kept:
            kept.append(connect())
        connection = kept[0]
        cursor = connection.cursor()
        try:
            body = page_answer(cursor, statements)
        finally:
            cursor.close()
            connection.rollback()
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    return app


def _connector(url: sa.URL) -> Callable[[], Any]:
    """A bare DBAPI connection to ``url``: psycopg, or sqlite3 for the smoke run."""
    if url.get_backend_name() == "sqlite":
        return lambda: sqlite3.connect(url.database or "")
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return lambda: psycopg.connect(conninfo)
