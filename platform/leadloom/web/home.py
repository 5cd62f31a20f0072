"""The start page: what the signed-in user has in each entity they may list."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_appbuilder import IndexView, expose

from leadloom.access import rights, scope_clause
from leadloom.web.actor import current_actor
from leadloom.web.labels import current_locale
from leadloom.web.state import state


class Home(IndexView):
    index_template = "leadloom/home.html"

    @expose("/")
    def index(self) -> Any:
        st = state()
        actor = current_actor()
        tiles = []
        if actor.user_id is not None:
            locale = current_locale()
            for entity in st.registry.entities:
                if not rights(st.registry, actor, entity.code).allows("list"):
                    continue
                cls = st.models.cls(entity.code)
                count = st.db.session.scalar(sa.select(sa.func.count(cls.id)).where(
                    scope_clause(st.models, actor, entity.code)))
                tiles.append({"label": entity.label.get(locale), "count": count,
                              "url": f"/{entity.code}/list/"})
        title = st.registry.app.title.get(current_locale())
        return self.render_template(self.index_template, appbuilder=self.appbuilder,
                                    tiles=tiles, title=title, actor=actor)
