"""Who is acting: a user with roles, team and unit, or the explicit system actor."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """The subject of every permission check.

    There is no flag to skip checks: jobs and seeding act as ``Actor.system()``, whose
    rights are those of an admin and whose writes are audited as the system's.
    """

    user_id: int | None
    username: str
    roles: tuple[str, ...]
    team: str | None = None
    unit: str | None = None
    system: bool = False

    @classmethod
    def system_actor(cls) -> Actor:
        return cls(None, "system", (), system=True)
