"""The attention list: which customers need the seller now, and why, in plain words with numbers.

``attention(book, user, today)`` judges every customer in the book (already scoped to what the
user may see) and returns the ones with at least one reason, most urgent first. Each reason has
a stable ``code``, a sentence in the active language that cites the numbers, and ``facts``
holding those numbers for machines.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kanelbulle.insights.data import REMOTE, Book, CustomerIn
from kanelbulle.insights.health import Health, health_from
from kanelbulle.insights.signals import BookNorms, Signals, book_norms, compute_signals, order_trend
from kanelbulle.insights.thresholds import Thresholds

CODES = ("request_waiting", "drifting", "underrated", "single_threaded", "deal_stalled")
#: What the pages and the digest call each code (the code itself stays stable in JSON).
LABELS = {
    "request_waiting": gettext_lazy("Request waiting"),
    "drifting": gettext_lazy("Drifting"),
    "underrated": gettext_lazy("Underrated"),
    "single_threaded": gettext_lazy("Single-threaded"),
    "deal_stalled": gettext_lazy("Deal stalled"),
}


@dataclass
class Reason:
    code: str
    message: str
    facts: dict[str, Any]
    priority: int

    @property
    def label(self) -> str:
        return str(LABELS[self.code])

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "facts": self.facts}


@dataclass
class Item:
    customer: str
    name: str
    owner: str
    priority: int
    health: Health
    reasons: list[Reason] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    def reason(self, code: str) -> Reason | None:
        return next((r for r in self.reasons if r.code == code), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "name": self.name,
            "priority": self.priority,
            "health": self.health.score,
            "reasons": [r.to_json() for r in self.reasons],
        }


@dataclass
class Attention:
    today: dt.date
    user: str
    items: list[Item]
    norms: BookNorms | None = None

    def to_json(self) -> dict[str, Any]:
        return {"today": self.today.isoformat(), "user": self.user, "items": [i.to_json() for i in self.items]}

    def by_owner(self) -> list[tuple[str, list[Item]]]:
        groups: dict[str, list[Item]] = {}
        for item in self.items:
            groups.setdefault(item.owner, []).append(item)
        return sorted(groups.items())


def _cap(x: float, cap: int) -> int:
    return max(0, min(cap, round(x)))


def request_waiting(s: Signals, t: Thresholds) -> list[Reason]:
    waiting = [(ref, days) for ref, days in s.open_requests if days > t.request_wait_days]
    if not waiting:
        return []
    ref, days = waiting[0]
    message = ngettext(
        "Asked to meet %(days)s day ago; not yet honoured.",
        "Asked to meet %(days)s days ago; not yet honoured.",
        days,
    ) % {"days": days}
    if len(waiting) > 1:
        message += " " + _("%(n)s requests are waiting.") % {"n": len(waiting)}
    priority = _cap(
        t.priority_request_base + (days - t.request_wait_days) * t.priority_request_per_day, t.priority_request_cap
    )
    return [
        Reason(
            "request_waiting", message, {"request": ref, "days_waiting": days, "open_requests": len(waiting)}, priority
        )
    ]


def drifting(s: Signals, t: Thresholds) -> list[Reason]:
    reasons: list[Reason] = []
    if s.days_since_last is not None:
        limit = max(round(s.cadence_days * t.drift_factor), s.cadence_days + t.drift_min_extra_days)
        if s.days_since_last > limit:
            message = _("Last met %(days)s days ago; usually every %(usual)s days.") % {
                "days": s.days_since_last,
                "usual": s.cadence_days,
            }
            if not s.cadence_from_history:
                message += " " + _("(Too few meetings to learn its rhythm: %(usual)s days assumed.)") % {
                    "usual": s.cadence_days
                }
            over = s.days_since_last / limit - 1
            priority = _cap(t.priority_drift_base + over * 45, t.priority_drift_cap)
            facts: dict[str, Any] = {
                "days_since_last": s.days_since_last,
                "usual_gap_days": s.cadence_days,
                "cadence_from_history": s.cadence_from_history,
                "limit_days": limit,
                "last_meeting": s.last_meeting.isoformat() if s.last_meeting else None,
            }
            reasons.append(Reason("drifting", message, facts, priority))
    if (
        s.recent_meetings >= t.shift_min_recent
        and s.recent_in_person == 0
        and s.before_in_person >= t.shift_min_in_person_before
        and s.before_in_person / s.before_meetings >= t.shift_min_share_before
    ):
        modes = [str(m) for m in REMOTE if s.recent_modalities.get(m)]
        names = {"video": _("video"), "phone": _("phone"), "email": _("e-mail")}
        message = _(
            "Met in person %(before_in_person)s of %(before)s times before; the last %(recent)s meetings "
            "in %(months)s months were all %(modes)s."
        ) % {
            "before_in_person": s.before_in_person,
            "before": s.before_meetings,
            "recent": s.recent_meetings,
            "months": round(t.recent_days / 30),
            "modes": "/".join(names[m] for m in modes),
        }
        shift_facts: dict[str, Any] = {
            "in_person_before": s.before_in_person,
            "meetings_before": s.before_meetings,
            "recent_meetings": s.recent_meetings,
            "recent_in_person": 0,
            "recent_modalities": {m: s.recent_modalities[m] for m in modes},
            "recent_days": t.recent_days,
        }
        reasons.append(Reason("drifting", message, shift_facts, t.priority_shift))
    if len(reasons) == 2:  # one reason per code: the sentences join, the facts merge
        a, b = reasons
        return [Reason("drifting", f"{a.message} {b.message}", {**a.facts, **b.facts}, max(a.priority, b.priority))]
    return reasons


def underrated(s: Signals, norms: BookNorms, t: Thresholds) -> list[Reason]:
    c = s.customer
    small_potential = c.potential in t.small_potentials
    small_revenue = (
        not small_potential
        and c.potential != "high"
        and norms.small_revenue_limit is not None
        and s.orders_year <= norms.small_revenue_limit
    )
    if not (small_potential or small_revenue):
        return []
    # Count the signals first: the sentences are only worth writing for the few that qualify.
    trend = order_trend(s, t)
    growing = trend == "growing"
    steady = trend == "steady" and s.order_quarters >= t.steady_quarters
    bar = max(t.high_margin_floor_pct, norms.book_margin_pct + t.high_margin_points)
    high_margin = s.margin_pct is not None and s.margin_pct >= bar
    asks = s.asks >= t.asks_min
    years = s.years_known()
    long_known = years >= t.long_relationship_years
    count = sum((growing or steady, high_margin, asks, long_known, bool(s.expertise)))
    if count < t.underrated_min_signals:
        return []

    if small_potential:
        filed = _("Filed as low potential") if c.potential == "low" else _("Potential not rated")
    else:
        filed = _("In the bottom %(share)s%% of the book by revenue") % {"share": round(t.small_revenue_share * 100)}
    signals: list[str] = []
    facts: dict[str, Any] = {"potential": c.potential, "revenue_12m": f"{s.orders_year:.2f}"}
    if growing:
        if s.orders_prev_year > 0:
            pct = round(float((s.orders_year / s.orders_prev_year - 1) * 100))
            signals.append(_("orders up %(pct)s%% in 12 months") % {"pct": pct})
            facts["orders_growth_pct"] = pct
        else:
            signals.append(_("%(n)s orders in 12 months, none the year before") % {"n": s.order_count_year})
        facts["order_trend"] = "growing"
        facts["orders_12m"] = s.order_count_year
    elif steady:
        signals.append(_("orders in %(q)s of the last 4 quarters") % {"q": s.order_quarters})
        facts["order_trend"] = "steady"
        facts["order_quarters"] = s.order_quarters
    if high_margin and s.margin_pct is not None:
        signals.append(
            _("margin %(margin)s%% (the book: %(book)s%%)")
            % {"margin": round(s.margin_pct), "book": round(norms.book_margin_pct)}
        )
        facts["margin_pct"] = round(s.margin_pct, 1)
        facts["book_margin_pct"] = round(norms.book_margin_pct, 1)
    if asks:
        signals.append(
            ngettext("asked to meet %(n)s time in 2 years", "asked to meet %(n)s times in 2 years", s.asks)
            % {"n": s.asks}
        )
        facts["asked_to_meet"] = s.asks
    if long_known:
        signals.append(_("a customer for %(years)s years") % {"years": int(years)})
        facts["years_known"] = int(years)
    if s.expertise:
        signals.append(_("expertise noted (%(words)s)") % {"words": ", ".join(s.expertise)})
        facts["expertise"] = s.expertise
    facts["signals"] = len(signals)
    message = _("%(filed)s, but its own signals say strong: %(signals)s. Consider re-rating it.") % {
        "filed": filed,
        "signals": "; ".join(signals),
    }
    priority = _cap(
        t.priority_underrated_base + t.priority_underrated_per_signal * len(signals), t.priority_underrated_cap
    )
    return [Reason("underrated", message, facts, priority)]


def single_threaded(s: Signals, book: Book, t: Thresholds) -> list[Reason]:
    if s.year_meetings_with_people < t.single_thread_min_meetings or len(s.year_people) != 1:
        return []
    (person,) = s.year_people
    idx = book.index
    name = idx.contact_names.get(person, person)
    others = sum(1 for c in idx.contacts.get(s.customer.ref, ()) if c.ref != person)
    message = _("All %(n)s meetings in 12 months were with %(name)s.") % {
        "n": s.year_meetings_with_people,
        "name": name,
    }
    if others:
        message += " " + ngettext(
            "%(n)s other person is known there: meet them too.",
            "%(n)s other people are known there: meet them too.",
            others,
        ) % {"n": others}
    else:
        message += " " + _("No one else is known there: find a second contact.")
    facts = {"meetings": s.year_meetings_with_people, "contact": person, "other_contacts": others}
    return [Reason("single_threaded", message, facts, t.priority_single_thread)]


def deal_stalled(s: Signals, norms: BookNorms, t: Thresholds) -> list[Reason]:
    reasons: list[Reason] = []
    cycle = norms.deal_cycle_days
    for d in s.open_deals:
        if d.idle_days <= cycle:
            continue
        if norms.deal_cycle_from_history:
            usual = _("the team usually closes a deal in %(days)s days") % {"days": cycle}
        else:
            usual = _("%(days)s days assumed until the team has closed enough deals") % {"days": cycle}
        message = _("Deal “%(title)s” has not moved for %(idle)s days; %(usual)s.") % {
            "title": d.deal.title,
            "idle": d.idle_days,
            "usual": usual,
        }
        priority = _cap(t.priority_stalled_base + (d.idle_days / cycle - 1) * 40, t.priority_stalled_cap)
        facts = {
            "deal": d.deal.ref,
            "idle_days": d.idle_days,
            "last_movement": d.last_move.isoformat(),
            "team_cycle_days": cycle,
            "cycle_from_history": norms.deal_cycle_from_history,
        }
        if d.deal.value is not None:
            facts["value"] = f"{d.deal.value:.2f}"
        reasons.append(Reason("deal_stalled", message, facts, priority))
    return reasons


def attention(
    book: Book,
    user: str,
    today: dt.date,
    thresholds: Thresholds | None = None,
    language: str | None = None,
    only: str | None = None,
) -> Attention:
    """Every customer in ``book`` with at least one reason, most urgent first.

    ``user`` names whose list it is (the book is already scoped to what they may see);
    ``language`` renders the messages in that language (else the active one); ``only`` keeps one
    code (the size-bias report asks for ``underrated``).
    """
    t = thresholds or Thresholds()
    with translation.override(language) if language else nullcontext():
        signals = [compute_signals(book, c, today, t) for c in book.customers]
        norms = book_norms(book, signals, today, t)
        items: list[Item] = []
        for s in signals:
            reasons = reasons_for(book, s, norms, t, only)
            if not reasons:
                continue
            c: CustomerIn = s.customer
            items.append(
                Item(
                    c.ref,
                    c.name,
                    c.owner,
                    item_priority(reasons, t),
                    health_from(book, c, today, norms, t, s),
                    reasons,
                )
            )
    items.sort(key=lambda i: (-i.priority, i.name, i.customer))
    return Attention(today, user, items, norms)


def reasons_for(book: Book, s: Signals, norms: BookNorms, t: Thresholds, only: str | None = None) -> list[Reason]:
    """One customer's reasons (in the active language), most urgent first; ``only`` keeps one code."""
    reasons = [
        *request_waiting(s, t),
        *drifting(s, t),
        *underrated(s, norms, t),
        *single_threaded(s, book, t),
        *deal_stalled(s, norms, t),
    ]
    if only:
        reasons = [r for r in reasons if r.code == only]
    reasons.sort(key=lambda r: (-r.priority, CODES.index(r.code)))
    return reasons


def item_priority(reasons: list[Reason], t: Thresholds) -> int:
    """An item's priority: its most urgent reason's, plus a bonus per further reason (0: none)."""
    if not reasons:
        return 0
    return min(100, reasons[0].priority + t.extra_reason_bonus * (len(reasons) - 1))
