"""The texts of the widgets Flask-AppBuilder's pages ship in English only: select2's
messages ("No results found") and the date picker's month and day names.

``leadloom/baselayout.html`` hands them to the scripts before FAB's ``ab.js`` sets the
widgets up. Names of months and days come from Babel's locale data (CLDR), the sentences
from our catalogs.
"""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import Flask
from flask_babel import get_locale

from leadloom.metadata.messages import Message
from leadloom.web.language import translated

#: bootstrap-datepicker lists days from Sunday; Babel numbers them from Monday (0).
SUNDAY_FIRST = (6, 0, 1, 2, 3, 4, 5)


def widget_texts() -> dict[str, Any]:
    """select2's and the date picker's texts in the request's language."""
    return {"select2": _select2_texts(), "datepicker": _datepicker_texts(get_locale()
                                                                       or Locale.parse("zh"))}


def _select2_texts() -> dict[str, str]:
    """``{n}`` stands for a count the script fills in."""
    messages = {
        "noResults": Message("No results found"),
        "searching": Message("Searching…"),
        "loadingMore": Message("Loading more results…"),
        "errorLoading": Message("The results could not be loaded."),
        "removeAllItems": Message("Remove all items"),
        "inputTooShort": Message("Please enter %(count)s or more characters", count="{n}"),
        "inputTooLong": Message("Please delete %(count)s characters", count="{n}"),
        "maximumSelected": Message("You can only select %(count)s items", count="{n}"),
    }
    return {key: translated(message) for key, message in messages.items()}


def _datepicker_texts(locale: Locale) -> dict[str, Any]:
    days, months = locale.days["format"], locale.months["format"]
    return {
        "days": [days["wide"][d] for d in SUNDAY_FIRST],
        "daysShort": [days["abbreviated"][d] for d in SUNDAY_FIRST],
        "daysMin": [days["narrow"][d] for d in SUNDAY_FIRST],
        "months": [months["wide"][m] for m in range(1, 13)],
        "monthsShort": [months["abbreviated"][m] for m in range(1, 13)],
        "today": translated(Message("Today")),
        "clear": translated(Message("Clear")),
        "weekStart": (locale.first_week_day + 1) % 7,
    }


def serve_widget_texts(app: Flask) -> None:
    """Templates call ``leadloom_widget_texts()``."""
    app.context_processor(lambda: {"leadloom_widget_texts": widget_texts})
