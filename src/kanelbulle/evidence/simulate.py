"""Books of business with a known truth, for testing the analysis (and for demos).

The confounder is built in on purpose: high-potential customers are both met in person more
often and win more often, so a naive comparison overstates the effect of meeting in person while
the adjusted model should recover ``win_odds_ratio`` and ``size_ratio``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from kanelbulle.evidence.analysis import Book, CustomerIn, DealIn, MeetingIn, OrderIn

POTENTIAL_LOG_ODDS = {"low": -0.6, "medium": 0.0, "high": 1.4}
POTENTIAL_VISIT_LOG_ODDS = {"low": -1.4, "medium": 0.0, "high": 1.6}
POTENTIAL_SIZE = {"low": -0.3, "medium": 0.0, "high": 0.5}


@dataclass(frozen=True)
class Truth:
    win_odds_ratio: float = 2.0
    size_ratio: float = 1.25
    margin_pp: float = 1.5


def simulate_book(
    seed: int,
    *,
    n_deals: int = 300,
    n_customers: int = 100,
    n_sellers: int = 4,
    truth: Truth | None = None,
    today: dt.date = dt.date(2026, 6, 30),
    open_share: float = 0.1,
) -> Book:
    truth = truth or Truth()
    rng = np.random.default_rng(seed)
    tz = dt.UTC
    customers: list[CustomerIn] = []
    orders: list[OrderIn] = []
    distance: dict[str, float] = {}
    for i in range(n_customers):
        key = f"c{i}"
        potential = str(rng.choice(["low", "medium", "high"], p=[0.4, 0.4, 0.2]))
        customers.append(
            CustomerIn(
                key, potential=potential, public_sector=bool(rng.random() < 0.2), country=str(rng.choice(["SE", "NO"]))
            )
        )
        distance[key] = float(rng.lognormal(math.log(150), 1.0))
        for _ in range(int(rng.poisson({"low": 2, "medium": 4, "high": 8}[potential]))):
            day = today - dt.timedelta(days=int(rng.integers(0, 1100)))
            orders.append(OrderIn(key, day, Decimal(int(rng.lognormal(10, 0.8)))))
    by_key = {c.key: c for c in customers}
    seller_effect = rng.normal(0, 0.4, n_sellers)
    # First pass: deals and their meetings. Second pass: the outcome, drawn from the exposure as
    # the analysis will measure it (another deal's visit to the same customer counts too).
    drafts: list[tuple[int, CustomerIn, int, dt.date, dt.date, bool]] = []
    meetings: list[MeetingIn] = []
    for j in range(n_deals):
        cust = customers[int(rng.integers(0, n_customers))]
        seller = int(rng.integers(0, n_sellers))
        created = today - dt.timedelta(days=int(rng.integers(30, 720)))
        duration = int(rng.integers(5, 120))
        is_open = bool(rng.random() < open_share)
        visit_lo = POTENTIAL_VISIT_LOG_ODDS[cust.potential] - 0.4 * math.log(distance[cust.key] / 150)
        met = rng.random() < 1 / (1 + math.exp(-visit_lo))
        end = today if is_open else min(created + dt.timedelta(days=duration), today)
        span = max((end - created).days, 0)
        day = created + dt.timedelta(days=int(rng.integers(0, span + 1)))
        at = dt.datetime(day.year, day.month, day.day, 10, tzinfo=tz)
        if met:
            meetings.append(MeetingIn(cust.key, at, "in_person"))
        elif rng.random() < 0.6:
            meetings.append(MeetingIn(cust.key, at, str(rng.choice(["video", "phone", "email"]))))
        drafts.append((j, cust, seller, created, end, is_open))
    in_person_days: dict[str, list[dt.date]] = {}
    for m in meetings:
        if m.modality == "in_person":
            in_person_days.setdefault(m.customer, []).append(m.start.date())
    deals: list[DealIn] = []
    for j, cust, seller, created, end, is_open in drafts:
        met = any(created <= d <= end for d in in_person_days.get(cust.key, ()))
        win_lo = (
            -0.3
            + math.log(truth.win_odds_ratio) * met
            + POTENTIAL_LOG_ODDS[cust.potential]
            - 0.5 * cust.public_sector
            + seller_effect[seller]
        )
        won = rng.random() < 1 / (1 + math.exp(-win_lo))
        log_value = 11.0 + math.log(truth.size_ratio) * met + POTENTIAL_SIZE[cust.potential] + rng.normal(0, 0.5)
        margin = 22.0 + truth.margin_pp * met + 2.0 * (cust.potential == "high") + rng.normal(0, 4)
        deals.append(
            DealIn(
                key=f"d{j}",
                customer=cust.key,
                seller=f"s{seller}",
                created=created,
                stage="open" if is_open else ("won" if won else "lost"),
                closed=None if is_open else end,
                value=Decimal(int(math.exp(log_value))),
                margin_pct=Decimal(f"{margin:.2f}"),
                distance_km=distance[cust.key],
            )
        )
    assert set(by_key) >= {d.customer for d in deals}
    return Book(deals=deals, meetings=meetings, customers=customers, orders=orders, today=today)
