"""After a bulk load, ``refresh_statistics`` analyzes the database's own tables and leaves
the system catalogs alone (a bare ANALYZE spent most of a small demo's time on them)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from leadloom.model.storage import refresh_statistics


def test_the_own_tables_are_analyzed_and_the_catalogs_are_not(database_factory):
    url = database_factory()
    if not url.startswith("postgresql"):
        pytest.skip("ANALYZE is PostgreSQL's; SQLite plans without statistics")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text('CREATE TABLE "Mixed Case" (id int)'))
        conn.execute(sa.text("CREATE TABLE plain AS SELECT generate_series(1, 100) AS id"))
    before = _catalog_analyzed(engine)
    refresh_statistics(engine)
    with engine.connect() as conn:
        analyzed = dict(conn.execute(sa.text(
            "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables")).all())
        rows = conn.scalar(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'plain'"))
    assert analyzed == {"Mixed Case": True, "plain": True}
    assert _catalog_analyzed(engine) == before
    assert rows == 100
    engine.dispose()


def _catalog_analyzed(engine: sa.Engine) -> object:
    with engine.connect() as conn:
        return conn.scalar(sa.text(
            "SELECT last_analyze FROM pg_stat_sys_tables WHERE relname = 'pg_class'"))
