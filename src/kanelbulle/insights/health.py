"""Relationship health, 0-100, with its parts shown and explained in words.

Each part scores 0..1 and carries a weight from ``Thresholds``; the total is the weighted mean
scaled to 100. Every part judges the customer against its *own* history or the team's norm,
never one global number: recency against this customer's usual gap between meetings, the share
in person against the team's share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import ngettext as _ngettext

from kanelbulle.insights.data import Book, CustomerIn
from kanelbulle.insights.signals import BookNorms, Signals, book_norms, compute_signals, order_trend
from kanelbulle.insights.thresholds import Thresholds

#: What the pages call each part (the code stays stable in JSON).
PART_LABELS = {
    "recency": gettext_lazy("Recency"),
    "in_person": gettext_lazy("In person"),
    "reciprocity": gettext_lazy("Reciprocity"),
    "breadth": gettext_lazy("Breadth"),
    "orders": gettext_lazy("Orders"),
    "deals": gettext_lazy("Deals"),
}


@dataclass
class Part:
    code: str  # recency | in_person | reciprocity | breadth | orders | deals
    score: float  # 0..1
    weight: int
    explanation: str
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(PART_LABELS[self.code])

    @property
    def points(self) -> int:
        return round(self.score * 100)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "score": self.points,
            "weight": self.weight,
            "explanation": self.explanation,
            "facts": self.facts,
        }


@dataclass
class Health:
    score: int
    parts: list[Part]
    trend: str = "steady"  # up | down | steady
    previous: int | None = None  # the score ``trend_days`` ago

    @property
    def arrow(self) -> str:
        return {"up": "↑", "down": "↓"}.get(self.trend, "→")

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "trend": self.trend,
            "previous": self.previous,
            "parts": [p.to_json() for p in self.parts],
        }


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def _amount(value: Decimal, localised: bool) -> str:
    """A whole amount with the active language's digit grouping (``30 700`` in Swedish)."""
    return number_format(value, 0, force_grouping=True) if localised else f"{value:.0f}"


def _same(text: str) -> str:
    return text


def _same_n(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def score_parts(s: Signals, norms: BookNorms, t: Thresholds, explain: bool = True) -> list[Part]:
    """The parts of the score; ``explain=False`` leaves the sentences untranslated (only the
    score is wanted, as for the health 90 days ago), which saves most of the time."""
    _: Callable[[str], str] = gettext if explain else _same
    ngettext: Callable[[str, str, int], str] = _ngettext if explain else _same_n
    parts: list[Part] = []

    # Recency against this customer's own cadence: full up to the usual gap, nothing at three times it.
    if s.days_since_last is None:
        recency = Part("recency", 0.0, t.weight_recency, _("No meeting held yet."), {"days_since_last": None})
    else:
        over = (s.days_since_last - s.cadence_days) / (2 * s.cadence_days)
        source = _("its own history") if s.cadence_from_history else _("the default for short histories")
        recency = Part(
            "recency",
            _clamp(1 - over),
            t.weight_recency,
            _("Last met %(days)s days ago; usually every %(usual)s days (%(source)s).")
            % {"days": s.days_since_last, "usual": s.cadence_days, "source": source},
            {
                "days_since_last": s.days_since_last,
                "usual_gap_days": s.cadence_days,
                "cadence_from_history": s.cadence_from_history,
            },
        )
    parts.append(recency)

    # In person, against the team's share.
    share = s.year_in_person_share
    team_share = norms.team.in_person_share
    if share is None:
        score = 0.0
        text = _("No meetings in the last 12 months.")
    else:
        score = _clamp(share / team_share) if team_share else (1.0 if share > 0 else 0.5)
        text = _("%(share)s%% of meetings in person in 12 months; the team: %(team)s.") % {
            "share": round(share * 100),
            "team": f"{round(team_share * 100)}%" if team_share is not None else "-",
        }
    parts.append(
        Part(
            "in_person",
            score,
            t.weight_in_person,
            text,
            {
                "in_person": s.year_in_person,
                "meetings": s.year_meetings,
                "share_pct": None if share is None else round(share * 100),
                "team_share_pct": None if team_share is None else round(team_share * 100),
            },
        )
    )

    # Reciprocity: asks to meet, keeps meetings (answers), orders.
    asks_score = _clamp(s.asks / t.asks_min)
    kept = s.year_meetings / (s.year_meetings + s.year_cancelled) if (s.year_meetings + s.year_cancelled) else 0.5
    orders_score = 1.0 if s.order_count_year else 0.0
    parts.append(
        Part(
            "reciprocity",
            (asks_score + kept + orders_score) / 3,
            t.weight_reciprocity,
            _(
                "Asked to meet %(asks)s times in 2 years; "
                "%(cancelled)s meetings cancelled and %(orders)s orders in 12 months."
            )
            % {"asks": s.asks, "cancelled": s.year_cancelled, "orders": s.order_count_year},
            {"asks": s.asks, "cancelled": s.year_cancelled, "orders_12m": s.order_count_year},
        )
    )

    # Breadth: how many of its people we meet.
    people = len(s.year_people)
    parts.append(
        Part(
            "breadth",
            _clamp(people / t.breadth_full),
            t.weight_breadth,
            ngettext(
                "Met %(n)s person there in 12 months.",
                "Met %(n)s different people there in 12 months.",
                people,
            )
            % {"n": people},
            {"people_met": people},
        )
    )

    # Order trend.
    trend = order_trend(s, t)
    trend_score = {"growing": 1.0, "steady": 0.7, "declining": 0.3, "none": 0.4}[trend]
    trend_text = {
        "growing": _("Orders are growing"),
        "steady": _("Orders are steady"),
        "declining": _("Orders are declining"),
        "none": _("No orders in two years"),
    }[trend]
    parts.append(
        Part(
            "orders",
            trend_score,
            t.weight_orders,
            _("%(trend)s: %(year)s in the last 12 months against %(prev)s the 12 before.")
            % {
                "trend": trend_text,
                "year": _amount(s.orders_year, explain),
                "prev": _amount(s.orders_prev_year, explain),
            },
            {
                "trend": trend,
                "last_12m": f"{s.orders_year:.2f}",
                "previous_12m": f"{s.orders_prev_year:.2f}",
                "unconverted_orders": s.unconverted_orders,
            },
        )
    )

    # Open deals' movement.
    stalled = sum(1 for d in s.open_deals if d.idle_days > norms.deal_cycle_days)
    if not s.open_deals:
        deals = Part("deals", 1.0, t.weight_deals, _("No open deals."), {"open": 0, "stalled": 0})
    else:
        deals = Part(
            "deals",
            1 - stalled / len(s.open_deals),
            t.weight_deals,
            _("%(stalled)s of %(open)s open deals without movement for over %(days)s days.")
            % {"stalled": stalled, "open": len(s.open_deals), "days": norms.deal_cycle_days},
            {"open": len(s.open_deals), "stalled": stalled, "team_cycle_days": norms.deal_cycle_days},
        )
    parts.append(deals)
    return parts


def total(parts: list[Part]) -> int:
    weight = sum(p.weight for p in parts)
    return round(100 * sum(p.score * p.weight for p in parts) / weight) if weight else 0


def health_from(
    book: Book, customer: CustomerIn, today: dt.date, norms: BookNorms, t: Thresholds, signals: Signals | None = None
) -> Health:
    """Health now and ``trend_days`` ago (the norms are today's: the comparison is the customer's)."""
    s = signals or compute_signals(book, customer, today, t)
    parts = score_parts(s, norms, t)
    score = total(parts)
    past = compute_signals(book, customer, today - dt.timedelta(days=t.trend_days), t, expertise=False)
    previous = total(score_parts(past, norms, t, explain=False))
    if score - previous >= t.trend_points:
        trend = "up"
    elif previous - score >= t.trend_points:
        trend = "down"
    else:
        trend = "steady"
    return Health(score, parts, trend, previous)


def health(customer: CustomerIn, book: Book, today: dt.date, thresholds: Thresholds | None = None) -> Health:
    """One customer's relationship health as of ``today``, compared with its own history and the team's norms."""
    t = thresholds or Thresholds()
    signals = [compute_signals(book, c, today, t) for c in book.customers]
    norms = book_norms(book, signals, today, t)
    mine = next((s for s in signals if s.customer.ref == customer.ref), None)
    return health_from(book, customer, today, norms, t, mine)
