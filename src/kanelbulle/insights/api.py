"""This app's routes in the JSON API (mounted by kanelbulle.api): the attention list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import translation
from ninja import Router, Schema
from ninja.errors import HttpError

from kanelbulle.connectors.rest import ApiProblem
from kanelbulle.core.access import NotVisible
from kanelbulle.core.days import today_or_default
from kanelbulle.insights.service import attention_for, list_owner

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
    items: list[ItemOut]


@router.get("/attention", response=AttentionOut)
def get_attention(
    request: HttpRequest, user: str | None = None, today: dt.date | None = None, language: str | None = None
) -> dict[str, Any]:
    """Who needs attention and why, most urgent first (priority 0-100, higher is more urgent).

    ``user`` defaults to the caller. A seller reads their own list only (a teammate's answers 403,
    anyone else's 404); a manager reads any list in their team (their own covers the team); an
    admin any. Messages are in ``language`` (en, sv), else the request's language.
    """
    viewer = request.user
    if language not in (None, "en", "sv"):
        raise ApiProblem(422, "language", f"language must be en or sv, not {language!r}")
    try:
        owner = list_owner(viewer, user or viewer.username)  # type: ignore[arg-type]
    except NotVisible:
        raise HttpError(404, "no such record") from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    lang = language or translation.get_language() or "en"
    result = attention_for(owner, today_or_default(today), lang)
    return result.to_json()
