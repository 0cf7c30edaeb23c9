"""Every number the insights judge by, in one place, with its default and the reason for it.

Change a threshold by passing ``Thresholds(request_wait_days=5)`` (all fields have defaults);
nothing in the insights module hides a literal of its own. ``docs/insights.md`` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Thresholds:
    # --- windows --------------------------------------------------------------------------
    #: "The last 12 months": in-person share, breadth, single-threading, order trend.
    year_days: int = 365
    #: "Recently", for the switch from in-person to remote only.
    recent_days: int = 180
    #: How far back customer-initiated meetings and requests count as "asking to meet".
    asks_window_days: int = 730
    #: The health trend compares with the health this many days ago.
    trend_days: int = 90
    #: A change of at least this many health points shows as an arrow up or down.
    trend_points: int = 5

    # --- cadence and drifting -------------------------------------------------------------
    #: A customer's usual gap is the median gap between its held meetings once it has at least
    #: this many meetings (so at least this many minus one gaps) ...
    cadence_min_meetings: int = 4
    #: ... and this many days when the history is shorter (a quarterly touch).
    default_cadence_days: int = 90
    #: The usual gap is kept between these bounds, so a burst of meetings in one week does not
    #: make a customer "drift" after ten days, nor a yearly visit hide a two-year silence.
    cadence_min_days: int = 14
    cadence_max_days: int = 365
    #: Drifting: the time since the last meeting is past this multiple of the usual gap ...
    drift_factor: float = 2.0
    #: ... and at least this many days past the usual gap.
    drift_min_extra_days: int = 30
    #: Moved to remote: in the recent window at least this many meetings, none in person, and
    #: in the 12 months before it at least this many in person ...
    shift_min_recent: int = 2
    shift_min_in_person_before: int = 2
    #: ... making at least this share of the meetings then.
    shift_min_share_before: float = 0.5

    # --- requests -------------------------------------------------------------------------
    #: An open meeting request older than this many days needs attention.
    request_wait_days: int = 7

    # --- single-threaded ------------------------------------------------------------------
    #: At least this many meetings with people recorded in 12 months, all with one person.
    single_thread_min_meetings: int = 3

    # --- deals ----------------------------------------------------------------------------
    #: The team's usual time from creation to close is the median over its closed deals once
    #: there are this many; before that, the prior below.
    deal_cycle_min_closed: int = 5
    deal_cycle_prior_days: int = 90

    # --- orders ---------------------------------------------------------------------------
    #: Growing: the last 12 months' order value is at least this factor of the 12 before.
    growth_factor: float = 1.10
    #: Declining: below this factor.
    decline_factor: float = 0.90
    #: Steady: orders in at least this many of the last four quarters.
    steady_quarters: int = 3

    # --- size bias (underrated) -----------------------------------------------------------
    #: Filed as small: these potentials ...
    small_potentials: tuple[str, ...] = ("low", "unknown")
    #: ... or 12-month revenue in this bottom share of the book, when the book has at least
    #: ``rank_min_customers`` customers (a ranking of three customers says nothing).
    small_revenue_share: float = 0.4
    rank_min_customers: int = 10
    #: High margin: the customer's order-weighted margin is at least the book's median plus
    #: these points, and never below the floor. With fewer than ``margin_min_book`` customers
    #: with margins, the book's median is taken to be ``default_book_margin_pct``.
    high_margin_points: float = 5.0
    high_margin_floor_pct: float = 20.0
    margin_min_book: int = 5
    default_book_margin_pct: float = 25.0
    #: Asking to meet: at least this many customer-initiated meetings or requests.
    asks_min: int = 2
    #: A long relationship: the first meeting, order or the record itself this many years back.
    long_relationship_years: int = 3
    #: Underrated when at least this many of its own signals say strong.
    underrated_min_signals: int = 3
    #: Words in facts or meeting notes that point at expertise (lower case, both languages).
    expertise_words: tuple[str, ...] = field(
        default=(
            "expert",
            "specialist",
            "niche",
            "market leader",
            "leading",
            "patent",
            "nisch",
            "ledande",
            "marknadsledare",
            "spetskompetens",
        )
    )

    # --- health weights (sum need not be 100; the score is normalised) --------------------
    weight_recency: int = 25
    weight_in_person: int = 15
    weight_reciprocity: int = 20
    weight_breadth: int = 15
    weight_orders: int = 15
    weight_deals: int = 10
    #: Breadth: meeting this many different people in 12 months scores full.
    breadth_full: int = 3

    # --- priority -------------------------------------------------------------------------
    #: A waiting request outranks everything else ("if a customer wants to meet, make the time").
    #: Each reason starts at its base and grows with how far past its threshold it is, up to
    #: its cap; an item's priority is its strongest reason plus ``extra_reason_bonus`` for each
    #: further reason, never above 100.
    priority_request_base: int = 60
    priority_request_per_day: float = 1.5
    priority_request_cap: int = 100
    priority_drift_base: int = 40
    priority_drift_cap: int = 75
    priority_shift: int = 55
    priority_stalled_base: int = 45
    priority_stalled_cap: int = 80
    priority_underrated_base: int = 35
    priority_underrated_per_signal: int = 5
    priority_underrated_cap: int = 70
    priority_single_thread: int = 35
    extra_reason_bonus: int = 5


DEFAULTS = Thresholds()
