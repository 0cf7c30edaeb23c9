"""The JSON API under /api/v1/ (django-ninja), with its OpenAPI document at /api/v1/openapi.json."""

from __future__ import annotations

from importlib import import_module
from typing import Any, Literal

from django.db import connection
from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import APIKeyCookie, HttpBearer

from kanelbulle.accounts.models import ApiToken


class BearerToken(HttpBearer):
    """`Authorization: Bearer TOKEN`, tokens from `kanelbulle token create` (stored hashed)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionCookie(APIKeyCookie):
    """The web app's own calls: the session cookie, with CSRF on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api = NinjaAPI(
    title="Kanelbulle API",
    version="1",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,
    auth=[BearerToken(), SessionCookie()],
)


# Each app owns its routes; they are mounted here, under their own prefix.
for _prefix, _module in [
    ("/", "kanelbulle.customers.api"),
    ("/", "kanelbulle.meetings.api"),
    ("/", "kanelbulle.deals.api"),
    ("/", "kanelbulle.gifts.api"),
    ("/", "kanelbulle.exchange.api"),
    ("/", "kanelbulle.planner.api"),
    ("/", "kanelbulle.insights.api"),
    ("/", "kanelbulle.evidence.api"),
]:
    api.add_router(_prefix, import_module(_module).router)


class Health(Schema):
    status: Literal["ok"]
    database: Literal["sqlite", "postgresql"]


@api.get("/health", response=Health, auth=None, tags=["system"])
def health(request: HttpRequest) -> dict[str, str]:
    """Is the server up and its database reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": "postgresql" if connection.vendor == "postgresql" else "sqlite"}


class Me(Schema):
    username: str
    name: str
    role: str
    team: str


@api.get("/me", response=Me, tags=["system"])
def me(request: HttpRequest) -> Any:
    """Who the caller is (the token's or the session's user)."""
    return request.user
