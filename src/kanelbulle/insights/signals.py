"""What one customer's own history says, as of a day: the raw numbers health and attention use.

Computed in one pass over that customer's records (the book is grouped once in ``BookIndex``), so
a whole book costs time linear in its size.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from kanelbulle.insights.data import IN_PERSON, Book, CustomerIn, DealIn, TeamNorms
from kanelbulle.insights.thresholds import Thresholds


@dataclass
class OpenDeal:
    deal: DealIn
    last_move: dt.date
    idle_days: int


@dataclass
class Signals:
    customer: CustomerIn
    today: dt.date
    # meetings
    held: int = 0
    last_meeting: dt.date | None = None
    days_since_last: int | None = None
    cadence_days: int = 0
    cadence_from_history: bool = False
    year_meetings: int = 0
    year_in_person: int = 0
    year_cancelled: int = 0
    year_people: set[str] = field(default_factory=set)
    year_meetings_with_people: int = 0
    recent_meetings: int = 0
    recent_in_person: int = 0
    recent_modalities: dict[str, int] = field(default_factory=dict)
    before_meetings: int = 0
    before_in_person: int = 0
    asks: int = 0  # customer-initiated meetings and requests in the asks window
    # requests
    open_requests: list[tuple[str, int]] = field(default_factory=list)  # (ref, days waiting)
    # orders
    orders_year: Decimal = Decimal(0)
    orders_prev_year: Decimal = Decimal(0)
    order_count_year: int = 0
    order_quarters: int = 0
    margin_pct: float | None = None
    unconverted_orders: int = 0
    first_seen: dt.date | None = None
    # deals
    open_deals: list[OpenDeal] = field(default_factory=list)
    # expertise words found in facts and notes
    expertise: list[str] = field(default_factory=list)

    @property
    def year_in_person_share(self) -> float | None:
        return self.year_in_person / self.year_meetings if self.year_meetings else None

    def years_known(self) -> float:
        return (self.today - self.first_seen).days / 365.25 if self.first_seen else 0.0


def order_trend(s: Signals, t: Thresholds) -> str:
    """growing | steady | declining | none, from the last 12 months' orders against the 12 before."""
    if s.orders_year <= 0 and s.orders_prev_year <= 0:
        return "none"
    if s.orders_prev_year > 0 and s.orders_year >= s.orders_prev_year * Decimal(str(t.growth_factor)):
        return "growing" if s.order_count_year >= 2 else "steady"
    if s.orders_prev_year <= 0 and s.order_count_year >= 2:
        return "growing"
    if s.orders_prev_year > 0 and s.orders_year < s.orders_prev_year * Decimal(str(t.decline_factor)):
        return "declining"
    return "steady"


def compute_signals(book: Book, customer: CustomerIn, today: dt.date, t: Thresholds, expertise: bool = True) -> Signals:
    """``expertise=False`` skips reading notes and facts (the health score does not use them)."""
    idx = book.index
    s = Signals(customer=customer, today=today)
    year_start = today - dt.timedelta(days=t.year_days)
    recent_start = today - dt.timedelta(days=t.recent_days)
    before_start = recent_start - dt.timedelta(days=t.year_days)
    asks_start = today - dt.timedelta(days=t.asks_window_days)
    firsts: list[dt.date] = []
    if customer.created and customer.created <= today:
        firsts.append(customer.created)

    # Meetings: already sorted by start in the index.
    held_days: list[dt.date] = []
    texts: list[str] = []
    for m in idx.meetings.get(customer.ref, ()):
        day = m.start.date()
        if day > today:
            break
        if m.status == "cancelled":
            if day >= year_start:
                s.year_cancelled += 1
            continue
        if not m.held_by(today):
            continue
        held_days.append(day)
        if m.requested_by_customer and day >= asks_start:
            s.asks += 1
        if day >= year_start:
            s.year_meetings += 1
            if m.modality == IN_PERSON:
                s.year_in_person += 1
            if m.contacts:
                s.year_meetings_with_people += 1
                s.year_people.update(m.contacts)
        if day >= recent_start:
            s.recent_meetings += 1
            s.recent_modalities[m.modality] = s.recent_modalities.get(m.modality, 0) + 1
            if m.modality == IN_PERSON:
                s.recent_in_person += 1
        elif day >= before_start:
            s.before_meetings += 1
            if m.modality == IN_PERSON:
                s.before_in_person += 1
        if m.notes and expertise:
            texts.append(m.notes)
    s.held = len(held_days)
    if held_days:
        firsts.append(held_days[0])
        s.last_meeting = held_days[-1]
        s.days_since_last = (today - held_days[-1]).days
    if len(held_days) >= t.cadence_min_meetings:
        gaps = [(b - a).days for a, b in itertools.pairwise(held_days)]
        s.cadence_days = int(statistics.median(gaps))
        s.cadence_from_history = True
    else:
        s.cadence_days = t.default_cadence_days
    s.cadence_days = max(t.cadence_min_days, min(t.cadence_max_days, s.cadence_days))

    if expertise:
        # One lower-cased text per customer, searched once per word: cheaper than per note.
        texts.extend(f.text for f in idx.facts.get(customer.ref, ()))
        blob = "\n".join(texts).lower()
        s.expertise = sorted(w for w in t.expertise_words if w in blob) if blob else []

    # Requests.
    for r in idx.requests.get(customer.ref, ()):
        day = r.requested_at.date()
        if day > today:
            continue
        if day >= asks_start:
            s.asks += 1
        if r.status == "open":
            s.open_requests.append((r.ref, (today - day).days))
    # The longest waiting first; requests of the same day by ref, whatever order the database
    # gave them in (PostgreSQL returns ties in different orders to different queries).
    s.open_requests.sort(key=lambda x: (-x[1], x[0]))

    # Orders.
    prev_start = year_start - dt.timedelta(days=t.year_days)
    quarters: set[int] = set()
    margin_sum = Decimal(0)
    margin_weight = Decimal(0)
    margin_plain: list[Decimal] = []
    for o in idx.orders.get(customer.ref, ()):
        if o.date > today:
            continue
        firsts.append(o.date)
        if o.value is None:
            s.unconverted_orders += 1
        if o.date > year_start:
            s.order_count_year += 1
            quarters.add(min(3, (today - o.date).days * 4 // t.year_days))
            if o.value is not None:
                s.orders_year += o.value
        elif o.date > prev_start and o.value is not None:
            s.orders_prev_year += o.value
        if o.date > prev_start and o.margin_pct is not None:
            if o.value is not None and o.value > 0:
                margin_sum += o.margin_pct * o.value
                margin_weight += o.value
            margin_plain.append(o.margin_pct)
    s.order_quarters = len(quarters)
    if margin_weight > 0:
        s.margin_pct = float(margin_sum / margin_weight)
    elif margin_plain:
        s.margin_pct = float(sum(margin_plain) / len(margin_plain))
    s.first_seen = min(firsts) if firsts else None

    # Open deals: last movement is its creation, its last change or the last meeting.
    for d in idx.deals.get(customer.ref, ()):
        if d.stage != "open" or d.created > today:
            continue
        moves = [d.created]
        if d.updated and d.updated <= today:
            moves.append(d.updated)
        if s.last_meeting:
            moves.append(s.last_meeting)
        last = max(moves)
        s.open_deals.append(OpenDeal(d, last, (today - last).days))
    s.open_deals.sort(key=lambda o: o.deal.ref)  # the same order however the deals were read
    return s


@dataclass(frozen=True)
class BookNorms:
    """Team and book figures the judgements compare against."""

    team: TeamNorms
    deal_cycle_days: int
    deal_cycle_from_history: bool
    book_margin_pct: float
    small_revenue_limit: Decimal | None  # 12-month revenue at or below this is "small"; None: no ranking


def team_norms(book: Book, today: dt.date, t: Thresholds) -> TeamNorms:
    """In-person share and deal cycle over this book (used when the loader gives no team's)."""
    year_start = today - dt.timedelta(days=t.year_days)
    total = in_person = 0
    for m in book.meetings:
        day = m.start.date()
        if year_start <= day <= today and m.held_by(today):
            total += 1
            in_person += m.modality == IN_PERSON
    cycles = [
        (d.closed - d.created).days
        for d in book.deals
        if d.stage != "open" and d.closed and d.closed <= today and d.closed >= d.created
    ]
    return TeamNorms(
        in_person_share=in_person / total if total else None,
        deal_cycle_days=int(statistics.median(cycles)) if cycles else None,
        closed_deals=len(cycles),
    )


def book_norms(book: Book, signals: list[Signals], today: dt.date, t: Thresholds) -> BookNorms:
    team = book.norms or team_norms(book, today, t)
    if team.deal_cycle_days is not None and team.closed_deals >= t.deal_cycle_min_closed:
        cycle, from_history = max(1, team.deal_cycle_days), True
    else:
        cycle, from_history = t.deal_cycle_prior_days, False
    margins = [s.margin_pct for s in signals if s.margin_pct is not None]
    book_margin = statistics.median(margins) if len(margins) >= t.margin_min_book else t.default_book_margin_pct
    limit: Decimal | None = None
    if len(signals) >= t.rank_min_customers:
        revenues = sorted(s.orders_year for s in signals)
        cut = max(0, int(len(revenues) * t.small_revenue_share) - 1)
        limit = revenues[cut]
    return BookNorms(team, cycle, from_history, float(book_margin), limit)
