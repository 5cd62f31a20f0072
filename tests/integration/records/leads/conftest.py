"""A CRM of its own per test module (the default config, copied so a module can change
it), with the demo organisation under Chinese names, and helpers to write as a user."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from leadloom.records import Context, membership
from leadloom.records.leads import clock
from tests.conftest import CONFIG, PASSWORD, build_app

#: (username, roles, team, unit, name)
PEOPLE = (
    ("admin", ("admin",), None, None, "管理员"),
    ("sup1", ("supervisor",), "east-1", None, "李强"),
    ("rep1", ("rep",), "east-1", None, "张伟"),
    ("rep2", ("rep",), "east-1", None, "王芳"),
    ("sup2", ("supervisor",), "west-1", None, "刘洋"),
    ("rep3", ("rep",), "west-1", None, "陈静"),
    ("rep4", ("rep",), "west-1", None, "杨磊"),
    ("fin1", ("finance",), None, None, "赵敏"),
    ("mkt1", ("marketing",), None, None, "孙丽"),
)


class World:
    """An app and the means to write to it as anyone, at any (frozen) time."""

    def __init__(self, app: Any, monkeypatch_clock: Callable[[dt.datetime], None],
                 thaw: Callable[[], None]) -> None:
        from leadloom.web.state import state

        self.app = app
        self.st = state()
        self.session = self.st.db.session
        self.models = self.st.models
        self.ids = {u[0]: self.st.appbuilder.sm.find_user(username=u[0]).id for u in PEOPLE}
        source = self.models.cls("source")
        self.sources = dict(self.session.execute(sa.select(source.code, source.id)).all())
        self._freeze = monkeypatch_clock
        self.thaw = thaw  # the real clock again (a module's end: nothing leaks to the next)
        #: the config folder of a module's own world (see ``world``)
        self.config: Path = CONFIG

    def ctx(self, username: str | None, channel: str = "api") -> Context:
        from leadloom.access import Actor

        if username is None:
            return Context(Actor.system_actor(), self.session, self.models, channel=channel)
        user = self.st.appbuilder.sm.find_user(username=username)
        place = membership(self.session, self.models, user.id)
        actor = Actor(user.id, username, tuple(r.name for r in user.roles), place.team,
                      place.unit)
        return Context(actor, self.session, self.models, channel=channel)

    def freeze(self, local: str) -> dt.datetime:
        """Stop the rules' clock at ``local`` (Asia/Shanghai); returns it as naive UTC."""
        moment = dt.datetime.fromisoformat(local) - dt.timedelta(hours=8)
        self._freeze(moment)
        return moment

    def lead(self, **values: Any) -> dict[str, Any]:
        """Input for a lead of the five fields every test uses, plus ``values``."""
        body = {"customer_name": f"测试客户{uuid.uuid4().hex[:8]}", "industry": "manufacturing",
                "contact_name": "周经理", "source": self.sources["WEB"],
                "need_description": "需要CRM系统"}
        return {**body, **values}

    def row(self, table: str, pk: int) -> Any:
        t = self.models.metadata.tables[table]
        return self.session.execute(sa.select(t).where(t.c.id == pk)).one()

    def events(self, lead_id: int) -> list[Any]:
        t = self.models.metadata.tables["ll_lead_event"]
        return list(self.session.execute(sa.select(t).where(t.c.lead_id == lead_id)
                                         .order_by(t.c.id)))

    @contextmanager
    def counted(self) -> Iterator[list[str]]:
        """The SQL statements run inside the block: set-based work shows no growth with
        its rows (the proof without a stopwatch)."""
        statements: list[str] = []

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        engine = self.st.db.engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)

    def inbox(self, username: str) -> list[str]:
        """The titles of the messages ``username`` got: a notice gathering several stands
        for its lines, which are listed instead."""
        t = self.models.metadata.tables["ll_notification"]
        gathering = sa.select(t.c.parent_id).where(t.c.parent_id.is_not(None))
        return list(self.session.scalars(sa.select(t.c.title).where(
            t.c.user_id == self.ids[username], t.c.id.not_in(gathering)).order_by(t.c.id)))


def make_world(config: Path, database_url: str,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    from leadloom.web.users import add_user

    app = build_app(config, database_url)
    frozen: list[dt.datetime] = []
    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: frozen[-1] if frozen else real_now())
    with app.app_context():
        try:
            for username, roles, team, unit, name in PEOPLE:
                add_user(username, roles=roles, password=PASSWORD, team=team, unit=unit,
                         name=name)
            yield World(app, frozen.append, frozen.clear)
        finally:
            app.extensions["leadloom"].db.session.remove()
            app.extensions["leadloom"].db.engine.dispose()


@pytest.fixture(scope="session")
def shared_world(database_factory: Callable[[], str]) -> Iterator[World]:
    """One CRM on the default config for every module that does not change the config."""
    patch = pytest.MonkeyPatch()
    yield from make_world(CONFIG, database_factory(), patch)
    patch.undo()


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          database_factory: Callable[[], str], shared_world: World) -> Iterator[World]:
    """The shared CRM, or one of its own for a module with ``edit_config(folder)``: it
    gets a copy of the default config, changed by that function."""
    edit = getattr(request.module, "edit_config", None)
    if edit is None:
        yield shared_world
        shared_world.thaw()  # the session's world outlives the module; its frozen time must not
        return
    folder = tmp_path_factory.mktemp("config") / "config"
    shutil.copytree(CONFIG, folder)
    shutil.copytree(CONFIG.parent / "reports", folder.parent / "reports")
    edit(folder)
    patch = pytest.MonkeyPatch()
    made = make_world(folder, database_factory(), patch)
    world = next(made)
    world.config = folder
    yield world
    made.close()
    patch.undo()
