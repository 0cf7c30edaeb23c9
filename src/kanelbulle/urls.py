from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views import defaults

from kanelbulle.api import api, api_not_found
from kanelbulle.web.language import set_language

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
