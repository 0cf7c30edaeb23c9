"""This app's routes in the JSON API (mounted by kanelbulle.api): a seller's plan and a brief.

``POST /plan`` answers the plan document exactly as `kanelbulle plan --user --json` prints it
(plan-problem.md's `kanelbulle-plan-result/1` plus each visit's ``values``), solved with the
pages' bounded budget (a fixed seed and iteration limit, so the same book gives the same plan).
A seller plans their own days (a teammate's: 403; anyone else's: 404); a manager their team's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router

from kanelbulle.connectors.rest import ApiProblem, In
from kanelbulle.core.days import today_or_default
from kanelbulle.planner.actions import MAX_DAYS, PlanError, make_plan, next_working_day, plan_owner

router = Router(tags=["planner"])


class PlanIn(In):
    user: str | None = Field(None, description="whose days (default: the caller)")
    start: dt.date | None = Field(None, description="first day (default: the next working day)")
    days: int = Field(5, ge=1, le=MAX_DAYS, description=f"calendar days to plan, 1 to {MAX_DAYS}")
    today: dt.date | None = Field(None, description="value the book as of this day (default: today)")


@router.post("/plan", response=dict[str, Any])
def post_plan(request: HttpRequest, body: PlanIn) -> dict[str, Any]:
    """Plan a seller's coming days: the visits worth the trip, routes, times, drops and why."""
    viewer = request.user
    owner = plan_owner(viewer, body.user)
    today = today_or_default(body.today)
    start = body.start or next_working_day(today)
    try:
        plan = make_plan(viewer, owner, start, body.days, today=today)
    except PlanError as exc:
        raise ApiProblem(422, "", " ".join(exc.messages)) from None
    return {**plan.document(), "id": plan.pk}


@router.get("/brief/{ref}", response=dict[str, Any])
def get_brief(request: HttpRequest, ref: str, today: dt.date | None = None) -> dict[str, Any]:
    """The brief for a visit (as `kanelbulle brief --json`), only what the caller may see.

    ``today`` (default: today) is the day it is written on: health, request ages, recent orders."""
    from kanelbulle.planner.brief import brief

    return brief(request.user, ref, today=today_or_default(today))


@router.get("/trip-worth/{ref}", response=dict[str, Any])
def get_trip_worth(request: HttpRequest, ref: str, today: dt.date | None = None) -> dict[str, Any]:
    """Is a trip to this customer worth it (as `kanelbulle trip-worth --json`), from its seller's home,
    valued as of ``today`` (default: today)."""
    from kanelbulle.core.access import NotVisible, visible_customers
    from kanelbulle.core.rates import NoRate
    from kanelbulle.planner.book import BookError
    from kanelbulle.planner.worth import trip_worth_document

    customer = visible_customers(request.user).select_related("owner").filter(ref=ref).first()  # type: ignore[arg-type]
    if customer is None:
        raise NotVisible(ref)
    try:
        return trip_worth_document(request.user, customer, today=today_or_default(today))
    except (BookError, NoRate) as exc:
        raise ApiProblem(409, "customer", str(exc)) from None
