"""This app's routes in the JSON API (mounted by kanelbulle.api): the attention list, and what a
seller does with an item of it (snooze it, wake it, plan a visit, take the visit off again).

The routes call the same actions as the attention page's buttons (``actions.py``,
``planner.actions``), so the rules (who may, which days) are the same on both ways in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from kanelbulle.connectors.rest import ApiProblem, In
from kanelbulle.core.access import NotVisible, require_visible
from kanelbulle.core.days import today_or_default
from kanelbulle.customers.models import Customer
from kanelbulle.insights.actions import snooze, wake
from kanelbulle.insights.attention import CODES
from kanelbulle.insights.models import Snooze
from kanelbulle.insights.service import attention_list, list_owner

router = Router(tags=["insights"])


class ReasonOut(Schema):
    code: str
    message: str
    facts: dict[str, Any]


class SnoozeOut(Schema):
    customer: str
    until: dt.date = Field(description="back on the seller's list on this day (or sooner, if it worsens)")
    reason: str
    by: str = Field(description="who snoozed it")
    priority: int = Field(description="its priority when snoozed; a higher one brings it back at once")


class ItemOut(Schema):
    customer: str
    name: str
    priority: int
    health: int
    reasons: list[ReasonOut]
    snoozed: SnoozeOut | None = Field(None, description="in force on `today` (a manager sees snoozed items)")
    pinned: bool = Field(False, description="a required visit in its seller's next plan")


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
    body = page.result.to_json()
    from kanelbulle.planner.actions import pinned_refs

    pinned = pinned_refs([item["customer"] for item in body["items"]])
    for item in body["items"]:
        z = page.snoozed.get(item["customer"])
        item["snoozed"] = _snooze_out(z) if z is not None else None
        item["pinned"] = item["customer"] in pinned
    return {**body, "total": page.total, "offset": offset, "limit": limit}


def _snooze_out(z: Snooze) -> dict[str, Any]:
    return {"customer": z.customer.ref, "until": z.until, "reason": z.reason, "by": z.user.username,
            "priority": z.priority}  # fmt: skip


def _customer(request: HttpRequest, ref: str) -> Customer:
    """The customer ``ref`` if the caller may see it; any other is 404 alike (NotVisible)."""
    customer = Customer.objects.filter(ref=ref).select_related("owner").first()
    if customer is None:
        raise NotVisible(ref)
    require_visible(request.user, customer)  # type: ignore[arg-type]
    return customer


class SnoozeIn(In):
    until: dt.date = Field(description="a day after `today`, at most a year ahead")
    reason: str = Field(max_length=500, description="why it can wait (shown to the manager)")
    today: dt.date | None = Field(None, description="the day it is snoozed on (default: today)")


@router.post("/attention/{ref}/snooze", response={201: SnoozeOut})
def snooze_item(request: HttpRequest, ref: str, body: SnoozeIn) -> Any:
    """Take a customer off its seller's attention list until a day, saying why; snoozing again
    replaces the earlier snooze. Its seller, their manager or an admin may (a teammate: 403)."""
    customer = _customer(request, ref)
    row = snooze(request.user, customer, until=body.until, reason=body.reason,  # type: ignore[arg-type]
                 today=today_or_default(body.today))  # fmt: skip
    return Status(201, _snooze_out(row))


@router.delete("/attention/{ref}/snooze", response={204: None})
def wake_item(request: HttpRequest, ref: str) -> Any:
    """End a customer's snooze now (204 also when it was not snoozed: it is awake either way)."""
    wake(request.user, _customer(request, ref))  # type: ignore[arg-type]
    return Status(204, None)


class PinOut(Schema):
    customer: str
    seller: str = Field(description="whose next plan must visit it")
    by: str = Field(description="who pinned it")


@router.post("/attention/{ref}/plan-visit", response={201: PinOut, 200: PinOut})
def plan_visit(request: HttpRequest, ref: str) -> Any:
    """Plan a visit: the customer becomes a required visit (a pin) the next time its seller plans.
    201 when pinned now, 200 when it already was. Its seller or their manager may; a teammate
    or an admin may not (403)."""
    from kanelbulle.planner.actions import pin_visit
    from kanelbulle.planner.models import VisitPin

    customer = _customer(request, ref)
    existed = VisitPin.objects.filter(customer=customer).exists()
    pin = pin_visit(request.user, customer)
    by = pin.created_by.username if pin.created_by else ""
    out = {"customer": customer.ref, "seller": customer.owner.username, "by": by}
    return Status(200 if existed else 201, out)


@router.delete("/attention/{ref}/plan-visit", response={204: None})
def unplan_visit(request: HttpRequest, ref: str) -> Any:
    """Take the pinned visit off again (204 also when there was none)."""
    from kanelbulle.planner.actions import unpin_visit

    unpin_visit(request.user, _customer(request, ref))
    return Status(204, None)
