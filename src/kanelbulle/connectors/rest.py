"""What every API route shares: field types, money, pagination, versions and ETags.

Kept out of the routes so that every resource pages, filters and checks versions alike.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, GetJsonSchemaHandler, StringConstraints, WithJsonSchema
from pydantic.json_schema import JsonSchemaValue

from kanelbulle.core.days import stored_year_ok
from kanelbulle.core.money import Money, is_currency
from kanelbulle.core.problems import (
    BAD_ETAG,
    ETAG_DISAGREES,
    NO_TEAM,
    NO_USER,
    NOT_CURRENCY,
    NUL_CHARACTERS,
    REF_PREFIX,
    REF_TAKEN,
    SEND_VERSION,
    YEAR_RANGE,
    say,
)

M = TypeVar("M", bound=Model)
T = TypeVar("T")


class WithJsonSchemaExtra:
    """Add keys to a type's JSON schema (e.g. a pattern beside ``format: date``)."""

    def __init__(self, extra: dict[str, Any]) -> None:
        self.extra = extra

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.update(self.extra)
        return schema


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(say(NUL_CHARACTERS))
    return value


def _sane_year(value: Any) -> Any:
    if not stored_year_ok(value):
        raise ValueError(say(YEAR_RANGE))
    return value


def _sane_datetime(value: dt.datetime) -> dt.datetime:
    _sane_year(value)
    return value.astimezone(dt.UTC)


NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"  # something besides spaces, and no NUL


def text(max_length: int, min_length: int = 0) -> Any:
    """A string type with bounds (and no NUL, which PostgreSQL refuses; required text not blank)."""
    return Annotated[
        str,
        StringConstraints(max_length=max_length, min_length=min_length),
        AfterValidator(_no_nul),
        WithJsonSchemaExtra({"pattern": NOT_BLANK if min_length else NO_NUL}),
    ]


Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, strip_whitespace=True),
    AfterValidator(_no_nul),
    WithJsonSchemaExtra({"pattern": NOT_BLANK}),
]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
Username = Annotated[str, StringConstraints(min_length=1, max_length=150)]
# The schema says what the validators accept, so a client generated from it sends what is taken.
SANE_YEAR = r"^(19\d\d|2[01]\d\d|2200)-"
Stamp = Annotated[
    AwareDatetime,
    AfterValidator(_sane_datetime),
    WithJsonSchemaExtra({"pattern": SANE_YEAR, "description": "with a UTC offset; years 1900-2200"}),
]
Day = Annotated[dt.date, AfterValidator(_sane_year), WithJsonSchemaExtra({"pattern": SANE_YEAR + r"\d\d-\d\d$"})]
Pct = Annotated[str, StringConstraints(pattern=r"^-?\d{1,4}(\.\d{1,2})?$")]
Minutes = Annotated[int, Field(ge=1, le=24 * 60 * 31)]


def _currency(value: str) -> str:
    if not is_currency(value):
        raise ValueError(say(NOT_CURRENCY, value=repr(value)))
    return value


@cache
def currency_codes() -> list[str]:
    """The currencies the schema offers: those the company can always convert (core/values.py: the
    company currency, the euro and the ECB's). A currency with rates loaded here is taken too, but
    a schema cannot know the rates a company has loaded, so it offers only these."""
    from django.conf import settings

    from kanelbulle.core.values import ECB_CURRENCIES

    return sorted(c for c in {settings.COMPANY_CURRENCY, "EUR", *ECB_CURRENCIES} if is_currency(c))


Currency = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    AfterValidator(_currency),
    WithJsonSchema({"type": "string", "enum": currency_codes(), "description": "ISO 4217, e.g. SEK"}),
]


class MoneyIn(Schema):
    amount: Annotated[str, StringConstraints(pattern=r"^-?\d{1,16}(\.\d{1,2})?$")] = Field(
        ..., description='a decimal string with a point, such as "1200.50"'
    )
    currency: Currency

    def money(self) -> Money:
        return Money(Decimal(self.amount).quantize(Decimal("0.01")), self.currency)


class MoneyAtLeastZeroIn(MoneyIn):
    """An amount that may not be negative, such as a gift's value or a policy's limit."""

    # The schema says so; the check itself stays with the action, whose message names the field.

    amount: Annotated[
        str,
        StringConstraints(pattern=r"^-?\d{1,16}(\.\d{1,2})?$"),
        WithJsonSchema({"type": "string", "pattern": r"^\d{1,16}(\.\d{1,2})?$",
                        "description": 'a decimal string with a point, not negative, such as "1200.50"'}),
    ] = Field(...)  # fmt: skip


class MoneyOut(Schema):
    amount: str
    currency: str


def money_out(money: Money | None) -> dict[str, str] | None:
    return None if money is None else money.to_json()


def pct_out(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def pct_in(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def stamp_out(value: dt.datetime | None) -> str | None:
    """Datetimes leave with the installation's offset (``2025-12-18T10:00:00+01:00``)."""
    return None if value is None else timezone.localtime(value).isoformat()


class Error(Schema):
    path: str
    message: str


class Errors(Schema):
    errors: list[Error]


class ApiProblem(Exception):
    """An answer other than 2xx with one problem at a path (the API's error shape)."""

    def __init__(self, status: int, path: str, message: str) -> None:
        super().__init__(message)
        self.status, self.path, self.message = status, path, message


_USER_PREFIX = re.compile(r"^u(\d+)-")


def ref_prefix(user: Any) -> str:
    """The refs a user may choose start with this (``GET /me`` shows it): ``u17-``."""
    return f"u{user.pk}-"


def claim_namespace(actor: Any, ref: str) -> None:
    """The namespace half of ``claim_ref``: a chosen ref must be in the caller's own prefix (an
    admin's free-form refs aside), refused alike whether or not it is taken. Meetings use it alone:
    a meeting's own ref is idempotent (the same ref again answers the first meeting)."""
    mine = ref_prefix(actor)
    owner = _USER_PREFIX.match(ref)
    allowed = ref.startswith(mine) or (actor.is_admin_role and owner is None)
    if not allowed:
        raise ApiProblem(422, "ref", say(REF_PREFIX, prefix=mine))


def claim_ref(actor: Any, model: type[Model], ref: str | None, kind: str) -> None:
    """The one rule for a ``ref`` a client chooses when it creates a record (decisions.md).

    Refs are unique per kind across the whole company, so a "taken" answer tells that a record
    exists. To tell nobody about records they may not see, a caller may choose only refs in a
    namespace no one else writes in: their own prefix (``u17-…``; an admin's too). An admin,
    who sees everything, may also choose free-form refs (``c-lulea-1``), but never one in
    another user's prefix. Any other ref is refused with the same 422 whether or not it is
    taken; within the caller's own namespace a taken ref answers 409. Left out, one is made."""
    if not ref:
        return
    claim_namespace(actor, ref)
    if model._default_manager.filter(ref=ref).exists():
        raise ApiProblem(409, "ref", say(REF_TAKEN, kind=model._meta.verbose_name, ref=repr(ref)))


def errors(*pairs: tuple[str, str]) -> dict[str, list[dict[str, str]]]:
    return {"errors": [{"path": path, "message": message} for path, message in pairs]}


class Page(Schema, Generic[T]):
    count: int
    page: int
    page_size: int
    pages: int
    next_page: int | None
    items: list[T]


class Paging(Schema):
    page: int = Field(1, ge=1, le=100_000, description="1-based page number")
    page_size: int = Field(50, ge=1, le=500, description="records per page (at most 500)")
    updated_since: Stamp | None = Field(
        None, description="only records changed at or after this moment (with offset), oldest change first, for sync"
    )


def paginate(qs: QuerySet[M], paging: Paging, render: Any) -> dict[str, Any]:
    """One page of ``qs`` (changed since ``updated_since``, if given), each record rendered."""
    if paging.updated_since is not None:
        qs = qs.filter(updated_at__gte=paging.updated_since).order_by("updated_at", "pk")
    count = qs.count()
    pages = max(1, math.ceil(count / paging.page_size))
    start = (paging.page - 1) * paging.page_size
    items = [render(obj) for obj in qs[start : start + paging.page_size]]
    return {
        "count": count,
        "page": paging.page,
        "page_size": paging.page_size,
        "pages": pages,
        "next_page": paging.page + 1 if paging.page < pages else None,
        "items": items,
    }


_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def set_etag(response: HttpResponse, obj: Any) -> None:
    response["ETag"] = f'"{obj.version}"'


def expected_version(request: HttpRequest, body_version: int | None, *, required: bool = True) -> int | None:
    """The version the caller read: ``If-Match`` (the ETag) or the body's ``version``.

    Updates must say which version they change (428 otherwise), so a stale write is refused
    (409) instead of silently overwriting someone else's change.
    """
    header = request.headers.get("If-Match")
    if header is not None and header.strip() != "*":
        match = _ETAG.match(header)
        if match is None:
            raise ApiProblem(400, "If-Match", say(BAD_ETAG))
        from_header = int(match.group(1))
        if body_version is not None and body_version != from_header:
            raise ApiProblem(400, "version", say(ETAG_DISAGREES))
        return from_header
    if body_version is None and required and header is None:
        raise ApiProblem(428, "version", say(SEND_VERSION))
    return body_version


class In(Schema):
    """A request body: an unknown field is an error naming it, never silently ignored."""

    model_config = {"extra": "forbid"}


def find(actor: Any, qs: QuerySet[M], ref: str, *, path: str, customer_path: str = "") -> M:
    """A record named in a body: one the caller may not see is reported as not existing (422)."""
    from kanelbulle.core.access import NotVisible, get_visible, no_such

    try:
        return get_visible(actor, qs, customer_path, ref=ref)
    except NotVisible:
        raise ApiProblem(422, path, no_such(qs.model, ref)) from None


def find_user(username: str, *, path: str) -> Any:
    from kanelbulle.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ApiProblem(422, path, say(NO_USER, name=repr(username)))
    return user


def seller_filter(who: str) -> Any:
    """A query parameter naming a seller by username (``owner``, ``user``); ``who`` says whose."""
    return Field(
        None,
        max_length=150,
        description=f"username of {who}: you or someone in your team (an admin: anyone); "
        "anyone else answers 422, as an unknown username does",
    )


def team_filter() -> Any:
    """The ``team`` query parameter of every list of records at customers."""
    return Field(
        None,
        max_length=100,
        description="team of the customer's seller: your own (an admin: any); "
        "another answers 422, as an unknown team does",
    )


def by_seller(actor: Any, qs: QuerySet[M], username: str | None, *, path: str, field: str) -> QuerySet[M]:
    """``qs`` (already limited to what ``actor`` may see) narrowed to the records whose ``field`` (a
    path to a user: ``owner``, ``customer__owner``, ``user``) has ``username``; None: all of ``qs``.

    A seller the caller may not name answers 422 at ``path``, the same words as one nobody is
    called: a filter never tells who exists outside the caller's team. One whose records the
    caller sees (a customer moved to another team keeps its old meetings) may be named.
    """
    if not username:
        return qs
    from kanelbulle.accounts.models import User
    from kanelbulle.core.access import can_see_user

    narrowed = qs.filter(**{f"{field}__username": username})
    named = User.objects.filter(username=username).first()
    if named is None or not (can_see_user(actor, named) or narrowed.exists()):
        raise ApiProblem(422, path, say(NO_USER, name=repr(username)))
    return narrowed


def by_team(actor: Any, qs: QuerySet[M], team: str | None, *, customer_path: str) -> QuerySet[M]:
    """``qs`` (already limited to what ``actor`` may see) narrowed to the records whose customer's
    seller is in ``team`` (``customer_path`` leads to the customer, as in ``access.scope``); None:
    all of ``qs``. A team the caller may not name (not theirs, or nobody's) answers 422 at ``team``."""
    if not team:
        return qs
    from kanelbulle.core.access import can_see_team

    if not can_see_team(actor, team):
        raise ApiProblem(422, "team", say(NO_TEAM, name=repr(team)))
    return qs.filter(**{f"{customer_path}owner__team": team})


def actor_of(request: HttpRequest) -> Any:
    """The authenticated caller (the token's or the session's user)."""
    return request.user


class ProblemsError(Exception):
    """Several problems at once (an import that stored nothing): 422 listing each one."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems)
        self.problems = problems
