"""Making and accepting a seller's plan, called alike by the pages, the API and the tests.

Who may see and change a plan:

* a seller plans their own days only (a teammate's plan is visible to them as a record of the
  team, but asking for it is refused, 403; anyone outside the team does not exist, 404);
* a manager plans for any seller of their team, an admin for anyone;
* only the seller whose days they are accepts a plan (it fills their calendar).

The plan itself is kept as a ``VisitPlan`` (``planner/models.py``), so a reload shows it again
instead of solving again, and accepting works on exactly the plan the seller looked at.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kanelbulle.core.access import NotVisible
from kanelbulle.planner.models import VisitPlan

# The search is bounded by iterations (same plan on every run) with a time limit as a backstop;
# docs/planner.md measured 5,000 iterations ≈ 1 s on a week.
PAGE_SEED = 1
PAGE_ITERATIONS = 4000
# The pages' plan stops on iterations (so the same book gives the same plan on any machine); the
# clock only guards against a run gone wrong (see solver.time_limit).
PAGE_SECONDS = 120.0
MAX_DAYS = 14
HORIZON_DAYS = 3653  # a start further than ten years from today is a typing error


class PlanError(ValueError):
    """The plan cannot be made as asked (no home place, no exchange rate, a pin that cannot be)."""

    def __init__(self, *messages: str) -> None:
        self.messages = list(messages)
        super().__init__(" ".join(messages))


# -- who -------------------------------------------------------------------------------------


def plan_owner(viewer: Any, username: str | None) -> Any:
    """The seller whose days ``viewer`` asks to plan (NotVisible → 404, PermissionDenied → 403)."""
    from kanelbulle.accounts.models import User

    if not username or username == viewer.username:
        return viewer
    target = User.objects.filter(username=username, is_active=True).first()
    if target is None:
        raise NotVisible(username)
    if viewer.is_admin_role:
        return target
    if not (viewer.team and viewer.team == target.team):
        raise NotVisible(username)
    if viewer.is_manager:
        return target
    raise PermissionDenied(gettext("A seller plans their own days only."))


def plannable_sellers(viewer: Any) -> list[Any]:
    """Whom the viewer may plan for: themselves; a manager their team; an admin everyone."""
    from kanelbulle.accounts.models import User

    if viewer.is_admin_role:
        qs = User.objects.filter(is_active=True)
    elif viewer.is_manager and viewer.team:
        qs = User.objects.filter(is_active=True, team=viewer.team)
    else:
        return [viewer]
    return list(qs.order_by("name", "username"))


def visible_plan(viewer: Any, pk: int) -> VisitPlan:
    """A plan the viewer may see: their own, their team's for a manager, any for an admin."""
    plan = VisitPlan.objects.select_related("owner").filter(pk=pk).first()
    if plan is None:
        raise NotVisible(str(pk))
    owner = plan.owner
    if owner.pk == viewer.pk or viewer.is_admin_role:
        return plan
    if viewer.is_manager and viewer.team and viewer.team == owner.team:
        return plan
    raise NotVisible(str(pk))


def next_working_day(today: dt.date) -> dt.date:
    day = today + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


# -- making a plan ---------------------------------------------------------------------------


def constrain(base: dict[str, Any], pins: dict[str, str], removed: list[str]) -> dict[str, Any]:
    """The problem with the seller's wishes applied (plan-problem.md has no field for a pin, so a
    pinned visit becomes required with only that day's windows; a removed one leaves the problem).

    Raises PlanError naming the visit when a pin leaves it no window on its day.
    """
    problem = copy.deepcopy(base)
    gone = set(removed)
    visits = []
    errors = []
    for visit in problem.get("visits", []):
        ref = visit["ref"]
        if ref in gone:
            continue
        day = pins.get(ref)
        if day:
            windows = [w for w in visit["windows"] if w[0][:10] == day]
            if not windows:
                errors.append(
                    gettext("%(name)s is not open on %(date)s.") % {"name": visit.get("name") or ref, "date": day}
                )
                continue
            visit["windows"] = windows
            visit["required"] = True
        visits.append(visit)
    if errors:
        raise PlanError(*errors)
    problem["visits"] = visits
    return problem


def base_problem(owner: Any, start: dt.date, days: int, today: dt.date) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The owner's problem from the book valued as of ``today``, and the values explained.

    Raises PlanError when it cannot be made.
    """
    from kanelbulle.core.rates import NoRate
    from kanelbulle.planner.book import BookError, problem_for

    try:
        raw, values = problem_for(owner, start, days, today=today)
    except BookError:
        raise PlanError(
            gettext("%(name)s has no home place yet: it is needed to plan trips.") % {"name": owner}
        ) from None
    except NoRate as exc:
        raise PlanError(str(exc)) from None
    currency = raw["travel"]["cost_per_hour"]["currency"]
    listed = [
        {"ref": v.ref, "name": v.name, "value": {"amount": str(v.amount), "currency": currency},
         "required": v.required, "requested": v.requests > 0, "requests": v.requests,
         "at_stake": {"amount": str(v.at_stake), "currency": currency}, "why": v.parts}
        for v in values.values()
    ]  # fmt: skip
    return raw, listed


def check_days(start: dt.date, days: int, today: dt.date) -> None:
    """Raise PlanError when the days asked for cannot be planned (checked before any job is queued)."""
    if not 1 <= days <= MAX_DAYS:
        raise PlanError(gettext("Plan 1 to %(max)d days.") % {"max": MAX_DAYS})
    if abs((start - today).days) > HORIZON_DAYS:
        raise PlanError(gettext("Plan days within ten years of today, not from %(date)s.") % {"date": start})


def solved_plan(
    owner: Any,
    start: dt.date,
    days: int,
    *,
    today: dt.date,
    pins: dict[str, str] | None = None,
    removed: list[str] | None = None,
    previous: VisitPlan | None = None,
    refresh: bool = False,
    workers: int = 1,
) -> dict[str, Any]:
    """Solve the owner's days (with pins and removals), valued as of ``today``: the fields of a
    ``VisitPlan`` to keep, not yet kept (a queued job keeps it once, see ``planner/jobs.py``).

    With ``previous`` and not ``refresh``, its problem from the book is reused, so a pin changes
    only what the seller changed, and the plan stays as of the day ``previous`` was valued on;
    ``refresh`` reads the book again as of ``today``. ``workers`` searches run side
    by side (``planner/parallel.py``): 1 in a web process, whose threads make forking unsafe.
    """
    from kanelbulle.planner.problem import InvalidProblem, parse_problem
    from kanelbulle.planner.solver import solve_problem

    check_days(start, days, today)
    pins = dict(pins or {})
    removed = list(removed or [])
    if previous is not None and not refresh:
        base, values = previous.base_problem, previous.values
        # The values were counted as of the previous plan's day; a pin or a removal does not count
        # them again, so the new plan is as of that day too, whatever day the change was asked on.
        if previous.plan.get("as_of"):
            today = dt.date.fromisoformat(previous.plan["as_of"])
    else:
        base, values = base_problem(owner, start, days, today)
    known = {v["ref"] for v in base.get("visits", [])}
    pins = {ref: day for ref, day in pins.items() if ref in known}
    removed = [ref for ref in removed if ref in known]
    problem = constrain(base, pins, removed)
    try:
        parsed = parse_problem(problem)
    except InvalidProblem as exc:
        raise PlanError("; ".join(str(p) for p in exc.problems)) from None
    from kanelbulle.planner.routing import routing_for

    # The same road router as `kanelbulle plan --user`, when one is configured; its notes (and a
    # warning when it cannot be used) are kept with the plan and shown on the page.
    routing = routing_for(parsed)
    result = solve_problem(
        parsed, seconds=PAGE_SECONDS, iterations=PAGE_ITERATIONS, seed=PAGE_SEED, road=routing.table, workers=workers
    )
    result["notes"] = routing.notes
    from kanelbulle.planner.book import request_options

    result["meeting_requests"] = request_options(parsed, {v["ref"]: v for v in values}, result)
    result["as_of"] = today.isoformat()
    return {
        "start": start, "days": days, "base_problem": base, "problem": problem, "plan": result,
        "values": values, "pins": pins, "removed": removed,
    }  # fmt: skip


def make_plan(
    viewer: Any,
    owner: Any,
    start: dt.date,
    days: int,
    *,
    today: dt.date,
    pins: dict[str, str] | None = None,
    removed: list[str] | None = None,
    previous: VisitPlan | None = None,
    refresh: bool = False,
) -> VisitPlan:
    """Solve the owner's days now, in this process, and keep the plan (the API's synchronous answer).

    One search: a web server's worker runs threads, and forking a threaded process can deadlock
    (seen: the served plan page never finished). The pages queue the solve instead
    (``start_plan``), where the worker uses both cores; the command solves in the foreground.
    """
    fields = solved_plan(
        owner, start, days, today=today, pins=pins, removed=removed, previous=previous, refresh=refresh, workers=1
    )
    return VisitPlan.objects.create(owner=owner, created_by=viewer, **fields)


def start_plan(
    viewer: Any,
    owner: Any,
    start: dt.date,
    days: int,
    *,
    today: dt.date,
    pins: dict[str, str] | None = None,
    removed: list[str] | None = None,
    previous: VisitPlan | None = None,
    refresh: bool = False,
) -> Any:
    """Queue the solve of the owner's days (the pages' way): a ``PageJob`` the page follows.

    The days are checked at once (PlanError), the rest by the job. The same request while one is
    waiting or working joins it, so a double click solves once.
    """
    from kanelbulle.core import pagejobs

    check_days(start, days, today)
    if owner.home_lat is None or owner.home_lon is None:  # said now, not after a wait for the worker
        raise PlanError(gettext("%(name)s has no home place yet: it is needed to plan trips.") % {"name": owner})
    if previous is not None and not refresh:  # a pin to a closed day is refused now, not by the job
        constrain(previous.base_problem, dict(pins or {}), list(removed or []))
    params = {
        "owner": owner.pk, "start": start.isoformat(), "days": days, "today": today.isoformat(),
        "pins": dict(pins or {}), "removed": list(removed or []),
        "previous": previous.pk if previous is not None else None, "refresh": refresh,
    }  # fmt: skip
    subject = "plan:" + ":".join(f"{k}={params[k]}" for k in sorted(params))
    return pagejobs.start("plan", subject[:300], "kanelbulle.planner.jobs.solve_plan", params, viewer)


def job_plan(viewer: Any, key: str) -> Any:
    """A plan job the viewer may follow: one they started, or one for days whose plan they may see."""
    from kanelbulle.accounts.models import User
    from kanelbulle.core.models import PageJob

    job = PageJob.objects.filter(key=key, kind="plan").first()
    if job is None:
        raise NotVisible(key)
    if job.requested_by_id == viewer.pk or viewer.is_admin_role:
        return job
    owner = User.objects.filter(pk=job.params.get("owner")).first()
    if owner is not None and (
        owner.pk == viewer.pk or (viewer.is_manager and viewer.team and viewer.team == owner.team)
    ):
        return job
    raise NotVisible(key)


def latest_plan(owner: Any, start: dt.date, days: int) -> VisitPlan | None:
    return VisitPlan.objects.filter(owner=owner, start=start, days=days).select_related("owner").first()


# -- pinned visits (from the attention list) --------------------------------------------------


def may_pin(actor: Any, customer: Any) -> bool:
    """The customer's seller, or the manager of that seller's team, plans a visit to it."""
    if customer.owner_id == actor.pk:
        return True
    return bool(actor.is_manager and actor.team and customer.owner.team == actor.team)


def pin_visit(actor: Any, customer: Any) -> Any:
    """Make ``customer`` a required visit the next time its seller plans (again: the same pin).

    NotVisible (404) for a customer the actor may not see; PermissionDenied (403) for one they
    see but do not sell or manage (a teammate's; an admin plans no one's visits).
    """
    from kanelbulle.core.access import require_visible
    from kanelbulle.planner.models import VisitPin

    require_visible(actor, customer)
    if not may_pin(actor, customer):
        raise PermissionDenied(gettext("Only the customer's seller, or their manager, plans a visit to it."))
    pin, _created = VisitPin.objects.get_or_create(customer=customer, defaults={"created_by": actor})
    return pin


def pinned_refs(refs: list[str]) -> set[str]:
    """Which of these customers (by ref) are pinned for their seller's next plan."""
    from kanelbulle.planner.models import VisitPin

    return set(VisitPin.objects.filter(customer__ref__in=refs).values_list("customer__ref", flat=True))


def unpin_visit(actor: Any, customer: Any) -> bool:
    """Take the pin off ``customer`` (same rule as pinning); False when there was none."""
    from kanelbulle.core.access import require_visible
    from kanelbulle.planner.models import VisitPin

    require_visible(actor, customer)
    if not may_pin(actor, customer):
        raise PermissionDenied(gettext("Only the customer's seller, or their manager, plans a visit to it."))
    deleted, _kinds = VisitPin.objects.filter(customer=customer).delete()
    return deleted > 0


def pins_of(owner: Any) -> list[Any]:
    """The seller's pinned visits, oldest first, with their customers."""
    from kanelbulle.planner.models import VisitPin

    return list(VisitPin.objects.filter(customer__owner=owner).select_related("customer", "created_by"))


# -- accepting -------------------------------------------------------------------------------


def accept_plan(actor: Any, plan: VisitPlan) -> list[Any]:
    """Create the plan's visits as ``planned`` meetings, once, in one transaction.

    Accepting again answers the same meetings; a visit that already has a planned meeting of
    this seller with that customer at that time (from an earlier plan) is not made twice.
    """
    from kanelbulle.customers.models import Customer
    from kanelbulle.meetings.actions import log_meeting
    from kanelbulle.meetings.models import Meeting

    if actor.pk != plan.owner_id:
        raise PermissionDenied(gettext("Only the seller whose days these are accepts the plan."))
    with transaction.atomic():
        locked = VisitPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.accepted_at is None:
            refs: list[str] = []
            customers = {c.ref: c for c in Customer.objects.filter(owner=plan.owner).select_related("owner")}
            for day in locked.plan.get("days", []):
                for stop in day["stops"]:
                    customer = customers.get(stop["ref"])
                    if customer is None:  # handed to another seller since the plan was made
                        continue
                    begin = dt.datetime.fromisoformat(stop["begin"])
                    end = dt.datetime.fromisoformat(stop["end"])
                    same = Meeting.objects.filter(user=actor, customer=customer, start=begin, status="planned").first()
                    if same is None:
                        same = log_meeting(
                            actor, customer, start=begin, modality="in_person", status="planned",
                            duration_minutes=max(1, int((end - begin).total_seconds() // 60)),
                        )  # fmt: skip
                    refs.append(same.ref)
            # A pinned visit is made once it is in the seller's calendar.
            from kanelbulle.planner.models import VisitPin

            VisitPin.objects.filter(customer__owner=plan.owner, customer__ref__in=list(customers)).filter(
                customer__ref__in=[s["ref"] for d in locked.plan.get("days", []) for s in d["stops"]]
            ).delete()
            locked.meeting_refs = refs
            locked.accepted_at = timezone.now()
            locked.accepted_by = actor
            locked.save(update_fields=["meeting_refs", "accepted_at", "accepted_by"])
        plan.meeting_refs, plan.accepted_at, plan.accepted_by = locked.meeting_refs, locked.accepted_at, actor
    return plan_meetings(plan)


def plan_meetings(plan: VisitPlan) -> list[Any]:
    from kanelbulle.meetings.models import Meeting

    return list(
        Meeting.objects.filter(ref__in=plan.meeting_refs)
        .select_related("customer")
        .prefetch_related("contacts")
        .order_by("start")
    )
