"""The attention pages: a seller's list, a manager's list across the team, and the size-bias report.

Views only read the request, ask ``service`` and render; the judgements live in the plain modules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from kanelbulle.accounts.models import Role, User
from kanelbulle.core.access import NotVisible
from kanelbulle.core.csvout import SafeWriter
from kanelbulle.core.days import today_of
from kanelbulle.insights.attention import Item
from kanelbulle.insights.service import attention_for, list_owner

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


@login_required
def attention_page(request: HttpRequest) -> HttpResponse:
    owner = _owner(request, request.GET.get("user"))
    today = _today(request)
    result = attention_for(owner, today, translation.get_language())
    team_view = owner.role != Role.SELLER
    context: dict[str, Any] = {
        "owner": owner,
        "today": today,
        "result": result,
        "groups": result.by_owner() if team_view else [],
        "team_view": team_view,
        "names": dict(
            User.objects.filter(username__in=[i.owner for i in result.items]).values_list("username", "name")
        ),
    }
    return render(request, "insights/attention.html", context)


@login_required
def size_bias_page(request: HttpRequest) -> HttpResponse:
    owner = _owner(request, request.GET.get("user"))
    today = _today(request)
    sort = request.GET.get("sort", "priority")
    if sort not in SORTS:
        sort = "priority"
    result = attention_for(owner, today, translation.get_language(), only="underrated")
    items: list[Item] = sorted(result.items, key=SORTS[sort])  # type: ignore[arg-type]
    if request.GET.get("format") == "csv":
        return _csv(items, today)
    return render(
        request,
        "insights/size_bias.html",
        {
            "owner": owner,
            "today": today,
            "items": items,
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


__all__ = ["_", "attention_page", "size_bias_page"]
