"""The calendar feed route: `GET /api/v1/calendar/USERNAME.ics?token=…` (read-only feed token)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from kanelbulle.accounts.models import CalendarToken
from kanelbulle.connectors import ical
from kanelbulle.connectors.rest import ApiProblem
from kanelbulle.core.problems import BAD_FEED_TOKEN, say

router = Router(tags=["connectors"])


@router.get("/calendar/{username}.ics", auth=None, response={200: None})
def calendar_feed(request: HttpRequest, username: str, token: str = Query(..., max_length=200)) -> HttpResponse:  # type: ignore[type-arg]
    """The user's planned and past meetings as iCalendar, for Outlook, Google or Apple Calendar.

    The token is the feed's own (`POST /api/v1/me/calendar-token` or `kanelbulle token calendar
    NAME`), not an API token: it reads this one calendar and nothing else.
    """
    user = CalendarToken.authenticate(username, token)
    if user is None:
        raise ApiProblem(401, "token", say(BAD_FEED_TOKEN))
    response = HttpResponse(ical.feed(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{user.username}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
