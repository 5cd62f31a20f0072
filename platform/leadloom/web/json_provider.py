"""JSON in requests: numbers stay exact, and bad JSON is a 400, never a 500."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask.json.provider import DefaultJSONProvider

#: Beyond this exponent a number is no amount anyone means (and ``int()`` of it would take
#: the server's memory): the body is refused as invalid JSON.
MAX_EXPONENT = 1000


def _exact(text: str) -> Decimal:
    number = Decimal(text)
    if abs(number.adjusted()) > MAX_EXPONENT:
        raise ValueError(f"number out of range: {text[:40]}")
    return number


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class ExactJSONProvider(DefaultJSONProvider):
    """Parses JSON numbers with a fraction or exponent as ``Decimal`` (money must not pass
    through a float), refuses ``NaN``/``Infinity``, and turns a body nested too deeply for
    the parser into a ``ValueError``, which Flask answers as 400 (``get_json``)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_float", _exact)
        kwargs.setdefault("parse_constant", _no_constant)
        try:
            return json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
