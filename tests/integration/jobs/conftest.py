"""Jobs on a real Redis: a claimed database per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import REDIS_SERVER, claimed_redis_db


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    yield from claimed_redis_db(REDIS_SERVER, range(15, 7, -1))
