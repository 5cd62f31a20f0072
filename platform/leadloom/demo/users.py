"""The demo organisation (DESIGN.md contract): who logs in, with which role, in which team."""

from __future__ import annotations

from dataclasses import dataclass

from leadloom.web.users import add_user, password_hash


@dataclass(frozen=True, slots=True)
class DemoUser:
    """One demo login; ``team``/``unit`` None means the user sees every unit."""

    username: str
    name: str
    roles: tuple[str, ...]
    team: str | None
    unit: str | None


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "赵敏", ("admin",), None, None),
    DemoUser("sup1", "王强", ("supervisor",), "east-1", "east"),
    DemoUser("rep1", "李娜", ("rep",), "east-1", "east"),
    DemoUser("rep2", "张伟", ("rep",), "east-1", "east"),
    DemoUser("sup2", "刘洋", ("supervisor",), "west-1", "west"),
    DemoUser("rep3", "陈静", ("rep",), "west-1", "west"),
    DemoUser("rep4", "杨磊", ("rep",), "west-1", "west"),
    DemoUser("fin1", "黄芳", ("finance",), None, None),
    DemoUser("mkt1", "周婷", ("marketing",), None, None),
)


def reps_by_unit() -> dict[str, tuple[str, ...]]:
    """Usernames of the reps of each unit, in the order of ``DEMO_USERS``."""
    result: dict[str, tuple[str, ...]] = {}
    for user in DEMO_USERS:
        if "rep" in user.roles and user.unit:
            result[user.unit] = (*result.get(user.unit, ()), user.username)
    return result


def ensure_users(password: str) -> dict[str, int]:
    """Create or update every demo user (needs an app context); return ids by username.

    The demo's well-known password is exempt from the password policy: demo only. It is
    hashed once for all of them (a salted scrypt hash costs a tenth of a second by design;
    the users share the password anyway)."""
    hashed = password_hash(password)
    ids: dict[str, int] = {}
    for user in DEMO_USERS:
        account = add_user(user.username, roles=user.roles, password=password,
                           team=user.team, unit=user.unit, name=user.name,
                           check_password=False, hashed=hashed)
        ids[user.username] = account.id
    return ids
