"""marshmallow validators whose messages are translatable ``Message``\\s.

Subclasses of marshmallow's own, so the OpenAPI document still shows each rule (apispec
reads ``min``/``max``, ``regex`` and ``choices``); only the message differs. marshmallow
would fill its messages in with ``str.format``, which a pattern such as ``[0-9]{2}``
breaks (IndexError) and which loses the msgid.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validate

from leadloom.metadata.messages import Message


class Bounds(validate.Range):
    """``min <= value <= max`` (either may be None)."""

    def __call__(self, value: Any) -> Any:
        low, high = self.min, self.max
        if (low is None or value >= low) and (high is None or value <= high):
            return value
        if low is None:
            raise ValidationError(Message("must be at most %(max)s", max=high))
        if high is None:
            raise ValidationError(Message("must be at least %(min)s", min=low))
        raise ValidationError(Message("must be between %(min)s and %(max)s", min=low, max=high))


class MaxLength(validate.Length):
    """At most ``max`` characters."""

    def __init__(self, length: int) -> None:
        super().__init__(max=length)

    def __call__(self, value: Any) -> Any:
        if self.max is not None and len(value) > self.max:
            raise ValidationError(Message("at most %(max)s characters", max=self.max))
        return value


class Pattern(validate.Regexp):
    """Matches the field's regular expression (an empty value is left to "required")."""

    def __call__(self, value: Any) -> Any:
        if value and self.regex.match(value) is None:
            raise ValidationError(Message("does not match the pattern %(pattern)s",
                                          pattern=self.regex.pattern))
        return value


class Option(validate.OneOf):
    """One of the field's option codes."""

    def __call__(self, value: Any) -> Any:
        if value not in self.choices:
            raise ValidationError(Message("'%(input)s' is not an option (known: %(choices)s)",
                                          input=value, choices=self.choices_text))
        return value
