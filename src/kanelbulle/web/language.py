"""The user's language: chosen with the switch, remembered on the account.

The cookie still decides within a browser (so the login page can be Swedish too); the account
remembers the last choice for a new browser and for what is made without a browser, such as the
weekly digest.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

LANGUAGES = {code for code, _name in settings.LANGUAGES}


@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    response = django_set_language(request)
    chosen = request.POST.get("language", "")
    user = getattr(request, "user", None)
    if chosen in LANGUAGES and user is not None and user.is_authenticated and user.language != chosen:  # type: ignore[union-attr]
        user.language = chosen  # type: ignore[union-attr]
        user.save(update_fields=["language"])  # type: ignore[union-attr]
    return response


class UserLanguageMiddleware:
    """A logged-in user without a language cookie gets their remembered language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        remembered = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        use_it = remembered in LANGUAGES and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        if use_it:
            translation.activate(remembered)
            request.LANGUAGE_CODE = remembered
        response = self.get_response(request)
        if use_it:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, remembered, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
            )
        return response
