""" "Today" as a parameter: one way for commands, pages and the API to read a day from the user.

Everything that counts days (health, request ages, orders in the last twelve months, retention,
the value of a visit) takes the day it is evaluated on as an argument, so a run can be repeated
as of any day and the tests never depend on the calendar. The clock is read in one place only,
``default_today``, when the caller gave no day.

Days are bounded: a year such as 9999 would overflow the date arithmetic of the engines (a
window of twelve months after it does not exist), so a day outside ``EARLIEST``..``LATEST`` is
refused with a message naming the field, like any other bad input.

A date a record holds (a meeting's start, a gift's or an order's date) is bounded too, to the years
``FIRST_YEAR``..``LAST_YEAR`` that the API's schema allows: ``stored_year_ok`` is the one test the
API, the actions' ``save_valid`` (forms, connectors), the gift check and the exchange importer
apply, so whatever is stored exports and imports again and no engine overflows on it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import BadRequest
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)
FIRST_YEAR, LAST_YEAR = 1900, 2200  # the years a stored date may have


def stored_year_ok(value: dt.date) -> bool:
    """Whether a date or datetime (in its own time zone) lies in the years a record may hold."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


class BadDay(BadRequest, ValueError):
    """A day given by the user that is not a date or lies outside the supported range.

    A page that lets it through answers 400 (Django's BadRequest); the API answers 422.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def default_today() -> dt.date:
    """The installation's calendar day (TIME_ZONE), used only when the caller named no day."""
    return timezone.localdate()


def check_day(day: dt.date, field: str) -> dt.date:
    """``day`` when it lies within the supported range; BadDay naming ``field`` otherwise."""
    if not EARLIEST <= day <= LATEST:
        raise BadDay(
            field,
            gettext("%(day)s is outside %(first)s to %(last)s")
            % {"day": day.isoformat(), "first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
        )
    return day


def parse_day(raw: str | None, field: str) -> dt.date | None:
    """A YYYY-MM-DD day typed by a user (None when nothing was given); BadDay names ``field``."""
    if raw is None or not raw.strip():
        return None
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise BadDay(
            field, gettext("%(value)s is not a date; use YYYY-MM-DD, e.g. 2026-01-31") % {"value": repr(raw)}
        ) from None
    return check_day(day, field)


def today_or_default(day: dt.date | None, field: str = "today") -> dt.date:
    """A day already parsed (an API query parameter), checked, or the installation's today."""
    return default_today() if day is None else check_day(day, field)


def today_of(request: HttpRequest, field: str = "today") -> dt.date:
    """The day a page is evaluated on: its ``today`` parameter (query or form), else today.

    A bad value raises BadDay; the pages answer it with 400 and the message.
    """
    raw = request.GET.get(field) or (request.POST.get(field) if request.method == "POST" else None)
    return parse_day(raw, field) or default_today()
