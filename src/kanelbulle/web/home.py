"""What the home page shows a user: their week, by role. Reads only what the user may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kanelbulle.accounts.models import Role, User
from kanelbulle.core.access import visible_customers
from kanelbulle.deals.models import Deal, Stage
from kanelbulle.meetings.models import Meeting, MeetingRequest, RequestStatus


def home_context(user: User) -> dict[str, Any]:
    now = timezone.now()
    week_end = now + dt.timedelta(days=7)
    customers = visible_customers(user)
    mine = customers if user.role != Role.SELLER else customers.filter(owner=user)
    return {
        "upcoming": Meeting.objects.filter(user=user, start__gte=now, start__lt=week_end)
        .select_related("customer")
        .order_by("start")[:20],
        "open_requests": MeetingRequest.objects.filter(customer__in=mine, status=RequestStatus.OPEN)
        .select_related("customer", "contact")
        .order_by("requested_at")[:20],
        "open_deals": Deal.objects.filter(customer__in=mine, stage=Stage.OPEN)
        .select_related("customer")
        .order_by("created")[:20],
        "customer_count": customers.count(),
        "now": now,
    }
