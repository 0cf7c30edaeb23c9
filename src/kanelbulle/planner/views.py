"""The plan pages (/plan/) and the brief for a visit (/plan/brief/REF/).

Views read the request, call the planner (actions.start_plan, accept_plan; the solver is a plain
module) and render. A solve is queued (planner/jobs.py, run by `kanelbulle worker`): the page
follows the job (/plan/job/KEY/, polled by htmx; without JavaScript a reload) and shows the plan
when it is kept, so a reload shows it without solving again. With htmx the page asks for the
plan as soon as it loads and shows "Planning…" meanwhile.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from kanelbulle.core.days import EARLIEST, LATEST, BadDay, parse_day, today_of
from kanelbulle.customers.models import Customer, FactKind, FactSource
from kanelbulle.maps import MapLeg, MapStop, day_colours, route_map
from kanelbulle.planner.actions import (
    PlanError,
    accept_plan,
    job_plan,
    latest_plan,
    next_working_day,
    pins_of,
    plan_meetings,
    plan_owner,
    plannable_sellers,
    start_plan,
    unpin_visit,
    visible_plan,
)
from kanelbulle.planner.forms import ChangeForm, PlanForm
from kanelbulle.planner.models import VisitPlan
from kanelbulle.web.pages import user_of, workspace

DEFAULT_DAYS = 5


def mode_label(mode: str | None) -> str:
    return {
        "car": gettext("by car"),
        "rail": gettext("by train"),
        "air": gettext("by air"),
    }.get(mode or "", "")


def hours(minutes: int | float) -> str:
    m = int(minutes)
    return f"{m // 60}:{m % 60:02d}"


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


#: Customers "not in the plan" shown at first, the most valuable first (a seller's plan drops most of
#: their book: a page of 200 forms would take half a second to draw); ``?dropped=all`` shows them all.
DROPPED_SHOWN = 10


def _value_of(item: dict[str, Any]) -> Decimal:
    value = item.get("value") or {}
    return Decimal(value.get("amount") or 0)


def plan_context(plan: VisitPlan, *, all_dropped: bool = False, all_asked: bool = False) -> dict[str, Any]:
    """Everything the plan template shows: days and stops in order, the map, drops and totals."""
    doc = plan.plan
    base = {v["ref"]: v for v in plan.base_problem.get("visits", [])}
    values = {v["ref"]: v for v in plan.values}
    home = plan.base_problem["seller"]["home"]
    # The map colours only the days it draws (a visit, a leg or a hotel); the list matches it.
    drawn = {
        k
        for k, day in enumerate(doc.get("days", []), start=1)
        if day["stops"] or day["finish"]["overnight"] or (day["start"]["lat"], day["start"]["lon"]) != (
            home["lat"], home["lon"])
    }  # fmt: skip
    colours = day_colours(drawn)
    stops: list[MapStop] = [MapStop(home["lat"], home["lon"], gettext("Home"), "home")]
    legs: list[MapLeg] = []
    day_names: dict[int, str] = {}
    days: list[dict[str, Any]] = []
    planned: set[str] = set()
    n = 0
    dates = []
    for k, day in enumerate(doc.get("days", []), start=1):
        date = dt.date.fromisoformat(day["date"])
        dates.append(date)
        day_names[k] = date_format(date, "D j M")
        prev = (day["start"]["lat"], day["start"]["lon"])
        items = []
        for stop in day["stops"]:
            n += 1
            visit = base.get(stop["ref"], {})
            name = visit.get("name") or stop["ref"]
            planned.add(stop["ref"])
            stops.append(MapStop(visit["lat"], visit["lon"], name, "visit", day=k))
            legs.append(MapLeg(prev[0], prev[1], visit["lat"], visit["lon"], stop["mode"] or "car", day=k))
            prev = (visit["lat"], visit["lon"])
            value = values.get(stop["ref"], {})
            begin, end = _when(stop["begin"]), _when(stop["end"])
            items.append(
                {
                    "n": n,
                    "ref": stop["ref"],
                    "name": name,
                    "mode": mode_label(stop["mode"]),
                    "arrive": _when(stop["arrive"]),
                    "begin": begin,
                    "end": end,
                    "minutes": int((end - begin).total_seconds() // 60),
                    "value": value.get("value"),
                    "why": value.get("why", []),
                    "required": bool(value.get("required") or value.get("requested")),
                    "pinned": stop["ref"] in plan.pins,
                }
            )
        finish = day["finish"]
        if finish["overnight"]:
            stops.append(MapStop(finish["lat"], finish["lon"], gettext("Hotel night"), "hotel", day=k))
        elif (finish["lat"], finish["lon"]) != prev:
            legs.append(MapLeg(prev[0], prev[1], finish["lat"], finish["lon"], finish["mode"] or "car", day=k))
        days.append(
            {
                "k": k,
                "date": date,
                "colour": colours.get(k, ""),
                "leave": _when(day["start"]["time"]),
                "from_hotel": (day["start"]["lat"], day["start"]["lon"]) != (home["lat"], home["lon"]),
                "stops": items,
                "finish": _when(finish["time"]),
                "finish_mode": mode_label(finish["mode"]),
                "overnight": finish["overnight"],
                "km": day["km"],
                "travel": hours(day["travel_minutes"]),
            }
        )
    title = gettext("Route of %(seller)s, %(first)s – %(last)s") % {
        "seller": plan.owner,
        "first": date_format(plan.start, "j M"),
        "last": date_format(plan.start + dt.timedelta(days=plan.days - 1), "j M Y"),
    }
    svg = route_map(
        stops,
        legs=legs,
        title=title,
        day_names=day_names,
        locale=get_language() or "en",
        empty_text=gettext("Nothing to show on the map"),
    )
    from kanelbulle.planner.reasons import render  # the reader's language, not the solver's

    dropped = [
        {"ref": item["ref"], "name": base.get(item["ref"], {}).get("name") or item["ref"], "item": item,
         "value": values.get(item["ref"], {}).get("value")}
        for item in doc.get("dropped", [])
    ]  # fmt: skip
    dropped.sort(key=lambda d: (-_value_of(d), d["name"], d["ref"]))
    dropped_total = len(dropped)
    if not all_dropped:
        dropped = dropped[:DROPPED_SHOWN]
    for d in dropped:  # worded only for those shown
        item = d.pop("item")
        d["reason"] = render(item["words"]) if item.get("words") else item["reason"]
    infeasible = [
        {
            "ref": i["ref"],
            "name": base.get(i["ref"], {}).get("name") or i["ref"],
            "reason": render(i["words"]) if i.get("words") else i["reason"],
        }
        for i in doc.get("infeasible", [])
    ]
    # Who asked to meet: those in the plan first, then the most valuable trips (capped as the drops).
    asked = sorted(
        doc.get("meeting_requests", []),
        key=lambda r: (not r["planned"], -Decimal(r["trip"]["value"]["amount"]), r["name"], r["ref"]),
    )
    removed = [{"ref": r, "name": base.get(r, {}).get("name") or r} for r in plan.removed]
    totals = doc.get("totals", {})
    cost = Decimal(totals["travel_cost"]["amount"]) + Decimal(totals["overnight_cost"]["amount"])
    same_days = VisitPlan.objects.filter(owner=plan.owner, start=plan.start, days=plan.days)
    latest = same_days.values_list("pk", flat=True).first()  # only its id: its documents are large JSON
    return {
        "plan": plan,
        "svg": svg,
        "days": days,
        "dates": dates,
        "dropped": dropped,
        "dropped_total": dropped_total,
        "dropped_more": dropped_total - len(dropped),
        "infeasible": infeasible,
        "removed": removed,
        "pins": [
            {"ref": r, "name": base.get(r, {}).get("name") or r, "date": dt.date.fromisoformat(d)}
            for r, d in plan.pins.items()
        ],
        "totals": totals,
        "total_cost": f"{cost:.2f}",
        "travel": hours(totals.get("travel_minutes", 0)),
        "nights": sum(1 for d in days if d["overnight"]),
        "visits": n,
        "is_latest": latest is None or latest == plan.pk,
        "meetings": plan_meetings(plan) if plan.accepted_at else [],
        "notes": doc.get("notes", []),
        "travel_policy": doc.get("travel_policy"),
        "meeting_requests": asked if all_asked else asked[:DROPPED_SHOWN],
        "asked_total": len(asked),
        "asked_more": 0 if all_asked else max(0, len(asked) - DROPPED_SHOWN),
    }


def _shown_all(request: HttpRequest) -> dict[str, bool]:
    """``?dropped=all`` and ``?asked=all``: the whole of a capped list of the plan page."""
    return {"all_dropped": request.GET.get("dropped") == "all", "all_asked": request.GET.get("asked") == "all"}


def _form_data(request: HttpRequest, source: Any) -> dict[str, str]:
    viewer = user_of(request)
    today = today_of(request)
    return {
        "user": source.get("user") or viewer.username,
        "start": source.get("start") or next_working_day(today).isoformat(),
        "days": source.get("days") or str(DEFAULT_DAYS),
    }


def _page(request: HttpRequest, form: PlanForm, status: int = 200, **extra: Any) -> HttpResponse:
    owner = extra.get("owner")
    standing = pins_of(owner) if owner is not None else []
    return render(request, "planner/plan.html", {"form": form, "standing_pins": standing} | extra, status=status)


@require_GET
@workspace
def plan_page(request: HttpRequest) -> HttpResponseBase:
    """The plan for the chosen days, or "Planning…" while it is made (it is solved only once)."""
    viewer = user_of(request)
    data = _form_data(request, request.GET)
    owner = plan_owner(viewer, data["user"])
    form = PlanForm(data, sellers=plannable_sellers(viewer))
    if not form.is_valid():
        return _page(request, form, status=400)
    plan = latest_plan(owner, form.cleaned_data["start"], form.cleaned_data["days"])
    if plan is None:
        return _page(request, form, pending=True, owner=owner)
    return _page(request, form, owner=owner, **plan_context(plan, **_shown_all(request)))


@require_POST
@workspace
def plan_solve(request: HttpRequest) -> HttpResponseBase:
    viewer = user_of(request)
    data = _form_data(request, request.POST)
    owner = plan_owner(viewer, data["user"])
    form = PlanForm(data, sellers=plannable_sellers(viewer))
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        job = start_plan(viewer, owner, form.cleaned_data["start"], form.cleaned_data["days"], today=today_of(request))
    except PlanError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        if request.headers.get("HX-Request"):  # htmx swaps 2xx answers only
            return render(request, "planner/_errors.html", {"errors": exc.messages})
        return _page(request, form, status=400)
    return _follow(request, job)


def _follow(request: HttpRequest, job: Any) -> HttpResponseBase:
    """Answer a queued solve: the plan when it is done, else "planning…" that asks again."""
    if job.state == job.DONE:
        url = reverse("planner:detail", args=[job.result["plan"]])
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    if request.headers.get("HX-Request"):
        return render(request, "planner/_job.html", _job_context(job))
    if request.method == "POST":
        return redirect("planner:job", job.key)
    return render(request, "planner/job.html", _job_context(job))


def _job_context(job: Any) -> dict[str, Any]:
    from django.utils import timezone

    from kanelbulle.core.pagejobs import status_text

    return {"job": job, "status": status_text(job, timezone.now()), "errors": job.result.get("errors", [])}


@require_GET
@workspace
def plan_job(request: HttpRequest, key: str) -> HttpResponseBase:
    """A queued solve's progress (polled by the page), then the plan it made."""
    job = job_plan(user_of(request), key)
    return _follow(request, job)


@require_GET
@workspace
def plan_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    viewer = user_of(request)
    plan = visible_plan(viewer, pk)
    form = PlanForm(
        {"user": plan.owner.username, "start": plan.start.isoformat(), "days": str(plan.days)},
        sellers=plannable_sellers(viewer) if plan.owner in plannable_sellers(viewer) else [plan.owner],
    )
    form.is_valid()
    return _page(request, form, owner=plan.owner, **plan_context(plan, **_shown_all(request)))


@require_POST
@workspace
def plan_change(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Pin a visit to a day, unpin it, remove it, restore it, or re-plan from the book: a new plan."""
    viewer = user_of(request)
    plan = visible_plan(viewer, pk)
    form = ChangeForm(request.POST)
    if not form.is_valid():
        return _detail_with_errors(request, plan, [str(e) for errs in form.errors.values() for e in errs])
    action, ref, date = form.cleaned_data["action"], form.cleaned_data["ref"], form.cleaned_data["date"]
    pins, removed = dict(plan.pins), list(plan.removed)
    if action == "pin":
        pins[ref] = date.isoformat()
        if ref in removed:
            removed.remove(ref)
    elif action == "unpin":
        pins.pop(ref, None)
    elif action == "remove":
        pins.pop(ref, None)
        if ref not in removed:
            removed.append(ref)
    elif action == "restore" and ref in removed:
        removed.remove(ref)
    try:
        job = start_plan(
            viewer, plan.owner, plan.start, plan.days, pins=pins, removed=removed, previous=plan,
            refresh=action == "replan", today=today_of(request),
        )  # fmt: skip
    except PlanError as exc:
        return _detail_with_errors(request, plan, exc.messages)
    return _follow(request, job)


def _detail_with_errors(request: HttpRequest, plan: VisitPlan, errors: list[str]) -> HttpResponse:
    viewer = user_of(request)
    form = PlanForm(
        {"user": plan.owner.username, "start": plan.start.isoformat(), "days": str(plan.days)},
        sellers=plannable_sellers(viewer) if plan.owner in plannable_sellers(viewer) else [plan.owner],
    )
    form.is_valid()
    status = 200 if request.headers.get("HX-Request") else 400  # htmx swaps 2xx answers only
    shown = plan_context(plan, **_shown_all(request))
    return _page(request, form, status=status, owner=plan.owner, change_errors=errors, **shown)


@require_POST
@workspace
def plan_accept(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Accept: the plan's visits become planned meetings (once), then offered as an .ics file."""
    from django.contrib import messages

    viewer = user_of(request)
    plan = visible_plan(viewer, pk)
    meetings = accept_plan(viewer, plan)
    messages.success(
        request,
        ngettext(
            "%(n)d planned meeting is in your calendar.", "%(n)d planned meetings are in your calendar.", len(meetings)
        )
        % {"n": len(meetings)},
    )
    return redirect("planner:detail", plan.pk)


@require_GET
@workspace
def plan_ics(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The accepted plan's meetings as one iCalendar file (the calendar feed's own events)."""
    from kanelbulle.connectors.ical import feed

    viewer = user_of(request)
    plan = visible_plan(viewer, pk)
    body = feed(plan.owner, plan_meetings(plan))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.start.isoformat()}.ics"'
    return response


# -- the brief -------------------------------------------------------------------------------

TREND = {"up": "↑", "down": "↓", "flat": "→"}


@require_GET
@workspace
def brief_page(request: HttpRequest, ref: str) -> HttpResponseBase:
    """The brief for a visit, for a phone and for paper (``?print=1``); only what the viewer may see."""
    from kanelbulle.planner.brief import brief

    viewer = user_of(request)
    doc = brief(viewer, ref, today=today_of(request))
    kinds = dict(FactKind.choices)
    sources = dict(FactSource.choices)
    for person in doc["people"]:
        for fact in person["facts"]:
            fact["kind_label"] = kinds.get(fact["kind"], fact["kind"])
            fact["source_label"] = sources.get(fact["source"], fact["source"])
            fact["learned_date"] = dt.date.fromisoformat(fact["learned"])
    for m in doc["last_meetings"]:
        m["when"] = _when(m["start"])
    for r in doc["waiting_requests"]:
        r["when"] = _when(r["requested_at"])
    for g in doc["gifts"]:
        g["when"] = dt.date.fromisoformat(g["date"])
    for o in doc["orders"]:
        o["arrow"] = TREND[o["trend"]]
    return render(
        request,
        "planner/brief.html",
        {
            "doc": doc,
            "c": doc["customer"],
            "printing": request.GET.get("print") == "1",
            "openers": openers(doc),
        },
    )


def openers(doc: dict[str, Any]) -> list[dict[str, str]]:
    """Openers from the facts, in the viewer's language (the brief's own are in English for the CLI)."""
    from kanelbulle.planner.brief import translated_openers

    return translated_openers(doc)


@require_GET
@workspace
def worth_page(request: HttpRequest, ref: str) -> HttpResponseBase:
    """Is this trip worth it: car, train and plane against a video call, in words and numbers."""
    from kanelbulle.core.access import NotVisible, visible_customers
    from kanelbulle.core.rates import NoRate
    from kanelbulle.planner.book import BookError
    from kanelbulle.planner.worth import trip_worth_document

    viewer = user_of(request)
    customer = visible_customers(viewer).select_related("owner").filter(ref=ref).first()
    if customer is None:
        raise NotVisible(ref)
    language = "sv" if (get_language() or "en").startswith("sv") else "en"
    try:
        doc = trip_worth_document(viewer, customer, today=today_of(request))
    except (BookError, NoRate) as exc:
        return render(request, "planner/worth.html", {"customer": customer, "problem": str(exc)}, status=409)
    rows = [
        {**option, "text": text, "hours": hours(option.get("minutes_one_way") or 0)}
        for option, text in zip(doc["options"], doc["texts"][language], strict=True)
    ]
    return render(
        request,
        "planner/worth.html",
        {"customer": customer, "doc": doc, "rows": rows, "summary": doc["summaries"][language]},
    )


@workspace
def policy_page(request: HttpRequest) -> HttpResponseBase:
    """The company's travel policy: the version in force, every version, and (for an admin) a new one."""
    import json

    from django.core.exceptions import PermissionDenied

    from kanelbulle.planner.models import TravelPolicy
    from kanelbulle.planner.policy import InvalidPolicy, PolicyProblem
    from kanelbulle.planner.travel_policy import in_force, save_policy

    viewer = user_of(request)
    today = today_of(request)
    current = in_force(today)
    problems: list[PolicyProblem] = []
    text = json.dumps(current.data, indent=2, ensure_ascii=False)
    valid_from = today.isoformat()
    if request.method == "POST":
        if not viewer.is_admin_role:
            raise PermissionDenied(gettext("only an admin may change the travel policy"))
        text = request.POST.get("policy", "")
        valid_from = request.POST.get("valid_from", "")
        try:
            day = parse_day(valid_from, "valid_from")
        except BadDay:
            day = None
        if day is None:
            problems.append(
                PolicyProblem(
                    "valid_from",
                    gettext("must be a date YYYY-MM-DD from %(earliest)s to %(latest)s")
                    % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
                )
            )
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(
                PolicyProblem("policy", gettext("is not valid JSON (line %(line)s)") % {"line": exc.lineno})
            )
        if not problems and day is not None:
            try:
                new = save_policy(viewer, doc, day, request.POST.get("note", ""))
            except InvalidPolicy as exc:
                problems = exc.problems
            else:
                from django.contrib import messages

                messages.success(
                    request,
                    gettext("Travel policy version %(v)s is in force from %(day)s.")
                    % {"v": new.version, "day": new.valid_from.isoformat()},
                )
                return redirect(reverse("planner:policy"))
    return render(
        request,
        "planner/policy.html",
        {
            "policy": current,
            "data": current.data,
            "versions": TravelPolicy.objects.select_related("created_by").order_by("-version"),
            "problems": problems,
            "may_edit": viewer.is_admin_role,
            "text": text,
            "valid_from": valid_from,
        },
        status=400 if problems else 200,
    )


@require_POST
@workspace
def unpin(request: HttpRequest, ref: str) -> HttpResponseBase:
    """Take a pinned visit (from the attention list) off the seller's next plans."""
    from django.contrib import messages
    from django.http import Http404

    from kanelbulle.core.access import NotVisible

    viewer = user_of(request)
    customer = Customer.objects.filter(ref=ref).select_related("owner").first()
    try:
        if customer is None:
            raise NotVisible(ref)
        unpin_visit(viewer, customer)
    except NotVisible:
        raise Http404(gettext("There is no customer “%(ref)s” that you may see.") % {"ref": ref}) from None
    messages.success(
        request, gettext("%(name)s is no longer a required visit in the next plan.") % {"name": customer.name}
    )
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/plan/") else "planner:plan")
