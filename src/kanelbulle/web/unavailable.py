"""When the database cannot be reached, every request says so plainly: 503 and when to retry.

PostgreSQL restarting, a failover or a cut network makes the driver raise ``OperationalError``
(or ``InterfaceError`` on a connection that died in between). Without this each such request
would be a bare "500 Internal Server Error"; with it a page answers with a short page in the
reader's language and the API with its usual error body, both carrying ``Retry-After``. Nothing
is left half-written: every action writes inside one transaction, which the database rolls back
when the connection goes. Service comes back by itself: Django drops a connection that raised
(``CONN_HEALTH_CHECKS`` checks a kept one before reuse), so the next request connects anew.

The page is rendered without the request's context processors, because those read the session
and the user, which live in the very database that is down.
"""

from __future__ import annotations

import json

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

#: Seconds a client should wait before trying again: a PostgreSQL restart takes a few.
RETRY_AFTER_SECONDS = 5


def is_database_down(exc: BaseException | None) -> bool:
    """The error is the database being out of reach (not a bug in a query)."""
    return isinstance(exc, (OperationalError, InterfaceError))


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 for a request that failed because the database could not be reached."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        message = _(
            "The database cannot be reached just now. Try again in a few seconds; "
            "if you were saving something, look whether it was saved first."
        )
        if request.path.startswith("/api/"):
            from kanelbulle.connectors.rest import errors

            response = HttpResponse(json.dumps(errors(("", message))), status=503, content_type="application/json")
        else:
            html = render_to_string(
                "web/unavailable.html", {"message": message, "retry": RETRY_AFTER_SECONDS, "LANGUAGE_CODE": language}
            )
            response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
