"""What the home page shows a user, by role: a seller their week; a manager (and an admin) the
team's meetings per seller by modality. Reads only what the user may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kanelbulle.accounts.models import Role, User
from kanelbulle.core.access import scope, visible_customers
from kanelbulle.deals.models import Deal, Stage
from kanelbulle.insights.service import attention_list
from kanelbulle.meetings.models import Meeting, MeetingRequest, MeetingStatus, Modality, RequestStatus
from kanelbulle.web.charts import Bar, stacked_bars

WINDOWS = (4, 12)


def team_meetings(user: User, weeks: int, now: dt.datetime | None = None) -> list[Bar]:
    """Meetings held per seller by modality over the last ``weeks`` weeks, for the sellers the
    user oversees (a manager their team, an admin everyone)."""
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=weeks)
    sellers = User.objects.filter(is_active=True).exclude(role=Role.ADMIN)
    if not user.is_admin_role:
        sellers = sellers.filter(team=user.team) if user.team else sellers.filter(pk=user.pk)
    held = (
        scope(user, Meeting.objects.filter(start__gte=since, start__lte=now), "customer__")
        .exclude(status=MeetingStatus.CANCELLED)
        .values("user", "modality")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, dict[str, int]] = {}
    for row in held:
        counts.setdefault(row["user"], {})[row["modality"]] = row["n"]
    return [Bar(str(s), counts.get(s.pk, {})) for s in sellers.order_by("name", "username")]


def home_context(user: User, weeks: int = 4, today: dt.date | None = None) -> dict[str, Any]:
    """The home page; ``today`` (default: the calendar's) is the day the attention items are judged on."""
    now = timezone.now()
    week_end = now + dt.timedelta(days=7)
    customers = visible_customers(user)
    mine = customers if user.role != Role.SELLER else customers.filter(owner=user)
    context: dict[str, Any] = {
        "upcoming": Meeting.objects.filter(user=user, start__gte=now, start__lt=week_end)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("customer")
        .order_by("start")[:20],
        "next_steps": Meeting.objects.filter(
            user=user,
            next_step_date__gte=now.date() - dt.timedelta(days=7),
            next_step_date__lt=(now + dt.timedelta(days=8)).date(),
        )
        .exclude(next_step="")
        .select_related("customer")
        .order_by("next_step_date")[:20],
        "open_requests": MeetingRequest.objects.filter(customer__in=mine, status=RequestStatus.OPEN)
        .select_related("customer", "contact")
        .order_by("requested_at")[:20],
        "open_deals": Deal.objects.filter(customer__in=mine, stage=Stage.OPEN)
        .select_related("customer")
        .order_by("created")[:20],
        "customer_count": customers.count(),
        "now": now,
        "to_see": attention_list(user, today or timezone.localdate(), limit=5, counted=False).result.items,
    }
    if user.role != Role.SELLER:
        weeks = weeks if weeks in WINDOWS else WINDOWS[0]
        bars = team_meetings(user, weeks, now)
        series = [(m.value, str(m.label)) for m in Modality]
        title = _("Meetings per seller by modality, last %(n)s weeks") % {"n": weeks}
        context |= {
            "weeks": weeks,
            "windows": WINDOWS,
            "team_bars": bars,
            "series": series,
            "chart_title": title,
            "chart": mark_safe(stacked_bars(bars, series, title=title)),  # noqa: S308 - built from escaped parts
            "in_person_share": _share(bars),
        }
    return context


def _share(bars: list[Bar]) -> int | None:
    total = sum(b.total for b in bars)
    if not total:
        return None
    return round(100 * sum(b.counts.get(Modality.IN_PERSON, 0) for b in bars) / total)
