"""Who did something, as a page shows it: a person by name (张伟), the platform as 系统.

The audit trail and approvals store logins; screens show names, one query per login
(none for those a record's page read at once: ``web.page_people``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User

from leadloom.access import Actor
from leadloom.access.people import display_name
from leadloom.metadata.messages import Message
from leadloom.web.language import translated
from leadloom.web.page_people import known_names

#: the platform itself as an author (jobs, imports, the first config version)
THE_SYSTEM = Message("the system")
SYSTEM_LOGIN = Actor.system_actor().username


class PeopleByLogin:
    def __init__(self, session: Any) -> None:
        self.session = session
        self.names: dict[str, str] = {}

    def shown(self, login: str | None) -> str:
        if not login or login == SYSTEM_LOGIN:
            return translated(THE_SYSTEM)
        if login not in self.names:
            _, by_login = known_names()
            if login in by_login:
                self.names[login] = by_login[login]
                return by_login[login]
            user = self.session.scalar(sa.select(User).where(User.username == login))
            self.names[login] = display_name(user.first_name, user.last_name, login) \
                if user is not None else login
        return self.names[login]
