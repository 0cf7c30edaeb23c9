"""The attention pages: a seller's list, a manager's list across the team, and the size-bias report.

Views only read the request, ask ``service`` and render; the judgements live in the plain modules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanelbulle.accounts.models import Role, User
from kanelbulle.core.access import NotVisible, require_visible
from kanelbulle.core.csvout import SafeWriter
from kanelbulle.core.days import today_of
from kanelbulle.core.paging import page_of
from kanelbulle.customers.models import Customer
from kanelbulle.insights.actions import snooze, wake
from kanelbulle.insights.attention import CODES, LABELS, Item
from kanelbulle.insights.service import attention_for, attention_list, list_owner

SORTS = {
    "priority": lambda i: (-i.priority, i.name),
    "name": lambda i: (i.name.lower(), i.customer),
    "revenue": lambda i: (float(i.reasons[0].facts.get("revenue_12m", 0)), i.name),
    "margin": lambda i: (-float(i.reasons[0].facts.get("margin_pct", 0)), i.name),
    "signals": lambda i: (-int(i.reasons[0].facts.get("signals", 0)), i.name),
    "health": lambda i: (-i.health.score, i.name),
}


def _today(request: HttpRequest) -> dt.date:
    return today_of(request)


def _owner(request: HttpRequest, name: str | None) -> User:
    viewer: User = request.user  # type: ignore[assignment]
    try:
        return list_owner(viewer, name or viewer.username)
    except NotVisible:
        raise Http404("no such user") from None


PER_PAGE = 25
TOP = 10


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


@login_required
def attention_page(request: HttpRequest) -> HttpResponse:
    """A page of the list; a manager's or admin's opens with per-seller counts and the top items."""
    from kanelbulle.planner.actions import pinned_refs  # planner imports insights: not at module level

    owner = _owner(request, request.GET.get("user"))
    today = _today(request)
    team_view = owner.role != Role.SELLER
    seller = request.GET.get("seller") or None
    team = request.GET.get("team") or None
    reason = request.GET.get("reason") or None
    problem = ""
    if reason and reason not in CODES:
        problem = _("Reason: “%(code)s” is not a reason; showing every reason.") % {"code": reason}
        reason = None
    overview = team_view and not seller
    limit = TOP if overview else PER_PAGE
    offset = 0 if overview else (_page_number(request) - 1) * PER_PAGE
    listing = attention_list(
        owner, today, translation.get_language(), seller=seller, team=team, reason=reason, offset=offset, limit=limit
    )
    names = dict(User.objects.filter(username__in=[u for u, _n in listing.counts]).values_list("username", "name"))
    query = {k: v for k, v in (("user", request.GET.get("user")), ("team", team), ("reason", reason)) if v}
    context: dict[str, Any] = {
        "owner": owner,
        "today": today,
        "result": listing.result,
        "listing": listing,
        "team_view": team_view,
        "overview": overview,
        "seller": seller,
        "reason": reason,
        "problem": problem,
        "codes": [(code, LABELS[code]) for code in CODES],
        "counts": [(u, names.get(u) or u, n) for u, n in listing.counts],
        "names": names,
        "query": urlencode(query),
        "seller_query": urlencode({**query, "seller": seller} if seller else query),
        "snoozed": listing.snoozed,
        "tomorrow": today + dt.timedelta(days=7),
        "pinned": pinned_refs([i.customer for i in listing.result.items]),
        "can_pin": not request.user.is_admin_role,  # type: ignore[union-attr]  # an admin plans no one's visits
    }
    return render(request, "insights/attention.html", context)


@require_POST
@login_required
def snooze_item(request: HttpRequest, ref: str) -> HttpResponse:
    """Snooze one customer's attention item until a day, with a reason (``actions.snooze``)."""
    viewer: User = request.user  # type: ignore[assignment]
    customer = Customer.objects.filter(ref=ref).select_related("owner").first()
    if customer is None:
        raise Http404("no such customer")
    try:
        require_visible(viewer, customer)
    except NotVisible:
        raise Http404("no such customer") from None
    raw = request.POST.get("until", "")
    try:
        until: dt.date | None = dt.date.fromisoformat(raw)
    except ValueError:
        until = None
    try:
        snooze(viewer, customer, until=until, reason=request.POST.get("reason", ""), today=today_of(request))
    except ValidationError as exc:
        return render(
            request, "insights/snooze_refused.html", {"customer": customer, "problems": exc.messages}, status=400
        )
    messages.success(request, _("%(name)s is snoozed until %(day)s.") % {"name": customer.name, "day": until})
    return redirect("insights:list")


@require_POST
@login_required
def wake_item(request: HttpRequest, ref: str) -> HttpResponse:
    """End a snooze now: the customer is back on its seller's list (``actions.wake``)."""
    viewer: User = request.user  # type: ignore[assignment]
    customer = Customer.objects.filter(ref=ref).select_related("owner").first()
    try:
        if customer is None:
            raise NotVisible(ref)
        wake(viewer, customer)
    except NotVisible:
        raise Http404("no such customer") from None
    messages.success(request, _("%(name)s is back on the list.") % {"name": customer.name})
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/attention/") else "insights:list")


@require_POST
@login_required
def plan_visit(request: HttpRequest, ref: str) -> HttpResponse:
    """ "Plan a visit": the customer becomes a required visit in its seller's next plan (a pin)."""
    from kanelbulle.planner.actions import pin_visit

    viewer: User = request.user  # type: ignore[assignment]
    customer = Customer.objects.filter(ref=ref).select_related("owner").first()
    try:
        if customer is None:
            raise NotVisible(ref)
        pin_visit(viewer, customer)
    except NotVisible:
        return render(
            request,
            "insights/snooze_refused.html",
            {
                "title": _("No visit planned"),
                "problems": [_("There is no customer “%(ref)s” that you may see.") % {"ref": ref}],
            },
            status=404,
        )
    if customer.owner_id == viewer.pk:
        text = _("%(name)s is pinned: a required visit the next time you plan.") % {"name": customer.name}
    else:
        text = _("%(name)s is pinned: a required visit the next time %(seller)s plans.") % {
            "name": customer.name,
            "seller": customer.owner,
        }
    messages.success(request, text)
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/attention/") else "insights:list")


SIZE_BIAS_PAGE = 50


@login_required
def size_bias_page(request: HttpRequest) -> HttpResponse:
    """The underrated customers of ``user``'s list, sorted by the evidence, 50 to a page (the CSV
    holds them all). Only customers with the ``underrated`` reason are read, never the whole book;
    they are sorted in Python as the sort keys are facts of the stored reason. ``seller`` narrows
    a manager's or admin's report to one seller; one not on the report answers 400."""
    owner = _owner(request, request.GET.get("user"))
    today = _today(request)
    sort = request.GET.get("sort", "priority")
    if sort not in SORTS:
        sort = "priority"
    result = attention_for(owner, today, translation.get_language(), only="underrated")
    items: list[Item] = sorted(result.items, key=SORTS[sort])  # type: ignore[arg-type]
    sellers = sorted({i.owner for i in items})
    seller = request.GET.get("seller") or ""
    problem = ""
    if seller and seller not in sellers:
        problem = _("Seller: “%(name)s” has no customer on this report.") % {"name": seller}
        items = []
    elif seller:
        items = [i for i in items if i.owner == seller]
    if request.GET.get("format") == "csv" and not problem:
        return _csv(items, today)
    paged = page_of(request, items, SIZE_BIAS_PAGE)
    base = {"user": owner.username, "today": today.isoformat(), **({"seller": seller} if seller else {})}
    return render(
        request,
        "insights/size_bias.html",
        {
            "owner": owner,
            "today": today,
            "items": paged.rows,
            "paged": paged,
            "sellers": sellers,
            "seller": seller,
            "problem": problem,
            "base": urlencode(base),
            "sort": sort,
            "sort_labels": [
                ("priority", _("priority")),
                ("name", _("name")),
                ("revenue", _("smallest revenue")),
                ("margin", _("margin")),
                ("signals", _("signals")),
                ("health", _("health")),
            ],
            "currency": settings.COMPANY_CURRENCY,
        },
        status=400 if problem else 200,
    )


def _csv(items: list[Item], today: dt.date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="size-bias-{today.isoformat()}.csv"'
    writer = SafeWriter(response)  # every cell escaped against formulas (core/csvout.py)
    writer.writerow(
        [
            "customer",
            "name",
            "owner",
            "potential",
            "revenue_12m",
            "order_trend",
            "margin_pct",
            "book_margin_pct",
            "asked_to_meet",
            "years_known",
            "expertise",
            "signals",
            "priority",
            "health",
            "evidence",
        ]
    )
    for item in items:
        f = item.reasons[0].facts
        writer.writerow(
            [
                item.customer,
                item.name,
                item.owner,
                f.get("potential", ""),
                f.get("revenue_12m", ""),
                f.get("order_trend", ""),
                f.get("margin_pct", ""),
                f.get("book_margin_pct", ""),
                f.get("asked_to_meet", ""),
                f.get("years_known", ""),
                " ".join(f.get("expertise", [])),
                f.get("signals", ""),
                item.priority,
                item.health.score,
                item.reasons[0].message,
            ]
        )
    return response


__all__ = ["_", "attention_page", "plan_visit", "size_bias_page", "wake_item"]
