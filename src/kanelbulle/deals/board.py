"""The deal board: deals by stage, counted and totalled in SQL, with only the top few per stage.

A company's book holds thousands of deals; the board never reads them all. One grouped query
gives every stage's count and its totals per currency (``GROUP BY stage, currency``: amounts in
different currencies are not added up), one query per stage reads its top cards, and a stage's
own page reads one page of it (core/paging.py). Who sees what is ``core.access.scope``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum

from kanelbulle.core.access import scope
from kanelbulle.core.money import Money
from kanelbulle.deals.models import Deal, Stage

if TYPE_CHECKING:
    from kanelbulle.accounts.models import User

TOP = 5
# Open deals oldest first (the ones that need a push); closed ones most recently closed first.
ORDER: dict[str, tuple[str, ...]] = {
    Stage.OPEN: ("created", "ref"),
    Stage.WON: ("-closed", "-created", "-ref"),
    Stage.LOST: ("-closed", "-created", "-ref"),
}


@dataclass
class StageSummary:
    stage: str
    label: str
    count: int = 0
    totals: list[Money] = field(default_factory=list)
    top: list[Deal] = field(default_factory=list)


def find_deals(
    actor: User | None,
    *,
    seller: User | None = None,
    team: str = "",
    stage: str = "",
    query: str = "",
) -> QuerySet[Deal]:
    """The deals the actor may see (by their customer), filtered by the deal's seller, that
    seller's team, the stage and words in the title or the customer's name."""
    qs = scope(actor, Deal.objects.all(), "customer__")
    if seller is not None:
        qs = qs.filter(user=seller)
    if team:
        qs = qs.filter(user__team=team)
    if stage:
        qs = qs.filter(stage=stage)
    for word in query.split():
        qs = qs.filter(Q(title__icontains=word) | Q(customer__name__icontains=word))
    return qs


def ordered(deals: QuerySet[Deal], stage: str) -> QuerySet[Deal]:
    return deals.filter(stage=stage).select_related("customer__owner", "user").order_by(*ORDER[stage])


def summarise(deals: QuerySet[Deal], *, top: int = TOP) -> list[StageSummary]:
    """Every stage's count and totals per currency (one grouped query) and its ``top`` cards
    (one query per stage; none when ``top`` is 0)."""
    stages = {s: StageSummary(s, str(label)) for s, label in Stage.choices}
    rows = (
        deals.order_by()
        .values("stage", "value_currency")
        .annotate(n=Count("id"), total=Sum("value_amount"))
        .order_by("stage", "value_currency")
    )
    for row in rows:
        summary = stages[row["stage"]]
        summary.count += row["n"]
        summary.totals.append(Money(Decimal(row["total"] or 0), row["value_currency"]))
    if top:
        for summary in stages.values():
            if summary.count:
                summary.top = list(ordered(deals, summary.stage)[:top])
    return list(stages.values())
