"""Bearer tokens verified once per process, their expiry checked on every request.

flask-jwt-extended reads a token three times to verify it (its claims unverified, its
header, then the signature and claims), each read checking every character in Python:
about a tenth of a REST list request's Python work, for the same token on every call. A
token's signature and claims are a pure function of its text and the app's key, so the
verified claims are kept by the token's exact text; what changes with time is checked
again on each use: an expired token is verified anew, and refused as before. Tokens that
fail are not kept. Who the token names is still loaded, and checked, on every request.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from threading import Lock
from typing import Any

from flask import Flask
from flask_jwt_extended import JWTManager
from flask_jwt_extended.config import config

#: tokens kept per process (least recently used dropped first)
MOST_TOKENS = 4096


class RememberedTokens(JWTManager):
    """flask-jwt-extended's manager keeping each verified token's claims."""

    def __init__(self, app: Flask | None = None, add_context_processor: bool = False) -> None:
        self._verified: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self._lock = Lock()
        super().__init__(app, add_context_processor)

    def _decode_jwt_from_config(self, encoded_token: str, csrf_value: Any = None,
                                allow_expired: bool = False) -> dict[str, Any]:
        key = (encoded_token, csrf_value, allow_expired)
        with self._lock:
            kept = self._verified.get(key)
            if kept is not None:
                self._verified.move_to_end(key)
        if kept is not None:
            claims: dict[str, Any] = json.loads(kept)  # a copy: callers may change theirs
            if allow_expired or not _expired(claims):
                return claims
        claims = super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        with self._lock:
            self._verified[key] = json.dumps(claims)
            while len(self._verified) > MOST_TOKENS:
                self._verified.popitem(last=False)
        return claims


def _expired(claims: dict[str, Any]) -> bool:
    """PyJWT's expiry check (``exp`` at or before now, less the leeway)."""
    if "exp" not in claims:
        return False
    return int(claims["exp"]) <= time.time() - config.leeway


class RememberingTokens:
    """A mixin for FAB's security manager: its JWT manager is ``RememberedTokens``."""

    def create_jwt_manager(self, app: Flask) -> JWTManager:
        """FAB's, with the manager above."""
        jwt_manager = RememberedTokens()
        jwt_manager.init_app(app)
        jwt_manager.user_lookup_loader(self.load_user_jwt)  # type: ignore[attr-defined]
        return jwt_manager
