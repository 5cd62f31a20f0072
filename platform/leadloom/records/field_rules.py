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
from leadloom.metadata.registry import Label


class Bounds(validate.Range):
    """``min <= value <= max`` (either may be None); with a field's ``label``, the message
    names the field ("预计周期（天）必须在 1 和 120 之间"): a field's own range from config."""

    def __init__(self, low: Any, high: Any, label: Label | None = None) -> None:
        super().__init__(low, high)
        self.label = label

    def __call__(self, value: Any) -> Any:
        low, high = self.min, self.max
        if (low is None or value >= low) and (high is None or value <= high):
            return value
        raise ValidationError(self._labelled() if self.label else self._plain())

    def _plain(self) -> Message:
        if self.min is None:
            return Message("must be at most %(max)s", max=self.max)
        if self.max is None:
            return Message("must be at least %(min)s", min=self.min)
        return Message("must be between %(min)s and %(max)s", min=self.min, max=self.max)

    def _labelled(self) -> Message:
        if self.min is None:
            return Message("%(field)s must be at most %(max)s", max=self.max, field=self.label)
        if self.max is None:
            return Message("%(field)s must be at least %(min)s", min=self.min, field=self.label)
        return Message("%(field)s must be between %(min)s and %(max)s", min=self.min,
                       max=self.max, field=self.label)


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
