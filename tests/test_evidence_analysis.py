"""The evidence module against books whose truth is known (no database, fixed seeds).

The simulated books have a confounder on purpose: high-potential customers are met in person
more often and win more often. The adjusted model must recover the true effect; the naive
comparison must not. Seeds are fixed, so these tests cannot fail by chance; across 200 other
seeds the adjusted win interval covered the truth in 96% of books (measured when written).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal

import pytest

from kanelbulle.evidence.analysis import (
    Book,
    CustomerIn,
    DealIn,
    Estimate,
    MeetingIn,
    OrderIn,
    analyse,
    e_value_for_odds_ratio,
    prepare,
    shrunk_win_uplift,
    uplifted_probability,
)
from kanelbulle.evidence.reading import document as result_document
from kanelbulle.evidence.reading import read
from kanelbulle.evidence.simulate import Truth, simulate_book

TODAY = dt.date(2026, 6, 30)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC)


@pytest.mark.slow
def test_the_adjusted_interval_covers_the_truth_in_most_books_while_the_naive_one_is_biased() -> None:
    truth = Truth()
    covered_win = covered_size = naive_covered = 0
    adjusted_logs, naive_logs = [], []
    for seed in range(100, 150):
        result = analyse(simulate_book(seed, truth=truth), only=("win", "deal_size"), breakdowns=False)
        win, size = result.outcomes["win"], result.outcomes["deal_size"]
        assert win.adjusted is not None and win.naive_estimate is not None and size.adjusted is not None
        covered_win += win.adjusted.ci95[0] <= truth.win_odds_ratio <= win.adjusted.ci95[1]
        covered_size += size.adjusted.ci95[0] <= truth.size_ratio <= size.adjusted.ci95[1]
        naive_covered += win.naive_estimate.ci95[0] <= truth.win_odds_ratio <= win.naive_estimate.ci95[1]
        adjusted_logs.append(math.log(win.adjusted.value))
        naive_logs.append(math.log(win.naive_estimate.value))
    assert covered_win >= 45, f"adjusted win interval covered the truth in {covered_win} of 50 books"
    assert covered_size >= 45, f"adjusted size interval covered the truth in {covered_size} of 50 books"
    true_log = math.log(truth.win_odds_ratio)
    naive_bias = sum(naive_logs) / 50 - true_log
    adjusted_bias = sum(adjusted_logs) / 50 - true_log
    assert naive_bias > 0.3, "the confounder should make the naive odds ratio too large"
    assert abs(adjusted_bias) < 0.15
    assert naive_covered < 40, "the naive interval should miss the truth often"


def test_a_book_with_no_true_effect_gives_intervals_covering_no_difference() -> None:
    result = analyse(simulate_book(7, truth=Truth(win_odds_ratio=1.0, size_ratio=1.0, margin_pp=0.0)))
    for name in ("win", "deal_size", "margin"):
        estimate = result.outcomes[name].adjusted
        assert estimate is not None
        assert estimate.covers_no_effect, f"{name}: {estimate}"
    # And the planner barely moves: the shrunk uplift stays near 1.
    assert 0.8 < shrunk_win_uplift(result) < 1.25


def test_a_tiny_book_says_not_enough_data_with_how_many_are_needed() -> None:
    book = simulate_book(3, n_deals=12, n_customers=6)
    document = result_document(analyse(book))
    for name in ("win", "deal_size", "margin", "time_to_close"):
        outcome = document["outcomes"][name]
        assert outcome["status"] == "not_enough_data"
        assert outcome["n"] <= 12
        assert outcome["needed"] > outcome["n"]
    assert shrunk_win_uplift(analyse(book)) == 1.0
    assert "not enough data" in document["reading"]


def test_the_json_has_the_shape_the_issue_names() -> None:
    document = json.loads(json.dumps(result_document(analyse(simulate_book(11)))))
    assert isinstance(document["n_closed_deals"], int)
    win = document["outcomes"]["win"]
    assert set(win["adjusted"]) >= {"odds_ratio", "ci95", "p_value"}
    assert set(win["naive"]) >= {"in_person_rate", "other_rate"}
    assert win["n"] == document["n_closed_deals"]
    assert "ratio" in document["outcomes"]["deal_size"]["adjusted"]
    assert "difference_pp" in document["outcomes"]["margin"]["adjusted"]
    assert "hazard_ratio" in document["outcomes"]["time_to_close"]["adjusted"]
    for outcome in document["outcomes"].values():
        lo, hi = outcome["adjusted"]["ci95"]
        assert lo < hi
    assert win["e_value"]["point"] >= 1
    assert "readings" not in document  # one language: the caller's


def test_the_reading_is_written_in_the_language_asked_for() -> None:
    result = analyse(simulate_book(11))
    english, swedish = read(result, "en"), read(result, "sv")
    assert "not proof" in english and "not proof" not in swedish
    assert "inte bevis" in swedish and "inte bevis" not in english
    assert result_document(result, "sv")["reading"] == swedish


def test_perfect_separation_is_reported_not_crashed() -> None:
    # Every deal met in person is won and every other deal is lost: no finite odds ratio exists.
    customers = [CustomerIn(f"c{i}", potential=("high", "low")[i % 2]) for i in range(80)]
    deals, meetings = [], []
    for i in range(80):
        created = TODAY - dt.timedelta(days=200 + i)
        met = i % 2 == 0
        customer = f"c{i}"
        deals.append(
            DealIn(
                f"d{i}",
                customer,
                f"s{i % 3}",
                created,
                "won" if met else "lost",
                created + dt.timedelta(days=30),
                Decimal(1000 + i),
                Decimal(20),
                100.0,
            )
        )
        if met:
            meetings.append(MeetingIn(customer, at(created + dt.timedelta(days=3)), "in_person"))
    result = analyse(Book(deals, meetings, customers, today=TODAY))
    win = result_document(result)["outcomes"]["win"]
    assert win["status"] == "not_enough_data"
    assert win["reason"] == "separation"
    assert shrunk_win_uplift(result) == 1.0
    assert "cannot be estimated reliably" in read(result, "en")


def test_exposure_counts_only_held_in_person_meetings_within_the_deal() -> None:
    created, closed = dt.date(2026, 1, 10), dt.date(2026, 2, 10)
    customers = [CustomerIn("a"), CustomerIn("b"), CustomerIn("c"), CustomerIn("d")]
    deals = [
        DealIn("in-window", "a", "s", created, "won", closed),
        DealIn("before", "b", "s", created, "won", closed),
        DealIn("cancelled", "c", "s", created, "lost", closed),
        DealIn("open-video-first", "d", "s", created, "open"),
    ]
    meetings = [
        MeetingIn("a", at(dt.date(2026, 1, 20)), "in_person"),
        MeetingIn("b", at(dt.date(2026, 1, 5)), "in_person"),
        MeetingIn("c", at(dt.date(2026, 1, 20)), "in_person", held=False),
        MeetingIn("d", at(dt.date(2026, 1, 12)), "video"),
        MeetingIn("d", at(dt.date(2026, 6, 1)), "in_person"),  # open deal: counts until today
    ]
    orders = [OrderIn("a", dt.date(2025, 3, 1), Decimal(500)), OrderIn("a", dt.date(2024, 1, 1), Decimal(900))]
    rows = {r.deal.key: r for r in prepare(Book(deals, meetings, customers, orders, today=TODAY))}
    assert rows["in-window"].in_person and rows["in-window"].first_modality == "in_person"
    assert not rows["before"].in_person and rows["before"].first_modality == "none"
    assert not rows["cancelled"].in_person
    assert rows["open-video-first"].in_person and rows["open-video-first"].first_modality == "video"
    assert rows["in-window"].prior_revenue == 500.0  # only the 12 months before creation


def test_the_e_value_uses_the_square_root_for_a_common_outcome() -> None:
    estimate = Estimate("odds_ratio", 4.0, (2.25, 9.0), 0.001)
    common = e_value_for_odds_ratio(estimate, outcome_share=0.4)
    assert common.point == pytest.approx(2 + math.sqrt(2))  # RR ≈ √4 = 2
    assert common.ci == pytest.approx(1.5 + math.sqrt(1.5 * 0.5))  # √2.25 = 1.5
    rare = e_value_for_odds_ratio(estimate, outcome_share=0.05)
    assert rare.point == pytest.approx(4 + math.sqrt(12))
    covering = e_value_for_odds_ratio(Estimate("odds_ratio", 1.3, (0.8, 2.1), 0.3), outcome_share=0.4)
    assert covering.ci == 1.0


def test_an_uncertain_uplift_is_shrunk_more_than_a_precise_one() -> None:
    kept = []
    for n_deals, n_customers in ((120, 40), (900, 300)):
        result = analyse(simulate_book(5, n_deals=n_deals, n_customers=n_customers), only=("win",), breakdowns=False)
        win = result.win.adjusted
        assert win is not None and win.value > 1
        shrunk = shrunk_win_uplift(result)
        assert 1.0 < shrunk < win.value
        kept.append(math.log(shrunk) / math.log(win.value))
    small_book, large_book = kept
    assert small_book < large_book  # the wide interval keeps less of its estimate


def test_the_uplift_multiplies_the_odds_of_a_win() -> None:
    assert uplifted_probability(0.3, 2.0) == pytest.approx((0.6 / 0.7) / (1 + 0.6 / 0.7))
    assert uplifted_probability(0.3, 1.0) == pytest.approx(0.3)


def test_the_reading_never_claims_causation_in_either_language() -> None:
    result = analyse(simulate_book(9))
    english, swedish = read(result, "en"), read(result, "sv")
    assert "not proof" in english
    assert "odds ratio" in english and "95% interval" in english
    for claim in ("causes more", "leads to", "because we met", "results in"):
        assert claim not in english.lower()
    assert "oddskvot" in swedish and "inte bevis" in swedish
