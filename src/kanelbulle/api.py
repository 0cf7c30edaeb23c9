"""The JSON API under /api/v1/ (django-ninja), with its OpenAPI document at /api/v1/openapi.json.

Every error answers ``{"errors": [{"path": "…", "message": "…"}]}``: 400 unreadable request,
401 no or bad credentials, 403 may see but not change, 404 not there (or not yours to see),
409 stale version or duplicate ref, 422 invalid field (the path names it), 428 version missing.
"""

from __future__ import annotations

import json
from importlib import import_module
from importlib.resources import files
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from kanelbulle.accounts.models import ApiToken, CalendarToken, User
from kanelbulle.connectors.rest import ApiProblem, Errors, Page, Paging, ProblemsError, errors, paginate, ref_prefix
from kanelbulle.core.access import NotVisible
from kanelbulle.core.actions import Conflict
from kanelbulle.core.days import BadDay
from kanelbulle.core.problems import (
    DUPLICATE,
    MAY_NOT_CHANGE,
    NEED_TOKEN,
    NO_SUCH_PATH,
    NO_SUCH_RECORD,
    TOO_BIG,
    USERS_NO_CHANGE_TIME,
    say,
    validation_message,
)


class BearerToken(HttpBearer):
    """`Authorization: Bearer TOKEN`, tokens from `kanelbulle token create` (stored hashed)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is None:
            # A wrong or revoked token is refused outright: it never falls back to a session
            # cookie the same request may carry (docs/api.md).
            raise AuthenticationError(401, say(NEED_TOKEN))
        request.user = user
        # The answer speaks the caller's language: Accept-Language when sent, else the user's own.
        if "HTTP_ACCEPT_LANGUAGE" not in request.META and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language  # type: ignore[attr-defined]
        return user


class SessionCookie(APIKeyCookie):
    """The web app's own calls: the session cookie, with CSRF on unsafe methods."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        # No session cookie: not a session call at all, so 401 (not a CSRF 403) for the caller.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        # A request that carries an Authorization header is judged by it alone (a token that did
        # not authenticate is a 401, never the session's user).
        if request.headers.get("Authorization"):
            return None
        user = getattr(request, "user", None)
        if key and user is not None and user.is_authenticated:
            return user
        return None


ERROR_STATUSES = {
    400: "The request could not be read (malformed JSON, a bad If-Match).",
    401: "No valid token or session.",
    403: "You may see this record but not change it.",
    404: "No such record (or not one you may see).",
    409: "The record changed since you read it (stale version) or the ref is taken.",
    413: "The body is larger than the server accepts.",
    422: "A field is invalid; the path names it.",
    428: "An update must say which version it changes (If-Match or version).",
}


# Operation ids are the view's name in camelCase (list_customers -> listCustomers), so a client
# generated from the document gets clean names; these views are named otherwise for Python.
OPERATION_NAMES = {
    "health": "getHealth",
    "me": "getMe",
    "new_calendar_token": "createCalendarToken",
    "import_vcard_route": "importVcard",
    "list_requests": "listMeetingRequests",
    "create_request": "createMeetingRequest",
    "get_request": "getMeetingRequest",
    "patch_request": "patchMeetingRequest",
    "delete_request": "deleteMeetingRequest",
    "get_policy": "getGiftPolicy",
    "new_policy": "createGiftPolicy",
    "post_plan": "solvePlan",
    "evidence": "getEvidence",
    "calendar_feed": "getCalendarFeed",
}


def operation_id(view_name: str) -> str:
    """``list_customers`` -> ``listCustomers`` (or its entry in OPERATION_NAMES)."""
    if view_name in OPERATION_NAMES:
        return OPERATION_NAMES[view_name]
    first, *rest = view_name.strip("_").split("_")
    return first + "".join(word.capitalize() for word in rest)


class KanelbulleAPI(NinjaAPI):
    """Clean operation ids, and the error responses every operation can give, in the OpenAPI document."""

    def get_openapi_operation_id(self, operation: Any) -> str:
        return operation_id(operation.view_func.__name__)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})
        schema["components"]["schemas"]["Errors"] = Errors.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        schema["components"]["schemas"].update(
            {name: sub for name, sub in schema["components"]["schemas"]["Errors"].pop("$defs", {}).items()}
        )
        for path, methods in schema.get("paths", {}).items():
            for method, operation in methods.items():
                if method not in {"get", "post", "put", "patch", "delete"}:
                    continue
                responses = operation.setdefault("responses", {})
                wanted = {400, 404, 409, 422}
                if operation.get("security") or path not in {"/api/v1/health", "/api/v1/openapi.json"}:
                    wanted.add(401)
                if method != "get":
                    wanted.add(403)
                if method in {"put", "patch"}:
                    wanted.add(428)
                if method in {"post", "put", "patch"}:
                    wanted.add(413)
                if method == "get":
                    wanted.add(403)
                for status in sorted(wanted):
                    responses.setdefault(
                        str(status),
                        {
                            "description": ERROR_STATUSES[status],
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
                        },
                    )
        return schema


api = KanelbulleAPI(
    title="Kanelbulle API",
    version="1",
    description=(
        "The whole of Kanelbulle for phones and scripts. Authenticate with `Authorization: Bearer TOKEN` "
        "(from `kanelbulle token create NAME`). Updates carry the version you read (If-Match or `version`)."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,
    auth=[BearerToken(), SessionCookie()],
)


# -- errors: one shape for all ----------------------------------------------------------------

FIELD_PATHS = {
    "value_amount": "value.amount",
    "value_currency": "value.currency",
    "gift_max_amount": "gift_policy.max_value.amount",
    "gift_max_currency": "gift_policy.max_value.currency",
    "accepts_gifts": "gift_policy.accepts_gifts",
    "__all__": "",
}
PARAM_NAMES = {"payload", "filters", "body"}


def _loc_path(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    if parts and parts[0] in PARAM_NAMES:
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not str(part).startswith(("function-", "tuple[", "list[")):
            path += ("." if path else "") + str(part)
    return path


def _answer(request: HttpRequest, status: int, *pairs: tuple[str, str]) -> HttpResponse:
    return api.create_response(request, errors(*pairs), status=status)


@api.exception_handler(NinjaValidationError)
def on_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    pairs = []
    for error in exc.errors:
        path = _loc_path(error.get("loc", ()))
        pairs.append((path or "body", validation_message(error)))
    return _answer(request, 422, *pairs)


@api.exception_handler(DjangoValidationError)
def on_rule(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        pairs = [
            (FIELD_PATHS.get(field, field), str(message))
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        pairs = [("", str(message)) for message in exc.messages]
    return _answer(request, 422, *pairs)


@api.exception_handler(ProblemsError)
def on_problems(request: HttpRequest, exc: ProblemsError) -> HttpResponse:
    return _answer(request, 422, *exc.problems)


@api.exception_handler(BadDay)
def on_bad_day(request: HttpRequest, exc: BadDay) -> HttpResponse:
    return _answer(request, 422, (exc.field, exc.message))


@api.exception_handler(ApiProblem)
def on_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return _answer(request, exc.status, (exc.path, exc.message))


@api.exception_handler(NotVisible)
def on_not_visible(request: HttpRequest, exc: NotVisible) -> HttpResponse:
    return _answer(request, 404, ("", say(NO_SUCH_RECORD)))


@api.exception_handler(Http404)
def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _answer(request, 404, ("", say(NO_SUCH_RECORD)))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _answer(request, 413, ("body", say(TOO_BIG, limit=limit)))


def api_not_found(request: HttpRequest) -> HttpResponse:
    """A path under /api/ that leads nowhere (the URL handler404 answers with this)."""
    return HttpResponse(
        json.dumps(errors(("", say(NO_SUCH_PATH, path=request.path)))), status=404, content_type="application/json"
    )


@api.exception_handler(PermissionDenied)
def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _answer(request, 403, ("", str(exc) or say(MAY_NOT_CHANGE)))


@api.exception_handler(Conflict)
def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    response = _answer(request, 409, ("version", str(exc)))
    response["ETag"] = f'"{exc.actual}"'
    return response


@api.exception_handler(IntegrityError)
def on_integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    return _answer(request, 409, ("", say(DUPLICATE)))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _answer(request, 401, ("Authorization", say(NEED_TOKEN)))
    response["WWW-Authenticate"] = 'Bearer realm="kanelbulle"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    path = "body" if exc.status_code == 400 else ""
    return _answer(request, exc.status_code, (path, str(exc)))


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
    ("/", "kanelbulle.connectors.calendar_api"),
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
    ref_prefix: str = Field(description="a ref you choose when creating a record must start with this")


@api.get("/me", response=Me, tags=["system"])
def me(request: HttpRequest) -> Any:
    """Who the caller is (the token's or the session's user)."""
    user: User = request.user  # type: ignore[assignment]
    return {"username": user.username, "name": user.name, "role": user.role, "team": user.team,
            "ref_prefix": ref_prefix(user)}  # fmt: skip


class CalendarFeed(Schema):
    url: str
    token: str


@api.post("/me/calendar-token", response={201: CalendarFeed}, tags=["connectors"])
def new_calendar_token(request: HttpRequest) -> Any:
    """A new read-only calendar feed address for the caller; the previous one stops working."""
    user: User = request.user  # type: ignore[assignment]
    raw = CalendarToken.issue(user)
    path = f"/api/v1/calendar/{user.username}.ics?token={raw}"
    return Status(201, {"url": request.build_absolute_uri(path), "token": raw})


# -- users (read) -----------------------------------------------------------------------------


class Home(Schema):
    city: str
    country: str
    lat: float | None
    lon: float | None


class UserOut(Schema):
    username: str
    name: str
    email: str = Field(description="work e-mail address; empty when none is recorded")
    role: str
    team: str
    home: Home | None


def visible_users(actor: User) -> Any:
    """An admin sees every user; others their team (or only themselves without one)."""
    qs = User.objects.filter(is_active=True).order_by("username")
    if actor.is_admin_role:
        return qs
    if actor.team:
        return qs.filter(team=actor.team)
    return qs.filter(pk=actor.pk)


def render_user(user: User) -> dict[str, Any]:
    home = None
    if user.home_city or user.home_lat is not None:
        home = {"city": user.home_city, "country": user.home_country, "lat": user.home_lat, "lon": user.home_lon}
    return {
        "username": user.username,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "team": user.team,
        "home": home,
    }


class UserFilter(Paging):
    team: str | None = Field(None, max_length=100)
    role: Literal["seller", "manager", "admin"] | None = None


@api.get("/users", response=Page[UserOut], tags=["users"])
def list_users(request: HttpRequest, filters: Query[UserFilter]) -> Any:
    qs = visible_users(request.user)  # type: ignore[arg-type]
    if filters.team:
        qs = qs.filter(team=filters.team)
    if filters.role:
        qs = qs.filter(role=filters.role)
    if filters.updated_since is not None:
        raise ApiProblem(422, "updated_since", say(USERS_NO_CHANGE_TIME))
    return paginate(qs, filters, render_user)


@api.get("/users/{username}", response=UserOut, tags=["users"])
def get_user(request: HttpRequest, username: str) -> Any:
    user = visible_users(request.user).filter(username=username).first()  # type: ignore[arg-type]
    if user is None:
        raise NotVisible(username)
    return render_user(user)


# -- browsable docs, self-contained (CSP: script-src 'self') ----------------------------------

_STATIC = files("kanelbulle.connectors") / "static" / "connectors"
DOC_ASSETS = {
    "swagger-ui-bundle.js": ("vendor/swagger-ui/swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": ("vendor/swagger-ui/swagger-ui.css", "text/css"),
    "docs.js": ("docs.js", "text/javascript"),
    "LICENSE": ("vendor/swagger-ui/LICENSE", "text/plain"),
}
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kanelbulle API</title>
<link rel="stylesheet" href="{base}docs/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi="{base}openapi.json"></div>
<script src="{base}docs/swagger-ui-bundle.js"></script><script src="{base}docs/docs.js"></script>
</body></html>
"""


@api.get("/docs", auth=None, include_in_schema=False)
def docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI served from this server (vendored from swagger-ui-dist, Apache-2.0)."""
    base = request.path.removesuffix("docs")
    return HttpResponse(DOCS_PAGE.format(base=base), content_type="text/html; charset=utf-8")


@api.get("/docs/{name}", auth=None, include_in_schema=False)
def docs_asset(request: HttpRequest, name: str) -> HttpResponse:
    if name not in DOC_ASSETS:
        raise Http404(name)
    relative, content_type = DOC_ASSETS[name]
    response = HttpResponse(_STATIC.joinpath(relative).read_bytes(), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
