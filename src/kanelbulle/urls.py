import sys
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views import defaults

from kanelbulle.api import api, api_not_found
from kanelbulle.web.language import set_language
from kanelbulle.web.unavailable import is_database_down, unavailable

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("customers/", include("kanelbulle.customers.urls")),
    path("gifts/", include("kanelbulle.gifts.urls")),
    path("plan/", include("kanelbulle.planner.urls")),
    path("attention/", include("kanelbulle.insights.urls")),
    path("evidence/", include("kanelbulle.evidence.urls")),
    path("privacy/", include("kanelbulle.privacy.urls")),
    path("", include("kanelbulle.web.urls")),
]


def handler404(request: HttpRequest, exception: Any) -> HttpResponse:
    """Under /api/ a path that leads nowhere answers in the API's JSON error shape; pages keep
    their HTML 404."""
    if request.path.startswith("/api/"):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    """The database out of reach (PostgreSQL restarting, the network cut) is a 503 with
    Retry-After, in the API's JSON shape under /api/ and as a page elsewhere; any other error
    stays Django's plain 500. Django calls this inside its ``except``, so the error is at hand."""
    if is_database_down(sys.exc_info()[1]):
        return unavailable(request)
    return defaults.server_error(request)
