"""A small, safe expression language for rules in config, and the working-day calendar.

Pure Python with no leadloom imports, so every layer (the config checks in ``metadata``
included) can compile and check expressions.
"""

from __future__ import annotations

from leadloom.rules.calendar import DEFAULT_CALENDAR as DEFAULT_CALENDAR
from leadloom.rules.calendar import WorkCalendar as WorkCalendar
from leadloom.rules.durations import Duration as Duration
from leadloom.rules.durations import parse_duration as parse_duration
from leadloom.rules.errors import ExpressionError as ExpressionError
from leadloom.rules.expression import Expression as Expression
from leadloom.rules.expression import compile_expression as compile_expression
from leadloom.rules.expression import side_values as side_values
from leadloom.rules.expression import with_sides as with_sides
from leadloom.rules.functions import FUNCTIONS as FUNCTIONS
from leadloom.rules.kinds import Kind as Kind
from leadloom.rules.kinds import kind_of as kind_of
