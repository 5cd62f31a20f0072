"""Values built once per Registry or Entity object, found again by the object's identity.

Hashing a frozen Registry or Entity walks every field and option, which costs more than
the look-up it would save (in a bulk write, per row). The cached entry keeps its object
alive, so the object's id cannot be reused while it is cached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: entries a cache keeps before it starts afresh (configs are few; this only bounds growth)
MOST = 1024


def by_identity(cache: dict[int, tuple[Any, T]], key: Any, build: Callable[[], T]) -> T:
    """``cache``'s value for ``key`` (the very object), built by ``build`` when missing."""
    cached = cache.get(id(key))
    if cached is not None and cached[0] is key:
        return cached[1]
    if len(cache) > MOST:
        cache.clear()
    value = build()
    cache[id(key)] = (key, value)
    return value
