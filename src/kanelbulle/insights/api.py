"""This app's routes in the JSON API (mounted by kanelbulle.api): the attention list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext
from ninja import Router, Schema
from ninja.errors import HttpError

from kanelbulle.connectors.rest import ApiProblem
from kanelbulle.core.access import NotVisible
from kanelbulle.core.days import today_or_default
from kanelbulle.insights.attention import CODES
from kanelbulle.insights.service import attention_list, list_owner

router = Router(tags=["insights"])


class ReasonOut(Schema):
    code: str
    message: str
    facts: dict[str, Any]


class ItemOut(Schema):
    customer: str
    name: str
    priority: int
    health: int
    reasons: list[ReasonOut]


class AttentionOut(Schema):
    today: dt.date
    user: str
    total: int
    offset: int
    limit: int
    items: list[ItemOut]


@router.get("/attention", response=AttentionOut)
def get_attention(
    request: HttpRequest,
    user: str | None = None,
    today: dt.date | None = None,
    language: str | None = None,
    seller: str | None = None,
    team: str | None = None,
    reason: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> dict[str, Any]:
    """Who needs attention and why, most urgent first (priority 0-100, higher is more urgent).

    ``user`` defaults to the caller. A seller reads their own list only (a teammate's answers 403,
    anyone else's 404); a manager reads any list in their team (their own covers the team); an
    admin any. Messages are in ``language`` (en, sv), else the request's language. ``seller``,
    ``team`` and ``reason`` (a reason code) narrow the list; ``offset`` and ``limit`` (1-500,
    default 100) page through it, ``total`` counts every item that matched.
    """
    viewer = request.user
    if language not in (None, "en", "sv"):
        raise ApiProblem(
            422, "language", gettext("language must be en or sv, not %(value)s") % {"value": repr(language)}
        )
    if reason is not None and reason not in CODES:
        raise ApiProblem(
            422,
            "reason",
            gettext("reason must be one of %(codes)s, not %(value)s")
            % {"codes": ", ".join(CODES), "value": repr(reason)},
        )
    if not 1 <= limit <= 500:
        raise ApiProblem(422, "limit", gettext("limit must be between 1 and 500, not %(value)s") % {"value": limit})
    if offset < 0:
        raise ApiProblem(422, "offset", f"offset must be 0 or more, not {offset}")
    try:
        owner = list_owner(viewer, user or viewer.username)  # type: ignore[arg-type]
    except NotVisible:
        raise HttpError(404, "no such record") from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    lang = language or translation.get_language() or "en"
    page = attention_list(
        owner,
        today_or_default(today),
        lang,
        seller=seller,
        team=team,
        reason=reason,
        offset=offset,
        limit=limit,
    )
    return {**page.result.to_json(), "total": page.total, "offset": offset, "limit": limit}
